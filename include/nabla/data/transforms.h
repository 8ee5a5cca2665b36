#pragma once
// Image transforms (torchvision.transforms). Each is a callable (const Tensor&, Generator&) →
// Tensor and converts to data::Transform; random ones draw only from the Generator given.
//
// Image convention: nabla's readers store images as uint8 tensors (data::read_image returns
// uint8 (C, H, W)) and their get()/get_batch() yield float32 (C, H, W) holding the raw 0–255
// pixel values, so every transform works on one float type (the channel-first layout is made at
// read time). ToTensor scales them into [0, 1], as torchvision's ToTensor does. Geometric
// transforms (crops, flips, rotation, erasing) work on either scale; ColorJitter and Normalize
// expect the [0, 1] scale, so place them after ToTensor.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "nabla/data/dataloader.h"
#include "nabla/data/dataset.h"

namespace nabla::data::transforms {

/// Applies transforms one after the other, sharing the Generator.
struct Compose {
  std::vector<Transform> transforms;
  explicit Compose(std::vector<Transform> ts) : transforms(std::move(ts)) {}
  Tensor operator()(const Tensor& x, Generator& gen) const;
};

/// Raw image (H, W) or (C, H, W) with 0–255 values → float32 (C, H, W) in [0, 1] (divides by 255).
struct ToTensor {
  Tensor operator()(const Tensor& x, Generator& gen) const;
};

/// (x − mean[c]) / std[c] per channel of a (C, H, W) image; one value applies to every channel.
struct Normalize {
  std::vector<double> mean, std;
  Normalize(std::vector<double> mean, std::vector<double> std);
  Tensor operator()(const Tensor& x, Generator& gen) const;
};

/// Per-channel mean and (population) standard deviation over every pixel of every input of
/// `dataset` (inputs (C, H, W), read with get()).
std::pair<std::vector<double>, std::vector<double>> compute_mean_std(const Dataset& dataset);

/// The mean input of `dataset` (same shape as its inputs, float32).
Tensor compute_mean_image(const Dataset& dataset);

/// Subtracts a fixed mean image (mean image preprocessing); shapes must match.
struct SubtractMeanImage {
  Tensor mean_image;
  explicit SubtractMeanImage(Tensor mean);
  Tensor operator()(const Tensor& x, Generator& gen) const;
};

/// How padding fills the border (torchvision's padding_mode).
enum class PaddingMode { Constant, Edge, Reflect, Symmetric };

/// Pads a (C, H, W) image by (left, top, right, bottom) pixels.
Tensor pad_image(const Tensor& x, std::array<int64_t, 4> padding, PaddingMode mode = PaddingMode::Constant,
                 double fill = 0.0);

/// Crops (C, H, W) rows [top, top+height) and columns [left, left+width) (must lie inside).
Tensor crop_image(const Tensor& x, int64_t top, int64_t left, int64_t height, int64_t width);

/// Resizes (C, H, W) to (height, width) by bilinear interpolation (align_corners false, no
/// antialiasing — torchvision's tensor Resize with antialias=False).
Tensor resize_image(const Tensor& x, int64_t height, int64_t width);

/// Mirrors (C, H, W) left–right.
Tensor hflip_image(const Tensor& x);

/// Interpolation of the resampling transforms.
enum class Interpolation { Nearest, Bilinear };

/// Rotates (C, H, W) counter-clockwise by `degrees` about the image centre, keeping the size;
/// pixels that come from outside the image take `fill`.
Tensor rotate_image(const Tensor& x, double degrees, Interpolation interpolation = Interpolation::Nearest,
                    double fill = 0.0);

/// Fixed-size resize.
struct Resize {
  int64_t height, width;
  Resize(int64_t height, int64_t width) : height(height), width(width) {}
  Tensor operator()(const Tensor& x, Generator& gen) const;
};

/// Pads (optional), then crops a random (height, width) window (torchvision RandomCrop).
/// pad_if_needed pads images smaller than the crop.
struct RandomCrop {
  int64_t height, width;
  std::array<int64_t, 4> padding{0, 0, 0, 0};  // left, top, right, bottom
  bool pad_if_needed = false;
  double fill = 0.0;
  PaddingMode padding_mode = PaddingMode::Constant;
  /// Square crop with the same padding on every side.
  explicit RandomCrop(int64_t size, int64_t padding = 0, PaddingMode mode = PaddingMode::Constant, double fill = 0.0);
  RandomCrop(int64_t height, int64_t width, std::array<int64_t, 4> padding, PaddingMode mode = PaddingMode::Constant,
             double fill = 0.0, bool pad_if_needed = false);
  Tensor operator()(const Tensor& x, Generator& gen) const;
};

/// Crops a random area (fraction in `scale`) of random aspect ratio (log-uniform in `ratio`) and
/// resizes it bilinearly to (height, width); after 10 failed attempts, a centre crop clamped to
/// the ratio range (torchvision RandomResizedCrop).
struct RandomResizedCrop {
  int64_t height, width;
  std::pair<double, double> scale{0.08, 1.0};
  std::pair<double, double> ratio{3.0 / 4.0, 4.0 / 3.0};
  RandomResizedCrop(int64_t height, int64_t width, std::pair<double, double> scale = {0.08, 1.0},
                    std::pair<double, double> ratio = {3.0 / 4.0, 4.0 / 3.0});
  Tensor operator()(const Tensor& x, Generator& gen) const;
  /// The crop (top, left, height, width) chosen for an image of size (h, w).
  static std::array<int64_t, 4> get_params(int64_t h, int64_t w, std::pair<double, double> scale,
                                           std::pair<double, double> ratio, Generator& gen);
};

/// Mirrors left–right with probability p.
struct RandomHorizontalFlip {
  double p = 0.5;
  explicit RandomHorizontalFlip(double p = 0.5);
  Tensor operator()(const Tensor& x, Generator& gen) const;
};

/// Rotates by an angle uniform in [min_degrees, max_degrees] (torchvision RandomRotation).
struct RandomRotation {
  double min_degrees, max_degrees;
  Interpolation interpolation = Interpolation::Nearest;
  double fill = 0.0;
  /// Angles in [−degrees, degrees].
  explicit RandomRotation(double degrees, Interpolation interpolation = Interpolation::Nearest, double fill = 0.0);
  RandomRotation(double min_degrees, double max_degrees, Interpolation interpolation = Interpolation::Nearest,
                 double fill = 0.0);
  Tensor operator()(const Tensor& x, Generator& gen) const;
};

/// Random brightness, contrast and saturation changes applied in random order, with
/// torchvision's formulas on [0, 1] images: brightness x·f; contrast f·x + (1 − f)·mean(gray(x));
/// saturation f·x + (1 − f)·gray(x), gray = 0.2989 R + 0.587 G + 0.114 B; each result clamped to
/// [0, 1]. Each factor f is uniform in [max(0, 1 − v), 1 + v] for the setting v (0 disables).
struct ColorJitter {
  double brightness = 0, contrast = 0, saturation = 0;
  ColorJitter(double brightness = 0, double contrast = 0, double saturation = 0);
  Tensor operator()(const Tensor& x, Generator& gen) const;
};

/// Brightness, contrast and saturation adjustments with a given factor (ColorJitter's steps).
Tensor adjust_brightness(const Tensor& x, double factor);
Tensor adjust_contrast(const Tensor& x, double factor);
Tensor adjust_saturation(const Tensor& x, double factor);

/// With probability p, erases a random rectangle of area fraction in `scale` and aspect ratio in
/// `ratio` (log-uniform), filling it with `value` (torchvision RandomErasing; 10 attempts, else
/// the image is unchanged).
struct RandomErasing {
  double p = 0.5;
  std::pair<double, double> scale{0.02, 0.33};
  std::pair<double, double> ratio{0.3, 3.3};
  double value = 0.0;
  RandomErasing(double p = 0.5, std::pair<double, double> scale = {0.02, 0.33},
                std::pair<double, double> ratio = {0.3, 3.3}, double value = 0.0);
  Tensor operator()(const Tensor& x, Generator& gen) const;
};

/// Cutout (DeVries & Taylor): `holes` squares of side `size`, centred uniformly over the image and
/// clipped at its border, set to `value`.
struct Cutout {
  int64_t size;
  int64_t holes = 1;
  double value = 0.0;
  explicit Cutout(int64_t size, int64_t holes = 1, double value = 0.0);
  Tensor operator()(const Tensor& x, Generator& gen) const;
};

/// Batch-level MixUp: λ ~ Beta(α, α); inputs λ·x + (1 − λ)·x_rolled and targets
/// λ·onehot(y) + (1 − λ)·onehot(y_rolled), where "rolled" shifts the batch by one (torchvision v2).
/// Targets may be int64 class indices (N) or probabilities (N, num_classes); the result's
/// targets are float32 probabilities, usable by nn::functional::cross_entropy.
struct MixUp {
  double alpha = 1.0;
  int64_t num_classes;
  explicit MixUp(int64_t num_classes, double alpha = 1.0);
  Batch operator()(const Batch& batch, Generator& gen) const;
};

/// Batch-level CutMix: λ ~ Beta(α, α); a box of side ½·√(1 − λ)·(W, H) around a uniform centre
/// (clipped) is pasted from the rolled batch, and targets mix with λ = 1 − box area / image area.
struct CutMix {
  double alpha = 1.0;
  int64_t num_classes;
  explicit CutMix(int64_t num_classes, double alpha = 1.0);
  Batch operator()(const Batch& batch, Generator& gen) const;
};

/// Class indices (N) int64 → float32 one-hot (N, num_classes); probability targets pass through.
Tensor soft_targets(const Tensor& target, int64_t num_classes, const char* who);

}  // namespace nabla::data::transforms
