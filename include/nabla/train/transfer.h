#pragma once
// Transfer learning on a module tree: which module is the classifier head, loading another
// model's weights with a head of a different shape, and freezing everything but the head.
//
// The head is the last module (in registration order, depth first: Module::named_modules) that
// holds parameters of its own — LeNet-5's last Linear, torchvision's `fc`, `classifier.6` or
// `heads.head`. That is where every model of the zoo puts its classifier, so no model has to
// declare it.
//
//   const std::string head = train::classifier_head(*model);
//   train::init_from(*model, source->state_dict(), head);   // fine-tuning starts here
//   auto frozen = train::freeze_all_but(*model, head);      // a linear probe
#include <memory>
#include <string>
#include <vector>

#include "nabla/nn/module.h"

namespace nabla::train {

/// The dotted name of `model`'s classifier head (see above); raises Error when no module holds
/// parameters, or when the head is the model itself (a lone layer has no backbone).
std::string classifier_head(nn::Module& model);

/// What init_from did.
struct InitResult {
  int64_t loaded = 0;                    ///< tensors copied from the source
  std::vector<std::string> reinitialized;  ///< head tensors kept as initialised ("name (from) -> (to)")
};

/// Copies the state dict `source` into `model`, strictly by name: every key of the model must be
/// in `source` and the other way round, and shapes must agree, except for the tensors of the
/// module `head` (its dotted name; "" for none), which keep the model's own initialisation when
/// their shape differs (a new number of classes) or when `keep_head` is false (a new task with as
/// many classes). Raises one Error listing every missing, unexpected or mis-shaped key.
InitResult init_from(nn::Module& model, const StateDict& source, const std::string& head, bool keep_head = true);

/// Freezes every parameter outside the module `head` (requires_grad false) and returns the
/// leaf modules outside it, which a training step keeps in eval mode
/// (ClassificationStepOptions::frozen). Raises Error when `head` names no module of `model`.
std::vector<std::shared_ptr<nn::Module>> freeze_all_but(nn::Module& model, const std::string& head);

}  // namespace nabla::train
