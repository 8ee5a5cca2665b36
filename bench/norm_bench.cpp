// BatchNorm2d (training mode) and Linear at batch 64 on the shapes of a CIFAR ResNet-20, VGG-11,
// LeNet-5 and an MLP, forward and forward+backward; plus BatchNorm2d+ReLU, unfused (two ops) and
// fused (functional::batch_norm_relu). bench/pytorch_norm.py times the same cases in PyTorch.
// Reported: wall time per call (the kernels run on the OpenMP pool).
//
// forward:  y = layer(x) with no graph recorded (BatchNorm still updates its running stats)
// fwd_bwd:  y = layer(x); y.backward(g) → grads of x (unless x is the network input), weight, bias
#include <benchmark/benchmark.h>

#include "nabla/nabla.h"
#include "nabla/nn/functional/norm.h"
#include "nabla/nn/linear.h"
#include "nabla/nn/norm.h"

namespace {

using nabla::Tensor;
constexpr int64_t kBatch = 64;

struct BnCase {
  const char* name;
  int64_t channels, size;
};
const BnCase kBnCases[] = {
    {"resnet_16x32x32", 16, 32},
    {"resnet_32x16x16", 32, 16},
    {"resnet_64x8x8", 64, 8},
    {"vgg_64x32x32", 64, 32},
    {"vgg_128x16x16", 128, 16},
    {"vgg_256x8x8", 256, 8},
    {"vgg_512x4x4", 512, 4},
    {"vgg_512x2x2", 512, 2},
};

struct LinearCase {
  const char* name;
  int64_t in, out;
  bool input_grad;  // false for the layer that sees the network input
};
const LinearCase kLinearCases[] = {
    {"lenet_400_120", 400, 120, true},
    {"lenet_120_84", 120, 84, true},
    {"lenet_84_10", 84, 10, true},
    {"resnet_64_10", 64, 10, true},
    {"vgg_512_10", 512, 10, true},
    {"mlp_784_256", 784, 256, false},
    {"mlp_256_10", 256, 10, true},
};

// mode 0: BatchNorm2d; 1: BatchNorm2d then ReLU (two ops); 2: fused batch_norm_relu.
Tensor run_bn(nabla::nn::BatchNorm2d& bn, const Tensor& x, int mode) {
  if (mode == 0) return bn(x);
  if (mode == 1) return nabla::relu(bn(x));
  return bn.forward_relu(x);
}

void BM_bn_forward(benchmark::State& state, BnCase c, int mode) {
  nabla::manual_seed(0);
  nabla::nn::BatchNorm2d bn(c.channels);
  Tensor x = nabla::randn({kBatch, c.channels, c.size, c.size});
  nabla::NoGradGuard no_grad;
  run_bn(bn, x, mode);  // warm-up
  for (auto _ : state) {
    Tensor y = run_bn(bn, x, mode);
    benchmark::DoNotOptimize(y.raw_data());
  }
}

void BM_bn_fwd_bwd(benchmark::State& state, BnCase c, int mode) {
  nabla::manual_seed(0);
  nabla::nn::BatchNorm2d bn(c.channels);
  Tensor x = nabla::randn({kBatch, c.channels, c.size, c.size}).requires_grad_();
  Tensor g = nabla::randn(x.shape());
  auto step = [&] {
    Tensor y = run_bn(bn, x, mode);
    y.backward(g);
    bn.zero_grad();
    x.zero_grad();
  };
  step();  // warm-up: fills the allocator's cache
  for (auto _ : state) {
    step();
    benchmark::ClobberMemory();
  }
}

void BM_linear_forward(benchmark::State& state, LinearCase c) {
  nabla::manual_seed(0);
  nabla::nn::Linear lin(c.in, c.out);
  Tensor x = nabla::randn({kBatch, c.in});
  nabla::NoGradGuard no_grad;
  lin(x);  // warm-up
  for (auto _ : state) {
    Tensor y = lin(x);
    benchmark::DoNotOptimize(y.raw_data());
  }
}

void BM_linear_fwd_bwd(benchmark::State& state, LinearCase c) {
  nabla::manual_seed(0);
  nabla::nn::Linear lin(c.in, c.out);
  Tensor x = nabla::randn({kBatch, c.in});
  if (c.input_grad) x.requires_grad_();
  Tensor g = nabla::randn({kBatch, c.out});
  auto step = [&] {
    Tensor y = lin(x);
    y.backward(g);
    lin.zero_grad();
    x.zero_grad();
  };
  step();  // warm-up: fills the allocator's cache
  for (auto _ : state) {
    step();
    benchmark::ClobberMemory();
  }
}

void add(const std::string& name, void (*fn)(benchmark::State&, BnCase, int), BnCase c, int mode) {
  benchmark::RegisterBenchmark(name.c_str(), fn, c, mode)->Unit(benchmark::kMillisecond)->UseRealTime();
}

}  // namespace

int main(int argc, char** argv) {
  const char* bn_names[] = {"batchnorm2d", "batchnorm2d_relu", "batchnorm2d_relu_fused"};
  for (int mode = 0; mode < 3; ++mode)
    for (const BnCase& c : kBnCases) {
      add(std::string(bn_names[mode]) + "/forward/" + c.name, BM_bn_forward, c, mode);
      add(std::string(bn_names[mode]) + "/fwd_bwd/" + c.name, BM_bn_fwd_bwd, c, mode);
    }
  for (const LinearCase& c : kLinearCases) {
    benchmark::RegisterBenchmark((std::string("linear/forward/") + c.name).c_str(), BM_linear_forward, c)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark((std::string("linear/fwd_bwd/") + c.name).c_str(), BM_linear_fwd_bwd, c)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
