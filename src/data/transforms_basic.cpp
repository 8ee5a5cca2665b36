// Deterministic image transforms and helpers: Compose, ToTensor, Normalize, mean/std, padding,
// cropping, resizing, flipping and rotation.
#include <cmath>
#include <cstring>

#include "data/image_util.h"
#include "nabla/data/transforms.h"
#include "nabla/error.h"
#include "nabla/ops.h"
#include "nabla/nn/functional/resample.h"

namespace nabla::data::detail {

Tensor image_chw(const Tensor& x, const char* who) {
  NABLA_CHECK(x.defined() && x.dim() == 3, who, ": expected an image (C, H, W), got ",
              x.defined() ? shape_str(x.shape()) : std::string("an undefined tensor"));
  Tensor y = x.dtype() == DType::Float32 ? x : x.to(DType::Float32);
  return y.is_contiguous() ? y : y.contiguous();
}

}  // namespace nabla::data::detail

namespace nabla::data::transforms {

using detail::image_chw;

Tensor Compose::operator()(const Tensor& x, Generator& gen) const {
  Tensor y = x;
  for (const auto& t : transforms) y = t(y, gen);
  return y;
}

Tensor ToTensor::operator()(const Tensor& x, Generator&) const {
  NABLA_CHECK(x.defined() && (x.dim() == 2 || x.dim() == 3), "ToTensor: expected an image (H, W) or (C, H, W), got ",
              x.defined() ? shape_str(x.shape()) : std::string("an undefined tensor"));
  Tensor src = image_chw(x.dim() == 2 ? x.unsqueeze(0) : x, "ToTensor");
  Tensor out = empty(src.shape());
  const float* s = src.data_ptr<float>();
  float* d = out.data_ptr<float>();
  const int64_t n = src.numel();
  for (int64_t i = 0; i < n; ++i) d[i] = s[i] / 255.0f;  // as torchvision: x.float().div(255)
  return out;
}

Normalize::Normalize(std::vector<double> m, std::vector<double> s) : mean(std::move(m)), std(std::move(s)) {
  NABLA_CHECK(!mean.empty() && !std.empty(), "Normalize: mean and std must be non-empty");
  for (double v : std) NABLA_CHECK(v != 0.0, "Normalize: std must be non-zero, got ", std);
}

Tensor Normalize::operator()(const Tensor& x, Generator&) const {
  Tensor src = image_chw(x, "Normalize");
  const int64_t c = src.size(0), hw = src.size(1) * src.size(2);
  auto per_channel = [&](const std::vector<double>& v, const char* name) {
    NABLA_CHECK(v.size() == 1 || static_cast<int64_t>(v.size()) == c, "Normalize: ", name, " has ", v.size(),
                " values but the image has ", c, " channels");
  };
  per_channel(mean, "mean");
  per_channel(std, "std");
  Tensor out = empty(src.shape());
  const float* s = src.data_ptr<float>();
  float* d = out.data_ptr<float>();
  for (int64_t ch = 0; ch < c; ++ch) {
    const float m = static_cast<float>(mean[mean.size() == 1 ? 0 : ch]);
    const float inv = static_cast<float>(1.0 / std[std.size() == 1 ? 0 : ch]);
    for (int64_t i = 0; i < hw; ++i) d[ch * hw + i] = (s[ch * hw + i] - m) * inv;
  }
  return out;
}

std::pair<std::vector<double>, std::vector<double>> compute_mean_std(const Dataset& dataset) {
  NABLA_CHECK(dataset.size() > 0, "compute_mean_std: the dataset is empty");
  std::vector<double> sum, sum_sq;
  int64_t count = 0;  // pixels per channel
  for (int64_t i = 0; i < dataset.size(); ++i) {
    Tensor img = image_chw(dataset.get(i).input, "compute_mean_std");
    const int64_t c = img.size(0), hw = img.size(1) * img.size(2);
    if (sum.empty()) sum.assign(c, 0.0), sum_sq.assign(c, 0.0);
    NABLA_CHECK(static_cast<int64_t>(sum.size()) == c, "compute_mean_std: sample ", i, " has ", c,
                " channels, sample 0 has ", sum.size());
    const float* p = img.data_ptr<float>();
    for (int64_t ch = 0; ch < c; ++ch) {
      double s = 0, s2 = 0;
      for (int64_t k = 0; k < hw; ++k) {
        const double v = p[ch * hw + k];
        s += v;
        s2 += v * v;
      }
      sum[ch] += s;
      sum_sq[ch] += s2;
    }
    count += hw;
  }
  std::vector<double> mean(sum.size()), stdev(sum.size());
  for (size_t ch = 0; ch < sum.size(); ++ch) {
    mean[ch] = sum[ch] / static_cast<double>(count);
    stdev[ch] = std::sqrt(std::max(0.0, sum_sq[ch] / static_cast<double>(count) - mean[ch] * mean[ch]));
  }
  return {mean, stdev};
}

Tensor compute_mean_image(const Dataset& dataset) {
  NABLA_CHECK(dataset.size() > 0, "compute_mean_image: the dataset is empty");
  std::vector<double> acc;
  Shape shape;
  for (int64_t i = 0; i < dataset.size(); ++i) {
    Tensor x = dataset.get(i).input.to(DType::Float64).contiguous();
    if (i == 0) shape = x.shape(), acc.assign(x.numel(), 0.0);
    NABLA_CHECK(x.shape() == shape, "compute_mean_image: sample ", i, " has shape ", shape_str(x.shape()),
                ", sample 0 has ", shape_str(shape));
    const double* p = x.data_ptr<double>();
    for (size_t k = 0; k < acc.size(); ++k) acc[k] += p[k];
  }
  for (double& v : acc) v /= static_cast<double>(dataset.size());
  return from_vector(acc, shape).to(DType::Float32);
}

SubtractMeanImage::SubtractMeanImage(Tensor mean) : mean_image(mean.to(DType::Float32).contiguous()) {}

Tensor SubtractMeanImage::operator()(const Tensor& x, Generator&) const {
  NABLA_CHECK(x.shape() == mean_image.shape(), "SubtractMeanImage: image shape ", shape_str(x.shape()),
              " differs from the mean image's ", shape_str(mean_image.shape()));
  return (x.to(DType::Float32) - mean_image).contiguous();
}

namespace {
/// Source index for padded position p (may be outside [0, n)) under `mode`; −1 means "fill".
int64_t pad_source(int64_t p, int64_t n, PaddingMode mode) {
  if (p >= 0 && p < n) return p;
  switch (mode) {
    case PaddingMode::Constant: return -1;
    case PaddingMode::Edge: return p < 0 ? 0 : n - 1;
    case PaddingMode::Reflect: {  // d c b | a b c d | c b a
      if (n == 1) return 0;
      const int64_t period = 2 * (n - 1);
      int64_t q = ((p % period) + period) % period;
      return q < n ? q : period - q;
    }
    case PaddingMode::Symmetric: {  // c b a | a b c d | d c b
      const int64_t period = 2 * n;
      int64_t q = ((p % period) + period) % period;
      return q < n ? q : period - 1 - q;
    }
  }
  return -1;
}
}  // namespace

Tensor pad_image(const Tensor& x, std::array<int64_t, 4> padding, PaddingMode mode, double fill) {
  Tensor src = image_chw(x, "pad_image");
  const int64_t c = src.size(0), h = src.size(1), w = src.size(2);
  const auto [left, top, right, bottom] = padding;
  NABLA_CHECK(left >= 0 && top >= 0 && right >= 0 && bottom >= 0, "pad_image: padding must be non-negative, got ",
              std::vector<int64_t>(padding.begin(), padding.end()));
  if (mode == PaddingMode::Reflect)
    NABLA_CHECK(std::max(left, right) < w && std::max(top, bottom) < h,
                "pad_image: reflect padding must be smaller than the image size ", h, "x", w, ", got ",
                std::vector<int64_t>(padding.begin(), padding.end()));
  const int64_t oh = h + top + bottom, ow = w + left + right;
  Tensor out = empty({c, oh, ow});
  const float* s = src.data_ptr<float>();
  float* d = out.data_ptr<float>();
  std::vector<int64_t> col(ow);
  for (int64_t j = 0; j < ow; ++j) col[j] = pad_source(j - left, w, mode);
  for (int64_t ch = 0; ch < c; ++ch)
    for (int64_t i = 0; i < oh; ++i) {
      const int64_t si = pad_source(i - top, h, mode);
      float* row = d + (ch * oh + i) * ow;
      for (int64_t j = 0; j < ow; ++j)
        row[j] = (si < 0 || col[j] < 0) ? static_cast<float>(fill) : s[(ch * h + si) * w + col[j]];
    }
  return out;
}

Tensor crop_image(const Tensor& x, int64_t top, int64_t left, int64_t height, int64_t width) {
  Tensor src = image_chw(x, "crop_image");
  NABLA_CHECK(height >= 1 && width >= 1 && top >= 0 && left >= 0 && top + height <= src.size(1) &&
                  left + width <= src.size(2),
              "crop_image: window (top ", top, ", left ", left, ", height ", height, ", width ", width,
              ") does not fit in an image of ", src.size(1), "x", src.size(2));
  return src.slice(1, top, top + height).slice(2, left, left + width).contiguous();
}

Tensor resize_image(const Tensor& x, int64_t height, int64_t width) {
  Tensor src = image_chw(x, "resize_image");
  NABLA_CHECK(height >= 1 && width >= 1, "resize_image: size must be positive, got ", height, "x", width);
  if (src.size(1) == height && src.size(2) == width) return src;
  return nn::functional::interpolate(src.unsqueeze(0), IntList{height, width}, std::nullopt, "bilinear", false)
      .squeeze(0)
      .contiguous();
}

Tensor hflip_image(const Tensor& x) {
  Tensor src = image_chw(x, "hflip_image");
  const int64_t rows = src.size(0) * src.size(1), w = src.size(2);
  Tensor out = empty(src.shape());
  const float* s = src.data_ptr<float>();
  float* d = out.data_ptr<float>();
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < w; ++j) d[r * w + j] = s[r * w + (w - 1 - j)];
  return out;
}

Tensor rotate_image(const Tensor& x, double degrees, Interpolation interpolation, double fill) {
  Tensor src = image_chw(x, "rotate_image");
  const int64_t c = src.size(0), h = src.size(1), w = src.size(2);
  const double a = degrees * M_PI / 180.0, ca = std::cos(a), sa = std::sin(a);
  // Output pixel centre (x', y') relative to the image centre, y pointing down; a
  // counter-clockwise rotation on screen maps it back to the source point
  // x = x'·cos a − y'·sin a, y = x'·sin a + y'·cos a.
  const double cx = 0.5 * static_cast<double>(w), cy = 0.5 * static_cast<double>(h);
  Tensor out = empty(src.shape());
  const float* s = src.data_ptr<float>();
  float* d = out.data_ptr<float>();
  const float f = static_cast<float>(fill);
  auto at = [&](int64_t ch, int64_t i, int64_t j) -> float {
    return (i < 0 || i >= h || j < 0 || j >= w) ? f : s[(ch * h + i) * w + j];
  };
  for (int64_t i = 0; i < h; ++i)
    for (int64_t j = 0; j < w; ++j) {
      const double xo = j + 0.5 - cx, yo = i + 0.5 - cy;
      const double sx = xo * ca - yo * sa + cx - 0.5, sy = xo * sa + yo * ca + cy - 0.5;  // source indices
      if (interpolation == Interpolation::Nearest) {
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
  return out;
}

Tensor Resize::operator()(const Tensor& x, Generator&) const { return resize_image(x, height, width); }

}  // namespace nabla::data::transforms
