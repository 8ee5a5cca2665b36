// gradcheck_module: one numeric check over a module's inputs and named parameters.
#include "nabla/nn/gradcheck.h"

#include "nabla/autograd.h"
#include "nabla/ops.h"
#include "nabla/random.h"

namespace nabla::nn {

GradcheckResult gradcheck_module(Module& module, const std::function<Tensor(const std::vector<Tensor>&)>& forward,
                                 const std::vector<Tensor>& inputs, const GradcheckOptions& options) {
  std::vector<Tensor> leaves;  // private copies of the inputs, so perturbing one moves nothing else
  for (const Tensor& x : inputs) {
    if (!x.defined()) {
      leaves.push_back(x);
      continue;
    }
    Tensor leaf = x.detach().clone();
    if (x.requires_grad()) leaf.requires_grad_(true);
    leaves.push_back(leaf);
  }
  module.zero_grad();
  const Tensor out = forward(leaves);
  NABLA_CHECK(out.dtype() == DType::Float64, "gradcheck_module(", module.name(),
              "): the forward must return float64 (call module.to(DType::Float64)), got ", dtype_name(out.dtype()));
  const WeightedObjective objective = backward_weighted(out);

  std::vector<Tensor> checked;
  std::vector<std::string> names;
  append_input_leaves(leaves, checked, names);
  for (const auto& [name, p] : module.named_parameters()) {
    if (!p.requires_grad()) continue;
    checked.push_back(p);
    names.push_back(name);
  }
  GradcheckResult r = check_grads_numerically(
      checked, names, [&] { return objective(forward(leaves)); }, options);
  module.zero_grad();
  r.message = str_cat(module.name(), ": ", r.message);
  return r;
}

}  // namespace nabla::nn
