#pragma once
// Seeded random numbers. Numbers are generated sequentially from one stream, so the same seed
// gives the same numbers whatever the thread count.
#include <cstdint>
#include <optional>

#include "nabla/tensor.h"

namespace nabla {

/// A counter-free 64-bit generator (xoshiro256**) with a fixed, documented algorithm.
class Generator {
 public:
  explicit Generator(uint64_t seed = 0) { manual_seed(seed); }
  /// Re-seeds (SplitMix64 expands the seed into the 256-bit state).
  void manual_seed(uint64_t seed);
  uint64_t next_u64();
  /// Uniform in [0, 1) with 53 random bits.
  double next_double();
  /// Standard normal (Box–Muller, caches the second value).
  double next_normal();
  /// The full state, for checkpoints.
  struct State { uint64_t s[4]; bool has_spare; double spare; };
  State state() const;
  void set_state(const State& state);

 private:
  uint64_t s_[4]{};
  bool has_spare_ = false;
  double spare_ = 0.0;
};

/// The process-wide default generator.
Generator& default_generator();
/// Seeds the default generator.
void manual_seed(uint64_t seed);

/// Uniform [0, 1).
Tensor rand(const Shape& shape, DType dtype = DType::Float32, Generator* gen = nullptr);
/// Standard normal.
Tensor randn(const Shape& shape, DType dtype = DType::Float32, Generator* gen = nullptr);
/// rand/randn with TensorOptions (dtype, device, requires_grad), e.g.
/// `randn({3, 4}, dtype(DType::Float64).requires_grad(true))`.
Tensor rand(const Shape& shape, const TensorOptions& options, Generator* gen = nullptr);
Tensor randn(const Shape& shape, const TensorOptions& options, Generator* gen = nullptr);
/// Uniform integers in [low, high), int64.
Tensor randint(int64_t low, int64_t high, const Shape& shape, Generator* gen = nullptr);
/// A random permutation of 0..n-1, int64 (Fisher–Yates).
Tensor randperm(int64_t n, Generator* gen = nullptr);
/// 1 with probability p (elementwise tensor of probabilities), else 0; same dtype as p.
Tensor bernoulli(const Tensor& p, Generator* gen = nullptr);
Tensor bernoulli(const Shape& shape, double p, DType dtype = DType::Float32, Generator* gen = nullptr);
/// Fills in place with uniform [from, to).
Tensor& uniform_(Tensor& t, double from = 0.0, double to = 1.0, Generator* gen = nullptr);
/// Fills in place with normal(mean, std).
Tensor& normal_(Tensor& t, double mean = 0.0, double std = 1.0, Generator* gen = nullptr);

}  // namespace nabla
