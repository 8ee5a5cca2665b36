#pragma once
// Layer chains that run as convolutions only at inference: convolution → BatchNorm (→ residual
// add) (→ ReLU/ReLU6), the folding PyTorch's frozen models apply (torch.jit.freeze), and chains
// of them (a residual block) whose intermediate results stay in oneDNN's layout. In training each
// convolution → BatchNorm (→ ReLU) runs as one op whose BatchNorm passes work on the convolution's
// blocked output (ops::set_conv_blocked_batch_norm); wherever neither applies, the same calls run
// the modules one after another.
#include <memory>
#include <optional>
#include <vector>

#include "nabla/nn/conv.h"
#include "nabla/nn/module.h"
#include "nabla/nn/norm.h"

namespace nabla::nn {

/// One link of a chain: a convolution, the BatchNorm after it (null: none) and an optional activation. The
/// chain's values are its input (0) and the links' outputs (k: link k − 1's): the link reads
/// value `input` (−1: the previous link's output) and adds value `add` (−1: none) before its
/// activation — a residual block's shortcut.
struct ConvBatchNormStep {
  ConvNd* conv = nullptr;
  BatchNormBase* bn = nullptr;
  UnaryModule* act = nullptr;
  int input = -1, add = -1;
};

/// The links applied in turn to x — h = act(bn(conv(h)) [+ value add]) — the last adding
/// `residual` (may be undefined) before its activation. At inference, when conv_batch_norm_folds() holds for every
/// link, each link is one convolution (BatchNorm's running statistics and affine map merged into
/// its weights and bias, the residual and the activation applied in the convolution's own pass)
/// and the results between links stay in oneDNN's layout. In training (BatchNorm in training mode,
/// a convolution without bias, ReLU or no activation, no hooks, a batched float32 input) each link
/// is one op whose BatchNorm reads the convolution's output in oneDNN's blocked layout and hands its
/// gradient back in that layout, the ReLU in the same pass unless a residual comes first
/// (ops::set_conv_blocked_batch_norm; docs/nn-conv.md). Otherwise the modules run in turn
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
/// the folded weights), BatchNorm in eval mode with running statistics and the convolution's
/// channels and spatial rank, a non-transposed convolution with zero padding, float32 on the CPU,
/// act null, ReLU or ReLU6, and no forward hooks on the three modules (nn::summary's rows).
bool conv_batch_norm_folds(const ConvNd& conv, const BatchNormBase& bn, const Tensor& x, const UnaryModule* act,
                           const Tensor& residual);
/// Whether every link of the chain folds (conv_batch_norm_folds; a link without BatchNorm under
/// the same conditions on its convolution, activation and input) and the links share one spatial
/// rank.
bool conv_batch_norm_chain_folds(const std::vector<ConvBatchNormStep>& steps, const Tensor& x, const Tensor& residual);

/// A module that can describe its forward as links of a conv_batch_norm_chain (a residual block,
/// ConvNormActivation), so that consecutive such modules run as one chain at inference.
class ChainLinks {
 public:
  virtual ~ChainLinks() = default;
  /// Appends this module's links to `steps`, its input being the chain's value `input`; returns
  /// false, appending nothing, when it cannot (forward hooks of its own, parts that are not
  /// convolution → BatchNorm links).
  virtual bool append_links(std::vector<ConvBatchNormStep>& steps, int input) const = 0;
};

/// Runs `modules` in turn on x. Consecutive modules that are ChainLinks, or convolutions (each with
/// the BatchNorm and the ReLU/ReLU6 right after it, if any: VGG's features), run as one
/// conv_batch_norm_chain when it folds (inference), so activations stay in oneDNN's layout from
/// one block to the next; every other module, and every module when the chain does not fold
/// (training), runs through its operator().
Tensor run_chained(const std::vector<UnaryModule*>& modules, const Tensor& x);
/// run_chained over a Sequential's children, or its operator() when it has hooks of its own.
Tensor run_chained(Sequential& seq, const Tensor& x);

/// torchvision.ops.Conv2dNormActivation: a Sequential of a convolution, a BatchNorm and
/// optionally an activation (children "0", "1", "2"), run through conv_batch_norm (folded at
/// inference). Any other contents run as a plain Sequential.
class ConvNormActivation : public Sequential, public ChainLinks {
 public:
  using Sequential::Sequential;
  /// conv_batch_norm of the children when they are conv, BatchNorm[, activation]; else Sequential's.
  Tensor forward(const Tensor& input) override;
  /// The children as a chain link; nullopt when they are not conv, BatchNorm[, activation] or
  /// this module has forward hooks (then it must run through operator()).
  std::optional<ConvBatchNormStep> as_step() const;
  bool append_links(std::vector<ConvBatchNormStep>& steps, int input) const override;
};

}  // namespace nabla::nn
