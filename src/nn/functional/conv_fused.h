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
  ops::ConvActivation act = ops::ConvActivation::None;
  int src = -1, add = -1;  ///< chain values read and added (ops::ConvBatchNormLink)
};

/// Inference through the links in turn (the last adding `residual` before its activation): the
/// checks and geometry of conv1d/2d/3d (`spatial` dims) for each link, then
/// ops::conv_batch_norm_chain.
Tensor conv_batch_norm_chain_inference(int64_t spatial, const Tensor& input, const std::vector<ConvLinkArgs>& links,
                                       const Tensor& residual);

}  // namespace nabla::nn::functional::detail
