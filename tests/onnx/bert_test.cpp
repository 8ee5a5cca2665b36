// ONNX export of models with several inputs: the Bert roots (tokens and segments (N, T) int64 →
// models::Bert's hidden states, BertForMaskedLM's masked-LM logits, BertForSequenceClassification's
// [CLS] logits) with a dynamic batch and sequence length and the key-padding mask built in the
// graph, run in ONNX Runtime at several (N, T) against nabla's forward, the onnx checker, and the
// graph imported back with onnx::load_bytes and run on both inputs (the ORT parts are skipped when
// node, onnxruntime-node or python3-onnx are absent); and the errors of a wrong number of inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "error_of.h"
#include "model_checks.h"
#include "nabla/autograd.h"
#include "nabla/models/bert.h"
#include "nabla/nn/init.h"
#include "nabla/nn/linear.h"
#include "nabla/onnx/export.h"
#include "nabla/onnx/import.h"
#include "nabla/ops.h"
#include "nabla/random.h"
#include "onnx_runtime.h"

namespace nabla::onnx {
namespace {

using testing::error_of;

constexpr int64_t kVocab = 19, kMaxLen = 16;

// A tiny BERT (max_len 16) in eval mode whose weights are drawn wide (N(0, 0.3), LayerNorm scales
// around 1), so that attention is far from uniform and a wrong mask, position or segment shows.
std::shared_ptr<models::Bert> tiny_bert(bool norm_first = false) {
  auto bert = std::make_shared<models::Bert>(models::BertOptions{.vocab_size = kVocab, .max_len = kMaxLen,
                                                                 .d_model = 16, .nhead = 2, .num_layers = 2,
                                                                 .dim_feedforward = 32, .num_classes = 3});
  draw_wide(*bert);
  for (const auto& l : *bert->encoder->layers)
    std::static_pointer_cast<nn::TransformerEncoderLayer>(l)->options.norm_first = norm_first;
  bert->eval();
  return bert;
}

// Token ids (N, T) in [1, V) with about a quarter padding (id 0) after the first position, which
// stays a real token so that no row has every key masked; segment ids (N, T) in {0, 1}.
std::pair<Tensor, Tensor> batch(const Shape& shape) {
  Tensor tokens = randint(1, kVocab, shape);
  const Tensor pad = lt(rand(shape), 0.25);
  std::vector<int64_t> ids = tokens.to_vector<int64_t>();
  const std::vector<uint8_t> padded = pad.to_vector<uint8_t>();
  for (size_t i = 0; i < ids.size(); ++i)
    if (padded[i] && i % static_cast<size_t>(shape[1]) != 0) ids[i] = 0;
  return {from_vector(ids, shape), randint(0, 2, shape)};
}

// The (N, T) batches each exported graph is run on.
std::vector<Shape> run_shapes() { return {{2, 6}, {3, 16}, {1, 1}, {4, 9}}; }

TEST(OnnxExportBert, TwoInputsDynamicSequenceAndPaddingMask) {
  manual_seed(30);
  auto bert = tiny_bert();
  const auto [tokens, segments] = batch({2, 6});
  const std::string bytes = export_model_bytes(*bert, {tokens, segments});
  for (const char* key : {"tokens", "segments", "batch", "sequence", "token_embed.weight", "position_embed.weight",
                          "segment_embed.weight", "encoder.layers.1.self_attn.in_proj_weight",
                          "encoder.layers.0.linear1.bias", "embed_norm.weight", "Equal", "Where", "Erf"})
    EXPECT_NE(bytes.find(key), std::string::npos) << key;
  // The heads are not part of forward: their weights are not written.
  EXPECT_EQ(bytes.find("mlm_transform.weight"), std::string::npos);
  EXPECT_EQ(bytes.find("classifier.weight"), std::string::npos);
}

TEST(OnnxExportBert, WrongNumberOfInputsNamesTheRootAndItsInputs) {
  manual_seed(31);
  auto bert = tiny_bert();
  const auto inputs = batch({1, 4});  // named copies: the lambdas below capture them
  const Tensor tokens = inputs.first, segments = inputs.second;
  const std::string one = error_of([&] { export_model_bytes(*bert, tokens); });
  EXPECT_NE(one.find("Bert takes 2 example inputs (tokens, segments), got 1"), std::string::npos) << one;
  const std::string three = error_of([&] { export_model_bytes(*bert, {tokens, segments, tokens}); });
  EXPECT_NE(three.find("Bert takes 2 example inputs (tokens, segments), got 3"), std::string::npos) << three;
  nn::Linear linear(3, 2);
  linear.eval();
  const std::string two = error_of([&] { export_model_bytes(linear, {randn({2, 3}), randn({2, 3})}); });
  EXPECT_NE(two.find("Linear takes 1 example input (input), got 2"), std::string::npos) << two;
  const std::string undefined = error_of([&] { export_model_bytes(*bert, {tokens, Tensor()}); });
  EXPECT_NE(undefined.find("\"segments\" needs a batch dimension"), std::string::npos) << undefined;
  const std::string length = error_of([&] {
    const auto [t, s] = batch({1, kMaxLen + 1});
    export_model_bytes(*bert, {t, s});
  });
  EXPECT_NE(length.find("max_len"), std::string::npos) << length;
  bert->train();
  const std::string training = error_of([&] { export_model_bytes(*bert, {tokens, segments}); });
  EXPECT_NE(training.find("training mode"), std::string::npos) << training;
}

// One exported root built on tiny_bert(): its module and nabla's output for (tokens, segments).
struct BertRoot {
  std::shared_ptr<nn::Module> module;
  std::function<Tensor(const Tensor&, const Tensor&)> forward;
};

// The root named `name`: "hidden" (Bert, post-norm), "hidden_prenorm" (Bert with pre-norm layers),
// "masked_lm" (BertForMaskedLM) or "classification" (BertForSequenceClassification); eval mode.
BertRoot bert_root(const std::string& name) {
  auto bert = tiny_bert(name == "hidden_prenorm");
  auto wrap = [](auto m) -> BertRoot {
    m->eval();
    return {m, [m](const Tensor& t, const Tensor& s) {
              NoGradGuard no_grad;
              return m->forward(t, s);
            }};
  };
  if (name == "masked_lm") return wrap(std::make_shared<models::BertForMaskedLM>(bert));
  if (name == "classification") return wrap(std::make_shared<models::BertForSequenceClassification>(bert));
  return wrap(bert);
}

TEST(OnnxExportBert, HeadsWriteTheirOwnWeights) {
  manual_seed(34);
  const auto [tokens, segments] = batch({2, 6});
  const std::string mlm = export_model_bytes(*bert_root("masked_lm").module, {tokens, segments});
  for (const char* key : {"bert.token_embed.weight", "bert.mlm_transform.weight", "bert.mlm_norm.weight",
                          "bert.mlm_bias", "Erf"})
    EXPECT_NE(mlm.find(key), std::string::npos) << key;
  EXPECT_EQ(mlm.find("bert.classifier.weight"), std::string::npos);
  const std::string cls = export_model_bytes(*bert_root("classification").module, {tokens, segments});
  for (const char* key : {"bert.pooler.weight", "bert.classifier.bias", "Tanh"})
    EXPECT_NE(cls.find(key), std::string::npos) << key;
  EXPECT_EQ(cls.find("bert.mlm_transform.weight"), std::string::npos);
}

class OnnxBertRoots : public ::testing::TestWithParam<std::string> {};

TEST_P(OnnxBertRoots, DynamicBatchAndLengthInOnnxRuntimeMatchNabla) {
  if (const std::string why = testing::ort_missing(); !why.empty()) GTEST_SKIP() << why;
  manual_seed(32);
  const std::string name = GetParam();
  const BertRoot root = bert_root(name);
  const std::string dir = temp_folder("bert_" + name), path = dir + "/model.onnx";
  const auto [tokens, segments] = batch({2, 6});
  export_model(*root.module, {tokens, segments}, path);
  if (testing::checker_missing().empty()) EXPECT_EQ(testing::check_with_onnx(path, dir), "") << name;
  for (const Shape& shape : run_shapes()) {
    const auto [t, s] = batch(shape);
    const Tensor expected = root.forward(t, s);
    const Tensor got = testing::run_in_ort(path, {{"tokens", t}, {"segments", s}}, dir);
    const double diff = max_abs_diff(got, expected), rel = relative_error(got, expected);
    std::printf("[ onnx ] Bert %-14s tokens+segments %-6s in ONNX Runtime: max |diff| %.2e, relative error %.2e\n",
                name.c_str(), shape_str(shape).c_str(), diff, rel);
    EXPECT_LE(diff, 1e-4) << name << " " << shape_str(shape);
  }
  std::filesystem::remove_all(dir);
}

TEST_P(OnnxBertRoots, RoundTripWithBothInputs) {
  manual_seed(33);
  const std::string name = GetParam();
  const BertRoot root = bert_root(name);
  const auto [tokens, segments] = batch({2, 6});
  auto back = load_bytes(export_model_bytes(*root.module, {tokens, segments}), name + ".onnx");
  back->eval();
  EXPECT_EQ(back->input_names(), (std::vector<std::string>{"tokens", "segments"}));
  EXPECT_EQ(back->input_shape(0), (std::vector<int64_t>{-1, -1}));
  EXPECT_EQ(back->input_shape(1), (std::vector<int64_t>{-1, -1}));
  for (const Shape& shape : run_shapes()) {
    const auto [t, s] = batch(shape);
    std::vector<Tensor> got;
    {
      NoGradGuard no_grad;
      got = (*back)({t, s});
    }
    ASSERT_EQ(got.size(), 1u);
    const Tensor expected = root.forward(t, s);
    const double diff = max_abs_diff(got[0], expected);
    std::printf("[ onnx ] Bert %-14s tokens+segments %-6s round trip: max |diff| %.2e, relative error %.2e\n",
                name.c_str(), shape_str(shape).c_str(), diff, relative_error(got[0], expected));
    EXPECT_LE(diff, 1e-5) << name << " " << shape_str(shape);
  }
}

INSTANTIATE_TEST_SUITE_P(Roots, OnnxBertRoots,
                         ::testing::Values("hidden", "hidden_prenorm", "masked_lm", "classification"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace nabla::onnx
