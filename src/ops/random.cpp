// Seeded random numbers (xoshiro256**), generated sequentially so results never depend on threads.
#include "nabla/random.h"

#include <cmath>
#include <numeric>

#include "core/tensor_access.h"
#include "nabla/autograd.h"
#include "ops/xoshiro.h"

namespace nabla {
namespace {

uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

Generator& pick(Generator* gen) { return gen ? *gen : default_generator(); }

template <class Fill>
Tensor generate(const Shape& shape, DType dtype, Fill fill) {
  Tensor out = empty(shape, dtype);
  dispatch_all(dtype, "random", [&]<class T>() {
    T* p = out.data_ptr<T>();
    for (int64_t i = 0, n = out.numel(); i < n; ++i) p[i] = static_cast<T>(fill());
  });
  return out;
}

// Writes fill() into every element of `t` in row-major order: in place when `t` is contiguous
// (no temporary, no second pass over memory: initialising VGG's 133 M parameters is dominated by
// memory traffic), through a temporary and copy_ for strided views. Same values either way.
template <class Fill>
void fill_in_place(Tensor& t, Fill fill) {
  if (!t.is_contiguous()) {
    t.copy_(generate(t.shape(), t.dtype(), fill));
    return;
  }
  autograd::check_inplace(t, "random fill");
  dispatch_all(t.dtype(), "random", [&]<class T>() {
    T* p = t.data_ptr<T>();
    for (int64_t i = 0, n = t.numel(); i < n; ++i) p[i] = static_cast<T>(fill());
  });
  detail::bump_version(t);
}

}  // namespace

void Generator::manual_seed(uint64_t seed) {
  uint64_t x = seed;
  for (auto& s : s_) s = splitmix64(x);
  has_spare_ = false;
}

uint64_t Generator::next_u64() { return detail::xoshiro256_next(s_); }

double Generator::next_double() { return detail::unit_double(next_u64()); }

double Generator::next_normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u1 = next_double();
  while (u1 <= 0.0) u1 = next_double();
  const double u2 = next_double();
  const double r = std::sqrt(-2.0 * std::log(u1));
  spare_ = r * std::sin(2.0 * M_PI * u2);
  has_spare_ = true;
  return r * std::cos(2.0 * M_PI * u2);
}

Generator::State Generator::state() const { return State{{s_[0], s_[1], s_[2], s_[3]}, has_spare_, spare_}; }

void Generator::set_state(const State& st) {
  for (int i = 0; i < 4; ++i) s_[i] = st.s[i];
  has_spare_ = st.has_spare;
  spare_ = st.spare;
}

Generator& default_generator() {
  static Generator gen(0);
  return gen;
}

void manual_seed(uint64_t seed) { default_generator().manual_seed(seed); }

Tensor rand(const Shape& shape, DType dtype, Generator* gen) {
  Generator& g = pick(gen);
  return generate(shape, dtype, [&] { return g.next_double(); });
}

Tensor randn(const Shape& shape, DType dtype, Generator* gen) {
  NABLA_CHECK(is_floating(dtype), "randn: dtype must be floating point, got ", dtype_name(dtype));
  Generator& g = pick(gen);
  return generate(shape, dtype, [&] { return g.next_normal(); });
}

Tensor randint(int64_t low, int64_t high, const Shape& shape, Generator* gen) {
  NABLA_CHECK(low < high, "randint: expected low < high, got low=", low, " high=", high);
  Generator& g = pick(gen);
  const uint64_t range = static_cast<uint64_t>(high - low);
  return generate(shape, DType::Int64, [&] { return low + static_cast<int64_t>(g.next_u64() % range); });
}

Tensor randperm(int64_t n, Generator* gen) {
  NABLA_CHECK(n >= 0, "randperm: n must be non-negative, got ", n);
  Generator& g = pick(gen);
  Tensor out = empty({n}, DType::Int64);
  int64_t* p = out.data_ptr<int64_t>();
  std::iota(p, p + n, int64_t{0});
  for (int64_t i = n - 1; i > 0; --i) {
    const int64_t j = static_cast<int64_t>(g.next_u64() % static_cast<uint64_t>(i + 1));
    std::swap(p[i], p[j]);
  }
  return out;
}

Tensor bernoulli(const Tensor& p, Generator* gen) {
  Generator& g = pick(gen);
  const std::vector<double> probs = p.to_vector<double>();
  for (double q : probs)
    NABLA_CHECK(q >= 0.0 && q <= 1.0, "bernoulli: probabilities must be in [0, 1], got ", q);
  size_t i = 0;
  const DType dt = is_floating(p.dtype()) ? p.dtype() : DType::Float32;
  return generate(p.shape(), dt, [&] { return g.next_double() < probs[i++] ? 1.0 : 0.0; });
}

Tensor bernoulli(const Shape& shape, double p, DType dtype, Generator* gen) {
  NABLA_CHECK(p >= 0.0 && p <= 1.0, "bernoulli: probability must be in [0, 1], got ", p);
  Generator& g = pick(gen);
  return generate(shape, dtype, [&] { return g.next_double() < p ? 1.0 : 0.0; });
}

Tensor& uniform_(Tensor& t, double from, double to, Generator* gen) {
  Generator& g = pick(gen);
  NoGradGuard guard;
  fill_in_place(t, [&] { return from + (to - from) * g.next_double(); });
  return t;
}

Tensor& normal_(Tensor& t, double mean, double std, Generator* gen) {
  Generator& g = pick(gen);
  NoGradGuard guard;
  fill_in_place(t, [&] { return mean + std * g.next_normal(); });
  return t;
}

}  // namespace nabla
