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
std::optional<ops::FusedActivation> fusable_activation(const UnaryModule* act) {
  if (!act) return ops::FusedActivation::None;
  if (dynamic_cast<const ReLU*>(act)) return ops::FusedActivation::Relu;
  if (dynamic_cast<const ReLU6*>(act)) return ops::FusedActivation::Relu6;
  return std::nullopt;
}

bool hooked(const Module* m) { return m && m->has_forward_hooks(); }

// Whether a link trains as one op (functional::detail::conv_batch_norm_train): the setting on
// (ops::set_conv_blocked_batch_norm), BatchNorm in training mode after a convolution without bias
// with zero padding, ReLU, ReLU6 or no activation, no hooks, a batched float32 input on the CPU.
bool trains_fused(const ConvBatchNormStep& s, const Tensor& x) {
  const ConvNd& conv = *s.conv;
  const BatchNormBase& bn = *s.bn;
  if (!ops::conv_blocked_batch_norm() || !bn.is_training()) return false;
  if (conv.transposed || conv.padding_mode != PaddingMode::Zeros || conv.bias.defined()) return false;
  if (hooked(&conv) || hooked(&bn) || hooked(s.act) || !fusable_activation(s.act)) return false;
  if (conv.out_channels != bn.num_features || bn.dims() != conv.spatial_dims()) return false;
  return x.defined() && x.dtype() == DType::Float32 && x.device().is_cpu() && x.dim() == conv.spatial_dims() + 2;
}

// act(bn(conv(x)) + residual) by the modules in turn; in training one op for the convolution and
// BatchNorm (and the activation when no residual intervenes) where trains_fused holds.
Tensor run_modules(const ConvBatchNormStep& s, const Tensor& x, const Tensor& residual) {
  if (!s.bn) {  // convolution (→ residual) (→ activation)
    Tensor h = (*s.conv)(x);
    if (residual.defined()) h = add(h, residual);
    return s.act ? (*s.act)(h) : h;
  }
  if (trains_fused(s, x)) {
    const ConvNd& c = *s.conv;
    BatchNormBase& bn = *s.bn;
    const BatchNormBase::CallArgs call = bn.begin_call();
    const ops::FusedActivation act = residual.defined() ? ops::FusedActivation::None : *fusable_activation(s.act);
    Tensor h = functional::detail::conv_batch_norm_train(
        c.spatial_dims(), x,
        {c.weight, c.stride, c.padding_arg(), c.dilation, c.groups, bn.weight, bn.bias, call.running_mean,
         call.running_var, call.momentum, bn.eps, act});
    if (!residual.defined()) return h;  // the activation, if any, ran inside
    h = add(h, residual);
    return s.act ? (*s.act)(h) : h;
  }
  Tensor h = (*s.conv)(x);
  if (!residual.defined() && s.act && !hooked(s.bn) && !hooked(s.act)) {  // BatchNorm and activation in one pass
    if (dynamic_cast<ReLU*>(s.act)) return s.bn->forward_relu(h);
    if (dynamic_cast<ReLU6*>(s.act)) return s.bn->forward_relu6(h);
  }
  h = (*s.bn)(h);
  if (residual.defined()) h = add(h, residual);
  return s.act ? (*s.act)(h) : h;
}

// The conditions a link folds under that do not concern BatchNorm: the weight cache on, a plain
// zero-padded convolution, ReLU, ReLU6 or no activation, no hooks, a float32 CPU input, no gradient
// through the input or the convolution's parameters.
bool conv_link_folds(const ConvNd& conv, const Tensor& x, const UnaryModule* act) {
  if (!ops::conv_weight_cache() || conv.transposed || conv.padding_mode != PaddingMode::Zeros) return false;
  if (hooked(&conv) || hooked(act) || !fusable_activation(act)) return false;
  if (!x.defined() || x.dtype() != DType::Float32 || !x.device().is_cpu()) return false;
  return !autograd::needs_grad({x, conv.weight, conv.bias});
}

// Whether link `s` folds: conv_batch_norm_folds, or conv_link_folds for a link without BatchNorm.
bool link_folds(const ConvBatchNormStep& s, const Tensor& x, const Tensor& residual) {
  if (s.bn) return conv_batch_norm_folds(*s.conv, *s.bn, x, s.act, residual);
  return conv_link_folds(*s.conv, x, s.act) && !autograd::needs_grad({residual});
}

// The activation module at modules[i] when a link can take it (ReLU, ReLU6), else null.
UnaryModule* link_activation(const std::vector<UnaryModule*>& modules, size_t i) {
  if (i >= modules.size()) return nullptr;
  return modules[i] && fusable_activation(modules[i]) ? modules[i] : nullptr;
}

}  // namespace

bool conv_batch_norm_folds(const ConvNd& conv, const BatchNormBase& bn, const Tensor& x, const UnaryModule* act,
                           const Tensor& residual) {
  if (bn.is_training() || !bn.running_mean.defined() || !bn.running_var.defined() || hooked(&bn)) return false;
  if (conv.out_channels != bn.num_features || bn.dims() != conv.spatial_dims()) return false;
  return conv_link_folds(conv, x, act) && !autograd::needs_grad({bn.weight, bn.bias, residual});
}

bool conv_batch_norm_chain_folds(const std::vector<ConvBatchNormStep>& steps, const Tensor& x, const Tensor& residual) {
  if (steps.empty()) return false;
  for (const ConvBatchNormStep& s : steps) {
    if (!s.conv || s.conv->spatial_dims() != steps[0].conv->spatial_dims()) return false;
    if (!link_folds(s, x, residual)) return false;
  }
  return true;
}

Tensor conv_batch_norm_chain(const std::vector<ConvBatchNormStep>& steps, const Tensor& x, const Tensor& residual) {
  NABLA_CHECK(!steps.empty(), "nn::conv_batch_norm_chain: no links given");
  for (size_t i = 0; i < steps.size(); ++i) {
    NABLA_CHECK(steps[i].conv, "nn::conv_batch_norm_chain: every link needs a convolution (link ", i, " has none)");
    NABLA_CHECK(steps[i].input < static_cast<int>(i + 1) && steps[i].add < static_cast<int>(i + 1),
                "nn::conv_batch_norm_chain: link ", i, " reads value ", steps[i].input, " or adds value ",
                steps[i].add, ", not computed before it");
  }
  NABLA_CHECK(!residual.defined() || steps.back().add < 0,
              "nn::conv_batch_norm_chain: the last link adds both a chain value and the residual");
  if (!conv_batch_norm_chain_folds(steps, x, residual)) {
    std::vector<Tensor> values{x};
    for (size_t i = 0; i < steps.size(); ++i) {
      const ConvBatchNormStep& s = steps[i];
      const Tensor add = s.add >= 0 ? values[static_cast<size_t>(s.add)] : i + 1 == steps.size() ? residual : Tensor();
      values.push_back(run_modules(s, values[s.input < 0 ? i : static_cast<size_t>(s.input)], add));
    }
    return values.back();
  }
  steps[0].conv->check_input(x);
  std::vector<functional::detail::ConvLinkArgs> links;
  for (const ConvBatchNormStep& s : steps) {
    const ConvNd& c = *s.conv;
    const ops::BatchNormFold bn = s.bn ? ops::BatchNormFold{s.bn->running_mean, s.bn->running_var, s.bn->weight,
                                                            s.bn->bias, s.bn->eps}
                                       : ops::BatchNormFold{};
    links.push_back({c.weight, c.bias, c.stride, c.padding_arg(), c.dilation, c.groups, bn,
                     *fusable_activation(s.act), s.input, s.add});
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

bool ConvNormActivation::append_links(std::vector<ConvBatchNormStep>& steps, int input) const {
  auto step = as_step();
  if (!step) return false;
  step->input = input;
  steps.push_back(*step);
  return true;
}

Tensor run_chained(const std::vector<UnaryModule*>& modules, const Tensor& x) {
  Tensor h = x;
  std::vector<ConvBatchNormStep> steps;
  std::vector<UnaryModule*> pending;  // the modules whose links `steps` holds
  auto flush = [&] {
    if (pending.empty()) return;
    if (conv_batch_norm_chain_folds(steps, h, Tensor())) {
      h = conv_batch_norm_chain(steps, h);
    } else {
      for (UnaryModule* m : pending) h = (*m)(h);
    }
    steps.clear();
    pending.clear();
  };
  for (size_t i = 0; i < modules.size(); ++i) {
    UnaryModule* m = modules[i];
    // The module's input is the chain's latest value: its input (0) or the last link's output.
    const int input = static_cast<int>(steps.size());
    auto* links = dynamic_cast<const ChainLinks*>(m);
    if (links && links->append_links(steps, input)) {
      pending.push_back(m);
      continue;
    }
    // A convolution module, with the BatchNorm and the ReLU/ReLU6 modules right after it, is a link.
    if (auto* conv = dynamic_cast<ConvNd*>(m)) {
      ConvBatchNormStep step{conv, nullptr, nullptr, input};
      pending.push_back(m);
      step.bn = i + 1 < modules.size() ? dynamic_cast<BatchNormBase*>(modules[i + 1]) : nullptr;
      if (step.bn) pending.push_back(modules[++i]);
      step.act = link_activation(modules, i + 1);
      if (step.act) pending.push_back(modules[++i]);
      steps.push_back(step);
      continue;
    }
    flush();
    h = (*m)(h);
  }
  flush();
  return h;
}

Tensor run_chained(Sequential& seq, const Tensor& x) {
  if (seq.has_forward_hooks()) return seq(x);
  std::vector<UnaryModule*> modules;
  for (size_t i = 0; i < seq.size(); ++i) modules.push_back(seq[i].get());
  return run_chained(modules, x);
}

Tensor ConvNormActivation::forward(const Tensor& input) {
  auto* conv = size() >= 2 ? dynamic_cast<ConvNd*>((*this)[0].get()) : nullptr;
  auto* bn = size() >= 2 ? dynamic_cast<BatchNormBase*>((*this)[1].get()) : nullptr;
  if (!conv || !bn || size() > 3) return Sequential::forward(input);
  return conv_batch_norm(*conv, *bn, input, size() == 3 ? (*this)[2].get() : nullptr);
}

}  // namespace nabla::nn
