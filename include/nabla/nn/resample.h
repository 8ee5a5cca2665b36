#pragma once
// Resampling layers: Upsample (nearest, linear, bilinear), PixelShuffle, PixelUnshuffle —
// Modules over nn::functional (resample.h) with PyTorch's arguments and printed form.
#include <optional>
#include <string>
#include <vector>

#include "nabla/nn/module.h"

namespace nabla::nn {

/// Arguments of Upsample by name (torch.nn.Upsample's names and defaults):
///   nn::Upsample({.scale_factor = {2.0}, .mode = "bilinear", .align_corners = true})
/// An empty size or scale_factor is PyTorch's None (not given); exactly one must be given.
struct UpsampleOptions {
  IntList size = {};                      ///< output spatial size (one value or one per dim)
  std::vector<double> scale_factor = {};  ///< multiplier (one value or one per dim)
  std::string mode = "nearest";           ///< "nearest", "linear", "bilinear"
  std::optional<bool> align_corners = std::nullopt;  ///< linear modes only
};

/// Resizes (N, C, *spatial) to `size` or by `scale_factor` (exactly one given), as
/// functional::interpolate. Example: Upsample({.scale_factor = {2.0}, .mode = "bilinear"}).
class Upsample : public UnaryModule {
 public:
  /// PyTorch's positional arguments and defaults.
  explicit Upsample(std::optional<IntList> size = std::nullopt,
                    std::optional<std::vector<double>> scale_factor = std::nullopt, std::string mode = "nearest",
                    std::optional<bool> align_corners = std::nullopt)
      : size(std::move(size)), scale_factor(std::move(scale_factor)), mode(std::move(mode)), align_corners(align_corners) {}
  /// The arguments by name.
  explicit Upsample(const UpsampleOptions& options);
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Upsample"; }
  /// "scale_factor=2.0, mode=nearest" or "size=(4, 6), mode=bilinear", as PyTorch.
  std::string extra_repr() const override;

  std::optional<IntList> size;
  std::optional<std::vector<double>> scale_factor;
  std::string mode;
  std::optional<bool> align_corners;
};

/// (*, C·r², H, W) → (*, C, H·r, W·r) (sub-pixel convolution's rearrangement).
class PixelShuffle : public UnaryModule {
 public:
  explicit PixelShuffle(int64_t upscale_factor) : upscale_factor(upscale_factor) {}
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "PixelShuffle"; }
  std::string extra_repr() const override { return "upscale_factor=" + std::to_string(upscale_factor); }
  int64_t upscale_factor;
};

/// (*, C, H·r, W·r) → (*, C·r², H, W), the inverse of PixelShuffle.
class PixelUnshuffle : public UnaryModule {
 public:
  explicit PixelUnshuffle(int64_t downscale_factor) : downscale_factor(downscale_factor) {}
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "PixelUnshuffle"; }
  std::string extra_repr() const override { return "downscale_factor=" + std::to_string(downscale_factor); }
  int64_t downscale_factor;
};

}  // namespace nabla::nn
