// A many-to-one LSTM classifier learns whether the pattern 3 1 4 occurs in a sequence of 6-20
// symbols (from 8), reading the final state of each sequence at its own length.
// Usage: sequence_classifier [STEPS] [CELL] [POOLING]   (defaults 300, lstm, last)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "nabla/nabla.h"
#include "nabla/data/sequence_tasks.h"
#include "nabla/models/sequence_classifier.h"

using namespace nabla;

int main(int argc, char** argv) {
  const int64_t steps = argc > 1 ? std::atoll(argv[1]) : 300;
  const std::string cell = argc > 2 ? argv[2] : "lstm", pooling = argc > 3 ? argv[3] : "last";
  const std::vector<int64_t> pattern{3, 1, 4};
  manual_seed(0);
  models::SequenceClassifier model({.vocab_size = 9, .num_classes = 2, .embed_dim = 16, .hidden_size = 48,
                                    .cell = cell, .pooling = pooling});
  optim::Adam opt(model.parameters(), {.lr = 1e-2});
  Generator gen(11), test_gen(12345);
  const data::LabelledBatch test = data::pattern_batch(1000, 6, 20, 8, pattern, test_gen);
  const auto start = std::chrono::steady_clock::now();
  for (int64_t step = 1; step <= steps; ++step) {
    const data::LabelledBatch b = data::pattern_batch(64, 6, 20, 8, pattern, gen);
    const Tensor loss = nn::functional::cross_entropy(model.forward(b.tokens, b.lengths), b.labels);
    opt.zero_grad();
    loss.backward();
    opt.step();
    if (step % 50 == 0) {
      NoGradGuard no_grad;
      const double acc = eq(argmax(model.forward(test.tokens, test.lengths), -1), test.labels)
                             .to(DType::Float64).mean().item();
      std::printf("step %5lld  loss %.4f  test accuracy %.2f%%\n", static_cast<long long>(step), loss.item(), 100 * acc);
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s, %s pooling: %lld steps in %.1f s (including the evaluations)\n", cell.c_str(), pooling.c_str(),
              static_cast<long long>(steps), seconds);
  return 0;
}
