// nn's element-reading helpers at tensor level (ops/nn_util.h), moved verbatim from
// nn/functional/dropout.cpp and nn/clip.cpp behind the device seam.
#include "ops/nn_util.h"

#include <cmath>

#include "ops/device_dispatch.h"
#include "ops/xoshiro.h"

namespace nabla::ops {
namespace {

// ‖g‖_p of one gradient, accumulated in double in index order (deterministic).
template <class T>
double norm_of(const Tensor& g, double p) {
  const Tensor c = g.contiguous();
  const T* d = c.data_ptr<T>();
  const int64_t n = c.numel();
  if (std::isinf(p)) {
    double m = 0;
    for (int64_t i = 0; i < n; ++i) {
      const double a = std::abs(static_cast<double>(d[i]));
      if (std::isnan(a)) return a;
      m = std::max(m, a);
    }
    return m;
  }
  double s = 0;
  if (p == 2.0) {
    for (int64_t i = 0; i < n; ++i) s += static_cast<double>(d[i]) * d[i];
    return std::sqrt(s);
  }
  if (p == 1.0) {
    for (int64_t i = 0; i < n; ++i) s += std::abs(static_cast<double>(d[i]));
    return s;
  }
  for (int64_t i = 0; i < n; ++i) s += std::pow(std::abs(static_cast<double>(d[i])), p);
  return std::pow(s, 1.0 / p);
}

}  // namespace

// A tensor of `shape` whose elements are `scale` with probability `keep`, else 0. Drawn
// sequentially from the generator (one draw per element, row-major, as g.next_double() < keep),
// so it is reproducible. The draws run on a local copy of the generator's state, stored back
// after: the same values and final state as calling next_double per element, without a call per
// draw (WRN-16-4's dropout masks were 13 % of its training step that way).
Tensor dropout_keep_mask(const Shape& shape, double keep, double scale, DType dtype, Generator* gen) {
  Generator& g = gen ? *gen : default_generator();
  Tensor mask = empty(shape, dtype);
  dispatch_device(mask, "dropout", [&] {
    dispatch_floating(dtype, "dropout", [&]<class T>() {
      T* m = mask.data_ptr<T>();
      const T s = static_cast<T>(scale);
      Generator::State state = g.state();
      // The value picked by index rather than by a branch, which mispredicts on a random draw
      // (GCC turns `cond ? s : 0` and `s * cond` into one).
      const T values[2] = {T(0), s};
      for (int64_t i = 0, n = mask.numel(); i < n; ++i)
        m[i] = values[detail::unit_double(detail::xoshiro256_next(state.s)) < keep];
      g.set_state(state);
    });
  });
  return mask;
}

double grad_norm_double(const Tensor& g, double p, const char* op) {
  return dispatch_device(g, op, [&] {
    return dispatch_floating(g.dtype(), op, [&]<class T>() { return norm_of<T>(g, p); });
  });
}

}  // namespace nabla::ops
