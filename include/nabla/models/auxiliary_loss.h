#pragma once
// Models whose training adds losses of their own to the loss on their main logits (GoogLeNet's
// auxiliary classifiers). The model stays a UnaryModule returning its main logits; the training
// step asks it for the extra loss of the forward pass it just ran.
#include "nabla/tensor.h"

namespace nabla::models {

/// Implemented by models with auxiliary training losses. train::classification_step adds
/// auxiliary_loss(target) to the cross-entropy of the main logits.
class AuxiliaryLoss {
 public:
  virtual ~AuxiliaryLoss() = default;
  /// The weighted auxiliary loss of the model's last forward pass for the class indices `target`
  /// (N), a scalar that backpropagates into the model; an undefined Tensor when that forward made
  /// no auxiliary outputs (eval mode, or no auxiliary heads).
  virtual Tensor auxiliary_loss(const Tensor& target) const = 0;
};

}  // namespace nabla::models
