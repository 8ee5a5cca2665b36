#pragma once
// Scaled dot-product attention of one (batch, head) slice, forward only: the scores never leave a
// block of rows, and with a causal mask the masked upper triangle is not computed.
#include <cstdint>

namespace nabla::cpu {

/// Query rows per block of attention_forward: block [i0, i1) multiplies against keys [0, S) (or,
/// causal, [0, min(S, i1)) only), so scratch needs kAttentionBlock·S elements.
constexpr int64_t kAttentionBlock = 64;

/// out = softmax(scale·q·kᵀ)·v for one (batch, head) slice: q (L, E), k (S, E), v (S, Ev), out (L,
/// Ev), row-major with row strides ldq, ldk, ldv, ldo; S ≥ 1. With `causal`, key j is hidden from
/// query i when j > i (top-left aligned: query i always sees key 0), each row's softmax runs over
/// its valid prefix min(S, i + 1), and the scores above the diagonal are neither computed (outside
/// the diagonal block) nor read. Query rows go in blocks of kAttentionBlock; the scale is the
/// QKᵀ GEMM's alpha. `scratch` holds kAttentionBlock·S elements.
template <class T>
void attention_forward(const T* q, int64_t ldq, const T* k, int64_t ldk, const T* v, int64_t ldv, T* out, int64_t ldo,
                       int64_t L, int64_t S, int64_t E, int64_t Ev, T scale, bool causal, T* scratch);

}  // namespace nabla::cpu
