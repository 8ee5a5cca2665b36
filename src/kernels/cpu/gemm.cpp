#include "kernels/cpu/gemm.h"

#include <cblas.h>
#include <omp.h>
#include <oneapi/dnnl/dnnl.h>

namespace nabla::cpu {
namespace {

// float32 GEMMs of at least this many multiply-adds go through oneDNN's JIT sgemm, which uses
// AVX-512 where OpenBLAS 0.3.21 falls back to its AVX2 (Haswell) kernel on this class of CPU:
// measured 1.9-2.1x faster on the Linear shapes of LeNet-5 and the MLP (bench/matmul_bench.cpp).
// Below it, OpenBLAS's lower per-call overhead wins (0.04 us vs 0.23 us at 4x4x4).
constexpr int64_t kOneDnnMinWork = 32 * 32 * 32;
// Up to this many multiply-adds (2²⁰), one thread: a parallel region costs more than it saves.
// Above it the split pays even for a batch-1 transformer's Linear layers (bench/matmul_bench
// BM_linear_nabla at 2 threads: 50 × 256 → 128, 1.6 M multiply-adds, 39–55 µs serial against
// 26–27 µs split). It was 2²¹, which left all but the QKV projection of the small ViT's batch-1
// forward on one thread; at 2¹⁸ LeNet-5's training lost 8 % (its 0.65 M-multiply-add FC2 products
// split), at 2²⁰ neither lost (bench/train_loop_bench, three alternating runs).
constexpr int64_t kOneDnnSerialWork = int64_t{1} << 20;

// Runs oneDNN's sgemm; false when it rejects the arguments (the caller falls back to OpenBLAS).
bool onednn_sgemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B,
                  int64_t ldb, float* C, int64_t ldc, float alpha, float beta) {
  const int64_t work = M * N * K;
  const int threads = omp_get_max_threads();
  const bool serial = work <= kOneDnnSerialWork && threads > 1 && !omp_in_parallel();
  if (serial) omp_set_num_threads(1);
  dnnl_status_t status = dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  if (serial) omp_set_num_threads(threads);
  return status == dnnl_success;
}

}  // namespace

template <>
void gemm<float>(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B,
                 int64_t ldb, float* C, int64_t ldc, bool accumulate, float alpha) {
  const float beta = accumulate ? 1.0f : 0.0f;
  if (M > 0 && N > 0 && K > 0 && M * N * K >= kOneDnnMinWork &&
      onednn_sgemm(ta, tb, M, N, K, A, lda, B, ldb, C, ldc, alpha, beta))
    return;
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, M, N, K, alpha, A, lda, B,
              ldb, beta, C, ldc);
}

template <>
void gemm<double>(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const double* A, int64_t lda, const double* B,
                  int64_t ldb, double* C, int64_t ldc, bool accumulate, double alpha) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, M, N, K, alpha, A, lda, B,
              ldb, accumulate ? 1.0 : 0.0, C, ldc);
}

}  // namespace nabla::cpu
