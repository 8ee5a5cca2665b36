// ONNX export of the generic Transformer modules as roots and inside a stack:
// nn::TransformerEncoderLayer (post- and pre-norm, ReLU and GELU, batch-first and sequence-first),
// nn::TransformerEncoder (with and without its final norm) and nn::MultiheadAttention as
// self-attention (with and without biases), each exported once with a float input and run in ONNX
// Runtime at other batch sizes and sequence lengths against nabla's forward, checked by the onnx
// checker, and imported back with onnx::load_bytes (the ORT parts are skipped when node,
// onnxruntime-node or python3-onnx are absent); and the errors of what has no ONNX form.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "error_of.h"
#include "model_checks.h"
#include "nabla/autograd.h"
#include "nabla/nn.h"
#include "nabla/nn/transformer.h"
#include "nabla/onnx/export.h"
#include "nabla/onnx/import.h"
#include "nabla/ops.h"
#include "nabla/random.h"
#include "onnx_runtime.h"

namespace nabla::onnx {
namespace {

using testing::error_of;

constexpr int64_t kWidth = 16;

// Layer options at width 16, 2 heads, feed-forward 32, dropout 0.1 (the identity in eval mode).
nn::TransformerLayerOptions layer_options(const std::string& activation, bool norm_first, bool batch_first) {
  return {.d_model = kWidth, .nhead = 2, .dim_feedforward = 32, .dropout = 0.1, .activation = activation,
          .batch_first = batch_first, .norm_first = norm_first};
}

// One exported root: the module (eval mode, weights drawn wide), its layout, its input features and
// nabla's output for one input.
struct TransformerRoot {
  std::shared_ptr<nn::Module> module;
  bool batch_first = true;
  int64_t features = kWidth;
  std::function<Tensor(const Tensor&)> forward;
};

// The root named `name` (the parameters of the tests below).
TransformerRoot transformer_root(const std::string& name) {
  auto unary = [](std::shared_ptr<nn::UnaryModule> m, bool batch_first) -> TransformerRoot {
    return {m, batch_first, kWidth, [m](const Tensor& x) { return (*m)(x); }};
  };
  auto attention = [](const nn::MultiheadAttentionOptions& o) -> TransformerRoot {
    auto m = std::make_shared<nn::MultiheadAttention>(o);
    return {m, o.batch_first, o.embed_dim,
            [m](const Tensor& x) { return (*m)(x, x, x, {.need_weights = false}).first; }};
  };
  TransformerRoot root;
  if (name == "layer_post_relu") {
    root = unary(std::make_shared<nn::TransformerEncoderLayer>(layer_options("relu", false, true)), true);
  } else if (name == "layer_pre_gelu_sequence_first") {
    root = unary(std::make_shared<nn::TransformerEncoderLayer>(layer_options("gelu", true, false)), false);
  } else if (name == "encoder_pre_gelu_final_norm") {
    root = unary(std::make_shared<nn::TransformerEncoder>(layer_options("gelu", true, true), 2, true), true);
  } else if (name == "encoder_post_relu_sequence_first") {
    root = unary(std::make_shared<nn::TransformerEncoder>(layer_options("relu", false, false), 2), false);
  } else if (name == "attention") {
    root = attention({.embed_dim = kWidth, .num_heads = 4, .batch_first = true});
  } else if (name == "attention_sequence_first_no_bias") {
    root = attention({.embed_dim = kWidth, .num_heads = 2, .bias = false});
  } else {
    // A stack: the layer, Linear on 3-d input, GELU, Dropout, a one-layer encoder with its final
    // norm, LayerNorm, and a Linear to 5 features.
    EXPECT_EQ(name, "stack");
    root = unary(std::make_shared<nn::Sequential>(
                     std::make_shared<nn::TransformerEncoderLayer>(layer_options("gelu", false, true)),
                     nn::Linear(kWidth, kWidth), nn::GELU(), nn::Dropout(0.2),
                     std::make_shared<nn::TransformerEncoder>(layer_options("relu", true, true), 1, true),
                     nn::LayerNorm({kWidth}), nn::Linear(kWidth, 5)),
                 true);
  }
  draw_wide(*root.module);
  root.module->eval();
  auto forward = root.forward;
  root.forward = [forward](const Tensor& x) {
    NoGradGuard no_grad;
    return forward(x);
  };
  return root;
}

// A float input for (N, L): (N, L, features) batch-first, else (L, N, features).
Tensor input(const TransformerRoot& root, int64_t n, int64_t l) {
  return root.batch_first ? randn({n, l, root.features}) : randn({l, n, root.features});
}

// The (N, L) each exported graph is run on; the first is the export's example.
std::vector<std::pair<int64_t, int64_t>> run_sizes() { return {{2, 5}, {3, 9}, {1, 1}}; }

class OnnxTransformerRoots : public ::testing::TestWithParam<std::string> {};

TEST_P(OnnxTransformerRoots, DynamicBatchAndSequenceInOnnxRuntimeMatchNabla) {
  if (const std::string why = testing::ort_missing(); !why.empty()) GTEST_SKIP() << why;
  manual_seed(40);
  const std::string name = GetParam();
  const TransformerRoot root = transformer_root(name);
  const std::string dir = temp_folder("transformer_" + name), path = dir + "/model.onnx";
  export_model(*root.module, input(root, 2, 5), path);
  if (testing::checker_missing().empty()) EXPECT_EQ(testing::check_with_onnx(path, dir), "") << name;
  for (const auto& [n, l] : run_sizes()) {
    const Tensor x = input(root, n, l);
    const Tensor expected = root.forward(x), got = testing::run_in_ort(path, x, dir);
    const double diff = max_abs_diff(got, expected);
    std::printf("[ onnx ] %-34s %-10s in ONNX Runtime: max |diff| %.2e, relative error %.2e\n", name.c_str(),
                shape_str(x.shape()).c_str(), diff, relative_error(got, expected));
    EXPECT_LE(diff, 1e-4) << name << " " << shape_str(x.shape());
  }
  std::filesystem::remove_all(dir);
}

TEST_P(OnnxTransformerRoots, RoundTripSameOutputsAndStateDict) {
  manual_seed(41);
  const std::string name = GetParam();
  const TransformerRoot root = transformer_root(name);
  auto back = load_bytes(export_model_bytes(*root.module, input(root, 2, 5)), name + ".onnx");
  back->eval();
  EXPECT_EQ(back->input_shape(0), (std::vector<int64_t>{-1, -1, root.features})) << name;
  for (const auto& [n, l] : run_sizes()) {
    const Tensor x = input(root, n, l);
    Tensor got;
    {
      NoGradGuard no_grad;
      got = (*back)(x);
    }
    const Tensor expected = root.forward(x);
    const double diff = max_abs_diff(got, expected);
    std::printf("[ onnx ] %-34s %-10s round trip: max |diff| %.2e, relative error %.2e%s\n", name.c_str(),
                shape_str(x.shape()).c_str(), diff, relative_error(got, expected),
                allclose(got, expected, 0.0, 0.0) ? " (bit for bit)" : "");
    EXPECT_LE(diff, 1e-5) << name << " " << shape_str(x.shape());
  }
  const StateDict imported = back->state_dict();
  for (const auto& [key, t] : root.module->state_dict()) {
    auto it = imported.find(key);
    if (it == imported.end()) {
      ADD_FAILURE() << name << ": " << key << " missing after the round trip";
      continue;
    }
    EXPECT_TRUE(it->second.shape() == t.shape() && allclose(it->second, t, 0.0, 0.0)) << name << ": " << key;
  }
}

INSTANTIATE_TEST_SUITE_P(Roots, OnnxTransformerRoots,
                         ::testing::Values("layer_post_relu", "layer_pre_gelu_sequence_first",
                                           "encoder_pre_gelu_final_norm", "encoder_post_relu_sequence_first",
                                           "attention", "attention_sequence_first_no_bias", "stack"),
                         [](const auto& info) { return info.param; });

TEST(OnnxExportTransformer, DynamicDimsAndStateDictNames) {
  manual_seed(42);
  const TransformerRoot encoder = transformer_root("encoder_pre_gelu_final_norm");
  const std::string bytes = export_model_bytes(*encoder.module, input(encoder, 2, 5));
  for (const char* key : {"batch", "sequence", "layers.0.self_attn.in_proj_weight", "layers.1.self_attn.out_proj.bias",
                          "layers.1.linear2.weight", "layers.0.norm2.bias", "norm.weight", "Erf", "Softmax"})
    EXPECT_NE(bytes.find(key), std::string::npos) << key;
  const TransformerRoot attention = transformer_root("attention_sequence_first_no_bias");
  const std::string attn = export_model_bytes(*attention.module, input(attention, 2, 5));
  EXPECT_NE(attn.find("in_proj_weight"), std::string::npos);
  EXPECT_EQ(attn.find("in_proj_bias"), std::string::npos);
}

TEST(OnnxExportTransformer, WhatHasNoOnnxFormIsNamed) {
  manual_seed(43);
  nn::TransformerEncoderLayer layer(layer_options("relu", false, true));
  layer.eval();
  const std::string unbatched = error_of([&] { export_model_bytes(layer, randn({5, kWidth})); });
  EXPECT_NE(unbatched.find("(TransformerEncoderLayer) has no ONNX form for input [5, 16]"), std::string::npos)
      << unbatched;
  nn::MultiheadAttention bias_kv({.embed_dim = kWidth, .num_heads = 2, .add_bias_kv = true, .batch_first = true});
  bias_kv.eval();
  const std::string kv = error_of([&] { export_model_bytes(bias_kv, randn({2, 5, kWidth})); });
  EXPECT_NE(kv.find("the model (MultiheadAttention) has no ONNX form here"), std::string::npos) << kv;
  nn::Sequential stack(std::make_shared<nn::TransformerEncoderLayer>(layer_options("relu", false, true)));
  stack.eval();
  const std::string nested = error_of([&] { export_model_bytes(stack, randn({5, kWidth})); });
  EXPECT_NE(nested.find("0 (TransformerEncoderLayer) has no ONNX form for input [5, 16]"), std::string::npos)
      << nested;
}

}  // namespace
}  // namespace nabla::onnx
