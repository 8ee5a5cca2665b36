#pragma once
// Tensor-level fused optimizer updates: the ops the optimizers' step() calls instead of
// kernels/cpu/optim.h. Each updates the parameter p and its state buffers in place from the
// gradient g, in one pass; all tensors contiguous, of p's dtype and shape (the caller's contract,
// kept by optim/update_util.h). The device is chosen through ops::dispatch_device and the dtype
// through dispatch_floating; a dtype other than float32/float64 raises an Error naming
// `optimizer`. The hyper-parameter structs are plain values shared with the kernels.
#include "kernels/cpu/optim.h"
#include "nabla/tensor.h"

namespace nabla::ops {

using AdadeltaHyper = cpu::AdadeltaHyper;
using AdagradHyper = cpu::AdagradHyper;
using AdamHyper = cpu::AdamHyper;
using RmspropHyper = cpu::RmspropHyper;
using SgdHyper = cpu::SgdHyper;

/// SGD with optional momentum buffer `buf` (undefined without momentum); `first`: the buffer is
/// new (it is set to the gradient, not blended).
void sgd_step_(const Tensor& p, const Tensor& g, const Tensor& buf, const SgdHyper& h, bool first,
               const char* optimizer);
/// Adam / AdamW; vmax undefined unless amsgrad.
void adam_step_(const Tensor& p, const Tensor& g, const Tensor& m, const Tensor& v, const Tensor& vmax,
                const AdamHyper& h, const char* optimizer);
/// Adagrad with its running sum of squared gradients.
void adagrad_step_(const Tensor& p, const Tensor& g, const Tensor& sum, const AdagradHyper& h, const char* optimizer);
/// RMSprop; grad_avg undefined unless centered, buf undefined without momentum.
void rmsprop_step_(const Tensor& p, const Tensor& g, const Tensor& square_avg, const Tensor& grad_avg,
                   const Tensor& buf, const RmspropHyper& h, const char* optimizer);
/// Adadelta.
void adadelta_step_(const Tensor& p, const Tensor& g, const Tensor& square_avg, const Tensor& acc_delta,
                    const AdadeltaHyper& h, const char* optimizer);

}  // namespace nabla::ops
