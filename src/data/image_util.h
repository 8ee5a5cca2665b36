#pragma once
// Private helpers of the image transforms: argument checks and plain pixel loops.
#include <cstdint>

#include "nabla/tensor.h"

namespace nabla::data::detail {

/// `x` as a contiguous float32 (C, H, W) tensor (a copy only when needed); raises Error naming
/// `who` for other ranks.
Tensor image_chw(const Tensor& x, const char* who);

}  // namespace nabla::data::detail
