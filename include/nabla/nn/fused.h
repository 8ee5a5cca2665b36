#pragma once
// Layer chains that run as convolutions only at inference: convolution → BatchNorm (→ residual
// add) (→ ReLU/ReLU6), the folding PyTorch's frozen models apply (torch.jit.freeze), and chains
// of them (a residual block) whose intermediate results stay in oneDNN's layout. In training, or
// whenever folding does not apply, the same calls run the modules one after another.
#include <memory>
#include <vector>

#include "nabla/nn/conv.h"
#include "nabla/nn/module.h"
#include "nabla/nn/norm.h"

namespace nabla::nn {

/// One link of a chain: a convolution, the BatchNorm after it and an optional activation.
struct ConvBatchNormStep {
  ConvNd* conv = nullptr;
  BatchNormBase* bn = nullptr;
  UnaryModule* act = nullptr;
};

/// The links applied in turn to x — h = act(bn(conv(h))) — the last adding `residual` (may be
/// undefined) before its activation. At inference, when conv_batch_norm_folds() holds for every
/// link, each link is one convolution (BatchNorm's running statistics and affine map merged into
/// its weights and bias, the residual and the activation applied in the convolution's own pass)
/// and the results between links stay in oneDNN's layout; otherwise the modules run in turn
/// (through operator(), so their hooks run), BatchNorm and ReLU in one pass where nothing
/// intervenes. The folded result equals the unfused one up to float rounding (the weights are
/// scaled before the convolution instead of its output after it).
Tensor conv_batch_norm_chain(const std::vector<ConvBatchNormStep>& steps, const Tensor& x,
                             const Tensor& residual = Tensor());

/// act(bn(conv(x)) + residual): conv_batch_norm_chain of one link.
Tensor conv_batch_norm(ConvNd& conv, BatchNormBase& bn, const Tensor& x, UnaryModule* act = nullptr,
                       const Tensor& residual = Tensor());

/// Whether a link folds: inference (no gradient to take: grad mode off or nothing requiring it),
/// the weight cache on (ops::set_conv_weight_cache: the setting for frozen inference, which keeps
/// the folded weights), BatchNorm in eval mode with running statistics, a non-transposed
/// convolution with zero padding, float32 on the CPU, act null, ReLU or ReLU6, and no forward
/// hooks on the three modules (nn::summary's rows).
bool conv_batch_norm_folds(const ConvNd& conv, const BatchNormBase& bn, const Tensor& x, const UnaryModule* act,
                           const Tensor& residual);
/// Whether every link of the chain folds (conv_batch_norm_folds) and the links share one
/// spatial rank.
bool conv_batch_norm_chain_folds(const std::vector<ConvBatchNormStep>& steps, const Tensor& x, const Tensor& residual);

/// torchvision.ops.Conv2dNormActivation: a Sequential of a convolution, a BatchNorm and
/// optionally an activation (children "0", "1", "2"), run through conv_batch_norm (folded at
/// inference). Any other contents run as a plain Sequential.
class ConvNormActivation : public Sequential {
 public:
  using Sequential::Sequential;
  /// conv_batch_norm of the children when they are conv, BatchNorm[, activation]; else Sequential's.
  Tensor forward(const Tensor& input) override;
  /// The children as a chain link; nullopt when they are not conv, BatchNorm[, activation] or
  /// this module has forward hooks (then it must run through operator()).
  std::optional<ConvBatchNormStep> as_step() const;
};

}  // namespace nabla::nn
