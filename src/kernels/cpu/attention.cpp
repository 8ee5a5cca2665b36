#include "kernels/cpu/attention.h"

#include <algorithm>

#include "kernels/cpu/gemm.h"
#include "kernels/cpu/softmax.h"

namespace nabla::cpu {

template <class T>
void attention_forward(const T* q, int64_t ldq, const T* k, int64_t ldk, const T* v, int64_t ldv, T* out, int64_t ldo,
                       int64_t L, int64_t S, int64_t E, int64_t Ev, T scale, bool causal, T* scratch) {
  for (int64_t i0 = 0; i0 < L; i0 += kAttentionBlock) {
    const int64_t rows = std::min(kAttentionBlock, L - i0);
    const int64_t n = causal ? std::min(S, i0 + rows) : S;  // keys any row of the block sees
    // P (rows, n) = scale·Q[i0 : i0 + rows]·K[0 : n]ᵀ
    gemm<T>(false, true, rows, n, E, q + i0 * ldq, ldq, k, ldk, scratch, n, /*accumulate=*/false, scale);
    if (causal) {
      for (int64_t r = 0; r < rows; ++r) {
        T* p = scratch + r * n;
        const int64_t valid = std::min(S, i0 + r + 1);
        softmax_forward<T>(p, p, 1, valid, 1, /*log=*/false);
        std::fill(p + valid, p + n, T(0));
      }
    } else {
      softmax_forward<T>(scratch, scratch, rows, n, 1, /*log=*/false);
    }
    // O[i0 : i0 + rows] = P·V[0 : n]
    gemm<T>(false, false, rows, Ev, n, scratch, n, v, ldv, out + i0 * ldo, ldo);
  }
}

template void attention_forward<float>(const float*, int64_t, const float*, int64_t, const float*, int64_t, float*,
                                       int64_t, int64_t, int64_t, int64_t, int64_t, float, bool, float*);
template void attention_forward<double>(const double*, int64_t, const double*, int64_t, const double*, int64_t, double*,
                                        int64_t, int64_t, int64_t, int64_t, int64_t, double, bool, double*);

}  // namespace nabla::cpu
