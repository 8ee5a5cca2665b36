#pragma once
// Hand-designed image features: HOG (Dalal & Triggs, 2005) and colour histograms.
#include <cstdint>

#include "nabla/tensor.h"

namespace nabla::classic {

/// HOG parameters. The defaults describe the computation of skimage.feature.hog with
/// orientations=9, pixels_per_cell=(4, 4), cells_per_block=(2, 2), block_norm="L2-Hys":
///  1. gradients by centred differences [−1, 0, 1] (not halved), 0 on the image border; for
///     colour images each pixel takes the channel with the largest gradient magnitude;
///  2. unsigned orientation θ = atan2(g_row, g_col) mod 180°, hard-assigned to one of
///     `orientations` equal bins; each cell's histogram is the sum of the magnitudes in the bin
///     divided by the cell's pixel count (cells cover ⌊H/cell⌋ × ⌊W/cell⌋, the rest is ignored);
///  3. overlapping blocks of block_size × block_size cells, stride one cell, each normalised by
///     L2-Hys: v/√(‖v‖² + ε²), clipped at `clip`, normalised again (ε = 1e-5).
struct HOGOptions {
  int64_t orientations = 9;
  int64_t cell_size = 4;        ///< pixels per cell side
  int64_t block_size = 2;       ///< cells per block side
  double clip = 0.2;            ///< L2-Hys clipping threshold
  bool transform_sqrt = false;  ///< gamma compression: take √ of the (non-negative) image first
};

/// Length of the HOG vector of an H × W image: blocks_r · blocks_c · block_size² · orientations.
int64_t hog_feature_size(int64_t height, int64_t width, const HOGOptions& options = {});
/// HOG descriptor (F,) float32 of one image (H, W) or (C, H, W), float32/float64.
Tensor hog(const Tensor& image, const HOGOptions& options = {});
/// HOG descriptors (N, F) float32 of images (N, H, W) or (N, C, H, W); images run in parallel.
Tensor hog_batch(const Tensor& images, const HOGOptions& options = {});

/// Colour histogram layout.
enum class HistogramMode {
  PerChannel,  ///< one histogram of `bins` per channel, concatenated (C · bins values)
  Joint,       ///< one histogram over colour cells: bins^C values, channel 0 varying slowest
};

/// Colour histogram parameters. Values are binned over [range_min, range_max] in equal bins;
/// values outside the range count in the first or last bin.
struct ColorHistogramOptions {
  int64_t bins = 8;
  HistogramMode mode = HistogramMode::PerChannel;
  double range_min = 0.0;
  double range_max = 1.0;
  bool normalize = true;  ///< divide counts by the pixel count (each channel's histogram sums to 1)
};

/// Colour histogram (F,) float32 of one image (C, H, W) or (H, W).
Tensor color_histogram(const Tensor& image, const ColorHistogramOptions& options = {});
/// Colour histograms (N, F) float32 of images (N, C, H, W).
Tensor color_histogram_batch(const Tensor& images, const ColorHistogramOptions& options = {});

}  // namespace nabla::classic
