// Random image transforms: crops, flips, rotation, colour jitter, erasing and cutout.
#include <algorithm>
#include <cmath>

#include "data/image_util.h"
#include "data/random_util.h"
#include "nabla/data/transforms.h"
#include "nabla/error.h"
#include "nabla/ops.h"
#include "ops/image_kernels.h"
#include "ops/nn_kernels.h"

namespace nabla::data::transforms {

using detail::image_chw;
using detail::uniform_int;
using detail::uniform_real;

// ---- RandomCrop --------------------------------------------------------------------------------------

RandomCrop::RandomCrop(int64_t size, int64_t pad, PaddingMode mode, double fill_value)
    : RandomCrop(size, size, {pad, pad, pad, pad}, mode, fill_value) {}

RandomCrop::RandomCrop(int64_t h, int64_t w, std::array<int64_t, 4> pad, PaddingMode mode, double fill_value,
                       bool pad_if_small)
    : height(h), width(w), padding(pad), pad_if_needed(pad_if_small), fill(fill_value), padding_mode(mode) {
  NABLA_CHECK(h >= 1 && w >= 1, "RandomCrop: size must be positive, got ", h, "x", w);
  for (int64_t p : pad) NABLA_CHECK(p >= 0, "RandomCrop: padding must be non-negative, got ", p);
}

Tensor RandomCrop::operator()(const Tensor& x, Generator& gen) const {
  Tensor img = image_chw(x, "RandomCrop");
  if (padding != std::array<int64_t, 4>{0, 0, 0, 0}) img = pad_image(img, padding, padding_mode, fill);
  if (pad_if_needed && img.size(2) < width) {
    const int64_t d = width - img.size(2);
    img = pad_image(img, {d, 0, d, 0}, padding_mode, fill);
  }
  if (pad_if_needed && img.size(1) < height) {
    const int64_t d = height - img.size(1);
    img = pad_image(img, {0, d, 0, d}, padding_mode, fill);
  }
  const int64_t h = img.size(1), w = img.size(2);
  NABLA_CHECK(h >= height && w >= width, "RandomCrop: crop ", height, "x", width, " is larger than the (padded) image ",
              h, "x", w);
  const int64_t top = uniform_int(gen, 0, h - height + 1), left = uniform_int(gen, 0, w - width + 1);
  return crop_image(img, top, left, height, width);
}

// ---- RandomResizedCrop ----------------------------------------------------------------------------------

RandomResizedCrop::RandomResizedCrop(int64_t h, int64_t w, std::pair<double, double> s, std::pair<double, double> r)
    : height(h), width(w), scale(s), ratio(r) {
  NABLA_CHECK(h >= 1 && w >= 1, "RandomResizedCrop: size must be positive, got ", h, "x", w);
  NABLA_CHECK(s.first > 0 && s.first <= s.second && r.first > 0 && r.first <= r.second,
              "RandomResizedCrop: expected 0 < scale.min <= scale.max and 0 < ratio.min <= ratio.max, got scale (",
              s.first, ", ", s.second, "), ratio (", r.first, ", ", r.second, ")");
}

std::array<int64_t, 4> RandomResizedCrop::get_params(int64_t h, int64_t w, std::pair<double, double> scale,
                                                     std::pair<double, double> ratio, Generator& gen) {
  const double area = static_cast<double>(h * w);
  const double log_lo = std::log(ratio.first), log_hi = std::log(ratio.second);
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double target = area * uniform_real(gen, scale.first, scale.second);
    const double aspect = std::exp(uniform_real(gen, log_lo, log_hi));
    const int64_t cw = std::llround(std::sqrt(target * aspect)), ch = std::llround(std::sqrt(target / aspect));
    if (cw > 0 && cw <= w && ch > 0 && ch <= h) {
      const int64_t top = uniform_int(gen, 0, h - ch + 1), left = uniform_int(gen, 0, w - cw + 1);
      return {top, left, ch, cw};
    }
  }
  // Fallback: the largest centre crop whose aspect ratio lies in the range.
  const double in_ratio = static_cast<double>(w) / static_cast<double>(h);
  int64_t cw = w, ch = h;
  if (in_ratio < ratio.first) {
    ch = std::llround(static_cast<double>(w) / ratio.first);
  } else if (in_ratio > ratio.second) {
    cw = std::llround(static_cast<double>(h) * ratio.second);
  }
  ch = std::clamp<int64_t>(ch, 1, h);
  cw = std::clamp<int64_t>(cw, 1, w);
  return {(h - ch) / 2, (w - cw) / 2, ch, cw};
}

Tensor RandomResizedCrop::operator()(const Tensor& x, Generator& gen) const {
  Tensor img = image_chw(x, "RandomResizedCrop");
  auto [top, left, ch, cw] = get_params(img.size(1), img.size(2), scale, ratio, gen);
  return resize_image(crop_image(img, top, left, ch, cw), height, width);
}

// ---- RandomHorizontalFlip ----------------------------------------------------------------------------------

RandomHorizontalFlip::RandomHorizontalFlip(double prob) : p(prob) {
  NABLA_CHECK(prob >= 0 && prob <= 1, "RandomHorizontalFlip: p must lie in [0, 1], got ", prob);
}

Tensor RandomHorizontalFlip::operator()(const Tensor& x, Generator& gen) const {
  return gen.next_double() < p ? hflip_image(x) : x;
}

// ---- RandomRotation ------------------------------------------------------------------------------------------

RandomRotation::RandomRotation(double degrees, Interpolation interp, double fill_value)
    : RandomRotation(-degrees, degrees, interp, fill_value) {
  NABLA_CHECK(degrees >= 0, "RandomRotation: a single degrees value must be non-negative, got ", degrees);
}

RandomRotation::RandomRotation(double lo, double hi, Interpolation interp, double fill_value)
    : min_degrees(lo), max_degrees(hi), interpolation(interp), fill(fill_value) {
  NABLA_CHECK(lo <= hi, "RandomRotation: expected min_degrees <= max_degrees, got ", lo, " and ", hi);
}

Tensor RandomRotation::operator()(const Tensor& x, Generator& gen) const {
  return rotate_image(x, uniform_real(gen, min_degrees, max_degrees), interpolation, fill);
}

// ---- ColorJitter -------------------------------------------------------------------------------------------------

Tensor adjust_brightness(const Tensor& x, double factor) {
  NABLA_CHECK(factor >= 0, "adjust_brightness: factor must be non-negative, got ", factor);
  return ops::blend_clamped(image_chw(x, "adjust_brightness"), Tensor(), 0.0f, factor);
}

Tensor adjust_contrast(const Tensor& x, double factor) {
  NABLA_CHECK(factor >= 0, "adjust_contrast: factor must be non-negative, got ", factor);
  Tensor img = image_chw(x, "adjust_contrast");
  const Tensor g = ops::grayscale(img, "adjust_contrast");
  const double mean = ops::ordered_sum(g) / static_cast<double>(g.numel());
  return ops::blend_clamped(img, Tensor(), static_cast<float>(mean), factor);
}

Tensor adjust_saturation(const Tensor& x, double factor) {
  NABLA_CHECK(factor >= 0, "adjust_saturation: factor must be non-negative, got ", factor);
  Tensor img = image_chw(x, "adjust_saturation");
  if (img.size(0) == 1) return img;  // a grey image has no saturation (torchvision returns it)
  return ops::blend_clamped(img, ops::grayscale(img, "adjust_saturation"), 0.0f, factor);
}

ColorJitter::ColorJitter(double b, double c, double s) : brightness(b), contrast(c), saturation(s) {
  NABLA_CHECK(b >= 0 && c >= 0 && s >= 0, "ColorJitter: settings must be non-negative, got brightness ", b,
              ", contrast ", c, ", saturation ", s);
}

Tensor ColorJitter::operator()(const Tensor& x, Generator& gen) const {
  Tensor img = image_chw(x, "ColorJitter");
  std::vector<int64_t> order = detail::permutation(3, gen);
  const double settings[3] = {brightness, contrast, saturation};
  double factors[3];
  for (int k = 0; k < 3; ++k)
    factors[k] = settings[k] > 0 ? uniform_real(gen, std::max(0.0, 1.0 - settings[k]), 1.0 + settings[k]) : 1.0;
  for (int64_t k : order) {
    if (settings[k] <= 0) continue;
    if (k == 0) img = adjust_brightness(img, factors[0]);
    if (k == 1) img = adjust_contrast(img, factors[1]);
    if (k == 2) img = adjust_saturation(img, factors[2]);
  }
  return img;
}

// ---- RandomErasing and Cutout -----------------------------------------------------------------------------------

namespace {
void fill_box(Tensor& img, int64_t top, int64_t left, int64_t h, int64_t w, float value) {
  img.slice(1, top, top + h).slice(2, left, left + w).fill_(value);
}
}  // namespace

RandomErasing::RandomErasing(double prob, std::pair<double, double> s, std::pair<double, double> r, double v)
    : p(prob), scale(s), ratio(r), value(v) {
  NABLA_CHECK(prob >= 0 && prob <= 1, "RandomErasing: p must lie in [0, 1], got ", prob);
  NABLA_CHECK(s.first >= 0 && s.first <= s.second && s.second <= 1 && r.first > 0 && r.first <= r.second,
              "RandomErasing: expected 0 <= scale.min <= scale.max <= 1 and 0 < ratio.min <= ratio.max");
}

Tensor RandomErasing::operator()(const Tensor& x, Generator& gen) const {
  Tensor img = image_chw(x, "RandomErasing");
  if (gen.next_double() >= p) return img;
  const int64_t h = img.size(1), w = img.size(2);
  const double area = static_cast<double>(h * w);
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double erase_area = area * uniform_real(gen, scale.first, scale.second);
    const double aspect = std::exp(uniform_real(gen, std::log(ratio.first), std::log(ratio.second)));
    const int64_t eh = std::llround(std::sqrt(erase_area * aspect)), ew = std::llround(std::sqrt(erase_area / aspect));
    if (!(eh < h && ew < w) || eh < 1 || ew < 1) continue;
    const int64_t top = uniform_int(gen, 0, h - eh + 1), left = uniform_int(gen, 0, w - ew + 1);
    Tensor out = img.is_same(x) ? img.clone() : img;
    fill_box(out, top, left, eh, ew, static_cast<float>(value));
    return out;
  }
  return img;
}

Cutout::Cutout(int64_t s, int64_t n, double v) : size(s), holes(n), value(v) {
  NABLA_CHECK(s >= 1 && n >= 0, "Cutout: expected size >= 1 and holes >= 0, got ", s, " and ", n);
}

Tensor Cutout::operator()(const Tensor& x, Generator& gen) const {
  Tensor img = image_chw(x, "Cutout");
  Tensor out = img.is_same(x) ? img.clone() : img;
  const int64_t h = out.size(1), w = out.size(2);
  for (int64_t k = 0; k < holes; ++k) {
    const int64_t cy = uniform_int(gen, 0, h), cx = uniform_int(gen, 0, w);
    const int64_t y0 = std::max<int64_t>(cy - size / 2, 0), y1 = std::min<int64_t>(cy - size / 2 + size, h);
    const int64_t x0 = std::max<int64_t>(cx - size / 2, 0), x1 = std::min<int64_t>(cx - size / 2 + size, w);
    fill_box(out, y0, x0, y1 - y0, x1 - x0, static_cast<float>(value));
  }
  return out;
}

}  // namespace nabla::data::transforms
