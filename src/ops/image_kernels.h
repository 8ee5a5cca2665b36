#pragma once
// Per-pixel image kernels of the data transforms that no general tensor op expresses exactly
// (rotation by inverse mapping, clamped blends, luma): here, behind the device seam, so the data
// layer reads no data pointer (docs/design.md, "Devices"). Images are contiguous float32 (C, H, W).
#include "nabla/tensor.h"

namespace nabla::ops {

/// `img` rotated counter-clockwise by `degrees` about its centre, sampled nearest (`nearest`) or
/// bilinearly from the source; points outside the source read `fill`.
Tensor rotate_image(const Tensor& img, double degrees, bool nearest, double fill);

/// f·img + (1 − f)·other clamped to [0, 1], with `other` a contiguous float32 (H·W) per-pixel
/// image shared by the channels, or undefined for the constant `other_value`.
Tensor blend_clamped(const Tensor& img, const Tensor& other, float other_value, double factor);

/// The luma 0.2989·R + 0.587·G + 0.114·B of an RGB image, or the channel of a grey one, as a
/// float32 (H·W) tensor. Raises an Error naming `op` for other channel counts.
Tensor grayscale(const Tensor& img, const char* op);

}  // namespace nabla::ops
