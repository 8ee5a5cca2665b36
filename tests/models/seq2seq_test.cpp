#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "nabla/autograd.h"
#include "nabla/data/sequence_tasks.h"
#include "nabla/error.h"
#include "nabla/models/seq2seq.h"
#include "nabla/nn/functional/loss.h"
#include "nabla/ops.h"
#include "nabla/optim/adam.h"
#include "nabla/optim/lr_scheduler.h"
#include "nabla/random.h"
#include "models/one_thread.h"

using namespace nabla;

namespace {

models::Seq2SeqOptions reversal_options() {
  return {.src_vocab = data::kFirstSymbol + 10, .tgt_vocab = data::kFirstSymbol + 10};
}

}  // namespace

TEST(Seq2Seq, ShapesPaddingAndErrors) {
  manual_seed(0);
  models::Seq2Seq model(reversal_options());
  Generator gen(1);
  const data::Seq2SeqBatch b = data::reversal_batch(data::random_digit_strings(5, 2, 6, false, gen));
  const Tensor logits = model.forward(b.src, b.src_lengths, b.tgt_in);
  EXPECT_EQ(logits.shape(), (Shape{5, b.tgt_in.size(1), 13}));
  // No attention on padding: every weight past a row's length is zero, every row sums to 1.
  const Tensor w = model.last_attention();
  for (int64_t i = 0; i < 5; ++i)
    for (int64_t s = b.src_lengths[i]; s < b.src.size(1); ++s)
      EXPECT_EQ(w.select(0, i).select(1, s).abs().sum().item(), 0.0);
  EXPECT_TRUE(allclose(w.sum({2}), ones({5, b.tgt_in.size(1)}), 1e-5, 1e-5));
  // Padding changes nothing: a row alone gives the logits it had in the padded batch.
  const int64_t n = b.src_lengths[0], t = b.src_lengths[0] + 1;
  const Tensor alone = model.forward(b.src.narrow(0, 0, 1).narrow(1, 0, n), {}, b.tgt_in.narrow(0, 0, 1).narrow(1, 0, t));
  EXPECT_TRUE(allclose(alone, logits.narrow(0, 0, 1).narrow(1, 0, t), 1e-4, 1e-5));
  const Tensor decoded = model.greedy_decode(b.src, b.src_lengths, 4);
  EXPECT_EQ(decoded.size(0), 5);
  EXPECT_LE(decoded.size(1), 4);
  EXPECT_THROW(model.forward(b.src, {1, 2}, b.tgt_in), Error);
  EXPECT_THROW(model.forward(b.src, {}, b.tgt_in.to(DType::Float32)), Error);
  EXPECT_THROW(model.greedy_decode(b.src, b.src_lengths, 0), Error);
  EXPECT_THROW(models::Seq2Seq({.src_vocab = 0, .tgt_vocab = 5}), Error);
}

TEST(Seq2Seq, SequenceMatchCountsPositionsUpToTheTargetsPadding) {
  const Tensor target = from_vector<int64_t>({5, 6, 2, 7, 2, 0}, Shape{2, 3});
  const data::SequenceMatch m = data::sequence_match(from_vector<int64_t>({5, 6, 2, 7, 3, 9}, Shape{2, 3}), target);
  EXPECT_DOUBLE_EQ(m.exact, 0.5);
  EXPECT_DOUBLE_EQ(m.token, 4.0 / 5.0);
  // Row 0 stops before its eos: wrong; row 1 is right up to the target's padding.
  const data::SequenceMatch short_pred = data::sequence_match(from_vector<int64_t>({5, 6, 7, 2}, Shape{2, 2}), target);
  EXPECT_DOUBLE_EQ(short_pred.exact, 0.5);
  EXPECT_DOUBLE_EQ(short_pred.token, 4.0 / 5.0);
  EXPECT_THROW(data::sequence_match(target, target.narrow(0, 0, 1)), Error);
}

// Reversal of digit strings of 3–10 digits: teacher forcing with Adam, then greedy decoding of
// 1000 held-out strings (a hash split no training string belongs to) must be exact at >= 99 %.
TEST(Seq2Seq, LearnsToReverseDigitStrings) {
  const OneThread one_thread;
  manual_seed(0);
  models::Seq2Seq model(reversal_options());
  const int64_t steps = 1000;
  optim::Adam opt(model.parameters(), {.lr = 5e-3});
  optim::CosineAnnealingLR schedule(opt, steps);
  Generator gen(7);
  const auto start = std::chrono::steady_clock::now();
  for (int64_t step = 0; step < steps; ++step) {
    const data::Seq2SeqBatch b = data::reversal_batch(data::random_digit_strings(64, 3, 10, false, gen));
    const Tensor logits = model.forward(b.src, b.src_lengths, b.tgt_in);
    const Tensor loss = nn::functional::cross_entropy(logits.flatten(0, 1), b.tgt_out.flatten(), Tensor(),
                                                      data::kPadId);
    opt.zero_grad();
    loss.backward();
    opt.step();
    schedule.step();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Generator test_gen(99);
  const data::Seq2SeqBatch test = data::reversal_batch(data::random_digit_strings(1000, 3, 10, true, test_gen));
  const data::SequenceMatch m = data::sequence_match(model.greedy_decode(test.src, test.src_lengths, 12), test.tgt_out);
  std::printf("reversal: %lld steps in %.1f s, held-out exact match %.4f, token accuracy %.4f\n",
              static_cast<long long>(steps), seconds, m.exact, m.token);
  EXPECT_GE(m.exact, 0.99);
}
