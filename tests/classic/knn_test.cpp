// k-NN against a brute-force reference: double-precision distances, a full sort by
// (distance, index), and the documented vote/tie rule written out independently.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <random>
#include <set>

#include "nabla/classic.h"
#include "nabla/io/idx.h"
#include "nabla/nabla.h"

using namespace nabla;
using namespace nabla::classic;

namespace {

struct Data {
  Tensor bytes;   // uint8 (n, d)
  Tensor floats;  // the same values as float32
  Tensor labels;  // int64
};

Data random_data(int64_t n, int64_t d, int max_value, int64_t classes, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> value(0, max_value), label(0, static_cast<int>(classes) - 1);
  std::vector<uint8_t> bytes(static_cast<size_t>(n * d));
  for (auto& b : bytes) b = static_cast<uint8_t>(value(rng));
  std::vector<int64_t> y(static_cast<size_t>(n));
  for (auto& v : y) v = label(rng);
  Data out;
  out.bytes = from_vector(bytes, Shape{n, d});
  out.floats = out.bytes.to(DType::Float32);
  out.labels = from_vector(y, Shape{n});
  return out;
}

// The rows of x listed in `indices`, in that order.
Tensor select_rows(const Tensor& x, const std::vector<int64_t>& indices) {
  return index_select(x, 0, from_vector(indices));
}

// Exact distances (squared for L2: integer data keeps them exact in double).
double ref_distance(const Tensor& a, int64_t i, const Tensor& b, int64_t j, Metric m) {
  double s = 0;
  const int64_t d = a.size(1);
  const uint8_t* pa = a.data_ptr<uint8_t>() + i * d;
  const uint8_t* pb = b.data_ptr<uint8_t>() + j * d;
  for (int64_t c = 0; c < d; ++c) {
    const double diff = static_cast<double>(pa[c]) - pb[c];
    s += m == Metric::L1 ? std::fabs(diff) : diff * diff;
  }
  return s;
}

struct RefNeighbors {
  std::vector<std::vector<int64_t>> idx;
  std::vector<std::vector<double>> dist;  // L1 or Euclidean
};

RefNeighbors ref_kneighbors(const Tensor& train, const Tensor& query, int64_t k, Metric m) {
  RefNeighbors out;
  for (int64_t i = 0; i < query.size(0); ++i) {
    std::vector<std::pair<double, int64_t>> all;
    for (int64_t j = 0; j < train.size(0); ++j) all.emplace_back(ref_distance(query, i, train, j, m), j);
    std::sort(all.begin(), all.end());
    std::vector<int64_t> idx;
    std::vector<double> dist;
    for (int64_t j = 0; j < k; ++j) {
      idx.push_back(all[j].second);
      dist.push_back(m == Metric::L2 ? std::sqrt(all[j].first) : all[j].first);
    }
    out.idx.push_back(idx);
    out.dist.push_back(dist);
  }
  return out;
}

// The documented rule: most votes, then the smallest summed distance, then the class of the
// nearest neighbour among the tied classes.
int64_t ref_vote(const std::vector<int64_t>& idx, const std::vector<double>& dist, const Tensor& labels) {
  std::map<int64_t, std::tuple<double, double, size_t>> per_class;  // votes, distance sum, first
  for (size_t j = 0; j < idx.size(); ++j) {
    const int64_t c = labels[idx[j]].item<int64_t>();
    auto it = per_class.find(c);
    if (it == per_class.end()) it = per_class.emplace(c, std::make_tuple(0.0, 0.0, j)).first;
    std::get<0>(it->second) += 1;
    std::get<1>(it->second) += dist[j];
  }
  int64_t best = -1;
  std::tuple<double, double, size_t> key;
  for (const auto& [c, v] : per_class) {
    auto cand = std::make_tuple(-std::get<0>(v), std::get<1>(v), std::get<2>(v));
    if (best < 0 || cand < key) best = c, key = cand;
  }
  return best;
}

void expect_matches_reference(const Neighbors& nb, const RefNeighbors& ref) {
  const int64_t m = nb.indices.size(0), k = nb.indices.size(1);
  ASSERT_EQ(m, static_cast<int64_t>(ref.idx.size()));
  const int64_t* ip = nb.indices.data_ptr<int64_t>();
  const double* dp = nb.distances.data_ptr<double>();
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < k; ++j) {
      ASSERT_EQ(ip[i * k + j], ref.idx[i][j]) << "query " << i << " neighbour " << j;
      ASSERT_NEAR(dp[i * k + j], ref.dist[i][j], 1e-9 * (1 + ref.dist[i][j])) << "query " << i << " neighbour " << j;
    }
}

// A (n, 1) float32 tensor: one 1-d point per row.
Tensor column(const std::vector<float>& values) {
  return from_vector(values, Shape{static_cast<int64_t>(values.size()), 1});
}

std::vector<int64_t> to_vec(const Tensor& t) {
  const Tensor c = t.contiguous();
  return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

class KnnReference : public ::testing::TestWithParam<std::tuple<Metric, int64_t>> {};

// Small values (0..3) in few dimensions: many exact distance ties, broken by index.
TEST_P(KnnReference, FloatAndBytePathsMatchBruteForceWithTies) {
  const auto [metric, k] = GetParam();
  const Data train = random_data(200, 5, 3, 4, 1), test = random_data(60, 5, 3, 4, 2);
  const RefNeighbors ref = ref_kneighbors(train.bytes, test.bytes, k, metric);
  KNearestNeighbors float_model(k, metric), byte_model(k, metric);
  float_model.fit(train.floats, train.labels);
  byte_model.fit(train.bytes, train.labels);
  expect_matches_reference(float_model.kneighbors(test.floats), ref);
  expect_matches_reference(byte_model.kneighbors(test.bytes), ref);
  std::vector<int64_t> expected;
  for (size_t i = 0; i < ref.idx.size(); ++i) expected.push_back(ref_vote(ref.idx[i], ref.dist[i], train.labels));
  EXPECT_EQ(to_vec(float_model.predict(test.floats)), expected);
  EXPECT_EQ(to_vec(byte_model.predict(test.bytes)), expected);
}

// Full byte range with D > 256: the exact L2 path slices the features; D is not a multiple of
// 64, so the L1 path's zero padding is exercised too.
TEST_P(KnnReference, BytePathIsExactOnFullRangePixels) {
  const auto [metric, k] = GetParam();
  const Data train = random_data(150, 300, 255, 3, 3), test = random_data(40, 300, 255, 3, 4);
  KNearestNeighbors model(k, metric);
  model.fit(train.bytes, train.labels);
  expect_matches_reference(model.kneighbors(test.bytes), ref_kneighbors(train.bytes, test.bytes, k, metric));
}

INSTANTIATE_TEST_SUITE_P(MetricsAndK, KnnReference,
                         ::testing::Combine(::testing::Values(Metric::L1, Metric::L2),
                                            ::testing::Values(int64_t{1}, int64_t{3}, int64_t{5}, int64_t{10})));

// More queries and training rows than one block holds (float and SGEMM L2: 256 × 2048, VNNI L2:
// 96 queries, byte L1: 32 × 4096 at D ≤ 64), so results cross block boundaries and OpenMP threads.
TEST(Knn, ManyBlocksMatchReference) {
  const Data train = random_data(4500, 20, 255, 5, 5), test = random_data(300, 20, 255, 5, 6);
  for (Metric metric : {Metric::L1, Metric::L2}) {
    const RefNeighbors ref = ref_kneighbors(train.bytes, test.bytes, 7, metric);
    KNearestNeighbors float_model(7, metric), byte_model(7, metric);
    float_model.fit(train.floats, train.labels);
    byte_model.fit(train.bytes, train.labels);
    expect_matches_reference(byte_model.kneighbors(test.bytes), ref);
    expect_matches_reference(float_model.kneighbors(test.floats), ref);  // values < 2^24: exact in float32
  }
}

// Byte rows, full range, feature counts that are not multiples of 4 or 64 (the integer L2
// kernel pads them), and more rows than one block: L2 training blocks hold ~256 KiB of packed
// rows (320 rows at 785 features) and query blocks 96 rows, in tiles of 6 queries × 32 rows,
// so 1 000 × 150 rows cross block, panel and tile boundaries with partial ones at the ends.
TEST(Knn, BytePathExactForOddFeatureCountsAndManyRows) {
  struct Case {
    int64_t n_train, n_test, d, k;
  };
  for (const Case c : {Case{1000, 150, 785, 5}, Case{700, 37, 3, 4}, Case{333, 21, 1, 9}, Case{97, 13, 65, 1}}) {
    const Data train = random_data(c.n_train, c.d, 255, 4, 11 + static_cast<uint32_t>(c.d)),
               test = random_data(c.n_test, c.d, 255, 4, 12 + static_cast<uint32_t>(c.d));
    for (Metric metric : {Metric::L2, Metric::L1}) {
      SCOPED_TRACE(testing::Message() << "d = " << c.d << ", metric " << metric_name(metric));
      KNearestNeighbors model(c.k, metric);
      model.fit(train.bytes, train.labels);
      expect_matches_reference(model.kneighbors(test.bytes), ref_kneighbors(train.bytes, test.bytes, c.k, metric));
    }
  }
}

// Extreme distances: 0 and 255² · D at D = 33 025, the largest feature count whose squared byte
// distances fit 32-bit integers, and one feature more (beyond it the floating-point path runs).
TEST(Knn, ByteL2ExactAtTheInt32Limit) {
  for (int64_t d : {int64_t{33025}, int64_t{33026}}) {
    std::vector<uint8_t> rows;
    for (int v : {0, 255, 128, 255}) rows.insert(rows.end(), static_cast<size_t>(d), static_cast<uint8_t>(v));
    for (int64_t c = 0; c < d; ++c) rows.push_back(static_cast<uint8_t>((c * 37) % 256));  // a mixed row
    const Tensor train = from_vector(rows, Shape{5, d});
    const Tensor test = select_rows(train, {1, 0, 4, 2});
    KNearestNeighbors model(5, Metric::L2);
    model.fit(train, from_vector(std::vector<int64_t>{0, 1, 2, 3, 4}, Shape{5}));
    const Neighbors nb = model.kneighbors(test);
    expect_matches_reference(nb, ref_kneighbors(train, test, 5, Metric::L2));
    // Query all-255 against all-0: the largest possible distance, 255 · √D; the equal rows 1 and
    // 3 are both at distance 0, the lower index first.
    EXPECT_EQ(nb.indices[0][0].item<int64_t>(), 1);
    EXPECT_EQ(nb.indices[0][1].item<int64_t>(), 3);
    EXPECT_EQ(nb.distances[0][1].item<double>(), 0.0);
    EXPECT_EQ(nb.indices[0][4].item<int64_t>(), 0);
    EXPECT_DOUBLE_EQ(nb.distances[0][4].item<double>(), 255.0 * std::sqrt(static_cast<double>(d)));
  }
}

TEST(Knn, TieRuleSmallestDistanceSumThenNearest) {
  // 1-d points, query at 0. Class 0 at distances 1 and 4 (sum 5), class 1 at 2 and 2 (sum 4):
  // two votes each, class 1 wins on the distance sum although the nearest point is class 0.
  Tensor x = column({1, 4, 2, -2, 10});
  Tensor y = from_vector(std::vector<int64_t>{0, 0, 1, 1, 2}, Shape{5});
  KNearestNeighbors model(4, Metric::L1);
  model.fit(x, y);
  EXPECT_EQ(model.predict(column({0})).item<int64_t>(), 1);
  // Class 0 at 1 and 3 (sum 4), class 1 at 2 and −2 (sum 4): full tie, the nearest (class 0) wins.
  Tensor x2 = column({1, 3, 2, -2, 10});
  model.fit(x2, y);
  EXPECT_EQ(model.predict(column({0})).item<int64_t>(), 0);
  // Same with the classes' labels swapped: the rule does not prefer the smaller label.
  model.fit(x2, from_vector(std::vector<int64_t>{1, 1, 0, 0, 2}, Shape{5}));
  EXPECT_EQ(model.predict(column({0})).item<int64_t>(), 1);
  // Equal distances: the lower training index is the nearer neighbour.
  KNearestNeighbors one(1, Metric::L2);
  one.fit(column({5, -1, 1}), from_vector(std::vector<int64_t>{0, 1, 2}, Shape{3}));
  EXPECT_EQ(one.predict(column({0})).item<int64_t>(), 1);
}

TEST(Knn, DistanceWeightingAndProbabilities) {
  Tensor x = column({1, 2, 4});
  Tensor y = from_vector(std::vector<int64_t>{0, 1, 1}, Shape{3});
  KNearestNeighbors uniform(3, Metric::L1), weighted(3, Metric::L1, Weights::Distance);
  uniform.fit(x, y);
  weighted.fit(x, y);
  // Query 0: uniform votes 1 : 2 → class 1; weights 1 : (1/2 + 1/4) → class 0.
  EXPECT_EQ(uniform.predict(column({0})).item<int64_t>(), 1);
  EXPECT_EQ(weighted.predict(column({0})).item<int64_t>(), 0);
  Tensor pu = uniform.predict_proba(column({0}));
  EXPECT_EQ(pu.shape(), (Shape{1, 2}));
  EXPECT_NEAR(pu[0][0].item<float>(), 1.0 / 3, 1e-6);
  EXPECT_NEAR(pu[0][1].item<float>(), 2.0 / 3, 1e-6);
  Tensor pw = weighted.predict_proba(column({0}));
  EXPECT_NEAR(pw[0][0].item<float>(), 1.0 / 1.75, 1e-6);
  // A query on a training point: only the zero-distance neighbours vote.
  Tensor pz = weighted.predict_proba(column({2}));
  EXPECT_NEAR(pz[0][1].item<float>(), 1.0, 1e-6);
}

TEST(Knn, L2ClampsRoundingBelowZero) {
  Tensor x = randn({50, 33}) * 1000.0 + 5000.0;
  Tensor y = zeros({50}, DType::Int64);
  KNearestNeighbors model(2, Metric::L2);
  model.fit(x, y);
  Neighbors nb = model.kneighbors(x.narrow(0, 10, 5));
  for (int64_t i = 0; i < 5; ++i) {
    const double d0 = nb.distances[i][0].item<double>();
    EXPECT_FALSE(std::isnan(d0));
    EXPECT_GE(d0, 0.0);
    EXPECT_EQ(nb.indices[i][0].item<int64_t>(), 10 + i);
  }
}

TEST(Knn, ByteQueriesOnFloatModel) {
  const Data train = random_data(50, 10, 255, 3, 7), test = random_data(9, 10, 255, 3, 8);
  KNearestNeighbors model(3, Metric::L1);
  model.fit(train.floats, train.labels);
  EXPECT_EQ(to_vec(model.predict(test.bytes)), to_vec(model.predict(test.floats)));
}

TEST(Knn, ErrorsNameTheProblem) {
  EXPECT_THROW(KNearestNeighbors(0), Error);
  KNearestNeighbors model(3);
  try {
    model.predict(zeros({2, 4}));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("fit"), std::string::npos) << e.what();
  }
  EXPECT_THROW(model.fit(zeros({4, 2}), zeros({3}, DType::Int64)), Error);
  EXPECT_THROW(model.fit(zeros({4, 2}), zeros({4})), Error);  // float labels
  EXPECT_THROW(model.fit(zeros({4}), zeros({4}, DType::Int64)), Error);
  EXPECT_THROW(model.fit(zeros({2, 2}), from_vector(std::vector<int64_t>{0, -1}, Shape{2})), Error);
  model.fit(zeros({4, 2}), zeros({4}, DType::Int64));
  try {
    model.predict(zeros({1, 3}));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("2 features"), std::string::npos) << e.what();
  }
  EXPECT_THROW(model.kneighbors(zeros({1, 2}), 5), Error);  // k > N
  KNearestNeighbors bytes_model(1);
  bytes_model.fit(zeros({3, 2}, DType::UInt8), zeros({3}, DType::Int64));
  EXPECT_THROW(bytes_model.predict(zeros({1, 2})), Error);
  EXPECT_THROW(parse_metric("cosine"), Error);
  EXPECT_EQ(parse_metric("manhattan"), Metric::L1);
}

TEST(CrossValidation, FoldAccuraciesMatchManualRuns) {
  const Data data = random_data(90, 6, 9, 3, 9);
  const std::vector<int64_t> ks{1, 3, 7};
  for (Metric metric : {Metric::L1, Metric::L2}) {
    const CrossValidationResult cv = cross_validate_k(data.bytes, data.labels, ks, 3, metric, 5);
    const CrossValidationResult cvf = cross_validate_k(data.floats, data.labels, ks, 3, metric, 5);
    EXPECT_EQ(cv.accuracy, cvf.accuracy);
    ASSERT_EQ(cv.accuracy.size(), ks.size());
    const auto split = data::kfold(90, 3, true, 5);
    for (size_t f = 0; f < split.size(); ++f) {
      const std::vector<int64_t>& val = split[f].val;
      const std::vector<int64_t>& train = split[f].train;
      for (size_t i = 0; i < ks.size(); ++i) {
        KNearestNeighbors model(ks[i], metric);
        model.fit(select_rows(data.bytes, train), index_select(data.labels, 0, from_vector(train)));
        const double acc = data::accuracy(model.predict(select_rows(data.bytes, val)),
                                          index_select(data.labels, 0, from_vector(val)));
        EXPECT_DOUBLE_EQ(cv.accuracy[i][f], acc) << "k " << ks[i] << " fold " << f;
      }
    }
    const auto mu = cv.mean(), sd = cv.std();
    const auto& a = cv.accuracy[0];
    EXPECT_NEAR(mu[0], (a[0] + a[1] + a[2]) / 3, 1e-12);
    const double var = ((a[0] - mu[0]) * (a[0] - mu[0]) + (a[1] - mu[0]) * (a[1] - mu[0]) +
                        (a[2] - mu[0]) * (a[2] - mu[0])) / 2;
    EXPECT_NEAR(sd[0], std::sqrt(var), 1e-12);
  }
  EXPECT_THROW(cross_validate_k(data.bytes, data.labels, {}, 3, Metric::L1), Error);
  EXPECT_THROW(cross_validate_k(data.bytes, data.labels, {61}, 3, Metric::L1), Error);
}

// A real run with a threshold: 2 000 Fashion-MNIST training images, 500 test images.
TEST(Knn, FashionMnistSubsetAccuracy) {
  const std::string dir = "/usr/share/datasets/fashion-mnist";
  if (!std::filesystem::exists(dir + "/train-images-idx3-ubyte.gz")) GTEST_SKIP() << dir << " is absent";
  const Tensor xtr = read_idx_images(dir + "/train-images-idx3-ubyte.gz", 2000);
  const Tensor xte = read_idx_images(dir + "/t10k-images-idx3-ubyte.gz", 500);
  EXPECT_EQ(xtr.dtype(), DType::UInt8);
  const Tensor ytr = read_idx_labels(dir + "/train-labels-idx1-ubyte.gz", 2000);
  const Tensor yte = read_idx_labels(dir + "/t10k-labels-idx1-ubyte.gz", 500);
  for (Metric metric : {Metric::L1, Metric::L2}) {
    KNearestNeighbors model(5, metric);
    model.fit(xtr, ytr);
    EXPECT_GT(data::accuracy(model.predict(xte), yte), 0.74) << metric_name(metric);
  }
}

}  // namespace

namespace {

TEST(CrossValidation, PlotHasOneLinePerStatistic) {
  CrossValidationResult cv;
  cv.ks = {1, 3, 5};
  cv.accuracy = {{0.8, 0.9}, {0.85, 0.87}, {0.7, 0.75}};
  EXPECT_EQ(cv.best_k(), 3);
  const std::string svg = cross_validation_svg(cv);
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("mean + std"), std::string::npos);
  EXPECT_NE(svg.find("2 folds"), std::string::npos);
  cv.accuracy.pop_back();
  EXPECT_THROW(cross_validation_svg(cv), Error);
}

}  // namespace
