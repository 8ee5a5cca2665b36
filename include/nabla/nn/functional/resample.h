#pragma once
// nn::functional resampling: interpolate / upsample (nearest, linear, bilinear) and
// pixel_shuffle / pixel_unshuffle, with PyTorch's formulas and defaults.
#include <optional>
#include <string>
#include <vector>

#include "nabla/tensor.h"

namespace nabla::nn::functional {

/// Resizes (N, C, L), (N, C, H, W) or (N, C, D, H, W) to `size` (one value or one per spatial
/// dim), or by `scale_factor` (one or one per dim; output = floor(in · scale)). Exactly one of
/// size and scale_factor must be given.
/// mode: "nearest" (any rank; src = min(floor(dst · s), in − 1)), "linear" (3-d input) or
/// "bilinear" (4-d input). align_corners may only be set for linear/bilinear (default false):
/// true maps the corner pixels' centres onto each other, s = (in − 1)/(out − 1); false uses
/// pixel areas, src = max(s · (dst + ½) − ½, 0). When a scale_factor is given, s = 1/scale_factor
/// (PyTorch's default), unless recompute_scale_factor, then s = in/out.
Tensor interpolate(const Tensor& input, const std::optional<IntList>& size = std::nullopt,
                   const std::optional<std::vector<double>>& scale_factor = std::nullopt,
                   const std::string& mode = "nearest", std::optional<bool> align_corners = std::nullopt,
                   std::optional<bool> recompute_scale_factor = std::nullopt);

/// Same as interpolate (PyTorch's deprecated alias).
Tensor upsample(const Tensor& input, const std::optional<IntList>& size = std::nullopt,
                const std::optional<std::vector<double>>& scale_factor = std::nullopt,
                const std::string& mode = "nearest", std::optional<bool> align_corners = std::nullopt);

/// Rearranges (*, C·r², H, W) into (*, C, H·r, W·r): out[c, h·r + i, w·r + j] = in[c·r² + i·r + j, h, w].
Tensor pixel_shuffle(const Tensor& input, int64_t upscale_factor);
/// Inverse of pixel_shuffle: (*, C, H·r, W·r) → (*, C·r², H, W).
Tensor pixel_unshuffle(const Tensor& input, int64_t downscale_factor);

}  // namespace nabla::nn::functional
