// gradcheck: analytic gradients from autograd against central differences in float64.
#include "nabla/gradcheck.h"

#include <cmath>
#include <cstring>

#include "nabla/autograd.h"
#include "nabla/ops.h"
#include "nabla/random.h"

namespace nabla {
namespace {

// Pointer to logical element `flat` (row-major) of a float64 tensor with arbitrary strides.
double* element(const Tensor& t, int64_t flat) {
  int64_t offset = 0;
  for (int64_t d = t.dim() - 1; d >= 0; --d) {
    const int64_t i = flat % t.shape()[d];
    flat /= t.shape()[d];
    offset += i * t.strides()[d];
  }
  return static_cast<double*>(t.impl().storage->data()) + t.storage_offset() + offset;
}

// A copy of x with its own storage but the same strides (non-contiguous inputs stay so), so
// that perturbing one input never moves another that shared its storage.
Tensor private_copy(const Tensor& x) {
  if (x.is_contiguous()) return x.detach().clone();
  int64_t span = 1;
  for (int64_t d = 0; d < x.dim(); ++d) span += (x.shape()[d] - 1) * x.strides()[d];
  Tensor buffer = empty({span}, x.dtype());
  std::memcpy(buffer.raw_data(), x.raw_data(), span * x.element_size());
  auto impl = std::make_shared<TensorImpl>(buffer.impl());
  impl->shape = x.shape();
  impl->strides = x.strides();
  return Tensor(impl);
}

}  // namespace

GradcheckResult check_grads_numerically(const std::vector<Tensor>& leaves, const std::vector<std::string>& names,
                                        const std::function<double()>& objective, const GradcheckOptions& opt) {
  GradcheckResult result;
  NoGradGuard no_grad;
  for (size_t k = 0; k < leaves.size(); ++k) {
    const Tensor& x = leaves[k];
    if (!x.defined()) continue;
    NABLA_CHECK(x.dtype() == DType::Float64, "gradcheck: ", names[k], " must be float64, got ", dtype_name(x.dtype()),
                " of shape ", x.shape());
    const Tensor analytic = (x.grad().defined() ? x.grad() : zeros_like(x)).contiguous();
    for (int64_t i = 0; i < x.numel(); ++i) {
      double* p = element(x, i);
      const double orig = *p;
      *p = orig + opt.eps;
      const double plus = objective();
      *p = orig - opt.eps;
      const double minus = objective();
      *p = orig;
      const double numeric = (plus - minus) / (2 * opt.eps);
      const double a = *element(analytic, i);
      const double err = std::abs(a - numeric);
      const bool bad = !(err <= opt.atol + opt.rtol * std::abs(numeric));
      if ((err > result.max_abs_error || std::isnan(err) || (bad && result.ok)) && (bad || result.ok)) {
        result.max_abs_error = std::isnan(err) ? INFINITY : err;
        result.worst_input = static_cast<int64_t>(k);
        result.worst_index = i;
        result.worst_name = names[k];
        result.analytic = a;
        result.numeric = numeric;
      }
      if (bad) result.ok = false;
    }
  }
  result.message = str_cat(result.ok ? "gradcheck passed" : "gradcheck FAILED", ": worst |analytic - numeric| = ",
                           result.max_abs_error, " at ", result.worst_name.empty() ? "-" : result.worst_name,
                           " element ", result.worst_index, " (analytic ", result.analytic, ", numeric ", result.numeric,
                           ")");
  return result;
}

GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f, const std::vector<Tensor>& inputs,
                          const GradcheckOptions& opt) {
  // Leaves that keep the caller's strides (so non-contiguous inputs are checked as such).
  std::vector<Tensor> leaves;
  for (const Tensor& x : inputs) {
    if (!x.defined()) {
      leaves.push_back(x);
      continue;
    }
    Tensor leaf = private_copy(x);
    if (x.requires_grad()) {
      NABLA_CHECK(x.dtype() == DType::Float64, "gradcheck: inputs requiring grad must be float64, got ",
                  dtype_name(x.dtype()), " of shape ", x.shape());
      leaf.requires_grad_(true);
    }
    leaves.push_back(leaf);
  }
  Tensor out = f(leaves);
  NABLA_CHECK(out.dtype() == DType::Float64, "gradcheck: the function must return float64, got ", dtype_name(out.dtype()));
  const WeightedObjective objective = backward_weighted(out);
  std::vector<Tensor> checked;
  std::vector<std::string> names;
  append_input_leaves(leaves, checked, names);
  return check_grads_numerically(checked, names, [&] { return objective(f(leaves)); }, opt);
}

double WeightedObjective::operator()(const Tensor& out) const { return sum(mul(out, weight)).item(); }

WeightedObjective backward_weighted(const Tensor& out) {
  Generator gen(1234);
  WeightedObjective objective{randn(out.shape(), DType::Float64, &gen)};
  if (out.requires_grad()) sum(mul(out, objective.weight)).backward();
  return objective;
}

void append_input_leaves(const std::vector<Tensor>& leaves, std::vector<Tensor>& checked,
                         std::vector<std::string>& names) {
  for (size_t k = 0; k < leaves.size(); ++k) {
    checked.push_back(leaves[k].defined() && leaves[k].requires_grad() ? leaves[k] : Tensor());
    names.push_back(str_cat("input ", k));
  }
}

GradcheckResult gradgradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                              const std::vector<Tensor>& inputs, const GradcheckOptions& options) {
  Tensor v;  // the fixed weight of the outputs, drawn on the first call
  auto first_derivative = [&](const std::vector<Tensor>& xs) {
    autograd::EnableGradGuard grad_mode;  // gradcheck evaluates its function under no_grad
    const Tensor y = f(xs);
    if (!v.defined()) {
      Generator gen(4321);
      v = randn(y.shape(), DType::Float64, &gen);
    }
    std::vector<Tensor> wrt;
    for (const Tensor& x : xs)
      if (x.defined() && x.requires_grad()) wrt.push_back(x);
    std::vector<Tensor> grads(wrt.size());
    if (y.requires_grad())
      grads = autograd::grad({y}, wrt, {.grad_outputs = {v}, .create_graph = true, .allow_unused = true});
    std::vector<Tensor> flat;
    for (size_t k = 0; k < wrt.size(); ++k)
      flat.push_back(grads[k].defined() ? grads[k].reshape({-1}) : zeros({wrt[k].numel()}, DType::Float64));
    return cat(flat, 0);
  };
  return gradcheck(first_derivative, inputs, options);
}

}  // namespace nabla
