// An encoder-decoder with Luong attention learns to reverse digit strings (3-10 digits), trained
// with teacher forcing and decoded greedily; prints held-out exact match and a few decodings.
// Usage: seq2seq_reverse [STEPS]   (default 1000)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "nabla/nabla.h"
#include "nabla/data/sequence_tasks.h"
#include "nabla/models/seq2seq.h"

using namespace nabla;

namespace {

// Digits of a row of ids up to eos (symbols are digit + kFirstSymbol).
std::string digits(const std::vector<int64_t>& ids, int64_t row, int64_t width) {
  std::string s;
  for (int64_t j = 0; j < width; ++j) {
    const int64_t id = ids[static_cast<size_t>(row * width + j)];
    if (id == data::kEosId || id == data::kPadId) break;
    s += id >= data::kFirstSymbol ? static_cast<char>('0' + id - data::kFirstSymbol) : '?';
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t steps = argc > 1 ? std::atoll(argv[1]) : 1000;
  manual_seed(0);
  models::Seq2Seq model({.src_vocab = data::kFirstSymbol + 10, .tgt_vocab = data::kFirstSymbol + 10});
  optim::Adam opt(model.parameters(), {.lr = 5e-3});
  optim::CosineAnnealingLR schedule(opt, steps);
  Generator gen(7);
  const auto start = std::chrono::steady_clock::now();
  for (int64_t step = 1; step <= steps; ++step) {
    const data::Seq2SeqBatch b = data::reversal_batch(data::random_digit_strings(64, 3, 10, false, gen));
    const Tensor logits = model.forward(b.src, b.src_lengths, b.tgt_in);
    const Tensor loss = nn::functional::cross_entropy(logits.flatten(0, 1), b.tgt_out.flatten(), Tensor(), data::kPadId);
    opt.zero_grad();
    loss.backward();
    opt.step();
    schedule.step();
    if (step % 100 == 0) std::printf("step %5lld  loss %.4f\n", static_cast<long long>(step), loss.item());
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Generator test_gen(99);
  const data::Seq2SeqBatch test = data::reversal_batch(data::random_digit_strings(1000, 3, 10, true, test_gen));
  const Tensor decoded = model.greedy_decode(test.src, test.src_lengths, 12);
  const data::SequenceMatch m = data::sequence_match(decoded, test.tgt_out);
  std::printf("trained %lld steps in %.1f s; 1000 held-out strings: exact match %.2f%%, token accuracy %.2f%%\n",
              static_cast<long long>(steps), seconds, 100 * m.exact, 100 * m.token);
  const std::vector<int64_t> src = test.src.to_vector<int64_t>(), out = decoded.to_vector<int64_t>();
  for (int64_t i = 0; i < 5; ++i)
    std::printf("  %-10s -> %s\n", digits(src, i, test.src.size(1)).c_str(), digits(out, i, decoded.size(1)).c_str());
  return 0;
}
