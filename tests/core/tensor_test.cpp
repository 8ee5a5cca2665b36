#include <gtest/gtest.h>

#include "nabla/nabla.h"

using namespace nabla;

TEST(Tensor, FactoriesAndShape) {
  Tensor z = zeros({2, 3});
  EXPECT_EQ(z.shape(), (Shape{2, 3}));
  EXPECT_EQ(z.strides(), (Shape{3, 1}));
  EXPECT_EQ(z.numel(), 6);
  EXPECT_EQ(z.dtype(), DType::Float32);
  EXPECT_TRUE(z.is_contiguous());
  EXPECT_EQ(reinterpret_cast<uintptr_t>(z.raw_data()) % 64, 0u);
  EXPECT_EQ(arange(5).dtype(), DType::Int64);
  EXPECT_EQ(arange(5).to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(linspace(0, 1, 5).to_vector<float>(), (std::vector<float>{0, 0.25f, 0.5f, 0.75f, 1}));
  EXPECT_EQ(eye(2, 3).to_vector<float>(), (std::vector<float>{1, 0, 0, 0, 1, 0}));
  EXPECT_EQ(full({2}, 7, DType::Int64).to_vector<int64_t>(), (std::vector<int64_t>{7, 7}));
}

TEST(Tensor, ViewsShareStorage) {
  Tensor a = arange(0, 6, 1, DType::Float32).reshape({2, 3});
  Tensor t = a.t();
  EXPECT_EQ(t.shape(), (Shape{3, 2}));
  EXPECT_FALSE(t.is_contiguous());
  EXPECT_EQ(t.contiguous().to_vector<float>(), (std::vector<float>{0, 3, 1, 4, 2, 5}));
  t.select(0, 1).fill_(9);  // writes a[:, 1]
  EXPECT_EQ(a.to_vector<float>(), (std::vector<float>{0, 9, 2, 3, 9, 5}));
  EXPECT_EQ(a.slice(1, 0, 3, 2).to_vector<float>(), (std::vector<float>{0, 2, 3, 5}));
  EXPECT_EQ(a.unsqueeze(0).shape(), (Shape{1, 2, 3}));
  EXPECT_EQ(a.unsqueeze(0).squeeze().shape(), (Shape{2, 3}));
  EXPECT_EQ(a.flatten().shape(), (Shape{6}));
  EXPECT_EQ(a.view({3, -1}).shape(), (Shape{3, 2}));
  EXPECT_EQ(a.narrow(1, 1, 2).to_vector<float>(), (std::vector<float>{9, 2, 9, 5}));
  Tensor e = tensor({1, 2}).reshape({2, 1}).expand({2, 3});
  EXPECT_EQ(e.to_vector<float>(), (std::vector<float>{1, 1, 1, 2, 2, 2}));
  EXPECT_EQ(e.strides()[1], 0);
  EXPECT_THROW(a.t().view({6}), Error);
  EXPECT_EQ(a.t().reshape({6}).numel(), 6);
  EXPECT_THROW(a.view({4, 2}), Error);
  EXPECT_THROW(a.select(2, 0), Error);
  EXPECT_THROW(a.select(0, 5), Error);
}

TEST(Tensor, BroadcastingArithmetic) {
  Tensor a = tensor({{1, 2, 3}, {4, 5, 6}});
  Tensor b = tensor({10, 20, 30});
  EXPECT_EQ((a + b).to_vector<float>(), (std::vector<float>{11, 22, 33, 14, 25, 36}));
  EXPECT_EQ((a * 2).to_vector<float>(), (std::vector<float>{2, 4, 6, 8, 10, 12}));
  EXPECT_EQ((a - b).to_vector<float>(), (std::vector<float>{-9, -18, -27, -6, -15, -24}));
  EXPECT_EQ((a.t() + 1).to_vector<float>(), (std::vector<float>{2, 5, 3, 6, 4, 7}));
  EXPECT_THROW(a + tensor({1, 2}), Error);
  EXPECT_EQ((arange(3) + 1.5).dtype(), DType::Float32);
  EXPECT_EQ((arange(3) + 1).dtype(), DType::Int64);
  EXPECT_EQ((a.to(DType::Float64) + a).dtype(), DType::Float64);
}

TEST(Tensor, SumAndMean) {
  Tensor a = arange(0, 24, 1, DType::Float32).reshape({2, 3, 4});
  EXPECT_FLOAT_EQ(a.sum().item(), 276);
  EXPECT_EQ(a.sum({0}).shape(), (Shape{3, 4}));
  EXPECT_FLOAT_EQ(a.sum({0}).to_vector<float>()[0], 12);
  EXPECT_EQ(a.sum({1}, true).shape(), (Shape{2, 1, 4}));
  EXPECT_EQ(a.sum({-1}).to_vector<float>(), (std::vector<float>{6, 22, 38, 54, 70, 86}));
  EXPECT_EQ(a.sum({0, 2}).to_vector<float>(), (std::vector<float>{60, 92, 124}));
  EXPECT_FLOAT_EQ(a.mean().item(), 11.5);
  EXPECT_THROW(a.sum({3}), Error);
}

TEST(Tensor, Matmul) {
  Tensor a = tensor({{1, 2}, {3, 4}, {5, 6}});
  Tensor b = tensor({{1, 0, 2}, {0, 1, 3}});
  EXPECT_EQ(matmul(a, b).to_vector<float>(), (std::vector<float>{1, 2, 8, 3, 4, 18, 5, 6, 28}));
  EXPECT_EQ(matmul(b.t(), a.t()).to_vector<float>(), matmul(a, b).t().contiguous().to_vector<float>());
  EXPECT_EQ(matmul(tensor({1, 2}), tensor({3, 4})).item(), 11);
  Tensor batch = ones({4, 3, 2});
  EXPECT_EQ(matmul(batch, b).shape(), (Shape{4, 3, 3}));
  EXPECT_THROW(matmul(a, a), Error);
}

TEST(Tensor, Printing) {
  EXPECT_EQ(tensor({{1, 2}, {3, 4}}).to_string(), "tensor([[1., 2.],\n        [3., 4.]])");
  EXPECT_EQ(tensor({0.5, 1.25}).to_string(), "tensor([0.5000, 1.2500])");
  EXPECT_EQ(arange(3).to_string(), "tensor([0, 1, 2])");
}

TEST(Random, SeededAndDeterministic) {
  Generator g1(42), g2(42);
  EXPECT_EQ(randn({100}, DType::Float32, &g1).to_vector<float>(), randn({100}, DType::Float32, &g2).to_vector<float>());
  Tensor p = randperm(10, &g1);
  auto v = p.to_vector<int64_t>();
  std::sort(v.begin(), v.end());
  EXPECT_EQ(v, arange(10).to_vector<int64_t>());
  Tensor u = rand({10000}, DType::Float64, &g1);
  EXPECT_NEAR(u.mean().item(), 0.5, 0.02);
  Tensor n = randn({10000}, DType::Float64, &g1);
  EXPECT_NEAR(n.mean().item(), 0.0, 0.05);
}

TEST(Allocator, ReusesFreedBlocks) {
  { Tensor warm = empty({1000, 37}); }
  const AllocatorStats before = allocator::stats();
  for (int i = 0; i < 10; ++i) Tensor t = empty({1000, 37});
  const AllocatorStats after = allocator::stats();
  EXPECT_EQ(after.allocations - before.allocations, 10u);
  EXPECT_EQ(after.cache_hits - before.cache_hits, 10u);
}

// Above 1 MiB a size class spans a quarter of a power of two: a block freed by one request serves a
// slightly larger one (DenseNet's growing concatenations), but not one beyond its class.
TEST(Allocator, LargeBlocksServeNearbySizes) {
  allocator::empty_cache();
  { Tensor warm = empty({500000}); }  // 2 000 000 bytes: class 2 097 152
  AllocatorStats before = allocator::stats();
  { Tensor near = empty({520000}); }  // 2 080 000 bytes: the same class
  EXPECT_EQ(allocator::stats().cache_hits - before.cache_hits, 1u);
  before = allocator::stats();
  { Tensor beyond = empty({530000}); }  // 2 120 000 bytes: the next class (2 621 440)
  EXPECT_EQ(allocator::stats().cache_hits - before.cache_hits, 0u);
}

TEST(Allocator, LimitRefusesLargerAllocationsWithError) {
  allocator::set_allocation_limit(1 << 20);
  EXPECT_EQ(allocator::allocation_limit(), size_t{1} << 20);
  EXPECT_NO_THROW(empty({1 << 18}));  // exactly 1 MiB of float32
  try {
    empty({(1 << 18) + 1});
    ADD_FAILURE() << "an allocation above the limit succeeded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("exceeds the limit of 1048576 bytes"), std::string::npos) << e.what();
  }
  allocator::set_allocation_limit(0);
  EXPECT_NO_THROW(empty({(1 << 18) + 1}));
}

TEST(Tensor, FromBlobSharesMemoryAndRunsDeleter) {
  bool deleted = false;
  std::vector<float> buf{1, 2, 3, 4};
  {
    Tensor t = from_blob(buf.data(), {2, 2}, DType::Float32, [&](void*) { deleted = true; });
    t.select(0, 1).fill_(0);
  }
  EXPECT_TRUE(deleted);
  EXPECT_EQ(buf, (std::vector<float>{1, 2, 0, 0}));
}

TEST(Tensor, DtypeConversion) {
  Tensor a = tensor({1.7, -2.2, 0.0});
  EXPECT_EQ(a.to(DType::Int64).to_vector<int64_t>(), (std::vector<int64_t>{1, -2, 0}));
  EXPECT_EQ(a.to(DType::Bool).to_vector<bool>(), (std::vector<bool>{true, true, false}));
  EXPECT_EQ(a.to(DType::Float64).dtype(), DType::Float64);
  EXPECT_DOUBLE_EQ(a.to(DType::Float64).to_vector<double>()[0], static_cast<double>(1.7f));
}

TEST(Tensor, EmptyTensorsAreContiguous) {
  // zeros({6, 0}) has strides (1, 1); with no element it is contiguous all the same, as in PyTorch.
  EXPECT_TRUE(zeros({6, 0}).is_contiguous());
  EXPECT_TRUE(zeros({0, 3, 2}).is_contiguous());
  EXPECT_TRUE(zeros({6, 0}).t().is_contiguous());
  EXPECT_FALSE(zeros({2, 3}).t().is_contiguous());
}
