// Resampling Modules: Upsample, PixelShuffle, PixelUnshuffle.
#include "nabla/nn/resample.h"

#include <charconv>

#include "nabla/nn/functional/resample.h"
#include "nn/in_layer.h"

namespace nabla::nn {
namespace {

namespace F = nabla::nn::functional;

using detail::in_layer;

// Python's repr of a float: shortest round trip, ".0" on integral values.
std::string py_float(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, end);
  if (s.find_first_of(".eni") == std::string::npos) s += ".0";
  return s;
}

// One value prints bare, several as a tuple: 2 / (4, 6).
template <class V, class Fmt>
std::string py_values(const V& v, Fmt&& fmt) {
  if (v.size() == 1) return fmt(v[0]);
  std::string s = "(";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + fmt(v[i]);
  return s + ")";
}

}  // namespace

Upsample::Upsample(const UpsampleOptions& o)
    : size(o.size.empty() ? std::nullopt : std::optional<IntList>(o.size)),
      scale_factor(o.scale_factor.empty() ? std::nullopt : std::optional<std::vector<double>>(o.scale_factor)),
      mode(o.mode),
      align_corners(o.align_corners) {}

Tensor Upsample::forward(const Tensor& input) {
  return in_layer(*this, [&] { return F::interpolate(input, size, scale_factor, mode, align_corners); });
}

std::string Upsample::extra_repr() const {
  std::string info = scale_factor ? "scale_factor=" + py_values(*scale_factor, py_float)
                     : size       ? "size=" + py_values(*size, [](int64_t v) { return std::to_string(v); })
                                  : std::string("size=None");
  return info + ", mode=" + mode;
}

Tensor PixelShuffle::forward(const Tensor& input) {
  return in_layer(*this, [&] { return F::pixel_shuffle(input, upscale_factor); });
}

Tensor PixelUnshuffle::forward(const Tensor& input) {
  return in_layer(*this, [&] { return F::pixel_unshuffle(input, downscale_factor); });
}

}  // namespace nabla::nn
