// Image captioning on Fashion-MNIST grids: a CNN encodes a 2x2 grid of items, an LSTM names them
// row by row ("Sandal, Coat, Bag, Shirt"). Training grids come from the training split, held-out
// grids from the test split; prints token and exact-caption accuracy and a few captions.
// Usage: captioning [STEPS] [TRAIN_ITEMS]   (defaults 1500, 60000)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "nabla/nabla.h"
#include "nabla/data/readers.h"
#include "nabla/data/sequence_tasks.h"
#include "nabla/models/captioner.h"

using namespace nabla;

namespace {

std::string caption_text(const std::vector<int64_t>& ids, int64_t row, int64_t width,
                         const std::vector<std::string>& names) {
  std::string s;
  for (int64_t j = 0; j < width; ++j) {
    const int64_t id = ids[static_cast<size_t>(row * width + j)];
    if (id == data::kEosId || id == data::kPadId) break;
    if (!s.empty()) s += ", ";
    s += id >= data::kFirstSymbol ? names[static_cast<size_t>(id - data::kFirstSymbol)] : "?";
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t steps = argc > 1 ? std::atoll(argv[1]) : 1500;
  const int64_t train_items = argc > 2 ? std::atoll(argv[2]) : 60000;
  try {
    const data::FashionMNIST train_file(data::FashionMNIST::kDefaultRoot, true),
        test_file(data::FashionMNIST::kDefaultRoot, false);
    const Tensor train_x = train_file.images().narrow(0, 0, train_items).to(DType::Float32) / 255.0;
    const Tensor train_y = train_file.labels().narrow(0, 0, train_items).to(DType::Int64);
    const Tensor test_x = test_file.images().to(DType::Float32) / 255.0;
    const Tensor test_y = test_file.labels().to(DType::Int64);
    manual_seed(0);
    models::Captioner model({.vocab_size = data::kFirstSymbol + 10});
    optim::Adam opt(model.parameters(), {.lr = 2e-3});
    optim::CosineAnnealingLR schedule(opt, steps);
    Generator gen(5);
    const auto start = std::chrono::steady_clock::now();
    for (int64_t step = 1; step <= steps; ++step) {
      const data::ItemGridBatch g = data::item_grid_batch(train_x, train_y, 0, train_items, 32, 2, 2, gen);
      const data::Seq2SeqBatch c = data::caption_batch(g.labels);
      const Tensor loss = nn::functional::cross_entropy(model.forward(g.images, c.tgt_in).flatten(0, 1),
                                                        c.tgt_out.flatten());
      opt.zero_grad();
      loss.backward();
      opt.step();
      schedule.step();
      if (step % 100 == 0) std::printf("step %5lld  loss %.4f\n", static_cast<long long>(step), loss.item());
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    Generator test_gen(77);
    const data::ItemGridBatch g = data::item_grid_batch(test_x, test_y, 0, test_x.size(0), 2000, 2, 2, test_gen);
    const data::Seq2SeqBatch c = data::caption_batch(g.labels);
    model.eval();
    const Tensor decoded = model.greedy_decode(g.images, 6);
    const data::SequenceMatch m = data::sequence_match(decoded, c.tgt_out);
    std::printf("trained %lld steps in %.1f s; 2000 held-out grids: token accuracy %.2f%%, exact captions %.2f%%\n",
                static_cast<long long>(steps), seconds, 100 * m.token, 100 * m.exact);
    const std::vector<std::string> names = test_file.classes();
    const std::vector<int64_t> out = decoded.to_vector<int64_t>(), truth = c.tgt_out.to_vector<int64_t>();
    for (int64_t i = 0; i < 5; ++i)
      std::printf("  %-45s (truth: %s)\n", caption_text(out, i, decoded.size(1), names).c_str(),
                  caption_text(truth, i, c.tgt_out.size(1), names).c_str());
  } catch (const Error& e) {
    std::fprintf(stderr, "captioning: %s\n", e.what());
    return 1;
  }
  return 0;
}
