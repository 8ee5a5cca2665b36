// Deterministic image transforms and helpers: Compose, ToTensor, Normalize, mean/std, padding,
// cropping, resizing, flipping and rotation.
#include <cmath>

#include "data/image_util.h"
#include "nabla/data/transforms.h"
#include "nabla/error.h"
#include "nabla/ops.h"
#include "nabla/nn/functional/resample.h"
#include "ops/image_kernels.h"

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
  return div(src, 255.0);  // as torchvision: x.float().div(255)
}

Normalize::Normalize(std::vector<double> m, std::vector<double> s) : mean(std::move(m)), std(std::move(s)) {
  NABLA_CHECK(!mean.empty() && !std.empty(), "Normalize: mean and std must be non-empty");
  for (double v : std) NABLA_CHECK(v != 0.0, "Normalize: std must be non-zero, got ", std);
}

Tensor Normalize::operator()(const Tensor& x, Generator&) const {
  Tensor src = image_chw(x, "Normalize");
  const int64_t c = src.size(0);
  auto per_channel = [&](const std::vector<double>& v, const char* name) {
    NABLA_CHECK(v.size() == 1 || static_cast<int64_t>(v.size()) == c, "Normalize: ", name, " has ", v.size(),
                " values but the image has ", c, " channels");
  };
  per_channel(mean, "mean");
  per_channel(std, "std");
  // (x − m)·(1/s) per channel, in float32 as before: two broadcast ops over (C, 1, 1) columns.
  std::vector<float> m(c), inv(c);
  for (int64_t ch = 0; ch < c; ++ch) {
    m[ch] = static_cast<float>(mean[mean.size() == 1 ? 0 : ch]);
    inv[ch] = static_cast<float>(1.0 / std[std.size() == 1 ? 0 : ch]);
  }
  return mul(sub(src, from_vector(m, Shape{c, 1, 1})), from_vector(inv, Shape{c, 1, 1}));
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
    const Tensor v = img.to(DType::Float64).reshape({c, hw});
    const std::vector<double> s = nabla::sum(v, {1}).to_vector<double>();
    const std::vector<double> s2 = nabla::sum(v * v, {1}).to_vector<double>();
    for (int64_t ch = 0; ch < c; ++ch) {
      sum[ch] += s[ch];
      sum_sq[ch] += s2[ch];
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
  Tensor acc;  // float64 running sum, element by element in sample order
  for (int64_t i = 0; i < dataset.size(); ++i) {
    const Tensor x = dataset.get(i).input.to(DType::Float64);
    if (i == 0) acc = zeros(x.shape(), DType::Float64);
    NABLA_CHECK(x.shape() == acc.shape(), "compute_mean_image: sample ", i, " has shape ", shape_str(x.shape()),
                ", sample 0 has ", shape_str(acc.shape()));
    acc.add_(x);
  }
  return div(acc, static_cast<double>(dataset.size())).to(DType::Float32);
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
  const int64_t h = src.size(1), w = src.size(2);
  const auto [left, top, right, bottom] = padding;
  NABLA_CHECK(left >= 0 && top >= 0 && right >= 0 && bottom >= 0, "pad_image: padding must be non-negative, got ",
              std::vector<int64_t>(padding.begin(), padding.end()));
  if (mode == PaddingMode::Reflect)
    NABLA_CHECK(std::max(left, right) < w && std::max(top, bottom) < h,
                "pad_image: reflect padding must be smaller than the image size ", h, "x", w, ", got ",
                std::vector<int64_t>(padding.begin(), padding.end()));
  const int64_t oh = h + top + bottom, ow = w + left + right;
  if (mode == PaddingMode::Constant)
    return pad(src, {left, right, top, bottom}, PadMode::Constant, static_cast<float>(fill));
  // The other modes read a source pixel everywhere: gather the padded rows, then the padded columns.
  std::vector<int64_t> rows(oh), cols(ow);
  for (int64_t i = 0; i < oh; ++i) rows[i] = pad_source(i - top, h, mode);
  for (int64_t j = 0; j < ow; ++j) cols[j] = pad_source(j - left, w, mode);
  return index_select(index_select(src, 1, from_vector(rows)), 2, from_vector(cols));
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
  const int64_t w = src.size(2);
  std::vector<int64_t> reversed(w);
  for (int64_t j = 0; j < w; ++j) reversed[j] = w - 1 - j;
  return index_select(src, 2, from_vector(reversed));
}

Tensor rotate_image(const Tensor& x, double degrees, Interpolation interpolation, double fill) {
  Tensor src = image_chw(x, "rotate_image");
  return ops::rotate_image(src, degrees, interpolation == Interpolation::Nearest, fill);
}

Tensor Resize::operator()(const Tensor& x, Generator&) const { return resize_image(x, height, width); }

}  // namespace nabla::data::transforms
