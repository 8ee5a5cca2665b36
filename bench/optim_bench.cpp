// Throughput of one optimizer step (the fused update kernels of src/kernels/cpu/optim.cpp) on a
// 1M-element float32 parameter: Adam, AMSGrad, AdamW, Adagrad, RMSprop (centered, momentum),
// Adadelta and SGD with momentum. Reports parameter elements updated per second.
#include <benchmark/benchmark.h>

#include <memory>

#include "nabla/nabla.h"
#include "nabla/optim/adadelta.h"
#include "nabla/optim/adagrad.h"
#include "nabla/optim/adam.h"
#include "nabla/optim/rmsprop.h"
#include "nabla/optim/sgd.h"

namespace {

using nabla::Tensor;
namespace optim = nabla::optim;

constexpr int64_t kNumel = int64_t{1} << 20;

// A parameter of kNumel elements with a fixed random gradient.
Tensor make_param() {
  nabla::Generator gen(7);
  Tensor p = nabla::rand({kNumel}, nabla::DType::Float32, &gen).requires_grad_(true);
  p.set_grad(nabla::rand({kNumel}, nabla::DType::Float32, &gen));
  return p;
}

// Runs `make(param)`'s step() in the timed loop.
template <class Make>
void run_steps(benchmark::State& state, Make make) {
  Tensor p = make_param();
  std::unique_ptr<optim::Optimizer> opt = make(p);
  for (auto _ : state) opt->step();
  state.SetItemsProcessed(state.iterations() * kNumel);
}

void BM_sgd_momentum(benchmark::State& s) {
  run_steps(s, [](Tensor p) {
    return std::make_unique<optim::SGD>(std::vector{p}, optim::SGDOptions{.lr = 1e-3, .momentum = 0.9});
  });
}
void BM_adam(benchmark::State& s) {
  run_steps(s, [](Tensor p) { return std::make_unique<optim::Adam>(std::vector{p}); });
}
void BM_adam_amsgrad(benchmark::State& s) {
  run_steps(s, [](Tensor p) {
    return std::make_unique<optim::Adam>(std::vector{p}, optim::AdamOptions{.amsgrad = true});
  });
}
void BM_adamw(benchmark::State& s) {
  run_steps(s, [](Tensor p) { return std::make_unique<optim::AdamW>(std::vector{p}); });
}
void BM_adagrad(benchmark::State& s) {
  run_steps(s, [](Tensor p) { return std::make_unique<optim::Adagrad>(std::vector{p}); });
}
void BM_rmsprop_centered_momentum(benchmark::State& s) {
  run_steps(s, [](Tensor p) {
    return std::make_unique<optim::RMSprop>(std::vector{p}, optim::RMSpropOptions{.momentum = 0.9, .centered = true});
  });
}
void BM_adadelta(benchmark::State& s) {
  run_steps(s, [](Tensor p) { return std::make_unique<optim::Adadelta>(std::vector{p}); });
}

BENCHMARK(BM_sgd_momentum)->UseRealTime();
BENCHMARK(BM_adam)->UseRealTime();
BENCHMARK(BM_adam_amsgrad)->UseRealTime();
BENCHMARK(BM_adamw)->UseRealTime();
BENCHMARK(BM_adagrad)->UseRealTime();
BENCHMARK(BM_rmsprop_centered_momentum)->UseRealTime();
BENCHMARK(BM_adadelta)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
