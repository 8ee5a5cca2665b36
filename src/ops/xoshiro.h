#pragma once
// The step of xoshiro256** (Blackman & Vigna), the generator behind nabla::Generator: one place
// for the formula, inlined both into Generator::next_u64 and into loops that draw many values
// from a copy of a generator's state (ops::dropout_keep_mask).
#include <cstdint>

namespace nabla::detail {

inline uint64_t rotl64(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/// The next output of the state s[4], advancing it.
inline uint64_t xoshiro256_next(uint64_t* s) {
  const uint64_t result = rotl64(s[1] * 5, 7) * 9;
  const uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl64(s[3], 45);
  return result;
}

/// A draw as a double uniform in [0, 1) with 53 random bits (Generator::next_double's mapping).
inline double unit_double(uint64_t draw) { return static_cast<double>(draw >> 11) * 0x1.0p-53; }

}  // namespace nabla::detail
