#pragma once
// Causal scaled dot-product attention without the masked upper triangle (forward only).
#include <cstdint>

namespace nabla::cpu {

/// Query rows per block of causal_attention_forward: block [i0, i1) multiplies against keys
/// [0, min(S, i1)) only, so scratch needs kCausalAttentionBlock·S elements.
constexpr int64_t kCausalAttentionBlock = 64;

/// out = softmax(scale·q·kᵀ with key j hidden from query i when j > i)·v for one (batch, head)
/// slice: q (L, E), k (S, E), v (S, Ev), out (L, Ev), row-major with row strides ldq, ldk, ldv,
/// ldo; S ≥ 1 (query i always sees key 0). Query rows go in blocks of kCausalAttentionBlock; the
/// scale is the QKᵀ GEMM's alpha, each row's softmax runs over its valid prefix min(S, i + 1),
/// and the scores above the diagonal are neither computed (outside the diagonal block) nor read.
/// `scratch` holds kCausalAttentionBlock·S elements.
template <class T>
void causal_attention_forward(const T* q, int64_t ldq, const T* k, int64_t ldk, const T* v, int64_t ldv, T* out,
                              int64_t ldo, int64_t L, int64_t S, int64_t E, int64_t Ev, T scale, T* scratch);

}  // namespace nabla::cpu
