// ONNX export: errors and file structure (always), and every zoo model run in ONNX Runtime against
// nabla's eval output plus the onnx checker (skipped when node, onnxruntime-node or python3-onnx
// are absent; tools/onnx/install_ort.sh installs the runtime).
#include "nabla/onnx/export.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "error_of.h"
#include "nabla/autograd.h"
#include "nabla/models/registry.h"
#include "nabla/models/resnet.h"
#include "nabla/models/vgg.h"
#include "nabla/nn.h"
#include "nabla/ops.h"
#include "nabla/random.h"
#include "model_checks.h"
#include "onnx_runtime.h"

namespace nabla::onnx {
namespace {

using testing::error_of;

class MyLayer : public nn::UnaryModule {
 public:
  Tensor forward(const Tensor& x) override { return x; }
  std::string name() const override { return "MyLayer"; }
};

TEST(OnnxExport, UnsupportedModuleIsNamed) {
  nn::Sequential net(nn::Linear(4, 3), std::make_shared<MyLayer>(), nn::ReLU());
  net.eval();
  const std::string e = error_of([&] { export_model_bytes(net, randn({2, 4})); });
  EXPECT_NE(e.find("1 (MyLayer) has no ONNX form"), std::string::npos) << e;
}

TEST(OnnxExport, TrainingModeIsRefused) {
  nn::Sequential net(nn::Linear(4, 3), nn::Dropout(0.5));
  const std::string e = error_of([&] { export_model_bytes(net, randn({2, 4})); });
  EXPECT_NE(e.find("training mode"), std::string::npos) << e;
  EXPECT_NE(error_of([&] {
              net.eval();
              export_model_bytes(net, randn({2, 4}), 12);
            }).find("opset"),
            std::string::npos);
}

TEST(OnnxExport, WritesAtomicallyAndNamesInitializersByStateDictKeys) {
  nn::Sequential net(nn::Conv2d(1, 2, 3), nn::BatchNorm2d(2), nn::ReLU(), nn::Flatten(), nn::Linear(8, 3));
  net.eval();
  const std::string dir = temp_folder("atomic"), path = dir + "/m.onnx";
  export_model(net, randn({1, 1, 4, 4}), path);
  std::ifstream f(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  for (const char* key : {"0.weight", "1.running_var", "4.bias", "input", "output", "batch", "Gemm"})
    EXPECT_NE(bytes.find(key), std::string::npos) << key;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    EXPECT_EQ(e.path().filename(), "m.onnx") << "temporary file left behind";
  EXPECT_NE(error_of([&] {
              export_model(net, randn({1, 1, 4, 4}), dir + "/missing/m.onnx");
            }).find("missing/m.onnx"),
            std::string::npos);
  std::filesystem::remove_all(dir);
}

// The writer's speed on a big model (docs/design.md "ONNX export"): vgg11, 133 M parameters.
// Disabled by default (a 0.5 GB model); run with --gtest_also_run_disabled_tests.
TEST(OnnxExport, DISABLED_SpeedVgg11) {
  auto model = models::create("vgg11", {1000, {3, 224, 224}});
  model->eval();
  const Tensor x = randn({1, 3, 224, 224});
  auto t0 = std::chrono::steady_clock::now();
  {
    NoGradGuard no_grad;
    (*model)(x);
  }
  const double forward = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  t0 = std::chrono::steady_clock::now();
  const std::string bytes = export_model_bytes(*model, x);
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::string dir = temp_folder("speed");
  t0 = std::chrono::steady_clock::now();
  export_model(*model, x, dir + "/vgg11.onnx");
  const double file = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::filesystem::remove_all(dir);
  std::printf(
      "[ onnx ] vgg11: %.1f MB, %lld parameters; export_model_bytes %.0f ms (forward alone %.0f ms, "
      "so the graph and bytes %.0f ms), export_model to a file %.0f ms\n",
      static_cast<double>(bytes.size()) / 1e6, static_cast<long long>(model->num_parameters()), total * 1e3,
      forward * 1e3, (total - forward) * 1e3, file * 1e3);
}

// Exports `model` on `input`, runs it in ONNX Runtime and the checker; returns the relative error.
double ort_error(nn::UnaryModule& model, const Tensor& input, const std::string& name, const Tensor& run_input = {}) {
  const std::string dir = temp_folder(name), path = dir + "/model.onnx";
  model.eval();
  export_model(model, input, path);
  const Tensor x = run_input.defined() ? run_input : input;
  Tensor expected;
  {
    NoGradGuard no_grad;
    expected = model(x);
  }
  const Tensor got = testing::run_in_ort(path, x, dir);
  const double err = relative_error(got, expected);
  const std::string checker = testing::checker_missing().empty() ? testing::check_with_onnx(path, dir) : "";
  EXPECT_EQ(checker, "") << name;
  std::filesystem::remove_all(dir);
  return err;
}

TEST(OnnxRuntime, DynamicBatch) {
  if (const std::string why = testing::ort_missing(); !why.empty()) GTEST_SKIP() << why;
  manual_seed(1);
  auto net = models::resnet18(10, 3, /*small_input=*/true);
  perturb_batch_norm(*net, 1);
  const double err = ort_error(*net, randn({1, 3, 32, 32}), "dynamic_batch", randn({3, 3, 32, 32}));
  std::printf("[ onnx ] resnet18 exported with batch 1, run with batch 3: relative error %.2e\n", err);
  EXPECT_LE(err, 1e-4);
}

TEST(OnnxRuntime, LayerStacks) {
  if (const std::string why = testing::ort_missing(); !why.empty()) GTEST_SKIP() << why;
  manual_seed(2);
  for (const auto& [name, net, shape] : layer_stacks()) {
    perturb_batch_norm(*net, 2);
    const double err = ort_error(*net, randn(shape), name);
    std::printf("[ onnx ] %s: relative error %.2e\n", name.c_str(), err);
    EXPECT_LE(err, 1e-4) << name;
  }
}

TEST(OnnxRuntime, RecurrentLayers) {
  if (const std::string why = testing::ort_missing(); !why.empty()) GTEST_SKIP() << why;
  manual_seed(8);
  for (const auto& [name, model, tokens] : sequence_cases()) {
    const std::string dir = temp_folder(name), path = dir + "/model.onnx";
    export_model(*model, tokens, path);
    Tensor expected;
    {
      NoGradGuard no_grad;
      expected = model->forward(tokens);
    }
    const double err = relative_error(testing::run_in_ort(path, tokens, dir), expected);
    if (testing::checker_missing().empty()) EXPECT_EQ(testing::check_with_onnx(path, dir), "") << name;
    std::filesystem::remove_all(dir);
    std::printf("[ onnx ] SequenceClassifier %-32s relative error %.2e\n", name.c_str(), err);
    EXPECT_LE(err, 1e-4) << name;
  }
}

TEST(OnnxRuntime, EmbeddingTakesInt64Tokens) {
  if (const std::string why = testing::ort_missing(); !why.empty()) GTEST_SKIP() << why;
  manual_seed(6);
  nn::Sequential net(nn::Embedding(20, 8), nn::LayerNorm({8}), nn::Linear(8, 5), nn::Flatten(), nn::Linear(30, 3));
  const Tensor tokens = randint(0, 20, {2, 6});
  ASSERT_EQ(tokens.dtype(), DType::Int64);
  const double err = ort_error(net, tokens, "embedding");
  std::printf("[ onnx ] embedding: relative error %.2e\n", err);
  EXPECT_LE(err, 1e-4);
}

// Every model of the registry at a small configuration (3×32×32 or 1×28×28, 10 classes).
class OnnxRuntimeZoo : public ::testing::TestWithParam<std::string> {};

TEST_P(OnnxRuntimeZoo, MatchesNabla) {
  if (const std::string why = testing::ort_missing(); !why.empty()) GTEST_SKIP() << why;
  const std::string name = GetParam();
  manual_seed(3);
  Shape input;
  std::shared_ptr<nn::UnaryModule> model = small_zoo_model(name, input);
  if (!model) GTEST_SKIP() << name << " takes neither 3x32x32 nor 1x28x28 inputs";
  if (model->num_parameters() > 40'000'000 && !all_models())
    GTEST_SKIP() << name << ": " << model->num_parameters()
                 << " parameters (left out for time; NABLA_ONNX_ALL_MODELS=1 runs it)";
  perturb_batch_norm(*model, 3);
  input.insert(input.begin(), 2);
  const auto t0 = std::chrono::steady_clock::now();
  const double err = ort_error(*model, randn(input), "zoo_" + name);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[ onnx ] %-22s input %-12s relative error %.2e (%.1f s)\n", name.c_str(), shape_str(input).c_str(), err,
              s);
  EXPECT_LE(err, 1e-4) << name;
}

INSTANTIATE_TEST_SUITE_P(Models, OnnxRuntimeZoo, ::testing::ValuesIn(models::model_names()),
                         [](const auto& info) { return info.param; });

// A few published-size models at 3×224×224 with 1000 classes.
class OnnxRuntimePublished : public ::testing::TestWithParam<std::string> {};

TEST_P(OnnxRuntimePublished, MatchesNabla) {
  if (const std::string why = testing::ort_missing(); !why.empty()) GTEST_SKIP() << why;
  const std::string name = GetParam();
  manual_seed(4);
  auto model = models::create(name, {1000, {3, 224, 224}});
  perturb_batch_norm(*model, 4);
  const double err = ort_error(*model, randn({1, 3, 224, 224}), "published_" + name);
  std::printf("[ onnx ] %-22s input 1x3x224x224 relative error %.2e\n", name.c_str(), err);
  EXPECT_LE(err, 1e-4) << name;
}

INSTANTIATE_TEST_SUITE_P(Models, OnnxRuntimePublished,
                         ::testing::Values("resnet18", "mobilenet_v2", "squeezenet1_1", "shufflenet_v2_x1_0"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace nabla::onnx
