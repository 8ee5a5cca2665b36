#pragma once
// GEMM: float32 through oneDNN's sgemm above a size threshold, else CBLAS (OpenBLAS, OpenMP
// build); both share nabla's OpenMP thread pool.
#include <cstdint>

namespace nabla::cpu {

/// C = alpha·A·B (+ C when accumulate), row-major. A is (M, K) or, when trans_a, stored as
/// (K, M); B is (K, N) or, when trans_b, stored as (N, K). lda/ldb/ldc are row strides in
/// elements. alpha folds a scale into the product for free (attention's 1/√d).
template <class T>
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, const T* A, int64_t lda, const T* B, int64_t ldb,
          T* C, int64_t ldc, bool accumulate = false, T alpha = T(1));

}  // namespace nabla::cpu
