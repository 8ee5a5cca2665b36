#pragma once
// Private helpers of nabla::data: integer, real, Beta draws and shuffles from a Generator.
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "nabla/random.h"

namespace nabla::data::detail {

/// Uniform integer in [low, high) (high > low), unbiased (Lemire's multiply-and-reject).
inline int64_t uniform_int(Generator& gen, int64_t low, int64_t high) {
  const uint64_t range = static_cast<uint64_t>(high - low);
  unsigned __int128 m = static_cast<unsigned __int128>(gen.next_u64()) * range;
  uint64_t lo = static_cast<uint64_t>(m);
  if (lo < range) {
    const uint64_t threshold = -range % range;
    while (lo < threshold) {
      m = static_cast<unsigned __int128>(gen.next_u64()) * range;
      lo = static_cast<uint64_t>(m);
    }
  }
  return low + static_cast<int64_t>(m >> 64);
}

/// Uniform real in [low, high).
inline double uniform_real(Generator& gen, double low, double high) { return low + (high - low) * gen.next_double(); }

/// Gamma(shape, 1) by Marsaglia and Tsang (shape < 1 boosted by U^(1/shape)).
inline double gamma_draw(Generator& gen, double shape) {
  if (shape < 1.0) {
    double u = gen.next_double();
    while (u <= 0.0) u = gen.next_double();
    return gamma_draw(gen, shape + 1.0) * std::pow(u, 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x = gen.next_normal(), v = 1.0 + c * x;
    if (v <= 0.0) continue;
    v = v * v * v;
    const double u = gen.next_double();
    if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
    if (u > 0.0 && std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
  }
}

/// Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
inline double beta_draw(Generator& gen, double a, double b) {
  const double x = gamma_draw(gen, a), y = gamma_draw(gen, b);
  return x + y > 0.0 ? x / (x + y) : 0.5;
}

/// Fisher–Yates shuffle.
inline void shuffle(std::vector<int64_t>& v, Generator& gen) {
  for (int64_t i = static_cast<int64_t>(v.size()) - 1; i > 0; --i)
    std::swap(v[i], v[uniform_int(gen, 0, i + 1)]);
}

/// 0..n−1 in random order.
inline std::vector<int64_t> permutation(int64_t n, Generator& gen) {
  std::vector<int64_t> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = i;
  shuffle(v, gen);
  return v;
}

}  // namespace nabla::data::detail
