#pragma once
// Numerical gradient checking by central differences in float64.
#include <functional>
#include <string>
#include <vector>

#include "nabla/tensor.h"

namespace nabla {

/// Outcome of gradcheck: whether it passed, and the worst element found.
struct GradcheckResult {
  bool ok = true;
  double max_abs_error = 0.0;     // largest |analytic − numeric|
  int64_t worst_input = -1;       // which input holds the worst element
  int64_t worst_index = -1;       // flat (row-major) index of that element
  std::string worst_name;         // that input's name ("input 1", or a parameter's name)
  double analytic = 0.0, numeric = 0.0;
  std::string message;            // human-readable summary
};

/// Options of gradcheck.
struct GradcheckOptions {
  double eps = 1e-6;
  double atol = 1e-5;
  double rtol = 1e-3;
};

/// Compares the autograd gradient of sum(f(inputs) * w) (w a fixed random weight) with central
/// differences, for every input that requires grad. Inputs must be float64.
GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                          const std::vector<Tensor>& inputs, const GradcheckOptions& options = {});

/// The shared numeric loop: compares each defined leaf's .grad (already computed; undefined
/// counts as zeros) with central differences of `objective`, which must read the leaves' current
/// values. The leaves are perturbed in place one element at a time and restored. `names` (one per
/// leaf) appear in the message. Leaves must be float64.
GradcheckResult check_grads_numerically(const std::vector<Tensor>& leaves, const std::vector<std::string>& names,
                                        const std::function<double()>& objective, const GradcheckOptions& options = {});

/// The scalar objective of a weighted check: sum(out * weight), with `weight` a fixed random
/// tensor of out's shape (seed 1234, so every check of a function sees the same weight).
struct WeightedObjective {
  Tensor weight;
  /// sum(out * weight) as a double.
  double operator()(const Tensor& out) const;
};

/// Draws the weight for `out` and back-propagates sum(out * weight) when out requires grad (the
/// analytic side of a check); returns the objective for the numeric side.
WeightedObjective backward_weighted(const Tensor& out);

/// The tensors and names check_grads_numerically compares for `leaves`: each leaf that requires
/// grad (an undefined tensor elsewhere), named "input k".
void append_input_leaves(const std::vector<Tensor>& leaves, std::vector<Tensor>& checked,
                         std::vector<std::string>& names);

/// Checks second derivatives: gradcheck of x ↦ ∂(sum(f(x) * v))/∂x (v a fixed random weight),
/// the first derivative computed by autograd::grad with create_graph. Inputs must be float64.
GradcheckResult gradgradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                              const std::vector<Tensor>& inputs, const GradcheckOptions& options = {});

}  // namespace nabla
