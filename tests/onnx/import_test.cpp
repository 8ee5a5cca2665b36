// ONNX import: models written by torch.onnx.export (tests/fixtures/onnx, made by
// tools/make_onnx_fixtures.py) run with PyTorch's outputs; every zoo model round trips nabla →
// ONNX → nabla; imported models train; malformed files and unsupported operators raise Error.
#include "nabla/onnx/import.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "error_of.h"
#include "model_checks.h"
#include "nabla/autograd.h"
#include "nabla/io/safetensors.h"
#include "nabla/models/registry.h"
#include "nabla/nn.h"
#include "nabla/onnx/export.h"
#include "nabla/onnx/protobuf.h"
#include "nabla/ops.h"
#include "nabla/optim.h"
#include "nabla/random.h"

namespace nabla::onnx {
namespace {

using testing::error_of;

const std::string kFixtures = std::string(NABLA_SOURCE_DIR) + "/tests/fixtures/onnx/";

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// Same dtype, shape and values, bit for bit.
bool same(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() && allclose(a, b, 0.0, 0.0);
}

Tensor run(OnnxModel& m, const Tensor& x) {
  NoGradGuard no_grad;
  return m(x);
}

// The round trips whose outputs are not bit for bit, with why: the imported graph computes part of
// the model in another operation order than nabla's own layers (docs/interop.md, "What a round
// trip guarantees"). Every other registry model and stack of layers must come back exactly.
const std::map<std::string, std::string>& rounded_round_trips() {
  static const std::map<std::string, std::string> reasons = {
      // AdaptiveAvgPool2d to a size that does not divide the input (AlexNet's and ZFNet's 6×6,
      // the stack's 25 → 7): two MatMuls by pooling matrices, sums of products, where nabla's
      // layer sums each window and divides by its length (measured ≤ 1.0e-7 relative). The
      // stack also has Linear on 3-d input (MatMul + Add) and Softplus with beta 2 (Mul,
      // Softplus, Div).
      {"alexnet", "adaptive pooling as MatMuls by pooling matrices"},
      {"zfnet", "adaptive pooling as MatMuls by pooling matrices"},
      {"more_layers", "pooling matrices, Linear on 3-d input as MatMul + Add, Softplus beta 2 as Mul/Div"},
      // Exact GELU as Div, Erf, Add, Mul, Mul, Linear on (N, L, E) as Transpose, MatMul, Add and
      // attention as separate MatMul, Mul, Softmax nodes, where nabla's layers use fused kernels
      // (measured 6.4e-7 relative).
      {"vit_small", "GELU through Erf, Linear on 3-d input as MatMul + Add, unfused attention"},
      {"vit_b_16", "GELU through Erf, Linear on 3-d input as MatMul + Add, unfused attention"},
  };
  return reasons;
}

// Exports `model` (eval mode) on `x`, imports the bytes and compares: outputs bit for bit (within
// 1e-5 relative for the models of rounded_round_trips()), and every state_dict tensor back under
// its key, bit for bit.
void check_round_trip(nn::UnaryModule& model, const Tensor& x, const std::string& name) {
  model.eval();
  auto back = load_bytes(export_model_bytes(model, x), name + ".onnx");
  Tensor expected;
  {
    NoGradGuard no_grad;
    expected = model(x);
  }
  const Tensor got = run(*back, x);
  const double err = relative_error(got, expected);
  const bool exact = got.shape() == expected.shape() && same(got, expected);
  std::printf("[ onnx ] round trip %-22s relative error %.2e%s\n", name.c_str(), err, exact ? " (bit for bit)" : "");
  // Bit for bit holds in the optimised build. The sanitized build (clang -O1) compiles the fused
  // BatchNorm + ReLU kernel and the separate BatchNorm and ReLU of the imported graph with
  // different floating-point contraction, so there the outputs agree only up to rounding
  // (measured 2.2e-7 relative for resnet20): NABLA_EXACT_ROUND_TRIPS is 0 in that build.
  if (const auto it = rounded_round_trips().find(name); it != rounded_round_trips().end())
    EXPECT_LE(err, 1e-5) << name << " (" << it->second << ")";
  else if (!NABLA_EXACT_ROUND_TRIPS)
    EXPECT_LE(err, 1e-5) << name << " (sanitized build: rounding may differ)";
  else
    EXPECT_TRUE(exact) << name << ": the round trip is not bit for bit (relative error " << err << ")";
  const StateDict original = model.state_dict(), imported = back->state_dict();
  for (const auto& [key, t] : original) {
    if (key.ends_with("num_batches_tracked")) continue;
    auto it = imported.find(key);
    if (it == imported.end()) {
      ADD_FAILURE() << name << ": " << key << " missing after the round trip";
      continue;
    }
    EXPECT_TRUE(same(it->second, t)) << name << ": " << key;
  }
  // The original's checkpoint loads into the import: nothing unexpected; missing only the
  // export's own constants (named after a module path with '/').
  StateDict weights;
  for (const auto& [key, t] : original)
    if (!key.ends_with("num_batches_tracked")) weights[key] = t;
  const nn::LoadResult r = back->load_state_dict(weights, /*strict=*/false);
  EXPECT_TRUE(r.unexpected_keys.empty()) << name << ": " << r.unexpected_keys.size() << " unexpected keys";
  for (const auto& key : r.missing_keys) EXPECT_NE(key.find('/'), std::string::npos) << name << ": " << key;
}

// ---- models exported by PyTorch --------------------------------------------------------------------

class TorchExported : public ::testing::TestWithParam<std::string> {};

TEST_P(TorchExported, MatchesPyTorch) {
  const std::string name = GetParam();
  auto model = load(kFixtures + name + ".onnx");
  const auto expected = io::load_safetensors(kFixtures + name + ".safetensors").tensors;
  const Tensor& x = expected.at("input");
  const Tensor& y = expected.at("output");
  const double err = relative_error(run(*model, x), y);
  // The batch dimension is dynamic: one sample alone gives its row of the batch's output. Not for
  // PyTorch's recurrent layers: torch.onnx.export writes their zero initial states as constants
  // of the example's batch size (it warns so).
  const bool fixed_batch = name.ends_with("_classifier");
  const double err1 = fixed_batch ? 0.0 : relative_error(run(*model, x.narrow(0, 0, 1)), y.narrow(0, 0, 1));
  std::printf("[ onnx ] %-24s %3lld nodes, %7lld parameters: relative error %.2e (batch 1: %.2e)\n", name.c_str(),
              static_cast<long long>(model->num_nodes()), static_cast<long long>(model->num_parameters()), err, err1);
  EXPECT_LE(err, 1e-4);
  EXPECT_LE(err1, 1e-4);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, TorchExported,
                         ::testing::Values("tiny_cnn", "tiny_mlp", "cifar_resnet8", "mobilenet_v2_w025",
                                           "shufflenet_v2_tiny", "densenet_tiny", "mobilenet_v3_small_tiny",
                                           "vit_tiny", "token_transformer", "upsampler", "lstm_classifier",
                                           "gru_classifier"),
                         [](const auto& info) { return info.param; });

// ---- nabla → ONNX → nabla ------------------------------------------------------------------------

class RoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(RoundTrip, SameOutputsAndStateDict) {
  const std::string name = GetParam();
  manual_seed(7);
  Shape input;
  std::shared_ptr<nn::UnaryModule> model = small_zoo_model(name, input);
  if (!model) GTEST_SKIP() << name << " takes neither 3x32x32 nor 1x28x28 inputs";
  if (model->num_parameters() > 40'000'000 && !all_models()) GTEST_SKIP() << name << ": " << model->num_parameters() << " parameters";
  perturb_batch_norm(*model, 7);
  input.insert(input.begin(), 2);
  check_round_trip(*model, randn(input), name);
}

TEST(OnnxImport, RoundTripLayerStacks) {
  manual_seed(9);
  for (const auto& [name, net, shape] : layer_stacks()) {
    perturb_batch_norm(*net, 9);
    check_round_trip(*net, randn(shape), name);
  }
}

INSTANTIATE_TEST_SUITE_P(Models, RoundTrip, ::testing::ValuesIn(models::model_names()),
                         [](const auto& info) { return info.param; });

TEST(OnnxImport, RoundTripRecurrentLayers) {
  manual_seed(10);
  for (const auto& [name, model, tokens] : sequence_cases()) {
    auto back = load_bytes(export_model_bytes(*model, tokens), name + ".onnx");
    Tensor expected;
    {
      NoGradGuard no_grad;
      expected = model->forward(tokens);
    }
    const double err = relative_error(run(*back, tokens), expected);
    std::printf("[ onnx ] round trip SequenceClassifier %-32s relative error %.2e\n", name.c_str(), err);
    EXPECT_LE(err, 1e-5) << name;
  }
}

// ---- training an imported model -------------------------------------------------------------------

TEST(OnnxImport, ImportedModelTrains) {
  manual_seed(8);
  nn::Sequential net(nn::Conv2d(1, 4, 3, 1, 1), nn::BatchNorm2d(4), nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(),
                     nn::Linear(4 * 4 * 4, 3));
  net.eval();
  auto model = load_bytes(export_model_bytes(net, randn({1, 1, 8, 8})), "net.onnx");
  // Conv, BatchNorm affine and Linear weights are parameters; running statistics are buffers.
  const auto params = model->named_parameters();
  EXPECT_EQ(params.size(), 6u);
  EXPECT_EQ(model->named_buffers().size(), 2u);
  const Tensor running_mean = model->state_dict().at("1.running_mean").clone();
  model->train();
  const Tensor x = randn({16, 1, 8, 8}), labels = randint(0, 3, {16});
  optim::SGD opt(model->parameters(), {.lr = 0.1});
  double first = 0, last = 0;
  for (int step = 0; step < 20; ++step) {
    opt.zero_grad();
    Tensor loss = nn::functional::cross_entropy((*model)(x), labels);
    loss.backward();
    for (const auto& [name, p] : params) ASSERT_TRUE(p.grad().defined()) << name;
    opt.step();
    (step == 0 ? first : last) = loss.item<double>();
  }
  EXPECT_LT(last, 0.5 * first);
  // In training mode BatchNormalization uses batch statistics and updates the running ones.
  EXPECT_FALSE(same(model->state_dict().at("1.running_mean"), running_mean));
}

TEST(OnnxImport, DescribesItself) {
  auto model = load(kFixtures + "tiny_cnn.onnx");
  EXPECT_EQ(model->input_names(), std::vector<std::string>{"input"});
  EXPECT_EQ(model->output_names(), std::vector<std::string>{"output"});
  EXPECT_EQ(model->input_shape(0), (std::vector<int64_t>{-1, 1, 12, 12}));
  EXPECT_EQ(model->opset(), 17);
  EXPECT_FALSE(model->is_training());
  EXPECT_NE(model->to_string().find("opset=17, nodes="), std::string::npos) << model->to_string();
  const auto ops = supported_operators();
  for (const char* op : {"Conv", "Gemm", "LayerNormalization", "Resize", "Erf", "Gather"})
    EXPECT_NE(std::find(ops.begin(), ops.end(), op), ops.end()) << op;
}

TEST(OnnxImport, MetadataRoundTrips) {
  nn::Sequential net(nn::Linear(3, 2));
  net.eval();
  auto model = load_bytes(export_model_bytes(net, randn({1, 3}), 17, {{"nabla.run", "{\"a\": 1}"}}));
  EXPECT_EQ(model->metadata("nabla.run"), "{\"a\": 1}");
  EXPECT_EQ(model->metadata("other"), "");
}

// ---- errors -------------------------------------------------------------------------------------

// A ModelProto by hand: nodes (op, inputs, outputs), one float input "x" of shape (2, 3).
std::string hand_model(const std::vector<std::tuple<std::string, std::vector<std::string>, std::string>>& nodes,
                       const std::string& output, int64_t opset = 17) {
  ProtoWriter graph;
  int k = 0;
  for (const auto& [op, inputs, out] : nodes) {
    ProtoWriter n;
    for (const auto& i : inputs) n.bytes_field(1, i);
    n.bytes_field(2, out);
    n.bytes_field(3, "n" + std::to_string(k++));
    n.bytes_field(4, op);
    graph.message(1, n);
  }
  auto value = [](const std::string& name, bool shaped) {
    ProtoWriter dims, tensor, type, v;
    for (int64_t d : {2, 3}) {
      ProtoWriter dim;
      dim.int_field(1, d);
      dims.message(1, dim);
    }
    tensor.int_field(1, 1);
    if (shaped) tensor.message(2, dims);
    type.message(1, tensor);
    v.bytes_field(1, name);
    v.message(2, type);
    return v;
  };
  graph.message(11, value("x", true));
  graph.message(12, value(output, false));
  ProtoWriter opset_id, model;
  opset_id.int_field(2, opset);
  model.int_field(1, 8);
  model.message(8, opset_id);
  model.message(7, graph);
  return model.take();
}

TEST(OnnxImport, UnsupportedOperatorsAreListedTogether) {
  const std::string bytes =
      hand_model({{"Relu", {"x"}, "a"}, {"FooBar", {"a"}, "b"}, {"Baz", {"b"}, "c"}, {"FooBar", {"c"}, "d"}}, "d");
  const std::string e = error_of([&] { load_bytes(bytes, "m.onnx"); });
  EXPECT_NE(e.find("m.onnx: unsupported operators: Baz (1 node: n2), FooBar (2 nodes: n1, n3)"), std::string::npos)
      << e;
}

TEST(OnnxImport, ErrorsNameTheFileNodeAndValue) {
  EXPECT_NE(error_of([] { load_bytes(hand_model({{"Relu", {"y"}, "a"}}, "a"), "m.onnx"); })
                .find("m.onnx: node 'n0' (Relu) uses 'y', which no earlier node"),
            std::string::npos);
  EXPECT_NE(error_of([] { load_bytes(hand_model({{"Relu", {"x"}, "a"}}, "b"), "m.onnx"); })
                .find("graph output 'b' is not defined"),
            std::string::npos);
  EXPECT_NE(error_of([] { load_bytes(hand_model({{"Relu", {"x"}, "a"}}, "a", 21), "m.onnx"); }).find("opset 21"),
            std::string::npos);
  auto relu = load_bytes(hand_model({{"Relu", {"x"}, "a"}}, "a"), "m.onnx");
  EXPECT_NE(error_of([&] { run(*relu, randn({2, 4})); }).find("input 'x' expects shape [2, 3], got [2, 4]"),
            std::string::npos);
  EXPECT_NE(error_of([&] { run(*relu, randn({2, 3}, DType::Float64)); }).find("must be float32, got float64"),
            std::string::npos);
  auto bad = load_bytes(hand_model({{"Reshape", {"x", "x"}, "a"}}, "a"), "m.onnx");
  EXPECT_NE(error_of([&] { run(*bad, randn({2, 3})); }).find("m.onnx: node 'n0' (Reshape): expected an integer tensor"),
            std::string::npos);
  EXPECT_NE(error_of([] { load("/nonexistent/m.onnx"); }).find("cannot open /nonexistent/m.onnx"), std::string::npos);
  EXPECT_NE(error_of([] { load_bytes("not a model", "t.onnx"); }).find("t.onnx"), std::string::npos);
}

TEST(OnnxImport, EveryTruncationRaisesError) {
  const std::string bytes = read_file(kFixtures + "tiny_cnn.onnx");
  ASSERT_GT(bytes.size(), 100u);
  int errors = 0;
  for (size_t n = 0; n < bytes.size(); n += std::max<size_t>(1, bytes.size() / 400)) {
    try {
      load_bytes(std::string_view(bytes).substr(0, n), "cut.onnx");
    } catch (const Error& e) {
      ++errors;
      EXPECT_NE(std::string(e.what()).find("cut.onnx"), std::string::npos) << e.what();
    }
  }
  EXPECT_GT(errors, 300);
}

}  // namespace
}  // namespace nabla::onnx
