#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "nabla/autograd.h"
#include "nabla/data/readers.h"
#include "nabla/data/sequence_tasks.h"
#include "nabla/error.h"
#include "nabla/models/captioner.h"
#include "nabla/nn/functional/loss.h"
#include "nabla/ops.h"
#include "nabla/optim/adam.h"
#include "nabla/optim/lr_scheduler.h"
#include "nabla/random.h"
#include "models/one_thread.h"

using namespace nabla;

TEST(Captioner, ItemGridsHoldTheItemsTheirCaptionsName) {
  Generator gen(2);
  const Tensor images = arange(0, 3 * 2 * 2, 1, DType::Float32).reshape({3, 2, 2});  // item i is filled with 4i…4i+3
  const Tensor labels = from_vector<int64_t>({7, 8, 9});
  const data::ItemGridBatch b = data::item_grid_batch(images, labels, 1, 2, 5, 2, 3, gen);
  ASSERT_EQ(b.images.shape(), (Shape{5, 1, 4, 6}));
  ASSERT_EQ(b.labels.shape(), (Shape{5, 6}));
  const std::vector<float> px = b.images.to_vector<float>();
  const std::vector<int64_t> lab = b.labels.to_vector<int64_t>();
  for (int64_t i = 0; i < 5; ++i)
    for (int64_t k = 0; k < 6; ++k) {
      const int64_t item = lab[i * 6 + k] - 7;
      EXPECT_TRUE(item == 1 || item == 2) << "drawn outside [first, first + count)";
      const int64_t top = (k / 3) * 2, left = (k % 3) * 2;  // the item's top-left pixel
      EXPECT_EQ(px[((i * 4) + top) * 6 + left], static_cast<float>(4 * item));
      EXPECT_EQ(px[((i * 4) + top + 1) * 6 + left + 1], static_cast<float>(4 * item + 3));
    }
  EXPECT_THROW(data::item_grid_batch(images, labels, 2, 2, 1, 1, 1, gen), Error);
}

TEST(Captioner, ShapesAndErrors) {
  manual_seed(0);
  models::Captioner model({.vocab_size = 13, .image_height = 16, .image_width = 24, .channels = 4,
                           .feature_dim = 16, .embed_dim = 8, .hidden_size = 16});
  const Tensor images = rand({3, 1, 16, 24});
  EXPECT_EQ(model.encode(images).shape(), (Shape{3, 16}));
  EXPECT_EQ(model.forward(images, zeros({3, 5}, DType::Int64)).shape(), (Shape{3, 5, 13}));
  const Tensor decoded = model.greedy_decode(images, 6);
  EXPECT_EQ(decoded.size(0), 3);
  EXPECT_LE(decoded.size(1), 6);
  EXPECT_THROW(model.encode(rand({3, 1, 16, 16})), Error);
  EXPECT_THROW(model.forward(images, zeros({2, 5}, DType::Int64)), Error);
  EXPECT_THROW(models::Captioner({.vocab_size = 13, .image_height = 20}), Error);
}

// 2×2 grids of Fashion-MNIST items captioned with their four labels row by row ("sandal, coat,
// bag, shirt"): training grids drawn from the first 12 000 training images, held-out grids from
// the first 2 000 test images. After 600 steps (19 200 grids) greedy captions of 500 held-out
// grids must name >= 70 % of the items right at their places (chance: 10 %).
TEST(Captioner, CaptionsFashionMnistGrids) {
  const OneThread one_thread;
  if (!std::filesystem::exists(data::FashionMNIST::kDefaultRoot)) GTEST_SKIP() << "dataset-fashion-mnist not installed";
  const data::FashionMNIST train_file(data::FashionMNIST::kDefaultRoot, true), test_file(data::FashionMNIST::kDefaultRoot, false);
  const Tensor train_x = train_file.images().narrow(0, 0, 12000).to(DType::Float32) / 255.0;
  const Tensor train_y = train_file.labels().narrow(0, 0, 12000).to(DType::Int64);
  const Tensor test_x = test_file.images().narrow(0, 0, 2000).to(DType::Float32) / 255.0;
  const Tensor test_y = test_file.labels().narrow(0, 0, 2000).to(DType::Int64);
  manual_seed(0);
  models::Captioner model({.vocab_size = data::kFirstSymbol + 10});
  const int64_t steps = 600;
  optim::Adam opt(model.parameters(), {.lr = 2e-3});
  optim::CosineAnnealingLR schedule(opt, steps);
  Generator gen(5);
  const auto start = std::chrono::steady_clock::now();
  for (int64_t step = 0; step < steps; ++step) {
    const data::ItemGridBatch g = data::item_grid_batch(train_x, train_y, 0, 12000, 32, 2, 2, gen);
    const data::Seq2SeqBatch c = data::caption_batch(g.labels);
    const Tensor logits = model.forward(g.images, c.tgt_in);
    const Tensor loss = nn::functional::cross_entropy(logits.flatten(0, 1), c.tgt_out.flatten());
    opt.zero_grad();
    loss.backward();
    opt.step();
    schedule.step();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Generator test_gen(77);
  const data::ItemGridBatch g = data::item_grid_batch(test_x, test_y, 0, 2000, 500, 2, 2, test_gen);
  const data::Seq2SeqBatch c = data::caption_batch(g.labels);
  model.eval();
  const data::SequenceMatch m = data::sequence_match(model.greedy_decode(g.images, 6), c.tgt_out);
  std::printf("captioning: %lld steps in %.1f s, held-out token accuracy %.4f, exact captions %.4f\n",
              static_cast<long long>(steps), seconds, m.token, m.exact);
  EXPECT_GE(m.token, 0.70);
}
