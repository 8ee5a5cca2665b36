#pragma once
// The folded convolution → BatchNorm (→ residual) (→ activation) of nn::conv_batch_norm
// (nabla/nn/fused.h), with the argument checks and geometry of the functional convolutions.
#include <cstdint>
#include <vector>

#include "nabla/nn/functional/conv.h"
#include "ops/nn_kernels.h"

namespace nabla::nn::functional::detail {

/// One convolution → BatchNorm (→ activation) of conv_batch_norm_chain_inference: the
/// convolution's arguments (zero padding) and what follows it.
struct ConvLinkArgs {
  Tensor weight, bias;
  ConvInts stride = 1;
  ConvPadding padding = 0;
  ConvInts dilation = 1;
  int64_t groups = 1;
  ops::BatchNormFold bn;
  ops::FusedActivation act = ops::FusedActivation::None;
  int src = -1, add = -1;  ///< chain values read and added (ops::ConvBatchNormLink)
};

/// Inference through the links in turn (the last adding `residual` before its activation): the
/// checks and geometry of conv1d/2d/3d (`spatial` dims) for each link, then
/// ops::conv_batch_norm_chain.
Tensor conv_batch_norm_chain_inference(int64_t spatial, const Tensor& input, const std::vector<ConvLinkArgs>& links,
                                       const Tensor& residual);

/// A convolution (no bias, zero padding) → BatchNorm with batch statistics (→ ReLU or ReLU6) for
/// training.
/// BatchNorm's tensors may each be undefined (no affine map; no running statistics to update).
struct ConvBatchNormTrainArgs {
  Tensor weight;
  ConvInts stride = 1;
  ConvPadding padding = 0;
  ConvInts dilation = 1;
  int64_t groups = 1;
  Tensor bn_weight, bn_bias, running_mean, running_var;
  double momentum = 0.1, eps = 1e-5;
  ops::FusedActivation act = ops::FusedActivation::None;
};

/// act(batch_norm(conv(input, weight))) with batch statistics,
/// the running statistics moved by a.momentum: one op with one backward rule
/// (ops::conv_batch_norm_train_*: the convolution's output stays in the device's layout) where the
/// device has that path, else conv{spatial}d then batch_norm(_relu, _relu6) — the same checks and
/// errors.
Tensor conv_batch_norm_train(int64_t spatial, const Tensor& input, const ConvBatchNormTrainArgs& a);

}  // namespace nabla::nn::functional::detail
