#pragma once
// Vectorisable exp, expm1, log, sigmoid and tanh for float and double.
//
// glibc's vector math library (libmvec) is only used by GCC under -ffast-math, which we do not
// want globally (it breaks NaN/inf semantics elsewhere). These functions are plain scalar
// arithmetic with no branches, table look-ups or library calls, so that GCC inlines them into
// `#pragma omp simd` loops and vectorises them (AVX2/AVX-512 lanes).
//
// Method (exp): Cody–Waite range reduction x = n·ln2 + r with |r| ≤ ln2/2, a Taylor polynomial
// for e^r (its truncation error is far below one ulp on that interval), and scaling by 2^n built
// from exponent bits. 2^n is applied as two factors 2^n1·2^n2 so that results in the subnormal
// range and near overflow are rounded once, correctly. Measured worst errors against glibc's
// long-double functions: exp ≤ 1.02 ulp, log ≤ 1.97 ulp, expm1 ≤ 1.93 ulp, sigmoid ≤ 2.26 ulp,
// tanh ≤ 2.5 ulp (float and double, with or without FMA); tests/ops/vec_math_test.cpp checks them.
// Special values: exp(+inf) = +inf, exp(−inf) = 0, overflow gives +inf, underflow gives 0 (or a
// subnormal), NaN propagates.
//
// Method (log): x = m·2^e with m in [√½, √2), log m = 2·atanh(s) with s = (m−1)/(m+1), summed as
// an odd series in s. log(x<0) = NaN, log(0) = −inf, log(+inf) = +inf, subnormals are handled.
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#define NABLA_VEC_INLINE inline __attribute__((always_inline))

namespace nabla::vec {

namespace detail {

/// a·b + c, fused when the target has FMA (one rounding), else plain.
NABLA_VEC_INLINE float fmadd(float a, float b, float c) {
#ifdef __FMA__
  return std::fma(a, b, c);
#else
  return a * b + c;
#endif
}
NABLA_VEC_INLINE double fmadd(double a, double b, double c) {
#ifdef __FMA__
  return std::fma(a, b, c);
#else
  return a * b + c;
#endif
}

/// Rounds to the nearest integer (ties to even) by adding and subtracting 1.5·2^23 (|x| < 2^22).
constexpr float kRoundMagicF = 12582912.0f;
constexpr double kRoundMagicD = 6755399441055744.0;  // 1.5·2^52, for |x| < 2^51

NABLA_VEC_INLINE float round_int(float x) { return (x + kRoundMagicF) - kRoundMagicF; }
NABLA_VEC_INLINE double round_int(double x) { return (x + kRoundMagicD) - kRoundMagicD; }

/// 2^n for an integral-valued n in [−126, 127]: the biased exponent n+127 is read off the low
/// mantissa bits of n + 127 + 1.5·2^23 and shifted into the exponent field.
NABLA_VEC_INLINE float pow2_int(float n) {
  // Unsigned arithmetic: for NaN inputs the bits are garbage (the NaN survives elsewhere) and
  // must not overflow a signed type.
  const uint32_t biased = std::bit_cast<uint32_t>(n + (kRoundMagicF + 127.0f)) - std::bit_cast<uint32_t>(kRoundMagicF);
  return std::bit_cast<float>(biased << 23);
}
/// 2^n for an integral-valued n in [−1022, 1023].
NABLA_VEC_INLINE double pow2_int(double n) {
  const uint64_t biased = std::bit_cast<uint64_t>(n + (kRoundMagicD + 1023.0)) - std::bit_cast<uint64_t>(kRoundMagicD);
  return std::bit_cast<double>(biased << 52);
}

// ln 2 split so that n·kLn2Hi is exact for the n that occur (Cody–Waite).
constexpr float kLog2eF = 1.44269504088896341f;
constexpr float kLn2HiF = 0.693359375f;          // 8 significant bits
constexpr float kLn2LoF = -2.12194440e-4f;       // ln 2 − kLn2HiF
constexpr double kLog2eD = 1.4426950408889634;
constexpr double kLn2HiD = 6.93147180369123816490e-01;  // 32 significant bits
constexpr double kLn2LoD = 1.90821492927058770002e-10;  // ln 2 − kLn2HiD

/// Reduces x to r = x − n·ln2 with n = round(x/ln2); returns r, n as a float-valued integer.
NABLA_VEC_INLINE float reduce_ln2(float x, float& n) {
  n = round_int(x * kLog2eF);
  float r = fmadd(-n, kLn2HiF, x);
  return fmadd(-n, kLn2LoF, r);
}
NABLA_VEC_INLINE double reduce_ln2(double x, double& n) {
  n = round_int(x * kLog2eD);
  double r = fmadd(-n, kLn2HiD, x);
  return fmadd(-n, kLn2LoD, r);
}

/// e^r − 1 for |r| ≤ ~0.35: r + r²·(1/2! + r/3! + … ) (Taylor to r^7; truncation < 0.1 ulp).
NABLA_VEC_INLINE float expm1_reduced(float r) {
  float q = 1.0f / 5040.0f;
  q = fmadd(q, r, 1.0f / 720.0f);
  q = fmadd(q, r, 1.0f / 120.0f);
  q = fmadd(q, r, 1.0f / 24.0f);
  q = fmadd(q, r, 1.0f / 6.0f);
  q = fmadd(q, r, 0.5f);
  return fmadd(q, r * r, r);
}
/// Same for double (Taylor to r^13; truncation < 0.05 ulp).
NABLA_VEC_INLINE double expm1_reduced(double r) {
  double q = 1.0 / 6227020800.0;  // 1/13!
  q = fmadd(q, r, 1.0 / 479001600.0);
  q = fmadd(q, r, 1.0 / 39916800.0);
  q = fmadd(q, r, 1.0 / 3628800.0);
  q = fmadd(q, r, 1.0 / 362880.0);
  q = fmadd(q, r, 1.0 / 40320.0);
  q = fmadd(q, r, 1.0 / 5040.0);
  q = fmadd(q, r, 1.0 / 720.0);
  q = fmadd(q, r, 1.0 / 120.0);
  q = fmadd(q, r, 1.0 / 24.0);
  q = fmadd(q, r, 1.0 / 6.0);
  q = fmadd(q, r, 0.5);
  return fmadd(q, r * r, r);
}

template <class T> struct ExpLimits;
// Outside [lo, hi] exp has underflowed to 0 or overflowed to inf; clamping there keeps n within
// the range that two 2^n factors can represent, while the result still rounds to 0 / inf.
template <> struct ExpLimits<float> {
  static constexpr float lo = -104.0f, hi = 89.0f;
};
template <> struct ExpLimits<double> {
  static constexpr double lo = -746.0, hi = 710.0;
};

/// NaN-preserving clamp (comparisons with NaN are false, so NaN passes through).
template <class T>
NABLA_VEC_INLINE T clamp_keep_nan(T x, T lo, T hi) {
  x = x < lo ? lo : x;
  return x > hi ? hi : x;
}

/// e^x − 1 for x in [lo, hi] where 2^n is a normal number (float: [−87, 88], double: [−708, 709]).
template <class T>
NABLA_VEC_INLINE T expm1_bounded(T x) {
  T n;
  const T r = reduce_ln2(x, n);
  const T t = pow2_int(n);
  // e^x − 1 = 2^n·(e^r − 1) + (2^n − 1); 2^n − 1 is exact for small n, so no cancellation at n = 0.
  return fmadd(t, expm1_reduced(r), t - T(1));
}

}  // namespace detail

/// e^x, vectorisable. See the file comment for accuracy and special values.
template <class T>
NABLA_VEC_INLINE T exp(T x) {
  x = detail::clamp_keep_nan(x, detail::ExpLimits<T>::lo, detail::ExpLimits<T>::hi);
  T n;
  const T r = detail::reduce_ln2(x, n);
  const T p = T(1) + detail::expm1_reduced(r);
  // 2^n = 2^n1 · 2^n2 with n1 = round(n/2): both factors are normal numbers over the clamped range.
  const T n1 = detail::round_int(n * T(0.5));
  const T n2 = n - n1;
  return (p * detail::pow2_int(n1)) * detail::pow2_int(n2);
}

/// e^x − 1, accurate near 0 (no cancellation), vectorisable.
template <class T>
NABLA_VEC_INLINE T expm1(T x) {
  constexpr bool is_float = sizeof(T) == 4;
  const T lo = is_float ? T(-87) : T(-708), hi = is_float ? T(88) : T(709);
  const T bounded = detail::expm1_bounded(detail::clamp_keep_nan(x, lo, hi));
  // Beyond hi the −1 is far below one ulp of e^x.
  return x > hi ? exp(x) : bounded;
}

/// Logistic function 1/(1 + e^−x); NaN propagates. With e = e^−|x| ≤ 1 it is 1/(1 + e) for x ≥ 0
/// and e/(1 + e) for x < 0, so that neither side overflows and small results keep full precision
/// down to the subnormal range.
template <class T>
NABLA_VEC_INLINE T sigmoid(T x) {
  const T e = exp(-std::fabs(x));
  const T numerator = x < T(0) ? e : T(1);
  return numerator / (T(1) + e);
}

/// Hyperbolic tangent. tanh|x| = −m/(2 + m) with m = e^(−2|x|) − 1 ∈ (−1, 0]: no overflow, and no
/// cancellation near 0 because expm1 is accurate there. The sign is restored at the end.
template <class T>
NABLA_VEC_INLINE T tanh(T x) {
  constexpr T lo = sizeof(T) == 4 ? T(-87) : T(-708);  // tanh has saturated to ±1 long before
  T y = T(-2) * std::fabs(x);
  y = y < lo ? lo : y;
  const T m = detail::expm1_bounded(y);
  const T t = -m / (T(2) + m);
  return std::copysign(t, x);
}

namespace detail {

/// log(m) for m in [√½, √2): 2·atanh(s), s = (m−1)/(m+1), odd series truncated below 0.1 ulp.
NABLA_VEC_INLINE float log_reduced(float m) {
  const float f = m - 1.0f;  // exact (Sterbenz)
  const float s = f / (2.0f + f);
  const float z = s * s;
  float p = 1.0f / 11.0f;
  p = fmadd(p, z, 1.0f / 9.0f);
  p = fmadd(p, z, 1.0f / 7.0f);
  p = fmadd(p, z, 1.0f / 5.0f);
  p = fmadd(p, z, 1.0f / 3.0f);
  // 2s + 2s·z·p, written as f − (f − 2s) + … would lose nothing here since |s| ≤ 0.172.
  const float two_s = 2.0f * s;
  return fmadd(two_s * z, p, two_s);
}
NABLA_VEC_INLINE double log_reduced(double m) {
  const double f = m - 1.0;
  const double s = f / (2.0 + f);
  const double z = s * s;
  double p = 1.0 / 23.0;
  p = fmadd(p, z, 1.0 / 21.0);
  p = fmadd(p, z, 1.0 / 19.0);
  p = fmadd(p, z, 1.0 / 17.0);
  p = fmadd(p, z, 1.0 / 15.0);
  p = fmadd(p, z, 1.0 / 13.0);
  p = fmadd(p, z, 1.0 / 11.0);
  p = fmadd(p, z, 1.0 / 9.0);
  p = fmadd(p, z, 1.0 / 7.0);
  p = fmadd(p, z, 1.0 / 5.0);
  p = fmadd(p, z, 1.0 / 3.0);
  const double two_s = 2.0 * s;
  return fmadd(two_s * z, p, two_s);
}

}  // namespace detail

/// Natural logarithm, vectorisable. See the file comment for special values.
///
/// Written with integer tests on the bits and 0/1 factors instead of chains of selects: GCC
/// sinks floating-point work into the branches of such chains, and, because floating-point
/// operations may trap, then refuses to if-convert (and so to vectorise) the loop.
NABLA_VEC_INLINE float log(float x) {
  constexpr float inf = std::numeric_limits<float>::infinity();
  const int32_t xb = std::bit_cast<int32_t>(x);
  // Subnormals (and the specials, whose result is replaced below) are scaled by 2^23 first.
  const float tiny = xb < 0x00800000 ? 1.0f : 0.0f;
  const float xs = x * (1.0f + tiny * 8388607.0f);
  const int32_t bits = std::bit_cast<int32_t>(xs);
  // x = m·2^e with m in [1, 2) from the mantissa bits, then moved to [√½, √2).
  const float m1 = std::bit_cast<float>((bits & 0x007fffff) | 0x3f800000);
  const float e1 = static_cast<float>(((bits >> 23) & 0xff) - 127) - 23.0f * tiny;
  const float big = m1 > 1.41421356f ? 1.0f : 0.0f;
  const float m = m1 * (1.0f - 0.5f * big);
  const float e = e1 + big;
  // e·ln2 + log m, adding the small low part of ln 2 first. r is finite for every input.
  float r = detail::fmadd(e, detail::kLn2LoF, detail::log_reduced(m));
  r = detail::fmadd(e, detail::kLn2HiF, r);
  // Specials: ±0 → −inf, +inf → +inf, negative or NaN → NaN (finite r + special = special).
  const bool positive_finite = static_cast<uint32_t>(xb) - 1u < 0x7f7fffffu;  // 0 < x < inf
  const float special = (xb & 0x7fffffff) == 0 ? -inf
                        : xb == 0x7f800000    ? inf
                                              : std::numeric_limits<float>::quiet_NaN();
  return r + (positive_finite ? 0.0f : special);
}
NABLA_VEC_INLINE double log(double x) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  const int64_t xb = std::bit_cast<int64_t>(x);
  const double tiny = xb < 0x0010000000000000LL ? 1.0 : 0.0;
  const double xs = x * (1.0 + tiny * 18014398509481983.0);  // 2^54
  const int64_t bits = std::bit_cast<int64_t>(xs);
  const double m1 = std::bit_cast<double>((bits & 0x000fffffffffffffLL) | 0x3ff0000000000000LL);
  const double e1 =
      static_cast<double>(static_cast<int64_t>((static_cast<uint64_t>(bits) >> 52) & 0x7ff) - 1023) - 54.0 * tiny;
  const double big = m1 > 1.4142135623730951 ? 1.0 : 0.0;
  const double m = m1 * (1.0 - 0.5 * big);
  const double e = e1 + big;
  double r = detail::fmadd(e, detail::kLn2LoD, detail::log_reduced(m));
  r = detail::fmadd(e, detail::kLn2HiD, r);
  const bool positive_finite = static_cast<uint64_t>(xb) - 1u < 0x7fefffffffffffffULL;
  const double special = (xb & 0x7fffffffffffffffLL) == 0 ? -inf
                         : xb == 0x7ff0000000000000LL       ? inf
                                                            : std::numeric_limits<double>::quiet_NaN();
  return r + (positive_finite ? 0.0 : special);
}

}  // namespace nabla::vec
