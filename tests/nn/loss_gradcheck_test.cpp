// gradcheck (float64, central differences) of every loss in every reduction, with class weights,
// ignore_index, label smoothing, probability targets, pos_weight, spatial inputs and
// non-contiguous inputs; the loss modules are checked through their forward as well.
#include <gtest/gtest.h>

#include "nabla/nabla.h"
#include "nabla/nn/functional/loss.h"
#include "nabla/nn/loss.h"

using namespace nabla;
namespace F = nabla::nn::functional;
using nabla::nn::Reduction;

namespace {

const Reduction kAll[] = {Reduction::None, Reduction::Mean, Reduction::Sum};

Tensor rnd(const Shape& s, uint64_t seed, double scale = 1.0) {
  Generator g(seed);
  return (randn(s, DType::Float64, &g) * scale).detach().requires_grad_();
}
Tensor uniform(const Shape& s, double lo, double hi, uint64_t seed, bool grad = true) {
  Generator g(seed);
  Tensor t = (rand(s, DType::Float64, &g) * (hi - lo) + lo).detach();
  return grad ? t.requires_grad_() : t;
}
Tensor labels(const Shape& s, int64_t classes, uint64_t seed) {
  Generator g(seed);
  return randint(0, classes, s, &g);
}
Tensor probabilities(const Shape& s, int64_t dim, uint64_t seed) {
  Generator g(seed);
  return softmax(randn(s, DType::Float64, &g), dim).detach().requires_grad_();
}
// A non-contiguous (transposed) float64 leaf of logical shape (rows, cols).
Tensor transposed(int64_t rows, int64_t cols, uint64_t seed) {
  Generator g(seed);
  Tensor t = randn({cols, rows}, DType::Float64, &g).t().detach().requires_grad_();
  EXPECT_FALSE(t.is_contiguous());
  return t;
}
void expect_grad_ok(const std::function<Tensor(const std::vector<Tensor>&)>& f, const std::vector<Tensor>& in,
                    const std::string& what) {
  GradcheckResult r = gradcheck(f, in);
  EXPECT_TRUE(r.ok) << what << ": " << r.message;
}

}  // namespace

TEST(LossGradcheck, CrossEntropyIndexTargets) {
  const Tensor x = rnd({6, 5}, 1);
  Tensor t = tensor({0, 2, 4, 1, 2, 3}).to(DType::Int64);
  const Tensor w = uniform({5}, 0.3, 2.0, 2, false);
  for (Reduction r : kAll) {
    const std::string name = nn::reduction_name(r);
    expect_grad_ok([&](auto& v) { return F::cross_entropy(v[0], t, Tensor(), -100, r); }, {x}, "plain " + name);
    expect_grad_ok([&](auto& v) { return F::cross_entropy(v[0], t, w, 2, r); }, {x}, "weight+ignore " + name);
    expect_grad_ok([&](auto& v) { return F::cross_entropy(v[0], t, w, -100, r, 0.2); }, {x}, "smooth+weight " + name);
    expect_grad_ok([&](auto& v) { return F::cross_entropy(v[0], t, Tensor(), 4, r, 0.1); }, {x}, "smooth+ignore " + name);
  }
  // Non-contiguous logits and a 1-d (unbatched) input.
  const Tensor xt = transposed(6, 5, 3);
  expect_grad_ok([&](auto& v) { return F::cross_entropy(v[0], t, w, -100, Reduction::Mean, 0.05); }, {xt}, "transposed");
  const Tensor x1 = rnd({5}, 4);
  expect_grad_ok([&](auto& v) { return F::cross_entropy(v[0], scalar_tensor(3, DType::Int64)); }, {x1}, "unbatched");
}

TEST(LossGradcheck, CrossEntropySpatialAndProbabilityTargets) {
  const Tensor x = rnd({2, 4, 3, 2}, 5);
  Tensor t = labels({2, 3, 2}, 4, 6);
  t.view({-1}).select(0, 3).fill_(-100);
  const Tensor w = uniform({4}, 0.3, 2.0, 7, false);
  for (Reduction r : kAll) {
    const std::string name = nn::reduction_name(r);
    expect_grad_ok([&](auto& v) { return F::cross_entropy(v[0], t, w, -100, r); }, {x}, "spatial " + name);
    expect_grad_ok([&](auto& v) { return F::cross_entropy(v[0], t, w, -100, r, 0.25); }, {x}, "spatial smooth " + name);
    const Tensor xp = rnd({4, 5}, 8);
    const Tensor p = probabilities({4, 5}, 1, 9);
    expect_grad_ok([&](auto& v) { return F::cross_entropy(v[0], v[1], Tensor(), -100, r, 0.1); }, {xp, p},
                   "probs " + name);
    const Tensor w5 = uniform({5}, 0.3, 2.0, 10, false);
    expect_grad_ok([&](auto& v) { return F::cross_entropy(v[0], v[1], w5, -100, r); }, {xp, p}, "probs weight " + name);
  }
}

TEST(LossGradcheck, NllAndMultiMargin) {
  const Tensor x = rnd({5, 4}, 11);
  const Tensor t = tensor({0, 3, 1, 1, 2}).to(DType::Int64);
  const Tensor w = uniform({4}, 0.3, 2.0, 12, false);
  const Tensor xs = rnd({2, 4, 3}, 13);
  const Tensor ts = labels({2, 3}, 4, 14);
  for (Reduction r : kAll) {
    const std::string name = nn::reduction_name(r);
    expect_grad_ok([&](auto& v) { return F::nll_loss(v[0], t, w, 1, r); }, {x}, "nll " + name);
    expect_grad_ok([&](auto& v) { return F::nll_loss(v[0], ts, Tensor(), -100, r); }, {xs}, "nll spatial " + name);
    expect_grad_ok([&](auto& v) { return F::multi_margin_loss(v[0], t, 1, 1.0, Tensor(), r); }, {x}, "mm p1 " + name);
    expect_grad_ok([&](auto& v) { return F::multi_margin_loss(v[0], t, 2, 0.7, w, r); }, {x}, "mm p2 " + name);
  }
  expect_grad_ok([&](auto& v) { return F::multi_margin_loss(v[0], t); }, {transposed(5, 4, 15)}, "mm transposed");
}

TEST(LossGradcheck, BinaryCrossEntropies) {
  const Tensor x = uniform({4, 3}, 0.1, 0.9, 16);
  const Tensor y = uniform({4, 3}, 0.0, 1.0, 17);
  const Tensor w = uniform({3}, 0.5, 2.0, 18, false);
  const Tensor logits = rnd({4, 3}, 19, 2.0);
  const Tensor pw = uniform({3}, 0.5, 3.0, 20);
  for (Reduction r : kAll) {
    const std::string name = nn::reduction_name(r);
    expect_grad_ok([&](auto& v) { return F::binary_cross_entropy(v[0], v[1], w, r); }, {x, y}, "bce " + name);
    expect_grad_ok([&](auto& v) { return F::binary_cross_entropy_with_logits(v[0], v[1], w, r); }, {logits, y},
                   "bce logits " + name);
    // pos_weight gets a gradient too (PyTorch does not offer one).
    expect_grad_ok([&](auto& v) { return F::binary_cross_entropy_with_logits(v[0], v[1], Tensor(), r, v[2]); },
                   {logits, y, pw}, "bce logits pos_weight " + name);
  }
}

TEST(LossGradcheck, Regression) {
  const Tensor x = rnd({4, 5}, 21), y = rnd({4, 5}, 22);
  const Tensor yb = rnd({5}, 23);  // broadcast target
  for (Reduction r : kAll) {
    const std::string name = nn::reduction_name(r);
    expect_grad_ok([&](auto& v) { return F::mse_loss(v[0], v[1], r); }, {x, y}, "mse " + name);
    expect_grad_ok([&](auto& v) { return F::mse_loss(v[0], v[1], r); }, {x, yb}, "mse broadcast " + name);
    expect_grad_ok([&](auto& v) { return F::l1_loss(v[0], v[1], r); }, {x, y}, "l1 " + name);
    expect_grad_ok([&](auto& v) { return F::smooth_l1_loss(v[0], v[1], r, 0.6); }, {x, y}, "smooth l1 " + name);
    expect_grad_ok([&](auto& v) { return F::smooth_l1_loss(v[0], v[1], r, 0.0); }, {x, y}, "smooth l1 beta 0 " + name);
    expect_grad_ok([&](auto& v) { return F::huber_loss(v[0], v[1], r, 0.8); }, {x, y}, "huber " + name);
  }
  expect_grad_ok([&](auto& v) { return F::huber_loss(v[0], v[1]); }, {transposed(5, 4, 24), x.t().detach().requires_grad_()},
                 "huber transposed");
}

TEST(LossGradcheck, KLDivergence) {
  const Tensor logp = rnd({3, 4}, 25);
  const Tensor q = probabilities({3, 4}, 1, 26);
  const Tensor logq = rnd({3, 4}, 27);
  for (Reduction r : {Reduction::None, Reduction::Mean, Reduction::Sum, Reduction::BatchMean}) {
    const std::string name = nn::reduction_name(r);
    expect_grad_ok([&](auto& v) { return F::kl_div(v[0], v[1], r); }, {logp, q}, "kl " + name);
    expect_grad_ok([&](auto& v) { return F::kl_div(v[0], v[1], r, true); }, {logp, logq}, "kl log_target " + name);
  }
}

TEST(LossGradcheck, EmbeddingAndRankingLosses) {
  const Tensor a = rnd({5, 4}, 28), b = rnd({5, 4}, 29), c = rnd({5, 4}, 30);
  const Tensor y = tensor({1, -1, 1, -1, -1}, DType::Float64);
  const Tensor s1 = rnd({6}, 31), s2 = rnd({6}, 32);
  const Tensor ys = tensor({1, -1, -1, 1, 1, -1}, DType::Float64);
  for (Reduction r : kAll) {
    const std::string name = nn::reduction_name(r);
    expect_grad_ok([&](auto& v) { return F::cosine_embedding_loss(v[0], v[1], y, -0.2, r); }, {a, b}, "cosine " + name);
    expect_grad_ok([&](auto& v) { return F::triplet_margin_loss(v[0], v[1], v[2], 1.0, 2.0, 1e-6, false, r); }, {a, b, c},
                   "triplet " + name);
    expect_grad_ok([&](auto& v) { return F::triplet_margin_loss(v[0], v[1], v[2], 3.0, 1.5, 1e-6, true, r); }, {a, b, c},
                   "triplet swap p1.5 " + name);
    expect_grad_ok([&](auto& v) { return F::margin_ranking_loss(v[0], v[1], ys, 0.1, r); }, {s1, s2}, "ranking " + name);
  }
}

TEST(LossGradcheck, PenaltiesAndModules) {
  const Tensor p1 = rnd({3, 2}, 33), p2 = rnd({4}, 34);
  expect_grad_ok([](auto& v) { return F::l1_penalty(v); }, {p1, p2}, "l1 penalty");
  expect_grad_ok([](auto& v) { return F::l2_penalty(v); }, {p1, p2}, "l2 penalty");
  expect_grad_ok([](auto& v) { return F::elastic_net(v, 0.3, 0.7); }, {p1, p2}, "elastic net");
  // Modules: class weights registered as buffers follow Module::to(float64).
  auto ce = std::make_shared<nn::CrossEntropyLoss>(
      nn::CrossEntropyLossOptions{.weight = tensor({1.0, 2.0, 0.5}), .label_smoothing = 0.1});
  ce->to(DType::Float64);
  EXPECT_EQ(ce->options.weight.dtype(), DType::Float64);
  const Tensor t = tensor({0, 2, 1, 1}).to(DType::Int64);
  expect_grad_ok([&](auto& v) { return (*ce)(v[0], t); }, {rnd({4, 3}, 35)}, "CrossEntropyLoss module");
  auto bce = std::make_shared<nn::BCEWithLogitsLoss>(nn::BCEWithLogitsLossOptions{.pos_weight = tensor({2.0, 0.5})});
  bce->to(DType::Float64);
  expect_grad_ok([&](auto& v) { return (*bce)(v[0], v[1]); }, {rnd({3, 2}, 36), uniform({3, 2}, 0, 1, 37)},
                 "BCEWithLogitsLoss module");
  auto triplet = std::make_shared<nn::TripletMarginLoss>(nn::TripletMarginLossOptions{.margin = 2.0, .swap = true});
  expect_grad_ok([&](auto& v) { return (*triplet)(v[0], v[1], v[2]); }, {rnd({3, 4}, 38), rnd({3, 4}, 39), rnd({3, 4}, 40)},
                 "TripletMarginLoss module");
}
