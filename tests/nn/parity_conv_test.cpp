// PyTorch parity of the convolution layers: outputs, input and parameter gradients against
// tests/fixtures/parity/conv.safetensors (written by tools/parity/conv.py; keep the tables in sync).
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>
#include <memory>

#include "nabla/io/serialize.h"
#include "nabla/nabla.h"
#include "nabla/nn/conv.h"

using namespace nabla;
using nn::ConvInts;

namespace {

const std::map<std::string, Tensor>& fixture() {
  static const std::map<std::string, Tensor> data = load(NABLA_SOURCE_DIR "/tests/fixtures/parity/conv.safetensors");
  return data;
}

Tensor get(const std::string& key) {
  auto it = fixture().find(key);
  if (it == fixture().end()) throw Error("conv parity: fixture has no tensor " + key);
  return it->second;
}

void expect_close(const Tensor& actual, const Tensor& expected, const std::string& what) {
  ASSERT_EQ(actual.shape(), expected.shape()) << what;
  ASSERT_EQ(actual.dtype(), expected.dtype()) << what;
  const double rtol = actual.dtype() == DType::Float64 ? 1e-10 : 1e-5;
  const double atol = actual.dtype() == DType::Float64 ? 1e-12 : 1e-5;
  const auto a = actual.to_vector<double>(), e = expected.to_vector<double>();
  for (size_t i = 0; i < a.size(); ++i)
    ASSERT_NEAR(a[i], e[i], atol + rtol * std::abs(e[i])) << what << " element " << i;
}

// The same configurations as tools/parity/conv.py.
struct Case {
  std::string name;
  std::function<std::shared_ptr<nn::ConvNd>()> make;
};

std::vector<Case> cases() {
  using namespace nn;
  return {
      {"c1d_stride_pad", [] { return std::make_shared<Conv1d>(3, 4, 3, 2, 1); }},
      {"c1d_same_dil_groups", [] { return std::make_shared<Conv1d>(4, 6, 3, 1, "same", 2, 2); }},
      {"c1d_reflect", [] { return std::make_shared<Conv1d>(2, 3, 3, 1, 2, 1, 1, true, "reflect"); }},
      {"c2d_basic", [] { return std::make_shared<Conv2d>(3, 4, 3, 1, 1); }},
      {"c2d_strided_dilated",
       [] { return std::make_shared<Conv2d>(3, 5, ConvInts{3, 2}, ConvInts{2, 1}, ConvPadding{1, 0}, ConvInts{1, 2}); }},
      {"c2d_groups_nobias", [] { return std::make_shared<Conv2d>(4, 6, 3, 2, 0, 1, 2, false); }},
      {"c2d_depthwise", [] { return std::make_shared<Conv2d>(4, 8, 3, 1, 1, 1, 4); }},
      {"c2d_pointwise", [] { return std::make_shared<Conv2d>(5, 3, 1); }},
      {"c2d_reflect", [] { return std::make_shared<Conv2d>(2, 3, 3, 1, ConvPadding{1, 2}, 1, 1, true, "reflect"); }},
      {"c2d_replicate",
       [] { return std::make_shared<Conv2d>(2, 3, 3, 2, ConvPadding{2, 1}, 1, 1, true, "replicate"); }},
      {"c2d_circular", [] { return std::make_shared<Conv2d>(2, 3, 3, 1, 1, 1, 1, true, "circular"); }},
      {"c2d_same_even", [] { return std::make_shared<Conv2d>(2, 3, ConvInts{4, 3}, 1, "same", ConvInts{1, 2}); }},
      {"c2d_same_reflect", [] { return std::make_shared<Conv2d>(2, 2, 4, 1, "same", 1, 1, true, "reflect"); }},
      {"c2d_valid_f64", [] { return std::make_shared<Conv2d>(3, 4, 3, ConvInts{1, 2}, "valid"); }},
      {"c3d_basic",
       [] { return std::make_shared<Conv3d>(2, 3, ConvInts{2, 3, 2}, ConvInts{1, 2, 1}, ConvPadding{1, 0, 1}); }},
      {"c3d_groups_f64", [] { return std::make_shared<Conv3d>(4, 2, 3, 1, 1, ConvInts{2, 1, 1}, 2); }},
      {"ct1d_outpad", [] { return std::make_shared<ConvTranspose1d>(3, 2, 3, 2, 1, 1); }},
      {"ct2d_groups_outpad", [] { return std::make_shared<ConvTranspose2d>(4, 6, 3, 2, 1, 1, 2); }},
      {"ct2d_dilated_nobias",
       [] {
         return std::make_shared<ConvTranspose2d>(3, 2, ConvInts{3, 2}, ConvInts{2, 1}, ConvInts{0, 1}, ConvInts{1, 0}, 1,
                                                  false, 2);
       }},
      {"ct2d_f64", [] { return std::make_shared<ConvTranspose2d>(2, 3, 4, 3, 1, 2); }},
  };
}

}  // namespace

TEST(ConvParity, MatchesPyTorch) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    auto layer = c.make();
    const Tensor x0 = get(c.name + ".x");
    layer->to(x0.dtype());
    nn::StateDict sd{{"weight", get(c.name + ".weight")}};
    if (layer->bias.defined()) sd["bias"] = get(c.name + ".bias");
    layer->load_state_dict(sd);

    Tensor x = x0.clone().requires_grad_();
    Tensor y = (*layer)(x);
    expect_close(y, get(c.name + ".y"), "y");
    (y * get(c.name + ".gy")).sum().backward();
    expect_close(x.grad(), get(c.name + ".gx"), "grad of x");
    expect_close(layer->weight.grad(), get(c.name + ".gweight"), "grad of weight");
    if (layer->bias.defined()) expect_close(layer->bias.grad(), get(c.name + ".gbias"), "grad of bias");
  }
}

TEST(ConvParity, FixtureCoversEveryCase) {
  // Every fixture entry belongs to a configuration tested above (catches tables out of sync).
  std::set<std::string> names;
  for (const Case& c : cases()) names.insert(c.name);
  for (const auto& [key, t] : fixture()) EXPECT_TRUE(names.count(key.substr(0, key.find('.')))) << key;
}
