#pragma once
// What the image models of the zoo share: which stem to build for an input size, and reading the
// channel count of a (C, H, W) data shape.
#include <cstdint>
#include <string>

#include "nabla/models/registry.h"

namespace nabla::models {

/// Whether a zoo model builds its small-input variant (a stem without the early downsampling, for
/// 28×28 or 32×32 images). `stem` is "auto" (small when the input's height or width is below 64),
/// "imagenet" or "small"; `model` names the model in errors. Another stem, or a shape that is not
/// (C, H, W), raises Error.
bool use_small_stem(const std::string& stem, const DataShape& shape, const std::string& model);

/// The channel count C of an image data shape (C, H, W); another rank raises Error naming `model`.
int64_t image_channels(const DataShape& shape, const std::string& model);

}  // namespace nabla::models
