// classic::TSNE: the perplexity calibration reaches the target entropy, well-separated clusters
// stay separated in the embedding, and errors.
#include <gtest/gtest.h>

#include <cmath>

#include "nabla/classic/tsne.h"
#include "nabla/nabla.h"

using namespace nabla;
using namespace nabla::classic;

TEST(TSNE, PerplexityCalibrationHitsTheTargetEntropy) {
  Generator gen(1);
  const int64_t n = 60;
  const Tensor x = randn({n, 5}, DType::Float64, &gen);
  const Tensor diff = x.unsqueeze(1) - x.unsqueeze(0);
  const Tensor d = (diff * diff).sum({2});
  for (double perplexity : {5.0, 20.0, 50.0}) {
    const PerplexityResult r = perplexity_calibration(d, perplexity);
    const std::vector<double> p = r.P.to_vector<double>();
    for (int64_t i = 0; i < n; ++i) {
      double sum = 0, h = 0;
      for (int64_t j = 0; j < n; ++j) {
        sum += p[i * n + j];
        if (p[i * n + j] > 0) h -= p[i * n + j] * std::log(p[i * n + j]);
      }
      EXPECT_EQ(p[i * n + i], 0.0);
      EXPECT_NEAR(sum, 1.0, 1e-12);
      // Entropy recomputed from P (nats) equals ln(perplexity).
      EXPECT_NEAR(h, std::log(perplexity), 1e-4) << "row " << i << " perplexity " << perplexity;
      EXPECT_NEAR(r.entropy[i].item(), std::log(perplexity), 1e-5);
      EXPECT_GT(r.beta[i].item(), 0);
    }
  }
}

TEST(TSNE, SeparatedClustersStaySeparated) {
  Generator gen(2);
  const int64_t per = 25, k = 3, n = per * k, d = 10;
  std::vector<double> xs;
  std::vector<int64_t> labels;
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t f = 0; f < d; ++f) xs.push_back((f == i % k ? 20.0 : 0.0) + gen.next_normal());
    labels.push_back(i % k);
  }
  TSNE tsne({.perplexity = 10, .max_iter = 500, .seed = 3});
  const Tensor y = tsne.fit_transform(from_vector(xs, Shape{n, d}));
  ASSERT_EQ(y.shape(), (Shape{n, 2}));
  const std::vector<double> e = y.to_vector<double>();
  auto dist = [&](int64_t a, int64_t b) { return std::hypot(e[2 * a] - e[2 * b], e[2 * a + 1] - e[2 * b + 1]); };
  // Every point's largest distance within its cluster is below its smallest distance to another.
  for (int64_t i = 0; i < n; ++i) {
    double within = 0, across = 1e300;
    for (int64_t j = 0; j < n; ++j) {
      if (j == i) continue;
      if (labels[j] == labels[i]) within = std::max(within, dist(i, j));
      else across = std::min(across, dist(i, j));
    }
    EXPECT_LT(within, across) << "point " << i;
  }
  EXPECT_GT(tsne.kl_divergence(), 0);
  EXPECT_LT(tsne.kl_divergence(), 1.0);
  const std::string svg = embedding_scatter_svg(y, from_vector(labels), {"a", "b", "c"}, "t-SNE");
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  // Same seed, same embedding.
  TSNE again({.perplexity = 10, .max_iter = 500, .seed = 3});
  EXPECT_EQ(again.fit_transform(from_vector(xs, Shape{n, d})).to_vector<double>(), e);
}

TEST(TSNE, ErrorsNameTheProblem) {
  EXPECT_THROW(TSNE({.perplexity = 0}), Error);
  try {
    TSNE({.perplexity = 30}).fit_transform(zeros({10, 3}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("need more than perplexity + 1"), std::string::npos) << e.what();
  }
  EXPECT_THROW(perplexity_calibration(zeros({3, 4}), 1.5), Error);
  EXPECT_THROW(perplexity_calibration(zeros({3, 3}), 3.0), Error);
  EXPECT_THROW(embedding_scatter_svg(zeros({4, 3}), zeros({4}, DType::Int64), {}, "x"), Error);
}
