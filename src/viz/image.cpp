// PNG encoding, image grids and atomic text files for nabla::viz.
#include <stb/stb_image_write.h>

#include <algorithm>
#include <cmath>

#include "io/io_util.h"
#include "nabla/autograd.h"
#include "nabla/error.h"
#include "nabla/viz.h"

namespace nabla::viz {
namespace {

// The image as contiguous float64 [C, H, W] (a [H, W] image gets C = 1), validated.
Tensor as_chw(const Tensor& image, const char* fn) {
  NABLA_CHECK(image.defined(), fn, ": undefined tensor");
  NABLA_CHECK(image.dtype() == DType::Float32 || image.dtype() == DType::Float64, fn,
              ": expected a float32 or float64 image, got ", dtype_name(image.dtype()));
  NABLA_CHECK(image.dim() == 2 || image.dim() == 3, fn, ": expected an image [C, H, W] or [H, W], got shape ",
              shape_str(image.shape()));
  Tensor chw = image.dim() == 2 ? image.unsqueeze(0) : image;
  NABLA_CHECK(chw.size(0) == 1 || chw.size(0) == 3, fn, ": expected 1 or 3 channels, got shape ",
              shape_str(image.shape()));
  NABLA_CHECK(chw.size(1) > 0 && chw.size(2) > 0, fn, ": empty image of shape ", shape_str(image.shape()));
  return chw.detach().to(DType::Float64).contiguous();
}

void append_bytes(void* context, void* data, int size) {
  auto* out = static_cast<std::vector<uint8_t>*>(context);
  const auto* p = static_cast<const uint8_t*>(data);
  out->insert(out->end(), p, p + size);
}

}  // namespace

std::vector<uint8_t> encode_png(const Tensor& image) {
  NoGradGuard no_grad;
  Tensor chw = as_chw(image, "encode_png");
  const int64_t c = chw.size(0), h = chw.size(1), w = chw.size(2);
  NABLA_CHECK(h <= 1 << 15 && w <= 1 << 15, "encode_png: image of ", h, "x", w, " is too large");
  const double* src = chw.data_ptr<double>();
  std::vector<uint8_t> pixels(static_cast<size_t>(c * h * w));
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x)
      for (int64_t k = 0; k < c; ++k) {
        double v = src[(k * h + y) * w + x];
        v = std::isnan(v) ? 0.0 : std::clamp(v, 0.0, 1.0);
        pixels[static_cast<size_t>((y * w + x) * c + k)] = static_cast<uint8_t>(std::lround(v * 255));
      }
  std::vector<uint8_t> png;
  int ok = stbi_write_png_to_func(append_bytes, &png, static_cast<int>(w), static_cast<int>(h),
                                  static_cast<int>(c), pixels.data(), static_cast<int>(w * c));
  NABLA_CHECK(ok != 0, "encode_png: PNG encoding failed");
  return png;
}

void write_png(const std::string& path, const Tensor& image) {
  std::vector<uint8_t> png = encode_png(image);
  io::detail::AtomicFileSink sink(path, "png");
  sink.write(png.data(), png.size());
  sink.commit();
}

Tensor make_grid(const Tensor& images, int64_t nrow, int64_t padding, bool normalize) {
  NoGradGuard no_grad;
  NABLA_CHECK(images.defined() && images.dim() == 4, "make_grid: expected images [N, C, H, W], got ",
              images.defined() ? shape_str(images.shape()) : std::string("an undefined tensor"));
  NABLA_CHECK(nrow >= 1 && padding >= 0, "make_grid: need nrow >= 1 and padding >= 0, got nrow=", nrow,
              " padding=", padding);
  NABLA_CHECK(images.dtype() == DType::Float32 || images.dtype() == DType::Float64,
              "make_grid: expected float images, got ", dtype_name(images.dtype()));
  const int64_t n = images.size(0), c = images.size(1), h = images.size(2), w = images.size(3);
  NABLA_CHECK(n > 0 && c > 0 && h > 0 && w > 0, "make_grid: empty batch of shape ", shape_str(images.shape()));
  Tensor src = images.detach().to(DType::Float64).contiguous();
  const double* s = src.data_ptr<double>();
  const int64_t cols = std::min(nrow, n), rows = (n + cols - 1) / cols;
  const int64_t gh = rows * h + (rows + 1) * padding, gw = cols * w + (cols + 1) * padding;
  Tensor grid = zeros({c, gh, gw}, DType::Float64);
  double* g = grid.data_ptr<double>();
  for (int64_t i = 0; i < n; ++i) {
    const double* img = s + i * c * h * w;
    double lo = 0, scale = 1;
    if (normalize) {
      auto [mn, mx] = std::minmax_element(img, img + c * h * w);
      lo = *mn;
      scale = *mx > *mn ? 1 / (*mx - *mn) : 0;
    }
    const int64_t oy = padding + (i / cols) * (h + padding), ox = padding + (i % cols) * (w + padding);
    for (int64_t k = 0; k < c; ++k)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x)
          g[(k * gh + oy + y) * gw + ox + x] = (img[(k * h + y) * w + x] - lo) * scale;
  }
  return grid.to(DType::Float32);
}

void write_text_atomic(const std::string& path, const std::string& text) {
  io::detail::AtomicFileSink sink(path, "text");
  sink.write(text.data(), text.size());
  sink.commit();
}

}  // namespace nabla::viz
