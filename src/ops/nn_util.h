#pragma once
// Small tensor-level helpers of nn that read elements on hot paths (the dropout mask drawn every
// step, the gradient norms of clip_grad_norm_): here, behind the device seam, so nn reads no
// data pointer (docs/design.md, "Devices").
#include "nabla/random.h"
#include "nabla/tensor.h"

namespace nabla::ops {

/// A tensor of `shape` and floating `dtype` whose elements are `scale` with probability `keep`,
/// else 0, drawn one per element in row-major order from `gen` (the default generator when null).
Tensor dropout_keep_mask(const Shape& shape, double keep, double scale, DType dtype, Generator* gen);

/// ‖g‖_p of a floating tensor (p > 0 or inf), accumulated in double in index order
/// (deterministic); NaN when an element is NaN (p = inf). Raises Error naming `op` for other dtypes.
double grad_norm_double(const Tensor& g, double p, const char* op);

}  // namespace nabla::ops
