#pragma once
// Kernel backends: the one place where the implementation behind an op family is chosen.
//
// Every backend setting is read and written here, and its environment variable is read once, in
// src/ops/backend.cpp, before the first kernel runs or the first setting is read or written (so
// an explicit set_* call wins over the environment). Kernels and dispatch files read no
// environment; they ask this API (docs/design.md, "Devices").
//
//   NABLA_CONV_BACKEND = auto | onednn | im2col   (float32 convolutions; default auto)
//   NABLA_DNNL_LAYOUT  = blocked | plain          (oneDNN convolution layouts; default blocked)
//   NABLA_CONV_ALGORITHM = auto | direct | winograd   (oneDNN convolution algorithm; default auto)
//   NABLA_CONV_WEIGHT_CACHE = on | off       (inference reuses converted weights; default off)
//   NABLA_CONV_KEEP_INPUT   = on | off       (training keeps converted inputs; default on)
#include <cstddef>
#include <string>

namespace nabla::ops {

/// Implementation of float32 convolutions (float64 always uses im2col). Auto (the default): the
/// library's choice, currently oneDNN wherever it supports the geometry (faster on every measured
/// shape, docs/nn-conv.md); OneDnn: oneDNN wherever it supports the geometry, im2col elsewhere;
/// Im2col: the im2col + GEMM reference everywhere.
enum class ConvBackend { Auto, OneDnn, Im2col };

/// Whether oneDNN convolutions may pick their own blocked layouts (reordered in and out of
/// nabla's plain ones; measured faster, docs/nn-conv.md) or must work on the plain layouts.
enum class DnnlLayout { Blocked, Plain };

/// oneDNN's algorithm for float32 convolutions with blocked layouts. Direct: the direct kernels
/// everywhere (the ones PyTorch's CPU convolutions run). Winograd: oneDNN's Winograd kernels for
/// every 2-d 3×3 convolution of stride 1 without dilation or groups, direct elsewhere. Auto (the
/// default): Winograd where it measured faster — 3×3 stride-1 convolutions with at least 64 input
/// and output channels, outputs of at least 4 × 4 and at least 512 output positions (batch ×
/// height × width) in training, at least 16 channels at inference with the weight cache (ResNet-18's convolutions 1.5–2.2× faster forward and
/// backward at batch 64; batch-1 inference with the weight cache 12–17 % faster, docs/nn-conv.md).
/// Winograd's results differ from the direct kernels' by rounding only (about 1e-6 of the output's
/// magnitude); where oneDNN has no Winograd kernel (no AVX-512) the direct one runs.
enum class ConvAlgorithm { Auto, Direct, Winograd };

/// Selects the convolution backend for all later calls (process-wide).
void set_conv_backend(ConvBackend backend);
/// The convolution backend in use: the last set_conv_backend, else NABLA_CONV_BACKEND, else Auto.
ConvBackend conv_backend();
/// Selects oneDNN's convolution layouts for primitives created from now on (process-wide).
void set_dnnl_layout(DnnlLayout layout);
/// The oneDNN layout setting: the last set_dnnl_layout, else NABLA_DNNL_LAYOUT, else Blocked.
DnnlLayout dnnl_layout();

/// Selects oneDNN's convolution algorithm for primitives created from now on (process-wide).
void set_conv_algorithm(ConvAlgorithm algorithm);
/// The algorithm setting: the last set_conv_algorithm, else NABLA_CONV_ALGORITHM, else Auto.
ConvAlgorithm conv_algorithm();

/// Whether convolutions run without autograd (inference, a frozen backbone) keep each weight
/// tensor converted to oneDNN's blocked layout and reuse it while the weights are unchanged,
/// instead of converting them on every call (ResNet-18 at batch 1: about half of a forward's
/// time, docs/nn-conv.md); the counterpart of PyTorch's frozen inference models. "Unchanged" is
/// the weight storage's version counter, which in-place ops, optimizer steps and load_state_dict
/// bump; writes through a raw data_ptr do not, so the setting is off by default and is for code
/// that changes weights only through those (the `nabla predict` and `nabla eval` commands turn it
/// on), or that calls clear_conv_weight_cache() after writing weights directly. Process-wide.
void set_conv_weight_cache(bool enabled);
/// The weight-cache setting: the last set_conv_weight_cache, else NABLA_CONV_WEIGHT_CACHE, else off.
bool conv_weight_cache();
/// Drops every kept converted weight (their memory returns to the allocator).
void clear_conv_weight_cache();
/// How many weight tensors have a converted copy kept (diagnostics and tests).
size_t conv_weight_cache_entries();

/// Whether training keeps each convolution's input converted to oneDNN's blocked layout from the
/// forward (which converts it anyway) to the weight gradient, which otherwise converts it again.
/// On by default: ResNet-20 +6 % and DenseNet-BC +13 % training images/s, for one extra copy of
/// each convolution input held until its backward runs (peak memory +22–30 % on the zoo's models,
/// docs/nn-conv.md); off trades that speed for memory. Process-wide, read at each forward.
void set_conv_keep_input(bool enabled);
/// The keep-input setting: the last set_conv_keep_input, else NABLA_CONV_KEEP_INPUT, else on.
bool conv_keep_input();

/// Whether training runs convolution → BatchNorm (→ ReLU) as one op whose BatchNorm passes read
/// the convolution's output in oneDNN's blocked layout and hand its gradient back in that layout
/// (nn::conv_batch_norm and the models' blocks; docs/nn-conv.md): no conversion of the
/// convolution's output or of its gradient. On by default; off runs the modules in turn, for
/// comparison. Process-wide, read at each forward.
void set_conv_blocked_batch_norm(bool enabled);
/// The setting: the last set_conv_blocked_batch_norm, else NABLA_CONV_BLOCKED_BN, else on.
bool conv_blocked_batch_norm();

/// "auto", "onednn" or "im2col".
std::string conv_backend_name(ConvBackend backend);
/// Inverse of conv_backend_name; raises Error naming `what` (e.g. the variable) and the value.
ConvBackend parse_conv_backend(const std::string& value, const std::string& what = "conv backend");
/// "blocked" or "plain".
std::string dnnl_layout_name(DnnlLayout layout);
/// Inverse of dnnl_layout_name; raises Error naming `what` and the value.
DnnlLayout parse_dnnl_layout(const std::string& value, const std::string& what = "oneDNN layout");

/// "auto", "direct" or "winograd".
std::string conv_algorithm_name(ConvAlgorithm algorithm);
/// Inverse of conv_algorithm_name; raises Error naming `what` and the value.
ConvAlgorithm parse_conv_algorithm(const std::string& value, const std::string& what = "conv algorithm");

/// Applies NABLA_CONV_BACKEND and NABLA_DNNL_LAYOUT to the settings, once per process (later
/// calls do nothing). The getters, the setters and the kernel dispatch call it first; a bad value
/// raises Error naming the variable and the value.
void load_backend_environment();

}  // namespace nabla::ops
