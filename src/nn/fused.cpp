// Convolution → BatchNorm (→ residual) (→ activation) links folded into convolutions at inference.
#include "nabla/nn/fused.h"

#include "nabla/autograd.h"
#include "nabla/nn/activation.h"
#include "nabla/ops.h"
#include "nabla/ops/backend.h"
#include "nn/functional/conv_fused.h"

namespace nabla::nn {
namespace {

// The activation `act` computes, when a link can fold it (ReLU, ReLU6 or none).
std::optional<ops::ConvActivation> fusable_activation(const UnaryModule* act) {
  if (!act) return ops::ConvActivation::None;
  if (dynamic_cast<const ReLU*>(act)) return ops::ConvActivation::Relu;
  if (dynamic_cast<const ReLU6*>(act)) return ops::ConvActivation::Relu6;
  return std::nullopt;
}

bool hooked(const Module* m) { return m && m->has_forward_hooks(); }

// act(bn(conv(x)) + residual) by the modules in turn.
Tensor run_modules(const ConvBatchNormStep& s, const Tensor& x, const Tensor& residual) {
  Tensor h = (*s.conv)(x);
  if (!residual.defined() && s.act && dynamic_cast<ReLU*>(s.act) && !hooked(s.bn) && !hooked(s.act))
    return s.bn->forward_relu(h);  // BatchNorm and ReLU in one pass
  h = (*s.bn)(h);
  if (residual.defined()) h = add(h, residual);
  return s.act ? (*s.act)(h) : h;
}

}  // namespace

bool conv_batch_norm_folds(const ConvNd& conv, const BatchNormBase& bn, const Tensor& x, const UnaryModule* act,
                           const Tensor& residual) {
  if (!ops::conv_weight_cache() || bn.is_training() || !bn.running_mean.defined() || !bn.running_var.defined())
    return false;
  if (conv.transposed || conv.padding_mode != PaddingMode::Zeros) return false;
  if (hooked(&conv) || hooked(&bn) || hooked(act) || !fusable_activation(act)) return false;
  if (!x.defined() || x.dtype() != DType::Float32 || !x.device().is_cpu()) return false;
  if (conv.out_channels != bn.num_features) return false;
  return !autograd::needs_grad({x, conv.weight, conv.bias, bn.weight, bn.bias, residual});
}

bool conv_batch_norm_chain_folds(const std::vector<ConvBatchNormStep>& steps, const Tensor& x, const Tensor& residual) {
  if (steps.empty()) return false;
  for (const ConvBatchNormStep& s : steps) {
    if (!s.conv || !s.bn || s.conv->spatial_dims() != steps[0].conv->spatial_dims()) return false;
    if (!conv_batch_norm_folds(*s.conv, *s.bn, x, s.act, residual)) return false;
  }
  return true;
}

Tensor conv_batch_norm_chain(const std::vector<ConvBatchNormStep>& steps, const Tensor& x, const Tensor& residual) {
  NABLA_CHECK(!steps.empty(), "nn::conv_batch_norm_chain: no links given");
  for (const ConvBatchNormStep& s : steps)
    NABLA_CHECK(s.conv && s.bn, "nn::conv_batch_norm_chain: every link needs a convolution and a BatchNorm");
  if (!conv_batch_norm_chain_folds(steps, x, residual)) {
    Tensor h = x;
    for (size_t i = 0; i < steps.size(); ++i) h = run_modules(steps[i], h, i + 1 == steps.size() ? residual : Tensor());
    return h;
  }
  steps[0].conv->check_input(x);
  std::vector<functional::detail::ConvLinkArgs> links;
  for (const ConvBatchNormStep& s : steps) {
    const ConvNd& c = *s.conv;
    const BatchNormBase& bn = *s.bn;
    links.push_back({c.weight, c.bias, c.stride, c.padding_arg(), c.dilation, c.groups,
                     ops::BatchNormFold{bn.running_mean, bn.running_var, bn.weight, bn.bias, bn.eps},
                     *fusable_activation(s.act)});
  }
  return functional::detail::conv_batch_norm_chain_inference(steps[0].conv->spatial_dims(), x, links, residual);
}

Tensor conv_batch_norm(ConvNd& conv, BatchNormBase& bn, const Tensor& x, UnaryModule* act, const Tensor& residual) {
  return conv_batch_norm_chain({{&conv, &bn, act}}, x, residual);
}

std::optional<ConvBatchNormStep> ConvNormActivation::as_step() const {
  if (has_forward_hooks() || size() < 2 || size() > 3) return std::nullopt;
  auto* conv = dynamic_cast<ConvNd*>((*this)[0].get());
  auto* bn = dynamic_cast<BatchNormBase*>((*this)[1].get());
  if (!conv || !bn) return std::nullopt;
  return ConvBatchNormStep{conv, bn, size() == 3 ? (*this)[2].get() : nullptr};
}

Tensor ConvNormActivation::forward(const Tensor& input) {
  auto* conv = size() >= 2 ? dynamic_cast<ConvNd*>((*this)[0].get()) : nullptr;
  auto* bn = size() >= 2 ? dynamic_cast<BatchNormBase*>((*this)[1].get()) : nullptr;
  if (!conv || !bn || size() > 3) return Sequential::forward(input);
  return conv_batch_norm(*conv, *bn, input, size() == 3 ? (*this)[2].get() : nullptr);
}

}  // namespace nabla::nn
