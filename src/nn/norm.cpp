// Normalisation layers: state, argument checks and PyTorch's running-statistics bookkeeping;
// the computation is in nn/functional/norm.cpp.
#include "nabla/nn/norm.h"

#include "nabla/autograd.h"
#include "nabla/nn/functional/norm.h"
#include "nn/python_repr.h"

namespace nabla::nn {

namespace F = functional;
using detail::py_bool;
using detail::py_float;

// ---- BatchNorm -----------------------------------------------------------------------------------

NormBase::NormBase(const char* family, int dims, int64_t num_features, double eps, std::optional<double> momentum,
                   bool affine, bool track_running_stats)
    : num_features(num_features),
      eps(eps),
      momentum(momentum),
      affine(affine),
      track_running_stats(track_running_stats),
      family_(family),
      dims_(dims) {
  NABLA_CHECK(num_features > 0, name(), ": num_features must be positive, got ", num_features);
  if (affine) {
    weight = empty({num_features});
    bias = empty({num_features});
  }
  if (track_running_stats) {
    running_mean = empty({num_features});
    running_var = empty({num_features});
    num_batches_tracked = empty({}, DType::Int64);
  }
  reset_parameters();
  register_parameter("weight", &weight);
  register_parameter("bias", &bias);
  register_buffer("running_mean", &running_mean);
  register_buffer("running_var", &running_var);
  register_buffer("num_batches_tracked", &num_batches_tracked);
}

void NormBase::reset_running_stats() {
  if (!track_running_stats) return;
  NoGradGuard guard;
  running_mean.zero_();
  running_var.fill_(1.0);
  num_batches_tracked.zero_();
}

void NormBase::reset_parameters() {
  reset_running_stats();
  if (!affine) return;
  NoGradGuard guard;
  weight.fill_(1.0);
  bias.zero_();
}

std::string NormBase::name() const { return str_cat(family_, dims_, "d"); }

std::string NormBase::extra_repr() const {
  return str_cat(num_features, ", eps=", py_float(eps), ", momentum=", momentum ? py_float(*momentum) : "None",
                 ", affine=", py_bool(affine), ", track_running_stats=", py_bool(track_running_stats));
}

double NormBase::update_factor(bool count_batch) {
  // PyTorch's bookkeeping: the update factor is momentum, or 1/num_batches_tracked (a cumulative
  // moving average) when momentum is None.
  double factor = momentum.value_or(0.0);
  if (is_training() && track_running_stats) {
    if (count_batch) {
      NoGradGuard guard;
      num_batches_tracked.add_(1.0);
    }
    if (!momentum) factor = 1.0 / num_batches_tracked.item();
  }
  return factor;
}

Tensor BatchNormBase::run(const Tensor& input, Function f) {
  check_input_dim(input);
  NABLA_CHECK(input.size(1) == num_features, name(), ": expected input with ", num_features,
              " channels (num_features) in dim 1, got input of shape ", input.shape());
  const CallArgs a = begin_call();
  return f(input, a.running_mean, a.running_var, weight, bias, a.use_batch_stats, a.momentum, eps);
}

BatchNormBase::CallArgs BatchNormBase::begin_call() {
  CallArgs a;
  a.momentum = update_factor(/*count_batch=*/true);
  a.use_batch_stats = is_training() || !running_mean.defined();
  const bool pass_stats = !is_training() || track_running_stats;
  if (pass_stats) {
    a.running_mean = running_mean;
    a.running_var = running_var;
  }
  return a;
}

Tensor BatchNormBase::forward(const Tensor& input) { return run(input, F::batch_norm); }
Tensor BatchNormBase::forward_relu(const Tensor& input) { return run(input, F::batch_norm_relu); }
Tensor BatchNormBase::forward_relu6(const Tensor& input) { return run(input, F::batch_norm_relu6); }

void BatchNormBase::check_input_dim(const Tensor& input) const {
  switch (dims()) {
    case 1:
      NABLA_CHECK(input.dim() == 2 || input.dim() == 3,
                  "BatchNorm1d: expected 2-d (N, C) or 3-d (N, C, L) input, got shape ", input.shape());
      break;
    case 2:
      NABLA_CHECK(input.dim() == 4, "BatchNorm2d: expected 4-d input (N, C, H, W), got shape ", input.shape());
      break;
    default:
      NABLA_CHECK(input.dim() == 5, "BatchNorm3d: expected 5-d input (N, C, D, H, W), got shape ", input.shape());
  }
}

// ---- LayerNorm -----------------------------------------------------------------------------------

LayerNorm::LayerNorm(const LayerNormOptions& o)
    : normalized_shape(o.normalized_shape), eps(o.eps), elementwise_affine(o.elementwise_affine) {
  NABLA_CHECK(!this->normalized_shape.empty(), "LayerNorm: normalized_shape must have at least one dim");
  for (int64_t s : this->normalized_shape)
    NABLA_CHECK(s > 0, "LayerNorm: normalized_shape must be positive, got ", this->normalized_shape);
  if (elementwise_affine) {
    weight = empty(this->normalized_shape);
    bias = empty(this->normalized_shape);
  }
  reset_parameters();
  register_parameter("weight", &weight);
  register_parameter("bias", &bias);
}

void LayerNorm::reset_parameters() {
  if (!elementwise_affine) return;
  NoGradGuard guard;
  weight.fill_(1.0);
  bias.zero_();
}

Tensor LayerNorm::forward(const Tensor& input) {
  const int64_t k = static_cast<int64_t>(normalized_shape.size());
  NABLA_CHECK(input.dim() >= k && Shape(input.shape().end() - k, input.shape().end()) == normalized_shape,
              "LayerNorm: expected input of shape [*, ", str_cat(normalized_shape).substr(1), " (normalized_shape), got ",
              input.shape());
  return F::layer_norm(input, normalized_shape, weight, bias, eps);
}

std::string LayerNorm::extra_repr() const {
  return str_cat(detail::py_tuple(normalized_shape), ", eps=", py_float(eps),
                 ", elementwise_affine=", py_bool(elementwise_affine));
}

// ---- GroupNorm -----------------------------------------------------------------------------------

GroupNorm::GroupNorm(const GroupNormOptions& o)
    : num_groups(o.num_groups), num_channels(o.num_channels), eps(o.eps), affine(o.affine) {
  NABLA_CHECK(num_groups > 0 && num_channels > 0 && num_channels % num_groups == 0, "GroupNorm: num_channels (",
              num_channels, ") must be divisible by num_groups (", num_groups, ")");
  if (affine) {
    weight = empty({num_channels});
    bias = empty({num_channels});
  }
  reset_parameters();
  register_parameter("weight", &weight);
  register_parameter("bias", &bias);
}

void GroupNorm::reset_parameters() {
  if (!affine) return;
  NoGradGuard guard;
  weight.fill_(1.0);
  bias.zero_();
}

Tensor GroupNorm::forward(const Tensor& input) {
  NABLA_CHECK(input.dim() >= 2 && input.size(1) == num_channels, "GroupNorm: expected input of shape (N, ",
              num_channels, ", *) (num_channels=", num_channels, "), got ", input.shape());
  return F::group_norm(input, num_groups, weight, bias, eps);
}

std::string GroupNorm::extra_repr() const {
  return str_cat(num_groups, ", ", num_channels, ", eps=", py_float(eps), ", affine=", py_bool(affine));
}

// ---- InstanceNorm --------------------------------------------------------------------------------


Tensor InstanceNormBase::forward(const Tensor& input) {
  const int64_t nd = dims() + 2;  // rank of a batched input
  NABLA_CHECK(input.dim() == nd || input.dim() == nd - 1, name(), ": expected ", nd - 1, "-d (unbatched) or ", nd,
              "-d input, got shape ", input.shape());
  const bool unbatched = input.dim() == nd - 1;
  const Tensor x = unbatched ? input.unsqueeze(0) : input;
  NABLA_CHECK(!(affine || track_running_stats) || x.size(1) == num_features, name(), ": expected input with ",
              num_features, " channels (num_features) in the channel dim, got input of shape ", input.shape());
  // PyTorch does not count batches in InstanceNorm; only the cumulative average needs the count.
  const double factor = update_factor(/*count_batch=*/!momentum);
  const Tensor y = F::instance_norm(x, running_mean, running_var, weight, bias, is_training() || !track_running_stats,
                                    factor, eps);
  return unbatched ? y.squeeze(0) : y;
}


// ---- LocalResponseNorm -----------------------------------------------------------------------------

LocalResponseNorm::LocalResponseNorm(const LocalResponseNormOptions& o)
    : size(o.size), alpha(o.alpha), beta(o.beta), k(o.k) {
  NABLA_CHECK(size >= 1, "LocalResponseNorm: size must be positive, got ", size);
}

Tensor LocalResponseNorm::forward(const Tensor& input) {
  NABLA_CHECK(input.dim() >= 3, "LocalResponseNorm: expected input of shape (N, C, *) with 3 or more dims, got shape ",
              input.shape());
  return F::local_response_norm(input, size, alpha, beta, k);
}

std::string LocalResponseNorm::extra_repr() const {
  return str_cat(size, ", alpha=", py_float(alpha), ", beta=", py_float(beta), ", k=", py_float(k));
}

}  // namespace nabla::nn
