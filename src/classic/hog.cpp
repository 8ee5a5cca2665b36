#include <cmath>
#include <vector>

#include "nabla/classic/features.h"
#include "nabla/error.h"

namespace nabla::classic {

namespace {

void check_hog_options(const HOGOptions& o, const char* fn) {
  NABLA_CHECK(o.orientations >= 1, fn, ": orientations must be >= 1, got ", o.orientations);
  NABLA_CHECK(o.cell_size >= 1, fn, ": cell_size must be >= 1, got ", o.cell_size);
  NABLA_CHECK(o.block_size >= 1, fn, ": block_size must be >= 1, got ", o.block_size);
  NABLA_CHECK(o.clip > 0, fn, ": clip must be > 0, got ", o.clip);
}

// HOG of one image: img is (channels, h, w) row-major doubles; writes hog_feature_size values.
void hog_kernel(const double* img, int64_t channels, int64_t h, int64_t w, const HOGOptions& o, float* out) {
  const int64_t hw = h * w;
  std::vector<double> mag(static_cast<size_t>(hw), 0.0), ang(static_cast<size_t>(hw), 0.0);
  for (int64_t ch = 0; ch < channels; ++ch) {
    const double* p = img + ch * hw;
    for (int64_t r = 0; r < h; ++r)
      for (int64_t c = 0; c < w; ++c) {
        const double gr = (r > 0 && r + 1 < h) ? p[(r + 1) * w + c] - p[(r - 1) * w + c] : 0.0;
        const double gc = (c > 0 && c + 1 < w) ? p[r * w + c + 1] - p[r * w + c - 1] : 0.0;
        const double m = std::hypot(gr, gc);
        // Colour: keep the channel with the strongest gradient (first one on ties).
        if (ch == 0 || m > mag[r * w + c]) {
          mag[r * w + c] = m;
          double deg = std::atan2(gr, gc) * 180.0 / M_PI;
          deg = std::fmod(deg, 180.0);
          if (deg < 0) deg += 180.0;
          ang[r * w + c] = deg;
        }
      }
  }
  const int64_t nb = o.orientations, cell = o.cell_size, blk = o.block_size;
  const int64_t cells_r = h / cell, cells_c = w / cell;
  const double bin_width = 180.0 / static_cast<double>(nb);
  std::vector<double> hist(static_cast<size_t>(cells_r * cells_c * nb), 0.0);
  for (int64_t cr = 0; cr < cells_r; ++cr)
    for (int64_t cc = 0; cc < cells_c; ++cc) {
      double* hc = hist.data() + (cr * cells_c + cc) * nb;
      for (int64_t r = cr * cell; r < (cr + 1) * cell; ++r)
        for (int64_t c = cc * cell; c < (cc + 1) * cell; ++c) {
          const int64_t bin = std::min(nb - 1, static_cast<int64_t>(ang[r * w + c] / bin_width));
          hc[bin] += mag[r * w + c];
        }
      for (int64_t b = 0; b < nb; ++b) hc[b] /= static_cast<double>(cell * cell);
    }
  const int64_t blocks_r = cells_r - blk + 1, blocks_c = cells_c - blk + 1, len = blk * blk * nb;
  constexpr double eps = 1e-5;
  std::vector<double> v(static_cast<size_t>(len));
  for (int64_t br = 0; br < blocks_r; ++br)
    for (int64_t bc = 0; bc < blocks_c; ++bc) {
      int64_t k = 0;
      for (int64_t r = 0; r < blk; ++r)
        for (int64_t c = 0; c < blk; ++c)
          for (int64_t b = 0; b < nb; ++b) v[k++] = hist[((br + r) * cells_c + (bc + c)) * nb + b];
      // L2-Hys: L2-normalise, clip, L2-normalise again.
      double ss = 0;
      for (double e : v) ss += e * e;
      double norm = std::sqrt(ss + eps * eps);
      ss = 0;
      for (double& e : v) {
        e = std::min(e / norm, o.clip);
        ss += e * e;
      }
      norm = std::sqrt(ss + eps * eps);
      float* dst = out + (br * blocks_c + bc) * len;
      for (int64_t i = 0; i < len; ++i) dst[i] = static_cast<float>(v[i] / norm);
    }
}

}  // namespace

int64_t hog_feature_size(int64_t height, int64_t width, const HOGOptions& o) {
  check_hog_options(o, "hog_feature_size");
  const int64_t cells_r = height / o.cell_size, cells_c = width / o.cell_size;
  NABLA_CHECK(cells_r >= o.block_size && cells_c >= o.block_size, "hog: an image of ", height, "x", width,
              " has ", cells_r, "x", cells_c, " cells of ", o.cell_size, " pixels, fewer than one block of ",
              o.block_size, "x", o.block_size, " cells");
  return (cells_r - o.block_size + 1) * (cells_c - o.block_size + 1) * o.block_size * o.block_size * o.orientations;
}

Tensor hog_batch(const Tensor& images, const HOGOptions& o) {
  const char* fn = "hog_batch";
  check_hog_options(o, fn);
  NABLA_CHECK(images.dim() == 3 || images.dim() == 4, fn, ": expected images (N, H, W) or (N, C, H, W), got shape ",
              images.shape());
  NABLA_CHECK(images.dtype() == DType::Float32 || images.dtype() == DType::Float64, fn,
              ": expected float32 or float64 images, got ", dtype_name(images.dtype()));
  const int64_t n = images.size(0), channels = images.dim() == 4 ? images.size(1) : 1;
  const int64_t h = images.size(-2), w = images.size(-1);
  NABLA_CHECK(channels >= 1, fn, ": images have no channels (shape ", images.shape(), ")");
  const int64_t f = hog_feature_size(h, w, o);
  std::vector<double> px = images.contiguous().to_vector<double>();
  if (o.transform_sqrt)
    for (size_t i = 0; i < px.size(); ++i) {
      NABLA_CHECK(px[i] >= 0, fn, ": transform_sqrt needs non-negative pixels, got ", px[i]);
      px[i] = std::sqrt(px[i]);
    }
  Tensor out = empty({n, f});
  float* po = out.data_ptr<float>();
  const int64_t image_size = channels * h * w;
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) hog_kernel(px.data() + i * image_size, channels, h, w, o, po + i * f);
  return out;
}

Tensor hog(const Tensor& image, const HOGOptions& o) {
  NABLA_CHECK(image.dim() == 2 || image.dim() == 3, "hog: expected an image (H, W) or (C, H, W), got shape ",
              image.shape());
  return hog_batch(image.unsqueeze(0), o).squeeze(0);
}

}  // namespace nabla::classic
