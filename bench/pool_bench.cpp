// Pooling forward and forward+backward at batch 64 on the pooling shapes of LeNet-5
// (2×2 max and average pooling after each convolution), a CIFAR ResNet-20 (global average
// pooling) and VGG-11 (2×2 max pooling after each of its five blocks). bench/pytorch_pool.py times
// the same cases in PyTorch and, given this program's JSON output, prints the ratios.
// Reported: wall time per call (the kernels run on the OpenMP pool).
//
// forward:  y = pool(x)                     (no graph recorded)
// fwd_bwd:  y = pool(x); y.backward(g)      (x requires grad; g fixed)
#include <benchmark/benchmark.h>

#include <functional>
#include <memory>

#include "nabla/nabla.h"
#include "nabla/nn/pool.h"

namespace {

struct PoolCase {
  const char* name;
  int64_t channels, size;
  std::function<std::shared_ptr<nabla::nn::UnaryModule>()> make;
};

constexpr int64_t kBatch = 64;

std::vector<PoolCase> cases() {
  using namespace nabla::nn;
  auto max2 = [] { return std::make_shared<MaxPool2d>(2); };
  auto avg2 = [] { return std::make_shared<AvgPool2d>(2); };
  return {
      {"lenet_maxpool2_6x28", 6, 28, max2},
      {"lenet_maxpool2_16x10", 16, 10, max2},
      {"lenet_avgpool2_6x28", 6, 28, avg2},
      {"lenet_avgpool2_16x10", 16, 10, avg2},
      {"resnet_gap_64x8", 64, 8, [] { return std::make_shared<AdaptiveAvgPool2d>(1); }},
      {"vgg_maxpool2_64x32", 64, 32, max2},
      {"vgg_maxpool2_128x16", 128, 16, max2},
      {"vgg_maxpool2_256x8", 256, 8, max2},
      {"vgg_maxpool2_512x4", 512, 4, max2},
      {"vgg_maxpool2_512x2", 512, 2, max2},
  };
}

void BM_pool_forward(benchmark::State& state, const PoolCase& c) {
  nabla::manual_seed(0);
  auto pool = c.make();
  nabla::Tensor x = nabla::randn({kBatch, c.channels, c.size, c.size});
  nabla::NoGradGuard no_grad;
  (*pool)(x);  // warm-up
  for (auto _ : state) {
    nabla::Tensor y = (*pool)(x);
    benchmark::DoNotOptimize(y.raw_data());
  }
}

void BM_pool_fwd_bwd(benchmark::State& state, const PoolCase& c) {
  nabla::manual_seed(0);
  auto pool = c.make();
  nabla::Tensor x = nabla::randn({kBatch, c.channels, c.size, c.size}).requires_grad_();
  nabla::Tensor g = nabla::randn((*pool)(x).shape());
  auto step = [&] {
    nabla::Tensor y = (*pool)(x);
    y.backward(g);
    x.zero_grad();
  };
  step();  // warm-up: the first step fills the allocator's cache (and, unmeasured, costs far more)
  for (auto _ : state) {
    step();
    benchmark::ClobberMemory();
  }
}

}  // namespace

int main(int argc, char** argv) {
  for (const PoolCase& c : cases()) {
    benchmark::RegisterBenchmark((std::string("pool/forward/") + c.name).c_str(), BM_pool_forward, c)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark((std::string("pool/fwd_bwd/") + c.name).c_str(), BM_pool_fwd_bwd, c)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
