#pragma once
// float32 convolutions through oneDNN (the library PyTorch's CPU convolutions use). Same
// contract as the im2col kernels of kernels/cpu/conv.h (contiguous NC… tensors, shapes in
// ConvGeometry's names); each function returns false, touching nothing, when it does not apply
// (backend forced to im2col, an empty batch, or oneDNN rejects the geometry),
// and the caller then runs the im2col kernel.
//
// Primitives are created once per (operation, geometry, bias, thread count, algorithm) and
// cached: creating one costs far more than running it on small shapes. Tensors keep nabla's plain layouts
// (ncw/nchw/ncdhw, [g]oi…); oneDNN's own blocked layouts are used inside a call when the
// primitive prefers them, with reorders in and out.
//
// Determinism: for a fixed thread count every result is bitwise reproducible. The weight
// gradient's reduction order depends on the thread count, so it may differ in the last bits
// between thread counts (the im2col path does not).
#include <memory>
#include <vector>

#include "kernels/cpu/conv_geometry.h"

namespace nabla::cpu {

/// Which implementation float32 convolutions use. Auto: oneDNN wherever it supports the geometry
/// (it measured faster than im2col on every benchmarked shape, docs/nn-conv.md), except the 3 × 3
/// convolutions that nabla's own Winograd kernels take on CPUs without AVX-512 (conv_own_winograd,
/// kernels/cpu/conv.h). OneDnn: oneDNN only. float64 always uses im2col.
enum class ConvBackendChoice { Auto, OneDnn, Im2col };

/// The backend in use: set_conv_backend_choice's value, else Auto. The kernels read no
/// environment: ops::set_conv_backend (src/ops/backend.cpp) sets this, and applies NABLA_CONV_BACKEND.
ConvBackendChoice conv_backend_choice();
/// Overrides the backend for all later convolutions (process-wide).
void set_conv_backend_choice(ConvBackendChoice choice);
/// Whether primitives created from now on must use plain layouts (default false: oneDNN picks
/// blocked ones). Set by ops::set_dnnl_layout (src/ops/backend.cpp).
bool dnnl_plain_layout();
void set_dnnl_plain_layout(bool plain);

/// oneDNN's algorithm for float32 convolutions. Direct: the direct kernels everywhere (what
/// PyTorch's CPU convolutions run). Winograd: oneDNN's Winograd kernels for every 2-d 3×3
/// convolution of stride 1 without dilation or groups (fewer multiplications; results differ from
/// the direct ones by rounding), direct elsewhere. Auto: Winograd where it measured faster (training
/// primitives: at least 64 input and output channels, 4 × 4 outputs and 512 output positions;
/// inference primitives: at least 16 channels), direct elsewhere. Blocked layouts only; a geometry oneDNN's Winograd kernels reject
/// runs direct. Without AVX-512 oneDNN has no Winograd kernels and nabla's own take their place
/// under the same setting (conv_own_winograd, kernels/cpu/conv.h).
enum class ConvAlgorithmChoice { Auto, Direct, Winograd };
/// The algorithm setting for primitives created from now on; set by ops::set_conv_algorithm.
ConvAlgorithmChoice conv_algorithm_choice();
void set_conv_algorithm_choice(ConvAlgorithmChoice choice);

/// A tensor already converted to a primitive's (blocked) layout, kept by the caller so that the
/// conversion is not run again: weights in the forward's layout, kept per weight tensor while the
/// weights do not change (ops/nn_conv.cpp does during inference); a convolution's input in the
/// weight gradient's layout, kept from the forward to the backward (training). Immutable once made.
struct ConvBlocked;
using ConvBlockedPtr = std::shared_ptr<const ConvBlocked>;

/// One convolution of a chain (conv_forward_chain): its geometry, weights, bias (may be null) and
/// activation; `packed` (may be null) keeps the converted weights as conv_dnnl_forward's does.
/// The chain's values are its input (0) and the steps' outputs (k: step k − 1's); a step reads
/// value `src` (−1: the previous step's output) and adds value `add` (−1: none; same shape as its
/// output) before its activation.
template <class T>
struct ConvChainStep {
  ConvGeometry g;
  const T* w = nullptr;
  const T* bias = nullptr;
  FusedActivation act = FusedActivation::None;
  ConvBlockedPtr* packed = nullptr;
  int src = -1, add = -1;
  bool finite = true;  // w and bias hold no NaN or infinity (conv_forward_chain's post-ops need it)
};

/// Whether oneDNN has Winograd kernels on this CPU (they need AVX-512).
bool conv_dnnl_has_winograd();

/// Whether the training forward of `g` (no bias) runs oneDNN's Winograd kernel under the current
/// settings (its backward primitives use the same algorithm), or with `inference` the inference
/// primitive of a chain link (conv_dnnl_forward_chain); for tests and diagnostics.
bool conv_dnnl_winograd(const ConvGeometry& g, bool inference = false);

/// y = conv(x, w) + bias (bias may be null) through oneDNN. False when not applicable.
/// With `packed` (may be null): the weights are taken from *packed when it holds w converted for
/// this call's primitive; otherwise w is converted and *packed set to the result (left as it is
/// when the primitive reads w's plain layout directly). w may be null: the call then runs only when
/// *packed already holds the converted weights (w is not read) and returns false otherwise. With
/// `keep_x` (may be null): *keep_x is set to x in the weight-gradient primitive's layout when the
/// forward converts x to that same layout anyway (null otherwise), for conv_dnnl_backward(_weight).
/// Results are bitwise the same.
bool conv_dnnl_forward(const float* x, const float* w, const float* bias, float* y, const ConvGeometry& g,
                       ConvBlockedPtr* packed = nullptr, ConvBlockedPtr* keep_x = nullptr);

/// The channel block B of the training forward's own output layout when that is a channel-blocked
/// one of batch_norm_blocked.h ((N, K/B, O…, B): B = 16 where oneDNN runs AVX-512 kernels, 8 with
/// AVX2), else 0 (oneDNN does not apply, or its output layout is another).
int64_t conv_dnnl_output_block(const ConvGeometry& g);

/// Training forward y = conv(x, w) (no bias) written in the channel-blocked layout of block
/// `block` (conv_dnnl_output_block's; y_blocked holds N·K·O… floats), for a BatchNorm that reads it
/// there (no conversion to the plain layout). keep_x as conv_dnnl_forward's. False, touching
/// nothing, when oneDNN does not apply or its output layout is another.
bool conv_dnnl_forward_blocked(const float* x, const float* w, float* y_blocked, const ConvGeometry& g, int64_t block,
                               ConvBlockedPtr* keep_x = nullptr);

/// conv_dnnl_backward with gy in the channel-blocked layout of block `block` (as
/// conv_dnnl_forward_blocked writes y); gx or gw may be null (not wanted). False, touching
/// nothing, when the primitives do not read gy in that layout.
bool conv_dnnl_backward_blocked(const float* x, const float* gy_blocked, const float* w, float* gx, float* gw,
                                const ConvGeometry& g, int64_t block, const ConvBlocked* x_blocked = nullptr);

/// Convolutions applied in turn for inference (conv_forward_chain) through oneDNN, every step's
/// sum and activation as post-ops of its convolution and the intermediate results kept in the
/// primitives' own layouts (no conversion to the plain layout and back between steps). False,
/// touching nothing, when oneDNN does not apply to every step.
bool conv_dnnl_forward_chain(const float* x, const std::vector<ConvChainStep<float>>& steps, const float* residual,
                             float* y);

/// gx = ∂L/∂x given gy through oneDNN. False when not applicable.
bool conv_dnnl_backward_input(const float* gy, const float* w, float* gx, const ConvGeometry& g);

/// gw = ∂L/∂w given x and gy through oneDNN. False when not applicable. `x_blocked` (may be
/// null): x as conv_dnnl_forward's keep_x made it, used instead of converting x again.
bool conv_dnnl_backward_weight(const float* x, const float* gy, float* gw, const ConvGeometry& g,
                               const ConvBlocked* x_blocked = nullptr);

/// Both gradients at once (gx as conv_dnnl_backward_input, gw as conv_dnnl_backward_weight):
/// gy is converted to oneDNN's layout once for the two primitives, and `x_blocked` as in
/// conv_dnnl_backward_weight. False when not applicable.
bool conv_dnnl_backward(const float* x, const float* gy, const float* w, float* gx, float* gw, const ConvGeometry& g,
                        const ConvBlocked* x_blocked = nullptr);

}  // namespace nabla::cpu
