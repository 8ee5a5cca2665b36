// pad (torch.nn.functional.pad): every mode is expressed as a per-dim source map (see
// kernels/cpu/pad.h), so one forward and one backward kernel serve constant, reflect,
// replicate and circular padding.
#include <utility>

#include "core/tensor_access.h"
#include "kernels/cpu/pad.h"
#include "nabla/autograd.h"
#include "nabla/ops.h"

namespace nabla {
namespace {

const char* mode_name(PadMode mode) {
  switch (mode) {
    case PadMode::Constant: return "constant";
    case PadMode::Reflect: return "reflect";
    case PadMode::Replicate: return "replicate";
    case PadMode::Circular: return "circular";
  }
  return "?";
}

// Source map of one dim of size n padded by (left, right); negative pads crop.
// With c = o − left the position in x's coordinates:
//   constant:  c when 0 ≤ c < n, else −1 (fill)
//   reflect:   mirror about 0 and n−1 without repeating the edge (needs left, right < n)
//   replicate: clamp(c, 0, n−1)
//   circular:  wraps within the part left after cropping (needs left, right ≤ that part)
std::vector<int64_t> source_map(int64_t n, int64_t left, int64_t right, PadMode mode, int64_t d, const Shape& shape) {
  const bool padded = left != 0 || right != 0;
  if (mode == PadMode::Circular) {
    const int64_t lo = std::max<int64_t>(0, -left), hi = n - std::max<int64_t>(0, -right);
    const int64_t m = hi - lo, pl = std::max<int64_t>(0, left), pr = std::max<int64_t>(0, right);
    NABLA_CHECK(m >= 0, "pad: negative circular padding (", left, ", ", right, ") crops more than the size ", n,
                " of dimension ", d, " (shape ", shape, ")");
    NABLA_CHECK(pl <= m && pr <= m, "pad: circular padding (", left, ", ", right,
                ") would wrap around more than once: it must not exceed the size ", m, " of dimension ", d,
                " (shape ", shape, ")");
    std::vector<int64_t> map(m + pl + pr);
    for (int64_t o = 0; o < static_cast<int64_t>(map.size()); ++o) map[o] = lo + ((o - pl) % m + m) % m;
    return map;
  }
  if (padded && mode == PadMode::Reflect)
    NABLA_CHECK(left < n && right < n, "pad: reflect padding (", left, ", ", right,
                ") must be less than the size ", n, " of dimension ", d, " (shape ", shape, ")");
  if (padded && mode == PadMode::Replicate)
    NABLA_CHECK(n > 0, "pad: replicate padding needs a non-empty dimension, but dimension ", d, " has size 0 (shape ",
                shape, ")");
  const int64_t out_n = n + left + right;
  NABLA_CHECK(out_n >= 0, "pad: padding (", left, ", ", right, ") of dimension ", d, " with size ", n,
              " gives a negative output size ", out_n, " (shape ", shape, ")");
  std::vector<int64_t> map(out_n);
  for (int64_t o = 0; o < out_n; ++o) {
    int64_t c = o - left;
    switch (mode) {
      case PadMode::Constant: c = (c >= 0 && c < n) ? c : -1; break;
      case PadMode::Reflect: c = c < 0 ? -c : (c >= n ? 2 * (n - 1) - c : c); break;
      case PadMode::Replicate: c = std::clamp<int64_t>(c, 0, n - 1); break;
      case PadMode::Circular: break;
    }
    map[o] = c;
  }
  return map;
}

}  // namespace

Tensor pad(const Tensor& x, const IntList& pad, PadMode mode, double value) {
  NABLA_CHECK(pad.size() % 2 == 0, "pad: padding length must be divisible by 2, got ", pad.size(), " values ", pad);
  const int64_t npad = static_cast<int64_t>(pad.size()) / 2;
  NABLA_CHECK(npad <= x.dim(), "pad: padding ", pad, " covers ", npad, " dimensions but the input has only ", x.dim(),
              " (shape ", x.shape(), ")");
  NABLA_CHECK(mode == PadMode::Constant || value == 0.0, "pad: padding mode ", mode_name(mode),
              " does not take a fill value, got ", value);
  if (x.dim() == 0) return x.clone();

  const int64_t r = x.dim();
  const Shape in_shape = x.shape();
  auto pads_of = [&](int64_t d) {
    const int64_t k = r - 1 - d;  // pairs start from the last dim
    return std::pair<int64_t, int64_t>{k < npad ? pad[2 * k] : 0, k < npad ? pad[2 * k + 1] : 0};
  };
  // The output (size n + left + right per dim, checked for overflow) is allocated before the
  // index maps, so an absurd padding fails on the tensor's checks, not inside a vector.
  Shape out_shape(r);
  for (int64_t d = 0; d < r; ++d) {
    const auto [left, right] = pads_of(d);
    int64_t out_n = 0;
    NABLA_CHECK(!__builtin_add_overflow(in_shape[d], left, &out_n) && !__builtin_add_overflow(out_n, right, &out_n),
                "pad: padding (", left, ", ", right, ") of dimension ", d, " overflows its size (shape ", in_shape, ")");
    NABLA_CHECK(out_n >= 0, "pad: padding (", left, ", ", right, ") of dimension ", d, " with size ", in_shape[d],
                " gives a negative output size ", out_n, " (shape ", in_shape, ")");
    out_shape[d] = out_n;
  }
  Tensor out = empty(out_shape, x.dtype());
  cpu::PadMaps maps(r);
  bool crops = false;
  for (int64_t d = 0; d < r; ++d) {
    const auto [left, right] = pads_of(d);
    crops = crops || left < 0 || right < 0;
    maps[d] = source_map(in_shape[d], left, right, mode, d, in_shape);
  }

  const Tensor xc = x.detach().contiguous();
  dispatch_storage(x.dtype(), [&]<class T>() {
    cpu::pad_forward<T>(xc.data_ptr<T>(), in_shape, out.data_ptr<T>(), out_shape, maps, convert_element<T>(value));
  });

  // out[o] = x[map(o)] (or a constant), so ∂L/∂x[i] = Σ_{o: map(o) = i} ∂L/∂out[o].
  // Constant padding without cropping maps each x element to exactly one output: a slice.
  // The other modes (and cropping) scatter-add the gradient back through the map.
  const bool slice_back = mode == PadMode::Constant && !crops;
  autograd::record(out, "pad", {x}, [maps, in_shape, out_shape, pad, slice_back](const Tensor& g) {
    if (slice_back) {
      Tensor gx = g;
      for (int64_t k = 0; k < static_cast<int64_t>(pad.size()) / 2; ++k) {
        const int64_t d = static_cast<int64_t>(in_shape.size()) - 1 - k;
        gx = gx.narrow(d, pad[2 * k], in_shape[d]);
      }
      return std::vector<Tensor>{gx};
    }
    const Tensor gc = g.contiguous();
    Tensor gx = zeros(in_shape, g.dtype());
    dispatch_floating(g.dtype(), "pad backward", [&]<class T>() {
      cpu::pad_backward<T>(gc.data_ptr<T>(), out_shape, gx.data_ptr<T>(), in_shape, maps);
    });
    return std::vector<Tensor>{gx};
  });
  return out;
}

}  // namespace nabla
