#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "nabla/autograd.h"
#include "nabla/data/sequence_tasks.h"
#include "nabla/error.h"
#include "nabla/models/bert.h"
#include "nabla/nn/functional/loss.h"
#include "nabla/ops.h"
#include "nabla/optim/adam.h"
#include "nabla/random.h"
#include "models/one_thread.h"

using namespace nabla;

namespace {

// Ids of the counting corpus: padding 0, [CLS] 1, [MASK] 2, then the symbols.
constexpr int64_t kCls = 1, kMask = 2, kFirst = 3, kSymbols = 20, kVocab = kFirst + kSymbols;

// A counting batch with [CLS] in front: tokens (B, 1 + length), labels (B).
data::LabelledBatch with_cls(const data::LabelledBatch& b) {
  return {cat({full({b.tokens.size(0), 1}, static_cast<double>(kCls), DType::Int64), b.tokens}, 1), b.labels, {}};
}

}  // namespace

TEST(Bert, MaskTokensFollowsBertsProportions) {
  Generator gen(3);
  Tensor tokens = randint(kFirst, kVocab, {400, 100}, &gen);
  tokens.narrow(1, 0, 1).fill_(static_cast<double>(kCls));  // specials: never selected
  tokens.narrow(1, 90, 10).fill_(0.0);
  const models::MlmMaskOptions options{.mask_id = kMask, .vocab_size = kVocab, .first_random_id = kFirst,
                                       .special_ids = {0, kCls}};
  const models::MaskedTokens m = models::mask_tokens(tokens, options, &gen);
  const std::vector<int64_t> t = tokens.to_vector<int64_t>(), in = m.inputs.to_vector<int64_t>(),
                             lab = m.labels.to_vector<int64_t>();
  int64_t selected = 0, masked = 0, kept = 0, replaced = 0, eligible = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    const bool special = t[i] == 0 || t[i] == kCls;
    eligible += !special;
    if (lab[i] == -100) {
      EXPECT_EQ(in[i], t[i]) << "an unselected position changed at " << i;
      continue;
    }
    ASSERT_FALSE(special) << "a special id was selected at " << i;
    EXPECT_EQ(lab[i], t[i]);
    ++selected;
    if (in[i] == kMask) ++masked;
    else if (in[i] == t[i]) ++kept;
    else {
      ++replaced;
      EXPECT_GE(in[i], kFirst);
    }
  }
  // 35 600 eligible positions: the fractions are within about 4 standard deviations.
  const double sel = static_cast<double>(selected);
  EXPECT_NEAR(sel / static_cast<double>(eligible), 0.15, 0.008);
  EXPECT_NEAR(masked / sel, 0.8, 0.03);
  // A random draw equal to the original id (1 in 20) counts as kept.
  EXPECT_NEAR(replaced / sel, 0.1 * 19.0 / 20.0, 0.025);
  EXPECT_NEAR(kept / sel, 0.1 + 0.1 / 20.0, 0.025);
  // Same generator state, same masks.
  Generator a(9), b(9);
  EXPECT_EQ(models::mask_tokens(tokens, options, &a).inputs.to_vector<int64_t>(),
            models::mask_tokens(tokens, options, &b).inputs.to_vector<int64_t>());
  EXPECT_THROW(models::mask_tokens(tokens, {.vocab_size = kVocab}, &gen), Error);  // no mask_id
  EXPECT_THROW(models::mask_tokens(tokens, {.mask_id = kMask, .vocab_size = kVocab, .probability = 1.5}, &gen), Error);
  EXPECT_THROW(models::mask_tokens(tokens.to(DType::Float32), options, &gen), Error);
}

TEST(Bert, ShapesPaddingAndErrors) {
  manual_seed(0);
  models::Bert model({.vocab_size = kVocab, .max_len = 12, .d_model = 32, .nhead = 4, .num_layers = 2,
                      .dim_feedforward = 64, .num_classes = 3});
  model.eval();
  NoGradGuard no_grad;
  Tensor tokens = randint(kFirst, kVocab, {2, 8});
  tokens.select(0, 1).narrow(0, 5, 3).fill_(0.0);  // row 1 has 5 tokens, then padding
  const Tensor h = model.forward(tokens);
  EXPECT_EQ(h.shape(), (Shape{2, 8, 32}));
  EXPECT_EQ(model.mlm_logits(h).shape(), (Shape{2, 8, kVocab}));
  EXPECT_EQ(model.cls_logits(h).shape(), (Shape{2, 3}));
  const Tensor alone = model.forward(tokens.narrow(0, 1, 1).narrow(1, 0, 5));
  EXPECT_TRUE(allclose(alone, h.narrow(0, 1, 1).narrow(1, 0, 5), 1e-4, 1e-5)) << "padding is attended to";
  // Segment ids matter; all-zero segments equal no segments.
  EXPECT_TRUE(allclose(model.forward(tokens, zeros({2, 8}, DType::Int64)), h, 1e-6, 1e-6));
  EXPECT_FALSE(allclose(model.forward(tokens, ones({2, 8}, DType::Int64)), h, 1e-3, 1e-3));
  EXPECT_THROW(model.forward(randint(kFirst, kVocab, {2, 13})), Error);  // longer than max_len
  EXPECT_THROW(model.forward(tokens, zeros({2, 7}, DType::Int64)), Error);
  EXPECT_THROW(models::Bert({.vocab_size = kVocab, .d_model = 30, .nhead = 4}), Error);
}

// Counting sequences (s_t = s_0 + t·d mod 20, d = ±1, ±2, ±3) behind [CLS]: masked-LM loss and
// the [CLS] label (ascending or descending) trained together. The held-out MLM loss must fall
// below a fifth of its starting value (ln 23 ≈ 3.1 at the start) and the [CLS] head must label
// 500 fresh sequences at >= 95 %.
TEST(Bert, MlmLossFallsAndClsHeadLearnsTheDirection) {
  const OneThread one_thread;
  manual_seed(0);
  models::Bert model({.vocab_size = kVocab, .max_len = 16, .d_model = 64, .nhead = 4, .num_layers = 2,
                      .dim_feedforward = 128, .dropout = 0.0, .num_classes = 2});
  const models::MlmMaskOptions mask{.mask_id = kMask, .vocab_size = kVocab, .first_random_id = kFirst,
                                    .special_ids = {0, kCls}};
  Generator test_gen(100);
  const data::LabelledBatch test = with_cls(data::counting_batch(500, 15, kSymbols, kFirst, test_gen));
  const models::MaskedTokens test_masked = models::mask_tokens(test.tokens, mask, &test_gen);
  auto held_out_mlm_loss = [&] {
    NoGradGuard no_grad;
    const Tensor logits = model.mlm_logits(model.forward(test_masked.inputs));
    return nn::functional::cross_entropy(logits.flatten(0, 1), test_masked.labels.flatten()).item();
  };
  const double loss_before = held_out_mlm_loss();
  optim::Adam opt(model.parameters(), {.lr = 1e-3});
  Generator gen(1);
  const auto start = std::chrono::steady_clock::now();
  const int64_t steps = 1200;
  for (int64_t step = 0; step < steps; ++step) {
    const data::LabelledBatch b = with_cls(data::counting_batch(32, 15, kSymbols, kFirst, gen));
    const models::MaskedTokens m = models::mask_tokens(b.tokens, mask, &gen);
    const Tensor h = model.forward(m.inputs);
    const Tensor loss = nn::functional::cross_entropy(model.mlm_logits(h).flatten(0, 1), m.labels.flatten()) +
                        nn::functional::cross_entropy(model.cls_logits(h), b.labels);
    opt.zero_grad();
    loss.backward();
    opt.step();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double loss_after = held_out_mlm_loss();
  NoGradGuard no_grad;
  const double accuracy =
      eq(argmax(model.cls_logits(model.forward(test.tokens)), -1), test.labels).to(DType::Float64).mean().item();
  std::printf("bert: %lld steps in %.1f s, held-out MLM loss %.3f -> %.3f, [CLS] accuracy %.4f\n",
              static_cast<long long>(steps), seconds, loss_before, loss_after, accuracy);
  EXPECT_LT(loss_after, loss_before / 5);
  EXPECT_GE(accuracy, 0.95);
}
