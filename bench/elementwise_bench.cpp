// Bandwidth of large elementwise ops and sum reductions, next to memcpy moving the same bytes.
//
// Every benchmark reports GBps: bytes read + bytes written per iteration (what the op must move
// at minimum; write-allocate traffic is not counted, for the op nor for memcpy), over wall time.
// The peer of an op that moves B bytes is BM_memcpy/B, a memcpy of B/2 bytes (B/2 read + B/2
// written) split over the same OpenMP threads nabla uses, so both run at the same cache level.
//
// exp and relu are benchmarked only when libnabla defines them: they are referenced weakly, so
// this file links (and skips them) while those ops are not yet part of the library. (A weak
// reference does not pull an object out of a static archive: build shared, the default, to see them.)
#include <benchmark/benchmark.h>
#include <omp.h>

#include <cstring>
#include <vector>

#include "nabla/nabla.h"
#include "nabla/nn/functional/activation.h"
#include "nabla/nn/functional/dropout.h"

namespace nabla {
Tensor exp(const Tensor& x) __attribute__((weak));
Tensor relu(const Tensor& x) __attribute__((weak));
}  // namespace nabla

namespace {

using nabla::Tensor;

constexpr int64_t kSizes[] = {int64_t{1} << 20, int64_t{1} << 24};  // 1M and 16M floats

// GBps: the rate; bytes_moved: bytes per iteration (bench/report.py pairs an op with the memcpy
// benchmark of the same bytes_moved).
void set_bandwidth(benchmark::State& state, double bytes_per_iter) {
  state.counters["GBps"] =
      benchmark::Counter(bytes_per_iter * 1e-9 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["bytes_moved"] = bytes_per_iter;
}

Tensor uniform(const nabla::Shape& shape, uint64_t seed) {
  nabla::Generator gen(seed);
  return nabla::rand(shape, nabla::DType::Float32, &gen);
}

// ---- peer: memcpy ----------------------------------------------------------------------------

// Copies `bytes` from src to dst, one contiguous piece per OpenMP thread.
void parallel_memcpy(char* dst, const char* src, int64_t bytes) {
#pragma omp parallel
  {
    const int64_t nt = omp_get_num_threads(), t = omp_get_thread_num();
    const int64_t chunk = (bytes / nt + 63) / 64 * 64;
    const int64_t b = std::min(bytes, t * chunk), e = std::min(bytes, b + chunk);
    if (b < e) std::memcpy(dst + b, src + b, static_cast<size_t>(e - b));
  }
}

// state.range(0) = bytes moved (read + written).
void BM_memcpy(benchmark::State& state) {
  const int64_t moved = state.range(0), half = moved / 2;
  std::vector<char> src(static_cast<size_t>(half), 1), dst(static_cast<size_t>(half), 0);
  for (auto _ : state) {
    parallel_memcpy(dst.data(), src.data(), half);
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  set_bandwidth(state, static_cast<double>(moved));
}

// ---- elementwise ---------------------------------------------------------------------------------

// out = a + b: reads 2n floats, writes n.
void BM_add(benchmark::State& state) {
  const int64_t n = state.range(0);
  const Tensor a = uniform({n}, 1), b = uniform({n}, 2);
  for (auto _ : state) {
    Tensor c = nabla::add(a, b);
    benchmark::DoNotOptimize(c.raw_data());
  }
  set_bandwidth(state, 12.0 * n);
}

// out = a * b: reads 2n floats, writes n.
void BM_mul(benchmark::State& state) {
  const int64_t n = state.range(0);
  const Tensor a = uniform({n}, 1), b = uniform({n}, 2);
  for (auto _ : state) {
    Tensor c = nabla::mul(a, b);
    benchmark::DoNotOptimize(c.raw_data());
  }
  set_bandwidth(state, 12.0 * n);
}

// out = a * 2.5: reads n floats, writes n.
void BM_mul_scalar(benchmark::State& state) {
  const int64_t n = state.range(0);
  const Tensor a = uniform({n}, 1);
  for (auto _ : state) {
    Tensor c = nabla::mul(a, 2.5);
    benchmark::DoNotOptimize(c.raw_data());
  }
  set_bandwidth(state, 8.0 * n);
}

// out = f(x) for a unary op f: reads n floats, writes n. Inputs in [-0.5, 0.5).
template <Tensor (*Op)(const Tensor&)>
void BM_unary(benchmark::State& state) {
  const int64_t n = state.range(0);
  const Tensor x = nabla::sub(uniform({n}, 1), 0.5);
  for (auto _ : state) {
    Tensor y = Op(x);
    benchmark::DoNotOptimize(y.raw_data());
  }
  set_bandwidth(state, 8.0 * n);
}

// out = dropout(a, p = 0.2) in training: reads n floats, writes n; one generator draw per element,
// drawn in order (the op's cost beyond mul_scalar is the draws).
void BM_dropout(benchmark::State& state) {
  const int64_t n = state.range(0);
  const Tensor a = uniform({n}, 1);
  nabla::Generator gen(4);
  for (auto _ : state) {
    Tensor c = nabla::nn::functional::dropout(a, 0.2, /*training=*/true, &gen);
    benchmark::DoNotOptimize(c.raw_data());
  }
  set_bandwidth(state, 8.0 * n);
}

// GELU's forward and backward as a training step runs them (the Transformers' MLP activation):
// y = gelu(x) reads n floats and writes n; the backward reads g and x and writes the gradient.
void BM_gelu_train(benchmark::State& state) {
  const int64_t n = state.range(0);
  const Tensor x = nabla::mul(nabla::sub(uniform({n}, 1), 0.5), 8.0).requires_grad_(true);
  const Tensor g = uniform({n}, 2);
  for (auto _ : state) {
    Tensor y = nabla::nn::functional::gelu(x);
    Tensor gx = nabla::autograd::grad({y}, {x}, {.grad_outputs = {g}})[0];
    benchmark::DoNotOptimize(gx.raw_data());
  }
  set_bandwidth(state, 20.0 * n);
}

// ---- reductions (read n floats; the output is negligible) ----------------------------------------

// Side of the square 2-d view used by the dim reductions (n = side²).
int64_t square_side(int64_t n) {
  int64_t s = 1;
  while (s * s < n) ++s;
  return s;
}

void BM_sum_all(benchmark::State& state) {
  const int64_t n = state.range(0);
  const Tensor x = uniform({n}, 3);
  for (auto _ : state) {
    Tensor s = nabla::sum(x);
    benchmark::DoNotOptimize(s.raw_data());
  }
  set_bandwidth(state, 4.0 * n);
}

// (side, side) → (side,): each output is a contiguous row sum.
void BM_sum_lastdim(benchmark::State& state) {
  const int64_t n = state.range(0), side = square_side(n);
  const Tensor x = uniform({side, side}, 3);
  for (auto _ : state) {
    Tensor s = nabla::sum(x, {1});
    benchmark::DoNotOptimize(s.raw_data());
  }
  set_bandwidth(state, 4.0 * n);
}

// (side, side) → (side,): each output is a column sum (strided across rows).
void BM_sum_dim0(benchmark::State& state) {
  const int64_t n = state.range(0), side = square_side(n);
  const Tensor x = uniform({side, side}, 3);
  for (auto _ : state) {
    Tensor s = nabla::sum(x, {0});
    benchmark::DoNotOptimize(s.raw_data());
  }
  set_bandwidth(state, 4.0 * n);
}

void reg(const char* name, void (*fn)(benchmark::State&), int64_t arg) {
  benchmark::RegisterBenchmark(name, fn)->Arg(arg)->UseRealTime()->Unit(benchmark::kMicrosecond);
}

}  // namespace

// Each group registers its memcpy peer right before the ops it is compared with, so that the
// two sides of a ratio run back to back.
int main(int argc, char** argv) {
  for (int64_t n : kSizes) {
    reg("BM_memcpy", BM_memcpy, 12 * n);
    reg("BM_add", BM_add, n);
    reg("BM_mul", BM_mul, n);
    reg("BM_memcpy", BM_memcpy, 8 * n);
    reg("BM_mul_scalar", BM_mul_scalar, n);
    reg("BM_dropout", BM_dropout, n);
    reg("BM_gelu_train", BM_gelu_train, n);
    if (&nabla::exp != nullptr) reg("BM_exp", BM_unary<nabla::exp>, n);
    if (&nabla::relu != nullptr) reg("BM_relu", BM_unary<nabla::relu>, n);
    reg("BM_memcpy", BM_memcpy, 4 * n);
    reg("BM_sum_all", BM_sum_all, n);
    reg("BM_sum_lastdim", BM_sum_lastdim, n);
    reg("BM_sum_dim0", BM_sum_dim0, n);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
