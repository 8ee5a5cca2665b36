// A small BERT learns counting sequences (s_t = s_0 + t*d mod 20, d = +-1, +-2, +-3) behind [CLS]:
// masked-LM loss (15 % of positions; 80 % [MASK], 10 % random, 10 % kept) plus a [CLS] head that
// tells ascending from descending sequences.
// Usage: bert_mlm [STEPS]   (default 600)
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "nabla/nabla.h"
#include "nabla/data/sequence_tasks.h"
#include "nabla/models/bert.h"

using namespace nabla;

namespace {

constexpr int64_t kCls = 1, kMask = 2, kFirst = 3, kSymbols = 20, kVocab = kFirst + kSymbols;

data::LabelledBatch with_cls(const data::LabelledBatch& b) {
  return {cat({full({b.tokens.size(0), 1}, static_cast<double>(kCls), DType::Int64), b.tokens}, 1), b.labels, {}};
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t steps = argc > 1 ? std::atoll(argv[1]) : 600;
  manual_seed(0);
  models::Bert model({.vocab_size = kVocab, .max_len = 16, .d_model = 64, .nhead = 4, .num_layers = 2,
                      .dim_feedforward = 128, .dropout = 0.0, .num_classes = 2});
  const models::MlmMaskOptions mask{.mask_id = kMask, .vocab_size = kVocab, .first_random_id = kFirst,
                                    .special_ids = {0, kCls}};
  Generator gen(1), test_gen(100);
  const data::LabelledBatch test = with_cls(data::counting_batch(500, 15, kSymbols, kFirst, test_gen));
  const models::MaskedTokens test_masked = models::mask_tokens(test.tokens, mask, &test_gen);
  optim::Adam opt(model.parameters(), {.lr = 1e-3});
  const auto start = std::chrono::steady_clock::now();
  for (int64_t step = 0; step <= steps; ++step) {
    if (step % 100 == 0) {
      NoGradGuard no_grad;
      model.eval();
      const Tensor mlm = model.mlm_logits(model.forward(test_masked.inputs));
      const double loss = nn::functional::cross_entropy(mlm.flatten(0, 1), test_masked.labels.flatten()).item();
      const double acc = eq(argmax(model.cls_logits(model.forward(test.tokens)), -1), test.labels)
                             .to(DType::Float64).mean().item();
      std::printf("step %5lld  held-out MLM loss %.4f  [CLS] accuracy %.2f%%\n", static_cast<long long>(step), loss,
                  100 * acc);
      model.train();
    }
    if (step == steps) break;
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
  std::printf("%lld steps in %.1f s (including the evaluations)\n", static_cast<long long>(steps), seconds);
  return 0;
}
