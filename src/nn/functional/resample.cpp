// nn::functional resampling: interpolate (nearest, linear, bilinear) through direct kernels with
// their backward rules; pixel_shuffle / pixel_unshuffle as reshape + permute (differentiable views).
#include "nabla/nn/functional/resample.h"

#include <cmath>

#include "nabla/autograd.h"
#include "nabla/ops.h"
#include "ops/nn_kernels.h"

namespace nabla::nn::functional {
namespace {

template <class V>
V per_dim(const V& v, int n, const char* what) {
  NABLA_CHECK(v.size() == 1 || static_cast<int>(v.size()) == n, "interpolate: ", what, " must have one value or ", n,
              " values (one per spatial dim), got ", v);
  return v.size() == 1 ? V(n, v[0]) : v;
}

}  // namespace

Tensor interpolate(const Tensor& input, const std::optional<IntList>& size,
                   const std::optional<std::vector<double>>& scale_factor, const std::string& mode,
                   std::optional<bool> align_corners, std::optional<bool> recompute_scale_factor) {
  const char* op = "interpolate";
  NABLA_CHECK(input.defined(), op, ": input is undefined");
  NABLA_CHECK(input.dim() >= 3 && input.dim() <= 5, op,
              ": expected a 3-d, 4-d or 5-d (N, C, *spatial) input, got shape ", input.shape());
  NABLA_CHECK(is_floating(input.dtype()), op, ": expected a floating-point input, got ", dtype_name(input.dtype()));
  const int n = static_cast<int>(input.dim()) - 2;
  for (int64_t d = 1; d < input.dim(); ++d)
    NABLA_CHECK(input.size(d) > 0, op, ": expected non-empty dims (only the batch dim may be 0), got shape ",
                input.shape());
  const bool linear = mode == "linear" || mode == "bilinear";
  NABLA_CHECK(mode == "nearest" || linear, op, ": unknown mode '", mode,
              "'; expected 'nearest', 'linear' or 'bilinear'");
  NABLA_CHECK(mode != "linear" || n == 1, op, ": mode 'linear' needs a 3-d (N, C, L) input, got shape ", input.shape());
  NABLA_CHECK(mode != "bilinear" || n == 2, op, ": mode 'bilinear' needs a 4-d (N, C, H, W) input, got shape ",
              input.shape());
  NABLA_CHECK(linear || !align_corners.has_value(), op,
              ": align_corners can only be set with the interpolating modes linear and bilinear, not '", mode, "'");
  NABLA_CHECK(
      size.has_value() != scale_factor.has_value(), op,
      size ? ": only one of size or scale_factor should be given" : ": either size or scale_factor must be given");

  Shape out_shape(input.shape().begin(), input.shape().begin() + 2);
  int64_t in3[3] = {1, 1, 1}, out3[3] = {1, 1, 1};
  double scales3[3] = {0, 0, 0};  // ≤ 0: none (the kernels use in/out)
  if (size) {
    const IntList s = per_dim(*size, n, "size");
    for (int d = 0; d < n; ++d) {
      NABLA_CHECK(s[d] > 0, op, ": output size must be positive, got size ", *size, " for input shape ", input.shape());
      out3[3 - n + d] = s[d];
    }
  } else {
    const std::vector<double> f = per_dim(*scale_factor, n, "scale_factor");
    for (int d = 0; d < n; ++d) {
      NABLA_CHECK(f[d] > 0 && std::isfinite(f[d]), op, ": scale_factor must be positive and finite, got ",
                  *scale_factor);
      const int64_t o = static_cast<int64_t>(std::floor(static_cast<double>(input.size(2 + d)) * f[d]));
      NABLA_CHECK(o > 0, op, ": output size ", o, " is not positive for input shape ", input.shape(),
                  " and scale_factor ", *scale_factor);
      out3[3 - n + d] = o;
      if (!recompute_scale_factor.value_or(false)) scales3[3 - n + d] = f[d];
    }
  }
  for (int d = 0; d < n; ++d) {
    in3[3 - n + d] = input.size(2 + d);
    out_shape.push_back(out3[3 - n + d]);
  }
  const int64_t planes = input.size(0) * input.size(1);
  const bool corners = align_corners.value_or(false);
  const Tensor x = input.contiguous();
  ops::UpsampleGeometry geo;
  geo.bilinear = linear;
  geo.align_corners = corners;
  geo.planes = planes;
  for (int d = 0; d < 3; ++d) geo.in[d] = in3[d], geo.out[d] = out3[d], geo.scales[d] = scales3[d];
  Tensor y = ops::upsample_forward(x, out_shape, geo, op);
  if (!autograd::needs_grad({input})) return y;
  // Both modes are linear maps y = A x (nearest: one 1 per row of A; bilinear: four weights);
  // the input gradient is Aᵀ g, i.e. each output gradient is spread back onto its taps.
  autograd::record(
      y, linear ? "upsample_bilinear" : "upsample_nearest", {input},
      [geo, linear, corners, planes, shape = input.shape(), dtype = input.dtype(), op](const Tensor& gy) {
        const Tensor gc = gy.to(dtype).contiguous();
        Tensor gx = ops::upsample_backward(gc, shape, geo, op);
        return std::vector<Tensor>{gx};
      });
  return y;
}

Tensor upsample(const Tensor& input, const std::optional<IntList>& size,
                const std::optional<std::vector<double>>& scale_factor, const std::string& mode,
                std::optional<bool> align_corners) {
  return interpolate(input, size, scale_factor, mode, align_corners);
}

Tensor pixel_shuffle(const Tensor& input, int64_t upscale_factor) {
  const int64_t r = upscale_factor;
  NABLA_CHECK(input.defined() && input.dim() >= 3,
              "pixel_shuffle: expected an input of at least 3 dims (*, C·r², H, W), got shape ",
              input.defined() ? input.shape() : Shape{});
  NABLA_CHECK(r > 0, "pixel_shuffle: upscale_factor must be positive, got ", r);
  const int64_t nd = input.dim();
  const int64_t c = input.size(nd - 3), h = input.size(nd - 2), w = input.size(nd - 1);
  NABLA_CHECK(c % (r * r) == 0, "pixel_shuffle: the channel dim (", c,
              ") must be divisible by upscale_factor² = ", r * r, ", got shape ", input.shape());
  Shape lead(input.shape().begin(), input.shape().end() - 3);
  int64_t batch = 1;
  for (int64_t s : lead) batch *= s;
  const int64_t oc = c / (r * r);
  // (B, oc, r, r, H, W) —permute→ (B, oc, H, r, W, r): out[oc, h·r + i, w·r + j] = in[oc·r² + i·r + j, h, w].
  Tensor t = input.reshape({batch, oc, r, r, h, w}).permute({0, 1, 4, 2, 5, 3});
  Shape out = lead;
  out.insert(out.end(), {oc, h * r, w * r});
  return t.reshape(out);
}

Tensor pixel_unshuffle(const Tensor& input, int64_t downscale_factor) {
  const int64_t r = downscale_factor;
  NABLA_CHECK(input.defined() && input.dim() >= 3,
              "pixel_unshuffle: expected an input of at least 3 dims (*, C, H·r, W·r), got shape ",
              input.defined() ? input.shape() : Shape{});
  NABLA_CHECK(r > 0, "pixel_unshuffle: downscale_factor must be positive, got ", r);
  const int64_t nd = input.dim();
  const int64_t c = input.size(nd - 3), h = input.size(nd - 2), w = input.size(nd - 1);
  NABLA_CHECK(h % r == 0 && w % r == 0, "pixel_unshuffle: height and width (", h, ", ", w,
              ") must be divisible by downscale_factor ", r, ", got shape ", input.shape());
  Shape lead(input.shape().begin(), input.shape().end() - 3);
  int64_t batch = 1;
  for (int64_t s : lead) batch *= s;
  // (B, C, H/r, r, W/r, r) —permute→ (B, C, r, r, H/r, W/r), the inverse of pixel_shuffle's permutation.
  Tensor t = input.reshape({batch, c, h / r, r, w / r, r}).permute({0, 1, 3, 5, 2, 4});
  Shape out = lead;
  out.insert(out.end(), {c * r * r, h / r, w / r});
  return t.reshape(out);
}

}  // namespace nabla::nn::functional
