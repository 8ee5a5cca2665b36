// Conv2d forward and forward+backward at batch 64 on the convolution shapes of LeNet-5,
// a CIFAR ResNet-20 and VGG-11 (first layers). bench/pytorch_conv.py times the same cases in
// PyTorch. Reported: wall time per call (the kernels run on the OpenMP pool).
// NABLA_CONV_BACKEND=im2col|onednn selects the implementation (docs/nn-conv.md).
//
// forward:  y = conv(x)                       (no graph recorded)
// fwd_bwd:  y = conv(x); (y·g).sum() backward → grads of x (except for image inputs), w and b
#include <benchmark/benchmark.h>

#include "nabla/nabla.h"
#include "nabla/nn/conv.h"

namespace {

struct ConvCase {
  const char* name;
  int64_t in, out, kernel, padding, size;
  bool input_grad;  // false for layers that see the image itself
};

constexpr int64_t kBatch = 64;
const ConvCase kCases[] = {
    {"lenet_c1_1x28_6_k5p2", 1, 6, 5, 2, 28, false},
    {"lenet_c2_6x14_16_k5", 6, 16, 5, 0, 14, true},
    {"resnet_16x32_16_k3", 16, 16, 3, 1, 32, true},
    {"resnet_32x16_32_k3", 32, 32, 3, 1, 16, true},
    {"resnet_64x8_64_k3", 64, 64, 3, 1, 8, true},
    {"vgg_c1_3x32_64_k3", 3, 64, 3, 1, 32, false},
    {"vgg_c2_64x16_128_k3", 64, 128, 3, 1, 16, true},
};

void BM_conv_forward(benchmark::State& state, ConvCase c) {
  nabla::manual_seed(0);
  auto conv = std::make_shared<nabla::nn::Conv2d>(c.in, c.out, c.kernel, 1, c.padding);
  nabla::Tensor x = nabla::randn({kBatch, c.in, c.size, c.size});
  nabla::NoGradGuard no_grad;
  (*conv)(x);  // warm-up
  for (auto _ : state) {
    nabla::Tensor y = (*conv)(x);
    benchmark::DoNotOptimize(y.raw_data());
  }
}

void BM_conv_fwd_bwd(benchmark::State& state, ConvCase c) {
  nabla::manual_seed(0);
  auto conv = std::make_shared<nabla::nn::Conv2d>(c.in, c.out, c.kernel, 1, c.padding);
  nabla::Tensor x = nabla::randn({kBatch, c.in, c.size, c.size});
  if (c.input_grad) x.requires_grad_();
  nabla::Tensor g = nabla::randn((*conv)(x).shape());
  auto step = [&] {
    nabla::Tensor y = (*conv)(x);
    y.backward(g);
    conv->zero_grad();
    x.zero_grad();
  };
  step();  // warm-up: fills the allocator's cache
  for (auto _ : state) {
    step();
    benchmark::ClobberMemory();
  }
}

}  // namespace

int main(int argc, char** argv) {
  for (const ConvCase& c : kCases) {
    benchmark::RegisterBenchmark((std::string("conv2d/forward/") + c.name).c_str(), BM_conv_forward, c)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark((std::string("conv2d/fwd_bwd/") + c.name).c_str(), BM_conv_fwd_bwd, c)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
