// Loss values against hand-computed numbers and the course notes' oracles (the multiclass SVM
// losses 2.9 / 0 / 12.9 on the cat/car/frog scores; initial losses ≈ ln C and ≈ C − 1), special
// values (BCE's log clamp, stable logits), consistency between the fused and composite
// cross-entropy paths, and error messages.
#include <gtest/gtest.h>

#include <cmath>
#include <type_traits>

#include "nabla/nabla.h"
#include "nabla/nn/functional/loss.h"
#include "nabla/nn/loss.h"

using namespace nabla;
namespace F = nabla::nn::functional;
using nabla::nn::Reduction;

namespace {

Tensor i64(std::initializer_list<double> v) { return tensor(v).to(DType::Int64); }

void expect_error(const std::function<void()>& f, const std::vector<std::string>& fragments) {
  try {
    f();
    ADD_FAILURE() << "expected nabla::Error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    for (const auto& frag : fragments) EXPECT_NE(msg.find(frag), std::string::npos) << "'" << frag << "' not in: " << msg;
  }
}

}  // namespace

// Notes (003, "multiclass SVM loss"): scores of three images (rows) for the classes
// cat, car, frog (columns); the correct classes are cat, car, frog. Σ_{j≠y} max(0, s_j − s_y + 1)
// gives 2.9, 0 and 12.9, mean 5.27. PyTorch's MultiMarginLoss divides that sum by C.
TEST(LossOracle, MulticlassSvmCatCarFrog) {
  const Tensor scores = tensor({{3.2, 5.1, -1.7}, {1.3, 4.9, 2.0}, {2.2, 2.5, -3.1}});
  const Tensor labels = i64({0, 1, 2});
  const int64_t C = 3;
  const auto per_image = (F::multi_margin_loss(scores, labels, 1, 1.0, Tensor(), Reduction::None) * double(C))
                             .to_vector<double>();
  EXPECT_NEAR(per_image[0], 2.9, 1e-5);
  EXPECT_NEAR(per_image[1], 0.0, 1e-6);
  EXPECT_NEAR(per_image[2], 12.9, 1e-5);
  const double mean = F::multi_margin_loss(scores, labels).item() * C;
  EXPECT_NEAR(mean, 15.8 / 3.0, 1e-5);
  EXPECT_NEAR(std::round(mean * 100) / 100, 5.27, 1e-12);
  // The module gives the same numbers.
  nn::MultiMarginLoss svm({.reduction = Reduction::Sum});
  EXPECT_NEAR(svm(scores, labels).item() * C, 15.8, 1e-4);
}

// With near-zero scores the softmax loss starts at ln C and the SVM loss at C − 1 (notes' sanity checks).
TEST(LossOracle, InitialLossesWithSmallScores) {
  Generator g(7);
  const int64_t N = 2000, C = 10;
  const Tensor scores = randn({N, C}, DType::Float32, &g) * 1e-3;
  const Tensor labels = randint(0, C, {N}, &g);
  EXPECT_NEAR(F::cross_entropy(scores, labels).item(), std::log(10.0), 1e-3);
  EXPECT_NEAR(F::multi_margin_loss(scores, labels).item() * C, C - 1.0, 1e-2);
}

TEST(LossValues, CrossEntropyHandComputed) {
  const Tensor x = tensor({{1.0, 2.0, 3.0}, {1.0, 1.0, 1.0}});
  const Tensor t = i64({2, 0});
  const double l0 = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)) - 3.0;  // 0.40760596
  const double l1 = std::log(3.0);
  EXPECT_NEAR(F::cross_entropy(x, t).item(), (l0 + l1) / 2, 1e-6);
  EXPECT_NEAR(F::cross_entropy(x, t, Tensor(), -100, Reduction::Sum).item(), l0 + l1, 1e-6);
  // Class weights: mean divides by the sum of the targets' weights.
  const Tensor w = tensor({0.5, 1.0, 2.0});
  EXPECT_NEAR(F::cross_entropy(x, t, w).item(), (2.0 * l0 + 0.5 * l1) / 2.5, 1e-6);
  // ignore_index drops a row from both the sum and the count.
  EXPECT_NEAR(F::cross_entropy(x, t, Tensor(), 0).item(), l0, 1e-6);
  // Every target ignored: mean is 0/0 = NaN, as PyTorch.
  EXPECT_TRUE(std::isnan(F::cross_entropy(x, i64({-100, -100})).item()));
  // Label smoothing ε: (1 − ε)·nll + ε/C·Σ_c −log p_c.
  const double eps = 0.3;
  const double smooth0 = (1 - eps) * l0 + eps / 3 * (3 * (l0 + 3.0) - 6.0);
  EXPECT_NEAR(F::cross_entropy(x.slice(0, 0, 1), t.slice(0, 0, 1), Tensor(), -100, Reduction::Mean, eps).item(),
              smooth0, 1e-6);
  // Gradient of the fused path: (softmax − onehot)/N.
  Tensor xg = x.clone().requires_grad_();
  F::cross_entropy(xg, t).backward();
  const auto gr = xg.grad().to_vector<double>();
  const double z = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  EXPECT_NEAR(gr[2], (std::exp(3.0) / z - 1) / 2, 1e-6);
  EXPECT_NEAR(gr[0], std::exp(1.0) / z / 2, 1e-6);
  EXPECT_NEAR(gr[3], (1.0 / 3 - 1) / 2, 1e-6);
}

// The fused (N, C) kernel and the composite (N, C, d) path agree for every option.
TEST(LossValues, CrossEntropyFusedMatchesComposite) {
  Generator g(3);
  const Tensor x = randn({7, 5}, DType::Float64, &g);
  Tensor t = randint(0, 5, {7}, &g);
  t.select(0, 2).fill_(4);
  const Tensor w = rand({5}, DType::Float64, &g) + 0.5;
  for (Reduction r : {Reduction::None, Reduction::Mean, Reduction::Sum})
    for (double eps : {0.0, 0.2}) {
      const Tensor fused = F::cross_entropy(x, t, w, 4, r, eps);
      const Tensor comp = F::cross_entropy(x.unsqueeze(2), t.unsqueeze(1), w, 4, r, eps);
      EXPECT_TRUE(allclose(fused, r == Reduction::None ? comp.squeeze(1) : comp, 1e-12, 1e-12))
          << nn::reduction_name(r) << " eps " << eps;
    }
  // log_softmax + nll_loss is cross_entropy.
  EXPECT_NEAR(F::nll_loss(log_softmax(x, 1), t, w).item(), F::cross_entropy(x, t, w).item(), 1e-12);
}

TEST(LossValues, BinaryCrossEntropySpecialValues) {
  // log clamped at −100: a confident wrong prediction costs 100, not inf.
  EXPECT_NEAR(F::binary_cross_entropy(tensor({0.0}), tensor({1.0})).item(), 100.0, 1e-4);
  EXPECT_NEAR(F::binary_cross_entropy(tensor({1.0}), tensor({1.0})).item(), 0.0, 1e-7);
  EXPECT_NEAR(F::binary_cross_entropy(tensor({0.25}), tensor({1.0})).item(), std::log(4.0), 1e-6);
  // Logits: stable for large |x|, equal to BCE(σ(x)) in the normal range.
  const auto big = F::binary_cross_entropy_with_logits(tensor({100.0, -100.0, 30.0}), tensor({0.0, 1.0, 1.0}),
                                                       Tensor(), Reduction::None)
                       .to_vector<double>();
  EXPECT_NEAR(big[0], 100.0, 1e-4);
  EXPECT_NEAR(big[1], 100.0, 1e-4);
  EXPECT_GT(big[2], 0.0);  // log1p(e^−30) ≈ 9.4e−14, not rounded to 0
  EXPECT_NEAR(big[2], 9.357623e-14, 1e-18);
  const Tensor x = tensor({-1.5, 0.2, 2.0}), y = tensor({0.0, 0.4, 1.0});
  EXPECT_NEAR(F::binary_cross_entropy_with_logits(x, y).item(), F::binary_cross_entropy(sigmoid(x), y).item(), 1e-6);
  // pos_weight p: the positive term is weighted: −p·y·log σ(x) − (1 − y)·log(1 − σ(x)).
  const double s = 1 / (1 + std::exp(-0.7));
  EXPECT_NEAR(F::binary_cross_entropy_with_logits(tensor({0.7}), tensor({1.0}), Tensor(), Reduction::Mean,
                                                  tensor({3.0}))
                  .item(),
              -3.0 * std::log(s), 1e-6);
}

TEST(LossValues, RegressionAndDivergenceLosses) {
  const Tensor x = tensor({0.0, 0.5, 3.0}), y = tensor({0.0, 0.0, 0.0});
  EXPECT_NEAR(F::mse_loss(x, y).item(), (0.25 + 9.0) / 3, 1e-6);
  EXPECT_NEAR(F::l1_loss(x, y, Reduction::Sum).item(), 3.5, 1e-6);
  // SmoothL1 (beta 1): 0.5·0.25 and 3 − 0.5. Huber(δ) = δ·SmoothL1(β = δ).
  EXPECT_NEAR(F::smooth_l1_loss(x, y, Reduction::Sum).item(), 0.125 + 2.5, 1e-6);
  EXPECT_NEAR(F::huber_loss(x, y, Reduction::Sum, 2.0).item(),
              2.0 * F::smooth_l1_loss(x, y, Reduction::Sum, 2.0).item(), 1e-6);
  // KL(q‖p) with zeros in q: 0·log 0 = 0; batchmean = sum / batch, mean = sum / numel.
  const Tensor q = tensor({{0.5, 0.5, 0.0}, {1.0, 0.0, 0.0}});
  const Tensor logp = log(tensor({{0.25, 0.25, 0.5}, {0.5, 0.25, 0.25}}));
  const double kl = 0.5 * std::log(2.0) * 2 + std::log(2.0);
  EXPECT_NEAR(F::kl_div(logp, q, Reduction::Sum).item(), kl, 1e-6);
  EXPECT_NEAR(F::kl_div(logp, q, Reduction::BatchMean).item(), kl / 2, 1e-6);
  EXPECT_NEAR(F::kl_div(logp, q, Reduction::Mean).item(), kl / 6, 1e-6);
  EXPECT_NEAR(F::kl_div(logp, log(q + 1e-30), Reduction::Sum, true).item(), kl, 1e-5);
  // Ranking: max(0, −y(x1 − x2) + margin).
  EXPECT_NEAR(F::margin_ranking_loss(tensor({1.0, 1.0}), tensor({2.0, 0.0}), tensor({1.0, 1.0}), 0.5).item(),
              (1.5 + 0.0) / 2, 1e-6);
  // Cosine: parallel vectors with y = 1 cost 0; orthogonal with y = −1 cost max(0, 0 − margin).
  EXPECT_NEAR(F::cosine_embedding_loss(tensor({{1.0, 2.0}}), tensor({{2.0, 4.0}}), tensor({1.0})).item(), 0.0, 1e-6);
  EXPECT_NEAR(F::cosine_embedding_loss(tensor({{1.0, 0.0}}), tensor({{0.0, 3.0}}), tensor({-1.0}), -0.25).item(), 0.25,
              1e-6);
  // Triplet: d(a, p) = 1, d(a, n) = 3 (p = 2, eps = 0) → max(0, 1 + 1 − 3) = 0; margin 4 → 2.
  const Tensor a = tensor({{0.0, 0.0}}), p = tensor({{1.0, 0.0}}), n = tensor({{0.0, 3.0}});
  EXPECT_NEAR(F::triplet_margin_loss(a, p, n, 1.0, 2.0, 0.0).item(), 0.0, 1e-6);
  EXPECT_NEAR(F::triplet_margin_loss(a, p, n, 4.0, 2.0, 0.0).item(), 2.0, 1e-6);
  // swap: d(p, n) = √10 > 3, so the anchor distance is kept.
  EXPECT_NEAR(F::triplet_margin_loss(a, p, n, 4.0, 2.0, 0.0, true).item(), 2.0, 1e-6);
}

TEST(LossValues, Penalties) {
  const std::vector<Tensor> params{tensor({1.0, -2.0}), tensor({3.0}).reshape({1, 1})};
  EXPECT_NEAR(F::l1_penalty(params).item(), 6.0, 1e-6);
  EXPECT_NEAR(F::l2_penalty(params).item(), 14.0, 1e-6);
  EXPECT_NEAR(F::elastic_net(params, 0.5, 0.1).item(), 3.0 + 1.4, 1e-6);
  EXPECT_EQ(F::l2_penalty({}).item(), 0.0);
  Tensor w = tensor({1.0, -2.0}).requires_grad_();
  F::l2_penalty({w}).backward();
  EXPECT_EQ(w.grad().to_vector<double>(), (std::vector<double>{2.0, -4.0}));
}

TEST(LossModules, NamesReductionsAndStateDict) {
  nn::CrossEntropyLoss ce({.weight = tensor({1.0, 2.0}), .reduction = Reduction::Sum});
  EXPECT_EQ(ce.name(), "CrossEntropyLoss");
  EXPECT_EQ(ce.state_dict().count("weight"), 1u);
  nn::BCEWithLogitsLoss bce;
  EXPECT_TRUE(bce.state_dict().empty());  // undefined weights are not saved
  const Tensor x = tensor({{0.2, 0.3}}), t = i64({1});
  EXPECT_NEAR(ce(x, t).item(), 2.0 * (std::log(std::exp(0.2) + std::exp(0.3)) - 0.3), 1e-6);
  nn::MSELoss mse(Reduction::None);
  EXPECT_EQ(mse(tensor({1.0, 2.0}), tensor({0.0, 0.0})).shape(), (Shape{2}));
  EXPECT_EQ(nn::reduction_from_string("batchmean"), Reduction::BatchMean);
  expect_error([] { nn::reduction_from_string("avg"); }, {"reduction", "'avg'"});
  // A two-input loss is not a UnaryModule: calling it with one input does not compile.
  static_assert(!std::is_invocable_v<nn::CrossEntropyLoss&, const Tensor&>);
  static_assert(!std::is_base_of_v<nn::UnaryModule, nn::CrossEntropyLoss>);
}

TEST(LossErrors, NameTheLossAndTheOffendingValue) {
  const Tensor x = tensor({{0.1, 0.2, 0.3}, {0.0, 0.0, 1.0}});
  expect_error([&] { F::cross_entropy(x, i64({0, 3})); }, {"cross_entropy", "target 3", "3 classes"});
  expect_error([&] { F::cross_entropy(x, i64({0, 1, 2})); }, {"cross_entropy", "[2]", "[3]"});
  expect_error([&] { F::cross_entropy(x, i64({0, 1}), Tensor(), -100, Reduction::Mean, 1.5); },
               {"label_smoothing", "1.5"});
  expect_error([&] { F::cross_entropy(x, i64({0, 1}), tensor({1.0, 2.0})); }, {"cross_entropy", "weight", "[2]"});
  expect_error([&] { F::cross_entropy(i64({1, 2}), i64({0, 1})); }, {"cross_entropy", "floating-point"});
  expect_error([&] { F::cross_entropy(x, tensor({{0.5, 0.5}})); }, {"cross_entropy", "[1, 2]", "[2, 3]"});
  expect_error([&] { F::nll_loss(x, i64({-1, 0})); }, {"nll_loss", "target -1"});
  expect_error([&] { F::multi_margin_loss(x, i64({0, 1}), 3); }, {"multi_margin_loss", "p = 3"});
  expect_error([&] { F::mse_loss(x, x, Reduction::BatchMean); }, {"mse_loss", "batchmean"});
  expect_error([&] { F::binary_cross_entropy(x, tensor({0.0, 1.0})); }, {"binary_cross_entropy", "[2]", "[2, 3]"});
  expect_error([&] { F::binary_cross_entropy(tensor({1.5}), tensor({1.0})); }, {"binary_cross_entropy", "1.5"});
  expect_error([&] { F::binary_cross_entropy_with_logits(x, x, Tensor(), Reduction::Mean, tensor({1.0, 2.0})); },
               {"pos_weight", "[2]"});
  expect_error([&] { F::smooth_l1_loss(x, x, Reduction::Mean, -1.0); }, {"smooth_l1_loss", "-1"});
  expect_error([&] { F::huber_loss(x, x, Reduction::Mean, 0.0); }, {"huber_loss", "delta"});
  expect_error([&] { F::triplet_margin_loss(x, x, x, 1.0, 0.0); }, {"triplet_margin_loss", "p"});
  expect_error([&] { F::cosine_embedding_loss(x, x, tensor({1.0})); }, {"cosine_embedding_loss", "[2]", "[1]"});
  expect_error([] { nn::MultiMarginLoss({.p = 0}); }, {"MultiMarginLoss", "p = 0"});
}
