// classic::KMeans: well-separated blobs are recovered (up to relabelling), inertia never rises
// over Lloyd iterations, restarts keep the best run, seeds reproduce, and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "nabla/classic/kmeans.h"
#include "nabla/nabla.h"

using namespace nabla;
using namespace nabla::classic;

namespace {

// k blobs of n points with std 0.5 around centres 10 apart in 3-d.
std::pair<Tensor, std::vector<int64_t>> blobs(int64_t k, int64_t n, uint64_t seed) {
  Generator gen(seed);
  std::vector<double> x;
  std::vector<int64_t> y;
  for (int64_t i = 0; i < k * n; ++i) {
    const int64_t c = i % k;
    for (int f = 0; f < 3; ++f) x.push_back((f == c % 3 ? 10.0 * (1 + c / 3) : 0.0) + 0.5 * gen.next_normal());
    y.push_back(c);
  }
  return {from_vector(x, Shape{k * n, 3}), y};
}

}  // namespace

TEST(KMeans, RecoversWellSeparatedBlobs) {
  const auto [x, truth] = blobs(4, 50, 1);
  KMeans km({.n_clusters = 4, .n_init = 3, .seed = 7});
  const std::vector<int64_t> labels = km.fit_predict(x).to_vector<int64_t>();
  // Each true blob maps to exactly one cluster, and different blobs to different clusters.
  std::map<int64_t, std::set<int64_t>> seen;
  for (size_t i = 0; i < labels.size(); ++i) seen[truth[i]].insert(labels[i]);
  std::set<int64_t> used;
  for (const auto& [blob, clusters] : seen) {
    EXPECT_EQ(clusters.size(), 1u) << "blob " << blob;
    used.insert(*clusters.begin());
  }
  EXPECT_EQ(used.size(), 4u);
  EXPECT_EQ(km.cluster_centers().shape(), (Shape{4, 3}));
  // Inertia ≈ N·D·σ² = 200 · 3 · 0.25 = 150.
  EXPECT_NEAR(km.inertia(), 150.0, 30.0);
  EXPECT_EQ(km.predict(x).to_vector<int64_t>(), labels);
  // transform gives squared distances; their row minima sum to the inertia.
  EXPECT_NEAR(std::get<0>(min(km.transform(x), 1)).sum().item(), km.inertia(), 1e-2);
}

TEST(KMeans, InertiaNeverIncreasesAndRestartsKeepTheBest) {
  Generator gen(3);
  const Tensor x = randn({300, 5}, DType::Float64, &gen);  // no structure: many local optima
  for (uint64_t seed : {0, 1, 2}) {
    KMeans km({.n_clusters = 6, .n_init = 1, .tol = 0, .seed = seed});
    km.fit(x);
    const std::vector<double>& h = km.inertia_history();
    ASSERT_GE(h.size(), 2u);
    for (size_t i = 1; i < h.size(); ++i) EXPECT_LE(h[i], h[i - 1] * (1 + 1e-12)) << "iteration " << i;
    EXPECT_DOUBLE_EQ(h.back(), km.inertia());
  }
  double best_single = 1e300;
  KMeans many({.n_clusters = 6, .n_init = 5, .seed = 11});
  many.fit(x);
  // Five restarts do at least about as well as the best of five independent single runs.
  for (uint64_t r = 0; r < 5; ++r)
    best_single = std::min(best_single, KMeans({.n_clusters = 6, .n_init = 1, .seed = 100 + r}).fit(x).inertia());
  EXPECT_LT(many.inertia(), best_single * 1.05);
  KMeans again({.n_clusters = 6, .n_init = 5, .seed = 11});
  EXPECT_EQ(again.fit(x).inertia(), many.inertia());
  EXPECT_EQ(again.labels().to_vector<int64_t>(), many.labels().to_vector<int64_t>());
}

TEST(KMeans, ErrorsNameTheProblem) {
  EXPECT_THROW(KMeans({.n_clusters = 0}), Error);
  EXPECT_THROW(KMeans({.n_init = 0}), Error);
  try {
    KMeans({.n_clusters = 5}).fit(zeros({3, 2}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("n_samples = 3 must be >= n_clusters = 5"), std::string::npos) << e.what();
  }
  EXPECT_THROW(KMeans().predict(zeros({3, 2})), Error);
  KMeans km({.n_clusters = 2});
  km.fit(tensor({{0, 0}, {0, 1}, {5, 5}, {5, 6}}));
  EXPECT_THROW(km.predict(zeros({3, 3})), Error);
  EXPECT_THROW(KMeans({.n_clusters = 1}).fit(full({1, 2}, NAN)), Error);
}
