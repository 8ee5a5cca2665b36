#pragma once
// 16-bit floating-point storage types: bfloat16 (1 sign, 8 exponent, 7 mantissa bits: float32's
// range, 3 significant digits) and float16 (IEEE 754 binary16: 5 exponent, 10 mantissa bits).
// They are storage formats only: a value converts to and from float, rounding to nearest with
// ties to even, keeping Inf, NaN and (float16) subnormals as PyTorch's c10::BFloat16/c10::Half do.
// The conversions use integer operations only, so they do not depend on the floating-point
// environment or compiler flags.
#include <bit>
#include <cstdint>
#include <type_traits>

namespace nabla {

/// The bfloat16 bits nearest to `f` (ties to even); NaN becomes the quiet NaN 0x7FC0.
constexpr uint16_t float_to_bfloat16_bits(float f) {
  const uint32_t u = std::bit_cast<uint32_t>(f);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) return 0x7FC0;
  const uint32_t rounding_bias = 0x7FFFu + ((u >> 16) & 1u);
  return static_cast<uint16_t>((u + rounding_bias) >> 16);
}

/// The float with the same value as the bfloat16 `bits` (exact).
constexpr float bfloat16_bits_to_float(uint16_t bits) { return std::bit_cast<float>(static_cast<uint32_t>(bits) << 16); }

/// The float16 bits nearest to `f` (ties to even): values from 65520 up become Inf, values up to
/// 2^-25 become ±0, values in between the normal range and 0 become subnormals; NaN becomes the
/// quiet NaN 0x7E00 with f's sign.
constexpr uint16_t float_to_float16_bits(float f) {
  const uint32_t u = std::bit_cast<uint32_t>(f);
  const uint32_t sign = (u >> 16) & 0x8000u;
  const uint32_t a = u & 0x7FFFFFFFu;
  if (a > 0x7F800000u) return static_cast<uint16_t>(sign | 0x7E00u);  // NaN
  if (a >= 0x47800000u) return static_cast<uint16_t>(sign | 0x7C00u);  // ≥ 2^16 (Inf included)
  if (a >= 0x38800000u) {  // normal float16: rebias the exponent (127 → 15), round 13 bits away
    uint32_t h = (a >> 13) - (112u << 10);
    const uint32_t rest = a & 0x1FFFu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;  // a carry into the exponent is right
    return static_cast<uint16_t>(sign | h);
  }
  if (a <= 0x33000000u) return static_cast<uint16_t>(sign);  // ≤ 2^-25: rounds to zero
  // Subnormal float16: the value is m · 2^(e − 150), in units of 2^-24 that is m >> (126 − e).
  const uint32_t e = a >> 23;
  const uint32_t m = (a & 0x7FFFFFu) | 0x800000u;
  const uint32_t shift = 126u - e;  // 14 … 24
  uint32_t h = m >> shift;
  const uint32_t rest = m & ((1u << shift) - 1u), half = 1u << (shift - 1u);
  if (rest > half || (rest == half && (h & 1u))) ++h;  // 0x400 is the smallest normal: right too
  return static_cast<uint16_t>(sign | h);
}

/// The float with the same value as the float16 `bits` (exact; subnormals included).
constexpr float float16_bits_to_float(uint16_t bits) {
  const uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  const uint32_t exp = (bits >> 10) & 0x1Fu, mant = bits & 0x3FFu;
  if (exp == 0x1F) return std::bit_cast<float>(sign | 0x7F800000u | (mant << 13));  // Inf, NaN
  if (exp != 0) return std::bit_cast<float>(sign | ((exp + 112u) << 23) | (mant << 13));
  if (mant == 0) return std::bit_cast<float>(sign);
  // Subnormal: mant · 2^-24, normalised into a float (exact: mant has at most 10 bits).
  uint32_t e = 113, m = mant;  // 2^-14 has float exponent 113
  while ((m & 0x400u) == 0) {
    m <<= 1;
    --e;
  }
  return std::bit_cast<float>(sign | (e << 23) | ((m & 0x3FFu) << 13));
}

namespace detail {
/// A 16-bit storage value whose rounding from float (to nearest, ties to even) and widening to
/// float are `ToBits` and `FromBits`; bfloat16 and float16 are its two instances.
template <uint16_t (*ToBits)(float), float (*FromBits)(uint16_t)>
struct Half16 {
  uint16_t bits = 0;
  constexpr Half16() = default;
  /// Rounds `f` to nearest, ties to even.
  constexpr explicit Half16(float f) : bits(ToBits(f)) {}
  constexpr explicit operator float() const { return FromBits(bits); }
  /// The value with the given bits.
  static constexpr Half16 from_bits(uint16_t b) {
    Half16 v;
    v.bits = b;
    return v;
  }
};
}  // namespace detail

/// A bfloat16 value (storage type; compute converts to float).
using bfloat16 = detail::Half16<float_to_bfloat16_bits, bfloat16_bits_to_float>;

/// An IEEE 754 half-precision value (storage type; compute converts to float).
using float16 = detail::Half16<float_to_float16_bits, float16_bits_to_float>;

/// True for the 16-bit storage types.
template <class T> inline constexpr bool is_half_v = false;
template <> inline constexpr bool is_half_v<bfloat16> = true;
template <> inline constexpr bool is_half_v<float16> = true;

/// Converts between element types as PyTorch does: a 16-bit float goes through float (also from
/// and to double and integers); bool is `v != 0`; a floating value becomes uint8 through int64
/// (so −1.0 gives 255, as in PyTorch, rather than undefined behaviour); everything else is
/// static_cast.
template <class D, class S>
constexpr D convert_element(S v) {
  if constexpr (std::is_same_v<D, S>) {
    return v;
  } else if constexpr (is_half_v<S>) {
    return convert_element<D>(static_cast<float>(v));
  } else if constexpr (is_half_v<D>) {
    return D(static_cast<float>(v));
  } else if constexpr (std::is_same_v<D, bool>) {
    return v != S(0);
  } else if constexpr (std::is_same_v<D, uint8_t> && std::is_floating_point_v<S>) {
    return static_cast<uint8_t>(static_cast<int64_t>(v));
  } else {
    return static_cast<D>(v);
  }
}

}  // namespace nabla
