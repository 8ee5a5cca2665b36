// The kernel backend API (nabla/ops/backend.h): settings, names, and the environment variables.
#include <gtest/gtest.h>

#include <cstdlib>

#include "error_of.h"
#include "nabla/nabla.h"

using namespace nabla;
using nabla::testing::error_of;

TEST(Backend, NamesRoundTripAndBadValuesAreNamed) {
  for (ops::ConvBackend b : {ops::ConvBackend::Auto, ops::ConvBackend::OneDnn, ops::ConvBackend::Im2col})
    EXPECT_EQ(ops::parse_conv_backend(ops::conv_backend_name(b)), b);
  for (ops::DnnlLayout l : {ops::DnnlLayout::Blocked, ops::DnnlLayout::Plain})
    EXPECT_EQ(ops::parse_dnnl_layout(ops::dnnl_layout_name(l)), l);
  for (ops::ConvAlgorithm a : {ops::ConvAlgorithm::Auto, ops::ConvAlgorithm::Direct, ops::ConvAlgorithm::Winograd})
    EXPECT_EQ(ops::parse_conv_algorithm(ops::conv_algorithm_name(a)), a);
  const std::string algo = error_of([] { ops::parse_conv_algorithm("fft", "NABLA_CONV_ALGORITHM"); });
  EXPECT_NE(algo.find("NABLA_CONV_ALGORITHM"), std::string::npos) << algo;
  EXPECT_NE(algo.find("'fft'"), std::string::npos) << algo;
  const std::string msg = error_of([] { ops::parse_conv_backend("cudnn", "NABLA_CONV_BACKEND"); });
  EXPECT_NE(msg.find("NABLA_CONV_BACKEND"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'cudnn'"), std::string::npos) << msg;
  EXPECT_THROW(ops::parse_dnnl_layout("nchw"), Error);
}

TEST(Backend, SetAndGet) {
  const ops::ConvBackend saved = ops::conv_backend();
  const ops::DnnlLayout saved_layout = ops::dnnl_layout();
  ops::set_conv_backend(ops::ConvBackend::Im2col);
  EXPECT_EQ(ops::conv_backend(), ops::ConvBackend::Im2col);
  EXPECT_EQ(nn::conv_backend(), ops::ConvBackend::Im2col);  // nn:: names the same setting
  ops::set_dnnl_layout(ops::DnnlLayout::Plain);
  EXPECT_EQ(ops::dnnl_layout(), ops::DnnlLayout::Plain);
  // Both layouts give the same convolution.
  manual_seed(1);
  Tensor x = randn({2, 3, 6, 6}), w = randn({4, 3, 3, 3});
  ops::set_conv_backend(ops::ConvBackend::OneDnn);
  Tensor plain = nn::functional::conv2d(x, w);
  ops::set_dnnl_layout(ops::DnnlLayout::Blocked);
  Tensor blocked = nn::functional::conv2d(x, w);
  EXPECT_TRUE(allclose(plain, blocked, 1e-5, 1e-5));
  ops::set_conv_backend(saved);
  ops::set_dnnl_layout(saved_layout);
  const ops::ConvAlgorithm saved_algorithm = ops::conv_algorithm();
  for (ops::ConvAlgorithm a : {ops::ConvAlgorithm::Direct, ops::ConvAlgorithm::Winograd, ops::ConvAlgorithm::Auto}) {
    ops::set_conv_algorithm(a);
    EXPECT_EQ(ops::conv_algorithm(), a);
  }
  ops::set_conv_algorithm(saved_algorithm);
}

// Run by the CTest `backend_environment` with NABLA_CONV_BACKEND=im2col and
// NABLA_DNNL_LAYOUT=plain set (tests/CMakeLists.txt), in a process of its own, so nothing has set
// the backends before: the settings must be those of the variables.
TEST(BackendEnvironment, VariablesAreHonoured) {
  const char* conv = std::getenv("NABLA_CONV_BACKEND");
  const char* layout = std::getenv("NABLA_DNNL_LAYOUT");
  if (!conv || !layout) GTEST_SKIP() << "run by the backend_environment CTest, which sets the variables";
  EXPECT_EQ(ops::conv_backend(), ops::parse_conv_backend(conv));
  EXPECT_EQ(ops::dnnl_layout(), ops::parse_dnnl_layout(layout));
  const char* cache = std::getenv("NABLA_CONV_WEIGHT_CACHE");
  if (cache) EXPECT_EQ(ops::conv_weight_cache(), std::string(cache) == "on");
  const char* algorithm = std::getenv("NABLA_CONV_ALGORITHM");
  if (algorithm) EXPECT_EQ(ops::conv_algorithm(), ops::parse_conv_algorithm(algorithm));
  const char* keep = std::getenv("NABLA_CONV_KEEP_INPUT");
  if (keep) EXPECT_EQ(ops::conv_keep_input(), std::string(keep) == "on");
  ops::set_conv_backend(ops::ConvBackend::Auto);  // an explicit setting wins over the variable
  EXPECT_EQ(ops::conv_backend(), ops::ConvBackend::Auto);
}
