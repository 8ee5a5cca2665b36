// L1 distance kernels. The byte kernel computes a 4 × 4 block of (query, training row) pairs per
// pass over the features: each 64-byte step loads 4 + 4 vectors and issues 16 `vpsadbw`, which
// sum absolute byte differences in groups of 8 into 64-bit lanes (exact, no overflow: a lane
// gains at most 8·255 per step). Missing rows of a partial block repeat the last row and their
// results are discarded.
#include "kernels/cpu/l1_distance.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace nabla::cpu {
namespace {

constexpr int64_t kBlock = 4;

#if defined(__AVX512BW__)
// 4 × 4 pairs; rows of `stride` bytes, stride a multiple of 64.
void sad_block_4x4(const uint8_t* const* qr, const uint8_t* const* xr, int64_t stride, int64_t acc_out[kBlock][kBlock]) {
  __m512i acc[kBlock][kBlock];
  for (int i = 0; i < kBlock; ++i)
    for (int j = 0; j < kBlock; ++j) acc[i][j] = _mm512_setzero_si512();
  for (int64_t c = 0; c < stride; c += 64) {
    __m512i xv[kBlock];
    for (int j = 0; j < kBlock; ++j) xv[j] = _mm512_loadu_si512(xr[j] + c);
    for (int i = 0; i < kBlock; ++i) {
      const __m512i qv = _mm512_loadu_si512(qr[i] + c);
      for (int j = 0; j < kBlock; ++j) acc[i][j] = _mm512_add_epi64(acc[i][j], _mm512_sad_epu8(qv, xv[j]));
    }
  }
  alignas(64) int64_t lanes[8];
  for (int i = 0; i < kBlock; ++i)
    for (int j = 0; j < kBlock; ++j) {
      _mm512_store_si512(lanes, acc[i][j]);
      acc_out[i][j] = lanes[0] + lanes[1] + lanes[2] + lanes[3] + lanes[4] + lanes[5] + lanes[6] + lanes[7];
    }
}
#elif defined(__AVX2__)
int64_t hsum_epi64(__m256i v) {
  const __m128i s = _mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  return _mm_cvtsi128_si64(s) + _mm_extract_epi64(s, 1);
}
void sad_block_4x4(const uint8_t* const* qr, const uint8_t* const* xr, int64_t stride, int64_t acc_out[kBlock][kBlock]) {
  __m256i acc[kBlock][kBlock];
  for (int i = 0; i < kBlock; ++i)
    for (int j = 0; j < kBlock; ++j) acc[i][j] = _mm256_setzero_si256();
  for (int64_t c = 0; c < stride; c += 32) {
    __m256i xv[kBlock];
    for (int j = 0; j < kBlock; ++j) xv[j] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xr[j] + c));
    for (int i = 0; i < kBlock; ++i) {
      const __m256i qv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qr[i] + c));
      for (int j = 0; j < kBlock; ++j) acc[i][j] = _mm256_add_epi64(acc[i][j], _mm256_sad_epu8(qv, xv[j]));
    }
  }
  for (int i = 0; i < kBlock; ++i)
    for (int j = 0; j < kBlock; ++j) acc_out[i][j] = hsum_epi64(acc[i][j]);
}
#else
void sad_block_4x4(const uint8_t* const* qr, const uint8_t* const* xr, int64_t stride, int64_t acc_out[kBlock][kBlock]) {
  for (int i = 0; i < kBlock; ++i)
    for (int j = 0; j < kBlock; ++j) {
      int64_t s = 0;
      for (int64_t c = 0; c < stride; ++c) s += std::abs(static_cast<int>(qr[i][c]) - static_cast<int>(xr[j][c]));
      acc_out[i][j] = s;
    }
}
#endif

}  // namespace

const char* l1_u8_kernel_name() {
#if defined(__AVX512BW__)
  return "avx512bw";
#elif defined(__AVX2__)
  return "avx2";
#else
  return "scalar";
#endif
}

void l1_distances_u8(const uint8_t* q, int64_t nq, const uint8_t* x, int64_t nx, int64_t stride, int32_t* out,
                     int64_t ldo) {
  for (int64_t i0 = 0; i0 < nq; i0 += kBlock) {
    const uint8_t* qr[kBlock];
    for (int64_t i = 0; i < kBlock; ++i) qr[i] = q + std::min(i0 + i, nq - 1) * stride;
    for (int64_t j0 = 0; j0 < nx; j0 += kBlock) {
      const uint8_t* xr[kBlock];
      for (int64_t j = 0; j < kBlock; ++j) xr[j] = x + std::min(j0 + j, nx - 1) * stride;
      int64_t acc[kBlock][kBlock];
      sad_block_4x4(qr, xr, stride, acc);
      for (int64_t i = 0; i < kBlock && i0 + i < nq; ++i)
        for (int64_t j = 0; j < kBlock && j0 + j < nx; ++j)
          out[(i0 + i) * ldo + j0 + j] = static_cast<int32_t>(acc[i][j]);
    }
  }
}

void l1_distances_f32(const float* q, int64_t nq, int64_t ldq, const float* x, int64_t nx, int64_t ldx, int64_t d,
                      float* out, int64_t ldo) {
  for (int64_t i = 0; i < nq; ++i) {
    const float* qi = q + i * ldq;
    int64_t j = 0;
    for (; j + 4 <= nx; j += 4) {
      const float *x0 = x + j * ldx, *x1 = x0 + ldx, *x2 = x1 + ldx, *x3 = x2 + ldx;
      float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
#pragma omp simd reduction(+ : s0, s1, s2, s3)
      for (int64_t c = 0; c < d; ++c) {
        const float v = qi[c];
        s0 += std::fabs(v - x0[c]);
        s1 += std::fabs(v - x1[c]);
        s2 += std::fabs(v - x2[c]);
        s3 += std::fabs(v - x3[c]);
      }
      out[i * ldo + j] = s0;
      out[i * ldo + j + 1] = s1;
      out[i * ldo + j + 2] = s2;
      out[i * ldo + j + 3] = s3;
    }
    for (; j < nx; ++j) {
      const float* xj = x + j * ldx;
      float s = 0;
#pragma omp simd reduction(+ : s)
      for (int64_t c = 0; c < d; ++c) s += std::fabs(qi[c] - xj[c]);
      out[i * ldo + j] = s;
    }
  }
}

}  // namespace nabla::cpu
