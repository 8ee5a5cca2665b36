// nabla::matmul against cblas_sgemm called directly on the same buffers.
//
// Square float32 products C = A·B for n = 64 … 2048. Each iteration of the nabla benchmark
// allocates its output (from the caching allocator, as in a training loop); the OpenBLAS
// benchmark writes into one preallocated C. Both report GFLOP/s (2·n³ flops per product) as a
// rate over wall time: OpenBLAS runs on the OpenMP pool (OMP_NUM_THREADS), so CPU time of the
// main thread alone would be meaningless.
#include <benchmark/benchmark.h>
#include <cblas.h>

#include "nabla/nabla.h"
#include "nabla/nn/functional/linear.h"

namespace {

constexpr int64_t kSizes[] = {64, 128, 256, 512, 1024, 2048};

void set_gflops(benchmark::State& state, int64_t n) {
  const double flops_per_iter = 2.0 * static_cast<double>(n) * n * n;
  state.counters["GFLOPS"] =
      benchmark::Counter(flops_per_iter * 1e-9 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

// A and B: n×n standard-normal float32, fixed seed.
std::pair<nabla::Tensor, nabla::Tensor> square_operands(int64_t n) {
  nabla::Generator gen(42);
  return {nabla::randn({n, n}, nabla::DType::Float32, &gen), nabla::randn({n, n}, nabla::DType::Float32, &gen)};
}

void BM_matmul_nabla(benchmark::State& state) {
  const int64_t n = state.range(0);
  auto [a, b] = square_operands(n);
  for (auto _ : state) {
    nabla::Tensor c = nabla::matmul(a, b);
    benchmark::DoNotOptimize(c.raw_data());
    benchmark::ClobberMemory();
  }
  set_gflops(state, n);
}

void BM_matmul_openblas(benchmark::State& state) {
  const int64_t n = state.range(0);
  auto [a, b] = square_operands(n);
  nabla::Tensor c = nabla::empty({n, n});
  const float* A = a.data_ptr<float>();
  const float* B = b.data_ptr<float>();
  float* C = c.data_ptr<float>();
  const int ni = static_cast<int>(n);
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ni, ni, ni, 1.0f, A, ni, B, ni, 0.0f, C, ni);
    benchmark::DoNotOptimize(C);
    benchmark::ClobberMemory();
  }
  set_gflops(state, n);
}

// Linear layers at small sizes, where a GEMM's split over the threads has to pay for its parallel
// region: x (M, K) · wᵀ (w is (N, K)) + b, the shapes of a batch-1 ViT-small forward (50 tokens,
// hidden 128, MLP 256) and of an LSTM step (batch 32, hidden 128). Reports GFLOP/s (2·M·N·K per
// call); the peer is cblas_sgemm of x · wᵀ into a preallocated y (no bias).
constexpr int64_t kLinearShapes[][3] = {{50, 128, 384}, {50, 128, 128}, {50, 128, 256}, {50, 256, 128},
                                        {32, 128, 512}, {16, 64, 64}};

void BM_linear_nabla(benchmark::State& state) {
  const int64_t M = state.range(0), K = state.range(1), N = state.range(2);
  nabla::Generator gen(42);
  nabla::Tensor x = nabla::randn({M, K}, nabla::DType::Float32, &gen);
  nabla::Tensor w = nabla::randn({N, K}, nabla::DType::Float32, &gen);
  nabla::Tensor b = nabla::randn({N}, nabla::DType::Float32, &gen);
  nabla::NoGradGuard no_grad;
  for (auto _ : state) {
    nabla::Tensor y = nabla::nn::functional::linear(x, w, b);
    benchmark::DoNotOptimize(y.raw_data());
    benchmark::ClobberMemory();
  }
  state.counters["GFLOPS"] = benchmark::Counter(2.0 * static_cast<double>(M * N * K) * 1e-9 *
                                                    static_cast<double>(state.iterations()),
                                                benchmark::Counter::kIsRate);
}

void BM_linear_openblas(benchmark::State& state) {
  const int64_t M = state.range(0), K = state.range(1), N = state.range(2);
  nabla::Generator gen(42);
  nabla::Tensor x = nabla::randn({M, K}, nabla::DType::Float32, &gen);
  nabla::Tensor w = nabla::randn({N, K}, nabla::DType::Float32, &gen);
  nabla::Tensor y = nabla::empty({M, N});
  const int m = static_cast<int>(M), n = static_cast<int>(N), k = static_cast<int>(K);
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, x.data_ptr<float>(), k, w.data_ptr<float>(), k,
                0.0f, y.data_ptr<float>(), n);
    benchmark::DoNotOptimize(y.raw_data());
    benchmark::ClobberMemory();
  }
  state.counters["GFLOPS"] = benchmark::Counter(2.0 * static_cast<double>(M * N * K) * 1e-9 *
                                                    static_cast<double>(state.iterations()),
                                                benchmark::Counter::kIsRate);
}

}  // namespace

// Registered pairwise (nabla n, OpenBLAS n, nabla 2n, …) so that both sides of a ratio run
// back to back and see the same machine state.
int main(int argc, char** argv) {
  for (int64_t n : kSizes) {
    benchmark::RegisterBenchmark("BM_matmul_nabla", BM_matmul_nabla)
        ->Arg(n)->UseRealTime()->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("BM_matmul_openblas", BM_matmul_openblas)
        ->Arg(n)->UseRealTime()->Unit(benchmark::kMicrosecond);
  }
  for (const auto& [M, K, N] : kLinearShapes) {
    benchmark::RegisterBenchmark("BM_linear_nabla", BM_linear_nabla)
        ->Args({M, K, N})->UseRealTime()->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("BM_linear_openblas", BM_linear_openblas)
        ->Args({M, K, N})->UseRealTime()->Unit(benchmark::kMicrosecond);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
