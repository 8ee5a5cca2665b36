// Conv2d forward and forward+backward at batch 64 on every distinct convolution shape of
// LeNet-5, a CIFAR ResNet-20 (with option-B 1×1 stride-2 projections) and VGG-11 (CIFAR), the 3×3
// stride-1 ones of ResNet-18 on a 28×28 input, and two depthwise 3×3 convolutions of MobileNet v2
// (groups = channels).
// bench/pytorch_conv.py times the same cases in PyTorch; bench/layers_compare.sh compares them.
// Reported: wall time per call (the kernels run on the OpenMP pool).
// NABLA_CONV_BACKEND=im2col|onednn selects the implementation and NABLA_CONV_ALGORITHM=direct|
// winograd|auto oneDNN's algorithm (docs/nn-conv.md).
//
// forward:  y = conv(x)                       (no graph recorded)
// fwd_bwd:  y = conv(x); (y·g).sum() backward → grads of x (except for image inputs), w and b
//           (b only where the layer has a bias)
#include <benchmark/benchmark.h>

#include "nabla/nabla.h"
#include "nabla/nn/conv.h"

namespace {

struct ConvCase {
  const char* name;
  int64_t in, out, kernel, stride, padding, size;
  bool input_grad;  // false for layers that see the image itself
  bool bias;        // false where a BatchNorm follows (ResNet-20)
  int64_t groups = 1;
};

constexpr int64_t kBatch = 64;
// Every distinct convolution shape of the three networks; bench/pytorch_conv.py has the same list.
const ConvCase kCases[] = {
    {"lenet_c1_1x28_6_k5p2", 1, 6, 5, 1, 2, 28, false, true},
    {"lenet_c2_6x14_16_k5", 6, 16, 5, 1, 0, 14, true, true},
    {"resnet_c1_3x32_16_k3", 3, 16, 3, 1, 1, 32, false, false},
    {"resnet_16x32_16_k3", 16, 16, 3, 1, 1, 32, true, false},
    {"resnet_16x32_32_k3s2", 16, 32, 3, 2, 1, 32, true, false},
    {"resnet_proj_16x32_32_k1s2", 16, 32, 1, 2, 0, 32, true, false},
    {"resnet_32x16_32_k3", 32, 32, 3, 1, 1, 16, true, false},
    {"resnet_32x16_64_k3s2", 32, 64, 3, 2, 1, 16, true, false},
    {"resnet_proj_32x16_64_k1s2", 32, 64, 1, 2, 0, 16, true, false},
    {"resnet_64x8_64_k3", 64, 64, 3, 1, 1, 8, true, false},
    {"vgg_c1_3x32_64_k3", 3, 64, 3, 1, 1, 32, false, true},
    {"vgg_c2_64x16_128_k3", 64, 128, 3, 1, 1, 16, true, true},
    {"vgg_c3_128x8_256_k3", 128, 256, 3, 1, 1, 8, true, true},
    {"vgg_c4_256x8_256_k3", 256, 256, 3, 1, 1, 8, true, true},
    {"vgg_c5_256x4_512_k3", 256, 512, 3, 1, 1, 4, true, true},
    {"vgg_c6_512x4_512_k3", 512, 512, 3, 1, 1, 4, true, true},
    {"vgg_c7_512x2_512_k3", 512, 512, 3, 1, 1, 2, true, true},
    {"resnet18_64x28_64_k3", 64, 64, 3, 1, 1, 28, true, false},
    {"resnet18_128x14_128_k3", 128, 128, 3, 1, 1, 14, true, false},
    {"resnet18_256x7_256_k3", 256, 256, 3, 1, 1, 7, true, false},
    {"resnet18_512x4_512_k3", 512, 512, 3, 1, 1, 4, true, false},
    {"mobilenet_dw_96x28_k3", 96, 96, 3, 1, 1, 28, true, false, 96},
    {"mobilenet_dw_144x28_k3s2", 144, 144, 3, 2, 1, 28, true, false, 144},
};

std::shared_ptr<nabla::nn::Conv2d> make_conv(const ConvCase& c) {
  return std::make_shared<nabla::nn::Conv2d>(c.in, c.out, c.kernel, c.stride, c.padding, 1, c.groups, c.bias);
}

void BM_conv_forward(benchmark::State& state, ConvCase c) {
  nabla::manual_seed(0);
  auto conv = make_conv(c);
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
  auto conv = make_conv(c);
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
