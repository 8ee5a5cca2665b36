#pragma once
// Reproducible random test inputs for the kernel tests.
#include <cstdint>
#include <random>
#include <vector>

namespace nabla::cpu {

/// n floats drawn from N(mean, 1) by a generator seeded with `seed`.
inline std::vector<float> random_floats(int64_t n, uint32_t seed, float mean = 0.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> value(mean, 1.0f);
  std::vector<float> out(static_cast<size_t>(n));
  for (auto& v : out) v = value(rng);
  return out;
}

}  // namespace nabla::cpu
