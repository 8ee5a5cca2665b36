#pragma once
// nabla::viz — plots as self-contained SVG text and images as PNG: training curves, scatter
// plots of embeddings, confusion matrices, weight templates. Nothing here needs a display or a
// plotting package; every file opens in a web browser or an image viewer.
#include <cstdint>
#include <string>
#include <vector>

#include "nabla/tensor.h"

namespace nabla::viz {

/// One line of a line plot: points (x[i], y[i]) joined in order. Non-finite y values break the line.
struct Series {
  std::string label;
  std::vector<double> x, y;
};

/// Titles and axis options shared by every plot.
struct PlotOptions {
  std::string title, x_label, y_label;
  bool log_x = false, log_y = false;
  int width = 720, height = 480;  ///< pixels
};

/// A line plot of several series with axes, ticks, grid and a legend, as an SVG document.
/// Raises Error on mismatched x/y lengths or, with a log axis, non-positive values.
std::string line_plot_svg(const std::vector<Series>& series, const PlotOptions& opt = {});

/// A scatter plot, one colour per label (class_names[label] in the legend; labels must be in
/// [0, class_names.size()) when names are given), as an SVG document.
std::string scatter_plot_svg(const std::vector<double>& x, const std::vector<double>& y,
                             const std::vector<int64_t>& labels,
                             const std::vector<std::string>& class_names, const PlotOptions& opt = {});

/// A rows×cols matrix (row-major `values`) as an annotated heatmap, e.g. a confusion matrix
/// (rows = true class, cols = predicted). Labels may be empty (indices are shown).
std::string heatmap_svg(const std::vector<double>& values, int64_t rows, int64_t cols,
                        const std::vector<std::string>& row_labels,
                        const std::vector<std::string>& col_labels, const PlotOptions& opt = {});

/// PNG bytes of an image tensor [C, H, W] or [H, W] with C = 1 (grey) or 3 (RGB); float32 or
/// float64 values in [0, 1] (clamped, NaN → 0).
std::vector<uint8_t> encode_png(const Tensor& image);

/// Writes encode_png(image) to `path` atomically (temporary file, fsync, rename).
void write_png(const std::string& path, const Tensor& image);

/// Tiles images [N, C, H, W] into one [C, H', W'] image, `nrow` images per row, `padding`
/// pixels of 0 between them. normalize=true rescales each image to [0, 1] by its own min/max
/// (weight templates, filters). The result is float32.
Tensor make_grid(const Tensor& images, int64_t nrow = 8, int64_t padding = 2, bool normalize = false);

/// Writes text (an SVG, CSV, …) to `path` atomically (temporary file, fsync, rename).
void write_text_atomic(const std::string& path, const std::string& text);

}  // namespace nabla::viz
