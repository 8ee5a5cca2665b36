#pragma once
// Tensor-level kernels of the nn layer: the ops that the forward and backward rules of
// nn/functional call instead of kernels/cpu. Each one checks nothing the caller has not
// checked already (shapes, dtypes and contiguity are the caller's contract, stated per op), picks
// the device through ops::dispatch_device (ops/device_dispatch.h) and the dtype through
// dispatch_floating, reads the data pointers and runs the kernel. No autograd happens here: the
// rules that record the graph stay next to their forward in nn/functional.
//
// The geometry structs are plain descriptions of a problem (sizes, strides, padding) and carry
// no device; they are shared with the kernels.
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "kernels/cpu/conv_geometry.h"
#include "kernels/cpu/pool_geometry.h"
#include "nabla/tensor.h"

namespace nabla::ops {

using ConvGeometry = cpu::ConvGeometry;
using PoolGeometry = cpu::PoolGeometry;

// ---- convolution (x, w, gy contiguous; shapes in ConvGeometry's names; `spatial` is 1, 2 or 3
// and gives the rank of the results) ---------------------------------------------------------

/// A device's own copy of a convolution's input, made by conv_forward for conv_backward (on
/// oneDNN: x in the weight gradient's blocked layout, so the backward does not convert x again).
/// Opaque; empty when the device keeps nothing.
using ConvSavedInput = std::shared_ptr<const void>;

/// y = conv(x, w) + b (b may be undefined): (N, K, O…). Float32 goes to oneDNN unless
/// nn::conv_backend() is Im2col (or oneDNN rejects the geometry), else im2col + GEMM.
/// With `reuse_packed_weights` (callers pass it when no gradient will be taken, i.e. inference),
/// w converted to oneDNN's layout is kept and reused while w's storage is alive and unwritten
/// (its version counter unchanged), unless ops::set_conv_weight_cache(false) (nabla/ops/backend.h).
/// With `save_input` (training, when w's gradient will be taken): set to what conv_backward may
/// use in place of x's conversion (left empty when ops::conv_keep_input() is off).
Tensor conv_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvGeometry& g, int64_t spatial,
                    bool reuse_packed_weights = false, ConvSavedInput* save_input = nullptr);
/// BatchNorm's eval-mode tensors (weight and bias may be undefined: no affine map), as
/// conv_batch_norm_chain folds them into a convolution; without running_mean there is no
/// BatchNorm (the convolution as it is).
struct BatchNormFold {
  Tensor running_mean, running_var, weight, bias;
  double eps = 1e-5;
};
using FusedActivation = cpu::FusedActivation;
/// One convolution → BatchNorm (→ activation) of conv_batch_norm_chain: the convolution's
/// contiguous weights w and bias b (may be undefined), its geometry, the BatchNorm to fold. The
/// chain's values are its input (0) and the links' outputs (k: link k − 1's); the link reads value
/// `src` (−1: the previous link's output) and adds value `add` (−1: none) before its activation.
struct ConvBatchNormLink {
  Tensor w, b;
  BatchNormFold bn;
  FusedActivation act = FusedActivation::None;
  ConvGeometry g;
  int src = -1, add = -1;
};
/// Inference through convolution → BatchNorm (→ activation) links applied in turn to x (each to
/// the value its `src` names), the last link adding `residual` (may be undefined; shaped like the
/// result; not with its own `add`) before its activation:
/// y = act(batch_norm(conv(x, w) + b) + residual) for one link. BatchNorm's running statistics
/// are folded into each convolution: w' = w·s[k], b' = (b − mean)·s + β with s = γ/√(var + ε).
/// On oneDNN every sum and activation runs inside its convolution and the intermediate results
/// stay in oneDNN's layouts. While ops::conv_weight_cache() is on, the folded (and converted)
/// weights are kept per weight tensor and reused while none of the six source tensors has changed
/// (storage and version counter, as the weight cache); otherwise folded on every call. No autograd.
Tensor conv_batch_norm_chain(const Tensor& x, const std::vector<ConvBatchNormLink>& links, const Tensor& residual,
                             int64_t spatial);
/// ∂L/∂x of conv given gy: (N, C, I…). Also the forward of the transposed convolution.
Tensor conv_backward_input(const Tensor& gy, const Tensor& w, const ConvGeometry& g, int64_t spatial);
/// ∂L/∂w of conv given x and gy, shaped `w_shape`.
Tensor conv_backward_weight(const Tensor& x, const Tensor& gy, const Shape& w_shape, const ConvGeometry& g);
/// Both ∂L/∂x (if need_x) and ∂L/∂w (if need_w) of conv in one call: on oneDNN gy is converted
/// to its layout once for the two, and `saved` (conv_forward's save_input, may be empty)
/// replaces x's conversion. An unrequested gradient is returned undefined.
std::pair<Tensor, Tensor> conv_backward(const Tensor& x, const Tensor& gy, const Tensor& w, const ConvGeometry& g,
                                        int64_t spatial, bool need_x, bool need_w, const ConvSavedInput& saved = {});
/// ∂L/∂b = Σ over batch and positions of gy (N, K, P…): (K).
Tensor conv_backward_bias(const Tensor& gy);
/// y[n, k, p] += b[k] in place; y is (N, K, P…) contiguous, b is (K).
void conv_add_bias_(Tensor& y, const Tensor& b);

// ---- pooling (x, gy contiguous, viewed as g.planes planes of g.in / g.out) -------------------

/// Max pooling: y shaped `out_shape`, and the flat in-plane index of each maximum (Int64, same
/// shape) when `with_indices`, else an undefined tensor.
std::pair<Tensor, Tensor> max_pool_forward(const Tensor& x, const PoolGeometry& g, const Shape& out_shape,
                                           bool with_indices);
/// ∂L/∂x of max pooling, shaped `in_shape`: each gy[o] added at indices[o].
Tensor max_pool_backward(const Tensor& gy, const Tensor& indices, const Shape& in_shape, const PoolGeometry& g);
/// Average pooling (divisor_override 0: none), shaped `out_shape`.
Tensor avg_pool_forward(const Tensor& x, const PoolGeometry& g, const Shape& out_shape, bool count_include_pad,
                        int64_t divisor_override);
/// ∂L/∂x of average pooling, shaped `in_shape`.
Tensor avg_pool_backward(const Tensor& gy, const Shape& in_shape, const PoolGeometry& g, bool count_include_pad,
                         int64_t divisor_override);
/// Adaptive average pooling of `planes` planes of sizes in → out; result shaped `out_shape`.
Tensor adaptive_avg_pool_forward(const Tensor& x, int64_t planes, const int64_t in[3], const int64_t out[3],
                                 const Shape& out_shape);
/// ∂L/∂x of adaptive average pooling, shaped `in_shape`.
Tensor adaptive_avg_pool_backward(const Tensor& gy, const Shape& in_shape, int64_t planes, const int64_t in[3],
                                  const int64_t out[3]);
/// Adaptive max pooling; indices as max_pool_forward.
std::pair<Tensor, Tensor> adaptive_max_pool_forward(const Tensor& x, int64_t planes, const int64_t in[3],
                                                    const int64_t out[3], const Shape& out_shape, bool with_indices);
/// ∂L/∂x of a max selected by per-plane indices (adaptive max pooling), shaped `in_shape`.
Tensor max_index_backward(const Tensor& gy, const Tensor& indices, const Shape& in_shape, int64_t planes,
                          int64_t in_plane, int64_t out_plane);
/// Result of max_unpool_forward: y, and the position in `indices` and value of the first index
/// outside [0, out_plane) (position −1 when all are valid; y is then complete).
struct UnpoolResult {
  Tensor y;
  int64_t bad_position = -1;
  int64_t bad_index = 0;
};
/// y (shaped `out_shape`, zero elsewhere) with y[indices[i]] = x[i] per plane.
UnpoolResult max_unpool_forward(const Tensor& x, const Tensor& indices, const Shape& out_shape, int64_t planes,
                                int64_t in_plane, int64_t out_plane);
/// Training forward of act(batch_norm(conv(x, w))) with batch statistics (conv without bias), the
/// convolution's output kept in the device's own layout for the BatchNorm passes (on oneDNN the
/// channel-blocked one: no conversion of it to the plain layout and back, in either direction). running_mean / running_var (either may be undefined) move by
/// `momentum` toward the batch statistics, as batch_norm_forward's. Returns nullopt, touching
/// nothing, when the device has no such path for this geometry (float64, im2col, a layout other
/// than 8- or 16-channel blocks): the caller then runs the convolution and batch_norm in turn.
struct ConvBatchNormTrain {
  Tensor out;         ///< (N, K, O…), plain
  Tensor conv_out;    ///< conv(x, w) in the device's layout (opaque shape), for the backward
  Tensor center, invstd, scale, shift;  ///< per channel: μ = center + offset; the affine map applied
  std::vector<double> offset;
  ConvSavedInput saved_x;  ///< as conv_forward's save_input
};
std::optional<ConvBatchNormTrain> conv_batch_norm_train_forward(const Tensor& x, const Tensor& w, const ConvGeometry& g,
                                                                int64_t spatial, const Tensor& weight,
                                                                const Tensor& bias, const Tensor& running_mean,
                                                                const Tensor& running_var, double momentum, double eps,
                                                                FusedActivation act, bool keep_x);
/// Gradients of conv_batch_norm_train_forward given gout (N, K, O…): of x, the convolution's w,
/// BatchNorm's weight and bias; each undefined unless asked for.
struct ConvBatchNormTrainGrads {
  Tensor gx, gw, gweight, gbias;
};
ConvBatchNormTrainGrads conv_batch_norm_train_backward(const Tensor& gout, const Tensor& x, const Tensor& w,
                                                       const Tensor& weight, const ConvBatchNormTrain& f,
                                                       const ConvGeometry& g, int64_t spatial, FusedActivation act,
                                                       bool need_x, bool need_w, bool need_weight, bool need_bias);
/// ∂L/∂x of max unpooling: gx[i] = gy[indices[i]], shaped `in_shape`.
Tensor max_unpool_backward(const Tensor& gy, const Tensor& indices, const Shape& in_shape, int64_t planes,
                           int64_t in_plane, int64_t out_plane);

// ---- normalisation -----------------------------------------------------------------------------

/// Gradients of a normalisation; each is undefined when not asked for.
struct NormGrads {
  Tensor gx, gw, gb;
};

/// Batch norm forward of x (contiguous, (N, C, S…) with S the product of the trailing dims): out
/// (x's shape), and the per-channel mean kept as center (C values of x's dtype) + offset
/// (double), and invstd = 1/√(σ² + eps). Training: batch statistics, and running_mean/var
/// (either may be undefined) move by `momentum` toward them; else the running stats are used.
/// out = act(y): the activation fused (None: y itself).
struct BatchNormForward {
  Tensor out, center, invstd;
  std::vector<double> offset;
};
BatchNormForward batch_norm_forward(const Tensor& x, const Tensor& weight, const Tensor& bias,
                                    const Tensor& running_mean, const Tensor& running_var, bool training,
                                    double momentum, double eps, FusedActivation act, int64_t N, int64_t C,
                                    int64_t S, const char* op);
/// Batch norm backward given g (contiguous) and the forward's x, weight w (may be undefined),
/// center, invstd and offset; y is the output of the fused activation `act` (g passes where the
/// activation's gradient does: act::fused_passes), undefined when act is None.
NormGrads batch_norm_backward(const Tensor& g, const Tensor& x, const Tensor& w, FusedActivation act, const Tensor& y,
                              const Tensor& center, const Tensor& invstd, const std::vector<double>& offset,
                              bool training, bool need_x, bool need_w, bool need_b, int64_t N, int64_t C, int64_t S,
                              const char* op);

/// Row normalisation of x (contiguous, R rows of D) with optional γ, β (D values each,
/// contiguous): out (x's shape), and the per-row mean and rstd = 1/√(σ² + eps) (R values).
struct LayerNormForward {
  Tensor out, mean, rstd;
};
LayerNormForward layer_norm_forward(const Tensor& x, const Tensor& w, const Tensor& b, int64_t R, int64_t D, double eps,
                                    const char* op);
/// Row normalisation backward; gw shaped wshape, gb bshape.
NormGrads layer_norm_backward(const Tensor& g, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                              const Tensor& w, const Shape& wshape, const Shape& bshape, bool need_x, bool need_w,
                              bool need_b, int64_t R, int64_t D, const char* op);

// ---- losses (all tensors contiguous; grad is the output gradient in x's dtype) ----------------

/// Σ of a floating tensor's elements in double, in index order (deterministic).
double ordered_sum(const Tensor& t);

/// Raises an Error naming `op` unless every element of the contiguous Int64 targets t is in
/// [0, C) or equal to ignore_index.
void check_class_targets(const Tensor& t, int64_t C, int64_t ignore_index, const char* op);

/// Per-row (or per-element) losses of a class-target loss, the log-sum-exp of each row (cross
/// entropy only) and each row's target weight (the Mean denominator's terms).
struct ClassLossForward {
  Tensor loss, lse, row_weight;
};
/// Fused softmax cross-entropy of (N, C) logits x and (N) Int64 targets t; w (C) may be undefined.
ClassLossForward cross_entropy_forward(const Tensor& x, const Tensor& t, const Tensor& w, int64_t ignore_index,
                                       double label_smoothing);
/// ∂loss/∂x (N, C). per_row_grad: grad has one value per row (reduction None), else one scalar;
/// mean: scaled by 1/denom.
Tensor cross_entropy_backward(const Tensor& grad, const Tensor& x, const Tensor& t, const Tensor& w, const Tensor& lse,
                              bool per_row_grad, bool mean, double denom, int64_t ignore_index,
                              double label_smoothing);
/// NLL of log-probabilities x viewed as (N, C, D) with targets t (N, D) (lse undefined).
ClassLossForward nll_forward(const Tensor& x, const Tensor& t, const Tensor& w, int64_t N, int64_t C, int64_t D,
                             int64_t ignore_index);
/// ∂loss/∂x shaped x_shape (zero off the targets); arguments as cross_entropy_backward.
Tensor nll_backward(const Tensor& grad, const Tensor& t, const Tensor& w, const Shape& x_shape, bool per_row_grad,
                    bool mean, double denom, int64_t N, int64_t C, int64_t D, int64_t ignore_index);
/// Element-wise binary cross-entropy of probabilities x against y; raises an Error naming `op`
/// when an x is outside [0, 1].
Tensor binary_cross_entropy_forward(const Tensor& x, const Tensor& y, const char* op);
/// (∂/∂x, ∂/∂y) of binary_cross_entropy_forward; each undefined unless asked for.
std::pair<Tensor, Tensor> binary_cross_entropy_backward(const Tensor& grad, const Tensor& x, const Tensor& y,
                                                        bool need_x, bool need_y);
/// Element-wise binary cross-entropy of logits x against y, pw (x's shape) the positive weights or
/// undefined.
Tensor bce_with_logits_forward(const Tensor& x, const Tensor& y, const Tensor& pw);
/// Gradients of bce_with_logits_forward (x's shape each); undefined unless asked for.
struct BceWithLogitsGrads {
  Tensor dx, dy, dpw;
};
BceWithLogitsGrads bce_with_logits_backward(const Tensor& grad, const Tensor& x, const Tensor& y, const Tensor& pw,
                                            bool need_x, bool need_y, bool need_pw);

// ---- activations -------------------------------------------------------------------------------

/// An elementwise activation of kernels/cpu/activation.h and its parameters: LeakyRelu
/// (p0 = negative_slope), Elu (p0 = alpha, p1 = scale), Softplus (p0 = beta, p1 = threshold),
/// Hardtanh (p0 = min_val, p1 = max_val; ReLU6 is Hardtanh(0, 6)); the others take none.
enum class ActivationKind { LeakyRelu, Elu, Gelu, GeluTanh, Silu, Softplus, Hardtanh, Hardsigmoid, Hardswish };
struct Activation {
  ActivationKind kind;
  double p0 = 0, p1 = 0;
};
/// act(x) elementwise (x of any layout).
Tensor activation_forward(const Tensor& x, const Activation& a, const char* op);
/// g · act'(x) elementwise (g broadcast against x, as map_binary does).
Tensor activation_backward(const Tensor& g, const Tensor& x, const Activation& a, const char* op);

// ---- attention ---------------------------------------------------------------------------------

/// softmax(scale·q·kᵀ)·v per head, forward only: q (B, L, H·E), k (B, S, H·E), v (B, S, H·Ev),
/// head h the columns [h·E, (h + 1)·E) (h·Ev for v), any strides with the last dim's 1 (the
/// column blocks of a packed QKV projection read in place), S ≥ 1; gives (B, L, H·Ev), contiguous,
/// the heads joined. With `causal`, key j is hidden from query i when j > i (top-left aligned) and
/// the scores above the diagonal are skipped (kernels/cpu/attention.h). No weights are kept, so
/// there is no backward. The B·H slices run in parallel, each on one thread.
Tensor attention_forward(const Tensor& q, const Tensor& k, const Tensor& v, int64_t heads, double scale, bool causal);

// ---- linear, embedding, upsampling ------------------------------------------------------------

/// out (M, N) = x (M, K) · wᵀ (w is (N, K)) + b (N, may be undefined); all contiguous.
Tensor linear_forward(const Tensor& x, const Tensor& w, const Tensor& b, int64_t M, int64_t N, int64_t K);
/// Rows w[idx[i]] of w (num, dim) (contiguous) for Int64 indices idx (contiguous), shaped
/// out_shape (idx's shape + dim); raises an Error for an index outside [0, num).
Tensor embedding_forward(const Tensor& idx, const Tensor& w, const Shape& out_shape);
/// ∂L/∂w (num, dim): row idx[i] accumulates g's row i in index order, skipping idx[i] == pad.
Tensor embedding_backward(const Tensor& g, const Tensor& idx, int64_t num, int64_t dim, int64_t pad);

/// Nearest (1-3 spatial dims) or bilinear (2) upsampling of `planes` planes in → out (3-d sizes,
/// leading 1s); scales ≤ 0 mean none (the kernels use in/out).
struct UpsampleGeometry {
  bool bilinear = false, align_corners = false;
  int64_t planes = 1;
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1};
  double scales[3] = {0, 0, 0};
};
/// y shaped out_shape from contiguous x.
Tensor upsample_forward(const Tensor& x, const Shape& out_shape, const UpsampleGeometry& g, const char* op);
/// ∂L/∂x shaped in_shape from contiguous gy: each output gradient spread back onto its taps.
Tensor upsample_backward(const Tensor& gy, const Shape& in_shape, const UpsampleGeometry& g, const char* op);

}  // namespace nabla::ops
