// Per-op eager overhead: ops on tiny float32 tensors, where the arithmetic is negligible and the
// time is dispatch, shape logic, allocation and (for the last benchmark) autograd bookkeeping.
// Reported as ns per op (Google Benchmark's time per iteration; one op per iteration).
// bench/pytorch_compare.py runs the same loops in PyTorch.
#include <benchmark/benchmark.h>

#include "nabla/nabla.h"

namespace {

using nabla::Tensor;

Tensor filled(const nabla::Shape& shape, double value) { return nabla::full(shape, value); }

// state.range(0) = number of elements of the operands (1 or 16).
void BM_add(benchmark::State& state) {
  const Tensor a = filled({state.range(0)}, 1.5), b = filled({state.range(0)}, 2.5);
  for (auto _ : state) {
    Tensor c = nabla::add(a, b);
    benchmark::DoNotOptimize(c.raw_data());
  }
}

void BM_mul(benchmark::State& state) {
  const Tensor a = filled({state.range(0)}, 1.5), b = filled({state.range(0)}, 2.5);
  for (auto _ : state) {
    Tensor c = nabla::mul(a, b);
    benchmark::DoNotOptimize(c.raw_data());
  }
}

void BM_mul_scalar(benchmark::State& state) {
  const Tensor a = filled({state.range(0)}, 1.5);
  for (auto _ : state) {
    Tensor c = nabla::mul(a, 2.0);
    benchmark::DoNotOptimize(c.raw_data());
  }
}

void BM_sum(benchmark::State& state) {
  const Tensor a = filled({state.range(0)}, 1.5);
  for (auto _ : state) {
    Tensor s = nabla::sum(a);
    benchmark::DoNotOptimize(s.raw_data());
  }
}

// A view op: (16,) → (4, 4), no data movement.
void BM_reshape(benchmark::State& state) {
  const Tensor a = filled({16}, 1.5);
  for (auto _ : state) {
    Tensor v = a.reshape({4, 4});
    benchmark::DoNotOptimize(v.raw_data());
  }
}

// A view op: (4, 4) → its transpose, no data movement.
void BM_transpose(benchmark::State& state) {
  const Tensor a = filled({4, 4}, 1.5);
  for (auto _ : state) {
    Tensor v = a.transpose(0, 1);
    benchmark::DoNotOptimize(v.raw_data());
  }
}

// (2, 2)·(2, 2) through matmul (BLAS underneath).
void BM_matmul_2x2(benchmark::State& state) {
  const Tensor a = filled({2, 2}, 1.5), b = filled({2, 2}, 2.5);
  for (auto _ : state) {
    Tensor c = nabla::matmul(a, b);
    benchmark::DoNotOptimize(c.raw_data());
  }
}

// One training-style step on 16 elements: loss = (x*w + b).sum(); loss.backward(); then the
// gradients are dropped (as optimizer.zero_grad(set_to_none=True)). w and b require grad.
void BM_fwd_bwd(benchmark::State& state) {
  const Tensor x = filled({16}, 0.5);
  Tensor w = filled({16}, 1.5), b = filled({16}, 0.25);
  w.requires_grad_();
  b.requires_grad_();
  for (auto _ : state) {
    Tensor loss = nabla::add(nabla::mul(x, w), b).sum();
    loss.backward();
    benchmark::DoNotOptimize(w.grad().raw_data());
    w.zero_grad();
    b.zero_grad();
  }
}

}  // namespace

BENCHMARK(BM_add)->Arg(1)->Arg(16);
BENCHMARK(BM_mul)->Arg(1)->Arg(16);
BENCHMARK(BM_mul_scalar)->Arg(1)->Arg(16);
BENCHMARK(BM_sum)->Arg(1)->Arg(16);
BENCHMARK(BM_reshape);
BENCHMARK(BM_transpose);
BENCHMARK(BM_matmul_2x2);
BENCHMARK(BM_fwd_bwd);

BENCHMARK_MAIN();
