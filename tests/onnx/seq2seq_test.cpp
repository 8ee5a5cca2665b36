// ONNX export of models::Seq2Seq (source ids, source lengths and teacher-forced target ids →
// logits) with the batch and both lengths dynamic: the encoder GRU with sequence_lens, its final
// state as the decoder's initial_h, the attention mask from the lengths. Run in ONNX Runtime at
// several (N, S, T) with ragged source lengths against nabla's forward, the onnx checker, and the
// graph imported back with onnx::load_bytes (whose GRU honours sequence_lens); and the import of
// LSTM (bidirectional, initial states), reverse GRU and RNN nodes with sequence_lens against ONNX
// Runtime on a model written by tools/onnx/recurrent_lengths_model.py. The ORT parts are skipped
// when node, onnxruntime-node or python3-onnx are absent.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "error_of.h"
#include "model_checks.h"
#include "nabla/autograd.h"
#include "nabla/models/seq2seq.h"
#include "nabla/nn/init.h"
#include "nabla/onnx/export.h"
#include "nabla/onnx/import.h"
#include "nabla/ops.h"
#include "nabla/random.h"
#include "onnx_runtime.h"

namespace nabla::onnx {
namespace {

using testing::error_of;

constexpr int64_t kSrcVocab = 17, kTgtVocab = 13;

// A tiny Seq2Seq in eval mode with weights drawn N(0, 0.4), so that the attention is far from
// uniform and a wrong mask, initial state or length shows.
std::shared_ptr<models::Seq2Seq> tiny_seq2seq() {
  auto m = std::make_shared<models::Seq2Seq>(
      models::Seq2SeqOptions{.src_vocab = kSrcVocab, .tgt_vocab = kTgtVocab, .embed_dim = 8, .hidden_size = 12});
  NoGradGuard no_grad;
  for (auto& [name, p] : m->named_parameters()) nn::init::normal_(p, 0.0, 0.4);
  m->eval();
  return m;
}

// One batch: source ids (N, S) padded (pad_id 0) past ragged lengths in [1, S] (the first row
// full), the lengths (N) int64, and target ids (N, T).
struct Batch {
  Tensor source, lengths, target;
};

Batch batch(int64_t n, int64_t s, int64_t t) {
  std::vector<int64_t> ids = randint(3, kSrcVocab, {n, s}).to_vector<int64_t>();
  std::vector<int64_t> lengths = randint(1, s + 1, {n}).to_vector<int64_t>();
  lengths[0] = s;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = lengths[static_cast<size_t>(i)]; j < s; ++j) ids[static_cast<size_t>(i * s + j)] = 0;
  return {from_vector(ids, Shape{n, s}), from_vector(lengths, Shape{n}), randint(1, kTgtVocab, {n, t})};
}

Tensor nabla_logits(models::Seq2Seq& m, const Batch& b) {
  NoGradGuard no_grad;
  return m.forward(b.source, b.lengths.to_vector<int64_t>(), b.target);
}

// The (N, S, T) batches each exported graph is run on.
std::vector<Shape> run_shapes() { return {{2, 5, 4}, {3, 9, 1}, {1, 1, 6}, {4, 7, 7}}; }

TEST(OnnxExportSeq2Seq, ThreeInputsAndErrors) {
  manual_seed(40);
  auto m = tiny_seq2seq();
  const Batch b = batch(2, 5, 4);
  const std::string bytes = export_model_bytes(*m, {b.source, b.lengths, b.target});
  for (const char* key : {"source", "source_lengths", "target", "source_sequence", "target_sequence", "GRU", "Cast",
                          "GreaterOrEqual", "src_embed.weight", "tgt_embed.weight", "encoder/W_l0", "decoder/R_l0",
                          "attn.weight", "combine.weight", "out.bias"})
    EXPECT_NE(bytes.find(key), std::string::npos) << key;
  const std::string two = error_of([&] { export_model_bytes(*m, {b.source, b.target}); });
  EXPECT_NE(two.find("Seq2Seq takes 3 example inputs (source, source_lengths, target), got 2"), std::string::npos)
      << two;
  const std::string lengths =
      error_of([&] { export_model_bytes(*m, {b.source, b.lengths.to(DType::Float32), b.target}); });
  EXPECT_NE(lengths.find("\"source_lengths\" must be int64 (N)"), std::string::npos) << lengths;
}

TEST(OnnxRuntimeSeq2Seq, DynamicBatchAndLengthsMatchNabla) {
  if (const std::string why = testing::ort_missing(); !why.empty()) GTEST_SKIP() << why;
  manual_seed(41);
  auto m = tiny_seq2seq();
  const std::string dir = temp_folder("seq2seq"), path = dir + "/model.onnx";
  const Batch example = batch(2, 5, 4);
  export_model(*m, {example.source, example.lengths, example.target}, path);
  if (testing::checker_missing().empty()) EXPECT_EQ(testing::check_with_onnx(path, dir), "");
  for (const Shape& shape : run_shapes()) {
    const Batch b = batch(shape[0], shape[1], shape[2]);
    const Tensor expected = nabla_logits(*m, b);
    const Tensor got = testing::run_in_ort(
        path, {{"source", b.source}, {"source_lengths", b.lengths}, {"target", b.target}}, dir);
    const double diff = max_abs_diff(got, expected), rel = relative_error(got, expected);
    std::printf("[ onnx ] Seq2Seq (N, S, T) %-9s in ONNX Runtime: max |diff| %.2e, relative error %.2e\n",
                shape_str(shape).c_str(), diff, rel);
    EXPECT_LE(diff, 1e-4) << shape_str(shape);
  }
  std::filesystem::remove_all(dir);
}

TEST(OnnxImportSeq2Seq, RoundTripWithRaggedSourceLengths) {
  manual_seed(42);
  auto m = tiny_seq2seq();
  const Batch example = batch(2, 5, 4);
  auto back = load_bytes(export_model_bytes(*m, {example.source, example.lengths, example.target}), "seq2seq.onnx");
  back->eval();
  EXPECT_EQ(back->input_names(), (std::vector<std::string>{"source", "source_lengths", "target"}));
  EXPECT_EQ(back->input_shape(1), (std::vector<int64_t>{-1}));
  for (const Shape& shape : run_shapes()) {
    const Batch b = batch(shape[0], shape[1], shape[2]);
    std::vector<Tensor> got;
    {
      NoGradGuard no_grad;
      got = (*back)({b.source, b.lengths, b.target});
    }
    ASSERT_EQ(got.size(), 1u);
    const Tensor expected = nabla_logits(*m, b);
    const double diff = max_abs_diff(got[0], expected);
    std::printf("[ onnx ] Seq2Seq (N, S, T) %-9s round trip: max |diff| %.2e, relative error %.2e\n",
                shape_str(shape).c_str(), diff, relative_error(got[0], expected));
    EXPECT_LE(diff, 1e-5) << shape_str(shape);
  }
}

TEST(OnnxImportRecurrent, SequenceLensAndInitialStatesMatchOnnxRuntime) {
  if (const std::string why = testing::ort_missing(); !why.empty()) GTEST_SKIP() << why;
  if (const std::string why = testing::checker_missing(); !why.empty()) GTEST_SKIP() << why;
  manual_seed(43);
  const std::string dir = temp_folder("recurrent_lengths"), path = dir + "/model.onnx";
  const std::string write = testing::onnx_python() + " '" + NABLA_SOURCE_DIR +
                            "/tools/onnx/recurrent_lengths_model.py' '" + path + "'";
  ASSERT_EQ(testing::run_quiet(write), 0) << write;
  auto model = load(path);
  // (T, N) and the lengths: ragged, full, all 1.
  const std::vector<std::pair<Shape, std::vector<int64_t>>> cases = {
      {{6, 3}, {6, 2, 4}}, {{4, 2}, {4, 4}}, {{5, 4}, {1, 1, 1, 1}}, {{7, 1}, {3}}};
  for (const auto& [shape, lens] : cases) {
    const Tensor x = randn({shape[0], shape[1], 4}), h0 = randn({2, shape[1], 5}), c0 = randn({2, shape[1], 5});
    const Tensor lengths = from_vector(lens, Shape{shape[1]});
    const Tensor expected =
        testing::run_in_ort(path, {{"X", x}, {"lengths", lengths}, {"h0", h0}, {"c0", c0}}, dir);
    std::vector<Tensor> got;
    {
      NoGradGuard no_grad;
      got = (*model)({x, lengths, h0, c0});
    }
    ASSERT_EQ(got.size(), 1u);
    const double diff = max_abs_diff(got[0], expected);
    std::printf("[ onnx ] LSTM/GRU/RNN with sequence_lens, (T, N) %-6s: import vs ONNX Runtime max |diff| %.2e\n",
                shape_str(shape).c_str(), diff);
    EXPECT_LE(diff, 1e-5) << shape_str(shape);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace nabla::onnx
