#pragma once
// gradcheck of a whole module: the gradients of every input and every named parameter, by
// central differences in float64 (dlib's test_layer, for nabla's modules).
#include <functional>
#include <vector>

#include "nabla/gradcheck.h"
#include "nabla/nn/module.h"

namespace nabla::nn {

/// Compares the autograd gradients of sum(forward(inputs) * w) (w a fixed random weight) with
/// central differences, for every input that requires grad and every parameter of `module`
/// (reported by its dotted name). `forward` calls the module with any signature and returns one
/// tensor. The module's parameters and the checked inputs must be float64 (module.to(Float64));
/// random layers must be deterministic (eval mode, or p = 0). Parameter gradients are reset.
GradcheckResult gradcheck_module(Module& module, const std::function<Tensor(const std::vector<Tensor>&)>& forward,
                                 const std::vector<Tensor>& inputs, const GradcheckOptions& options = {});

}  // namespace nabla::nn
