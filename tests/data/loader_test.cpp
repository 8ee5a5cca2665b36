// DataLoader, datasets and samplers: determinism across worker counts and epochs, batching,
// error propagation, random_split, sampler statistics and DistributedSampler coverage.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>

#include "nabla/data.h"
#include "nabla/nabla.h"

using namespace nabla;
using namespace nabla::data;

namespace {

std::shared_ptr<TensorDataset> make_dataset(int64_t n) {
  Tensor x = arange(0.0, static_cast<double>(n * 4), 1.0, DType::Float32).reshape({n, 1, 2, 2});
  Tensor y = arange(0.0, static_cast<double>(n), 1.0, DType::Int64);
  return std::make_shared<TensorDataset>(x, y);
}

/// Adds uniform noise drawn from the sample's Generator: any shared RNG would break determinism.
Tensor add_noise(const Tensor& x, Generator& gen) { return x + rand(x.shape(), DType::Float32, &gen); }

std::vector<std::vector<float>> epoch_inputs(DataLoader& loader) {
  std::vector<std::vector<float>> out;
  for (const Batch& b : loader) out.push_back(b.input.to_vector<float>());
  return out;
}

/// Throws for one index.
class FailingDataset : public Dataset {
 public:
  int64_t size() const override { return 20; }
  Example get(int64_t index) const override {
    NABLA_CHECK(index != 13, "FailingDataset: broken sample");
    return {full({2}, static_cast<double>(index)), scalar_tensor(0, DType::Int64)};
  }
};

}  // namespace

TEST(DataLoader, SequentialBatchesAndSize) {
  auto ds = make_dataset(10);
  DataLoaderOptions opt;
  opt.batch_size = 4;
  DataLoader loader(ds, opt);
  EXPECT_EQ(loader.size(), 3);
  std::vector<int64_t> sizes, labels;
  for (const Batch& b : loader) {
    sizes.push_back(b.input.size(0));
    EXPECT_EQ(b.input.shape(), (Shape{b.input.size(0), 1, 2, 2}));
    for (int64_t v : b.target.to_vector<int64_t>()) labels.push_back(v);
  }
  EXPECT_EQ(sizes, (std::vector<int64_t>{4, 4, 2}));
  std::vector<int64_t> expect(10);
  std::iota(expect.begin(), expect.end(), 0);
  EXPECT_EQ(labels, expect);
  opt.drop_last = true;
  DataLoader dropping(ds, opt);
  EXPECT_EQ(dropping.size(), 2);
  int count = 0;
  for (const Batch& b : dropping) count += b.input.size(0) == 4;
  EXPECT_EQ(count, 2);
}

TEST(DataLoader, DeterministicAcrossWorkerCountsAndEpochs) {
  auto ds = std::make_shared<TransformDataset>(make_dataset(37), add_noise);
  std::vector<std::vector<std::vector<float>>> per_workers;
  for (int workers : {0, 1, 3}) {
    DataLoaderOptions opt;
    opt.batch_size = 5;
    opt.shuffle = true;
    opt.seed = 42;
    opt.num_workers = workers;
    DataLoader loader(ds, opt);
    auto e0 = epoch_inputs(loader);
    auto e1 = epoch_inputs(loader);  // the epoch advanced: new order and new noise
    EXPECT_NE(e0, e1);
    loader.set_epoch(0);
    EXPECT_EQ(epoch_inputs(loader), e0) << "set_epoch(0) must replay epoch 0 (workers " << workers << ")";
    per_workers.push_back(e0);
    per_workers.push_back(e1);
  }
  EXPECT_EQ(per_workers[0], per_workers[2]);
  EXPECT_EQ(per_workers[0], per_workers[4]);
  EXPECT_EQ(per_workers[1], per_workers[3]);
  EXPECT_EQ(per_workers[1], per_workers[5]);
}

TEST(DataLoader, ShuffleVisitsEverySampleOnce) {
  auto ds = make_dataset(23);
  DataLoaderOptions opt;
  opt.batch_size = 4;
  opt.shuffle = true;
  opt.num_workers = 2;
  DataLoader loader(ds, opt);
  std::vector<int64_t> labels;
  for (const Batch& b : loader)
    for (int64_t v : b.target.to_vector<int64_t>()) labels.push_back(v);
  std::vector<int64_t> sorted = labels;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> expect(23);
  std::iota(expect.begin(), expect.end(), 0);
  EXPECT_EQ(sorted, expect);
  EXPECT_NE(labels, expect);
}

TEST(DataLoader, WorkerErrorNamesTheSample) {
  for (int workers : {0, 2}) {
    DataLoaderOptions opt;
    opt.batch_size = 4;
    opt.num_workers = workers;
    DataLoader loader(std::make_shared<FailingDataset>(), opt);
    try {
      for (const Batch& b : loader) (void)b;
      FAIL() << "expected an error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("sample 13"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("broken sample"), std::string::npos) << e.what();
    }
  }
}

TEST(DataLoader, EarlyBreakStopsWorkers) {
  DataLoaderOptions opt;
  opt.batch_size = 2;
  opt.num_workers = 3;
  DataLoader loader(make_dataset(100), opt);
  int seen = 0;
  for (const Batch& b : loader) {
    (void)b;
    if (++seen == 2) break;
  }
  EXPECT_EQ(seen, 2);
}

TEST(DataLoader, CustomCollate) {
  DataLoaderOptions opt;
  opt.batch_size = 3;
  opt.collate = [](const std::vector<Example>& ex) {
    return Batch{full({1}, static_cast<double>(ex.size())), Tensor()};
  };
  DataLoader loader(make_dataset(7), opt);
  std::vector<float> counts;
  for (const Batch& b : loader) counts.push_back(b.input.item<float>());
  EXPECT_EQ(counts, (std::vector<float>{3, 3, 1}));
}

TEST(DataLoader, DefaultCollateRejectsMismatchedShapes) {
  std::vector<Example> ex = {{zeros({2}), Tensor()}, {zeros({3}), Tensor()}};
  EXPECT_THROW(default_collate(ex), Error);
}

TEST(Datasets, SubsetConcatAndTransform) {
  auto ds = make_dataset(5);
  auto sub = std::make_shared<Subset>(ds, std::vector<int64_t>{4, 0});
  EXPECT_EQ(sub->size(), 2);
  EXPECT_EQ(sub->get(0).target.item<int64_t>(), 4);
  ConcatDataset cat_ds({ds, sub});
  EXPECT_EQ(cat_ds.size(), 7);
  EXPECT_EQ(cat_ds.get(5).target.item<int64_t>(), 4);
  EXPECT_EQ(cat_ds.get(6).target.item<int64_t>(), 0);
  EXPECT_THROW(cat_ds.get(7), Error);
  EXPECT_THROW(Subset(ds, {5}), Error);
  TransformDataset doubled(ds, [](const Tensor& x, Generator&) { return x * 2.0; });
  EXPECT_EQ(doubled.get(1).input.to_vector<float>(), (std::vector<float>{8, 10, 12, 14}));
  EXPECT_THROW(TensorDataset(zeros({3, 2}), zeros({4})), Error);
}

TEST(Datasets, RandomSplitSizesAndDisjointness) {
  auto ds = make_dataset(10);
  auto parts = random_split(ds, std::vector<int64_t>{6, 3, 1}, 7);
  ASSERT_EQ(parts.size(), 3u);
  std::set<int64_t> all;
  size_t total = 0;
  for (auto& p : parts) {
    total += p->indices().size();
    all.insert(p->indices().begin(), p->indices().end());
  }
  EXPECT_EQ(parts[0]->size(), 6);
  EXPECT_EQ(parts[1]->size(), 3);
  EXPECT_EQ(total, 10u);
  EXPECT_EQ(all.size(), 10u);
  EXPECT_EQ(random_split(ds, std::vector<int64_t>{6, 3, 1}, 7)[0]->indices(), parts[0]->indices());
  auto frac = random_split(ds, std::vector<double>{0.45, 0.45, 0.1}, 1);
  // floor gives 4, 4, 1; the remainder 1 goes to the first split.
  EXPECT_EQ(frac[0]->size(), 5);
  EXPECT_EQ(frac[1]->size(), 4);
  EXPECT_EQ(frac[2]->size(), 1);
  EXPECT_THROW(random_split(ds, std::vector<int64_t>{5, 4}), Error);
  EXPECT_THROW(random_split(ds, std::vector<double>{0.5, 0.6}), Error);
}

TEST(Samplers, RandomSamplerIsAPermutationPerEpoch) {
  RandomSampler s(50, false, -1, 3);
  auto a = s.indices(0), b = s.indices(1);
  EXPECT_EQ(a, s.indices(0));
  EXPECT_NE(a, b);
  std::sort(a.begin(), a.end());
  for (int64_t i = 0; i < 50; ++i) EXPECT_EQ(a[i], i);
  RandomSampler with(5, true, 1000, 3);
  auto w = with.indices(0);
  EXPECT_EQ(w.size(), 1000u);
  for (int64_t v : w) EXPECT_TRUE(v >= 0 && v < 5);
  EXPECT_THROW(RandomSampler(5, false, 7), Error);
}

TEST(Samplers, WeightedWithReplacementFollowsWeights) {
  WeightedRandomSampler s({1, 0, 3}, 40000, true, 11);
  std::vector<int64_t> count(3, 0);
  for (int64_t i : s.indices(0)) ++count[i];
  EXPECT_EQ(count[1], 0);
  // p = 0.25: standard deviation sqrt(40000·0.25·0.75) ≈ 87, allow 5 sigma.
  EXPECT_NEAR(count[0], 10000, 435);
  EXPECT_NEAR(count[2], 30000, 435);
}

TEST(Samplers, WeightedWithoutReplacement) {
  WeightedRandomSampler s({1, 0, 3, 2}, 3, false, 5);
  for (uint64_t e = 0; e < 20; ++e) {
    auto v = s.indices(e);
    std::set<int64_t> u(v.begin(), v.end());
    EXPECT_EQ(u, (std::set<int64_t>{0, 2, 3}));
  }
  // First draw: P(index 2) = 3/6.
  WeightedRandomSampler one({1, 0, 3, 2}, 1, false, 9);
  int hits = 0;
  for (uint64_t e = 0; e < 4000; ++e) hits += one.indices(e)[0] == 2;
  EXPECT_NEAR(hits, 2000, 160);  // sigma ≈ 32
  EXPECT_THROW(WeightedRandomSampler({1, 0}, 2, false), Error);
  EXPECT_THROW(WeightedRandomSampler({1, -1}, 2), Error);
}

TEST(Samplers, DistributedCoversTheDatasetAndPads) {
  const int64_t n = 10, R = 3;
  std::vector<int64_t> all;
  for (int64_t r = 0; r < R; ++r) {
    DistributedSampler s(n, R, r, true, 4);
    auto v = s.indices(2);
    EXPECT_EQ(static_cast<int64_t>(v.size()), 4);  // ceil(10/3)
    EXPECT_EQ(s.size(), 4);
    all.insert(all.end(), v.begin(), v.end());
  }
  std::set<int64_t> u(all.begin(), all.end());
  EXPECT_EQ(u.size(), 10u);  // every sample; 2 repeated as padding
  EXPECT_EQ(all.size(), 12u);
  // Unshuffled, as PyTorch: rank 1 of 3 gets 1, 4, 7, 0 (0 is padding).
  EXPECT_EQ(DistributedSampler(n, R, 1, false).indices(0), (std::vector<int64_t>{1, 4, 7, 0}));
  // drop_last: ceil((10 − 3)/3) = 3 each, 9 distinct samples.
  std::set<int64_t> dropped;
  for (int64_t r = 0; r < R; ++r) {
    auto v = DistributedSampler(n, R, r, true, 4, true).indices(0);
    EXPECT_EQ(v.size(), 3u);
    dropped.insert(v.begin(), v.end());
  }
  EXPECT_EQ(dropped.size(), 9u);
  EXPECT_THROW(DistributedSampler(n, 3, 3), Error);
}

TEST(Samplers, BatchSamplerAndLoaderWithSampler) {
  auto seq = std::make_shared<SequentialSampler>(7);
  BatchSampler b(seq, 3);
  EXPECT_EQ(b.size(), 3);
  EXPECT_EQ(b.batches(0).back(), (std::vector<int64_t>{6}));
  EXPECT_EQ(BatchSampler(seq, 3, true).batches(0).size(), 2u);
  DataLoaderOptions opt;
  opt.batch_size = 2;
  opt.sampler = std::make_shared<DistributedSampler>(7, 2, 1, false);
  DataLoader loader(make_dataset(7), opt);
  std::vector<int64_t> labels;
  for (const Batch& batch : loader)
    for (int64_t v : batch.target.to_vector<int64_t>()) labels.push_back(v);
  EXPECT_EQ(labels, (std::vector<int64_t>{1, 3, 5, 0}));
}
