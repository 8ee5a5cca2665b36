#include <cmath>
#include <vector>

#include "nabla/classic/features.h"
#include "nabla/error.h"

namespace nabla::classic {

namespace {

int64_t bin_of(double v, const ColorHistogramOptions& o) {
  const double t = (v - o.range_min) / (o.range_max - o.range_min) * static_cast<double>(o.bins);
  if (!(t > 0)) return 0;  // also NaN
  return std::min(o.bins - 1, static_cast<int64_t>(t));
}

}  // namespace

Tensor color_histogram_batch(const Tensor& images, const ColorHistogramOptions& o) {
  const char* fn = "color_histogram_batch";
  NABLA_CHECK(o.bins >= 1, fn, ": bins must be >= 1, got ", o.bins);
  NABLA_CHECK(o.range_max > o.range_min, fn, ": range_max must exceed range_min, got [", o.range_min, ", ",
              o.range_max, "]");
  NABLA_CHECK(images.dim() == 4, fn, ": expected images (N, C, H, W), got shape ", images.shape());
  const int64_t n = images.size(0), c = images.size(1), hw = images.size(2) * images.size(3);
  NABLA_CHECK(c >= 1 && hw >= 1, fn, ": images of shape ", images.shape(), " have no pixels");
  const bool joint = o.mode == HistogramMode::Joint;
  double joint_size = std::pow(static_cast<double>(o.bins), static_cast<double>(c));
  NABLA_CHECK(!joint || joint_size <= 16777216.0, fn, ": a joint histogram of ", o.bins, " bins over ", c,
              " channels would have ", joint_size, " cells (limit 2^24)");
  const int64_t f = joint ? static_cast<int64_t>(joint_size) : c * o.bins;
  const std::vector<double> px = images.contiguous().to_vector<double>();
  Tensor out = zeros({n, f});
  float* po = out.data_ptr<float>();
  const float scale = o.normalize ? 1.0f / static_cast<float>(hw) : 1.0f;
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    const double* img = px.data() + i * c * hw;
    float* h = po + i * f;
    for (int64_t p = 0; p < hw; ++p) {
      if (joint) {
        int64_t cell = 0;
        for (int64_t ch = 0; ch < c; ++ch) cell = cell * o.bins + bin_of(img[ch * hw + p], o);
        h[cell] += scale;
      } else {
        for (int64_t ch = 0; ch < c; ++ch) h[ch * o.bins + bin_of(img[ch * hw + p], o)] += scale;
      }
    }
  }
  return out;
}

Tensor color_histogram(const Tensor& image, const ColorHistogramOptions& o) {
  NABLA_CHECK(image.dim() == 2 || image.dim() == 3, "color_histogram: expected an image (C, H, W) or (H, W), got shape ",
              image.shape());
  const Tensor chw = image.dim() == 2 ? image.unsqueeze(0) : image;
  return color_histogram_batch(chw.unsqueeze(0), o).squeeze(0);
}

}  // namespace nabla::classic
