// Image kernels of the data transforms (ops/image_kernels.h).
#include "ops/image_kernels.h"

#include <algorithm>
#include <cmath>

#include "nabla/error.h"
#include "ops/device_dispatch.h"

namespace nabla::ops {

Tensor rotate_image(const Tensor& img, double degrees, bool nearest, double fill) {
  const int64_t c = img.size(0), h = img.size(1), w = img.size(2);
  const double a = degrees * M_PI / 180.0, ca = std::cos(a), sa = std::sin(a);
  // Output pixel centre (x', y') relative to the image centre, y pointing down; a
  // counter-clockwise rotation on screen maps it back to the source point
  // x = x'·cos a − y'·sin a, y = x'·sin a + y'·cos a.
  const double cx = 0.5 * static_cast<double>(w), cy = 0.5 * static_cast<double>(h);
  Tensor out = empty(img.shape());
  dispatch_device(img, "rotate_image", [&] {
    const float* s = img.data_ptr<float>();
    float* d = out.data_ptr<float>();
    const float f = static_cast<float>(fill);
    auto at = [&](int64_t ch, int64_t i, int64_t j) -> float {
      return (i < 0 || i >= h || j < 0 || j >= w) ? f : s[(ch * h + i) * w + j];
    };
    for (int64_t i = 0; i < h; ++i)
      for (int64_t j = 0; j < w; ++j) {
        const double xo = j + 0.5 - cx, yo = i + 0.5 - cy;
        const double sx = xo * ca - yo * sa + cx - 0.5, sy = xo * sa + yo * ca + cy - 0.5;  // source indices
        if (nearest) {
          const int64_t si = static_cast<int64_t>(std::floor(sy + 0.5)), sj = static_cast<int64_t>(std::floor(sx + 0.5));
          for (int64_t ch = 0; ch < c; ++ch) d[(ch * h + i) * w + j] = at(ch, si, sj);
        } else {
          const double fy = std::floor(sy), fx = std::floor(sx);
          const int64_t i0 = static_cast<int64_t>(fy), j0 = static_cast<int64_t>(fx);
          const double ty = sy - fy, tx = sx - fx;
          for (int64_t ch = 0; ch < c; ++ch)
            d[(ch * h + i) * w + j] = static_cast<float>(
                (1 - ty) * ((1 - tx) * at(ch, i0, j0) + tx * at(ch, i0, j0 + 1)) +
                ty * ((1 - tx) * at(ch, i0 + 1, j0) + tx * at(ch, i0 + 1, j0 + 1)));
        }
      }
  });
  return out;
}

Tensor blend_clamped(const Tensor& img, const Tensor& other, float other_value, double factor) {
  const int64_t c = img.size(0), hw = img.size(1) * img.size(2);
  Tensor out = empty(img.shape());
  dispatch_device(img, "blend", [&] {
    const float* s = img.data_ptr<float>();
    const float* o = other.defined() ? other.data_ptr<float>() : nullptr;
    float* d = out.data_ptr<float>();
    const float f = static_cast<float>(factor);
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t k = 0; k < hw; ++k) {
        const float ov = o ? o[k] : other_value;
        d[ch * hw + k] = std::clamp(f * s[ch * hw + k] + (1.0f - f) * ov, 0.0f, 1.0f);
      }
  });
  return out;
}

Tensor grayscale(const Tensor& img, const char* op) {
  const int64_t c = img.size(0), hw = img.size(1) * img.size(2);
  NABLA_CHECK(c == 1 || c == 3, op, ": expected 1 or 3 channels, got ", c);
  Tensor g = empty({hw});
  dispatch_device(img, op, [&] {
    const float* s = img.data_ptr<float>();
    float* d = g.data_ptr<float>();
    for (int64_t k = 0; k < hw; ++k)
      d[k] = c == 1 ? s[k] : 0.2989f * s[k] + 0.587f * s[hw + k] + 0.114f * s[2 * hw + k];
  });
  return g;
}

}  // namespace nabla::ops
