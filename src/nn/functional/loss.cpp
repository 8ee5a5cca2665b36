// Loss functions. Cross-entropy (N, C), NLL and the binary cross-entropies run through the
// tensor-level loss ops of ops/nn_kernels.h with their backward rules here; the others are compositions of
// differentiable tensor ops and get their gradients from those.
#include "nabla/nn/functional/loss.h"

#include <cmath>
#include <limits>

#include "nabla/autograd.h"
#include "nabla/ops.h"
#include "ops/nn_kernels.h"

namespace nabla::nn {

Reduction reduction_from_string(const std::string& name) {
  if (name == "none") return Reduction::None;
  if (name == "mean") return Reduction::Mean;
  if (name == "sum") return Reduction::Sum;
  if (name == "batchmean") return Reduction::BatchMean;
  throw Error(str_cat("reduction: '", name, "' is not a valid value; expected 'none', 'mean', 'sum' or 'batchmean'"));
}

std::string reduction_name(Reduction reduction) {
  switch (reduction) {
    case Reduction::None: return "none";
    case Reduction::Mean: return "mean";
    case Reduction::Sum: return "sum";
    case Reduction::BatchMean: return "batchmean";
  }
  return "?";
}

}  // namespace nabla::nn

namespace nabla::nn::functional {
namespace {

void check_floating(const Tensor& t, const char* op, const char* what) {
  NABLA_CHECK(t.defined(), op, ": ", what, " is undefined");
  NABLA_CHECK(is_floating(t.dtype()), op, ": expected a floating-point ", what, ", got ", dtype_name(t.dtype()),
              " (shape ", t.shape(), ")");
}

void check_reduction(Reduction r, const char* op) {
  NABLA_CHECK(r != Reduction::BatchMean, op, ": reduction 'batchmean' is only valid for kl_div; use 'mean', 'sum' or 'none'");
}

Tensor apply_reduction(const Tensor& loss, Reduction r, const char* op) {
  check_reduction(r, op);
  switch (r) {
    case Reduction::None: return loss;
    case Reduction::Mean: return mean(loss);
    case Reduction::Sum: return sum(loss);
    default: return loss;
  }
}

void check_same_shape(const Tensor& input, const Tensor& target, const char* op) {
  NABLA_CHECK(input.shape() == target.shape(), op, ": target size ", target.shape(),
              " must be the same as input size ", input.shape());
}

// True when `from` broadcasts to exactly `to` (trailing alignment, sizes equal or 1).
bool broadcasts_to(const Shape& from, const Shape& to) {
  if (from.size() > to.size()) return false;
  for (size_t i = 0; i < from.size(); ++i) {
    const int64_t f = from[from.size() - 1 - i], t = to[to.size() - 1 - i];
    if (f != t && f != 1) return false;
  }
  return true;
}

// Target converted to the input's floating dtype (binary losses take float targets).
Tensor float_target(const Tensor& target, const Tensor& input) {
  return target.dtype() == input.dtype() ? target : target.to(input.dtype());
}

// Class weight: 1-d with C elements and input's dtype.
void check_class_weight(const Tensor& weight, int64_t C, const Tensor& input, const char* op) {
  if (!weight.defined()) return;
  NABLA_CHECK(weight.dim() == 1 && weight.numel() == C, op, ": weight tensor should be defined either for all ", C,
              " classes or no classes but got weight tensor of shape: ", weight.shape());
  NABLA_CHECK(weight.dtype() == input.dtype(), op, ": weight has dtype ", dtype_name(weight.dtype()),
              " but input has dtype ", dtype_name(input.dtype()));
}

// Shape expected of class-index targets for `input`: input's shape without the class dim.
Shape index_target_shape(const Tensor& input) {
  Shape s = input.shape();
  if (input.dim() == 1) return {};
  s.erase(s.begin() + 1);
  return s;
}

void check_index_target(const Tensor& input, const Tensor& target, const char* op) {
  NABLA_CHECK(input.dim() >= 1, op, ": input must have at least 1 dimension (classes), got shape ", input.shape());
  NABLA_CHECK(target.dtype() == DType::Int64, op, ": expected int64 class indices as target, got ",
              dtype_name(target.dtype()), " (shape ", target.shape(), "); use floating targets of input's shape (",
              input.shape(), ") for class probabilities");
  NABLA_CHECK(target.shape() == index_target_shape(input), op, ": expected target of shape ",
              index_target_shape(input), " for input of shape ", input.shape(), ", got ", target.shape());
}

// Σ w_t over non-ignored targets (the Mean denominator), in double; w_t = 1 without a weight.
double total_target_weight(const Tensor& target, const Tensor& weight, int64_t ignore_index) {
  const Tensor t = target.reshape({-1});
  const Tensor ignored = eq(t, static_cast<double>(ignore_index));
  const Tensor w = weight.defined() ? index_select(weight.detach().to(DType::Float64), 0, masked_fill(t, ignored, 0.0))
                                    : ones(t.shape(), DType::Float64);
  return ops::ordered_sum(masked_fill(w, ignored, 0.0));
}

// Fused softmax cross-entropy for (N, C) logits and (N) targets.
Tensor cross_entropy_rows(const Tensor& input, const Tensor& target, const Tensor& weight, int64_t ignore_index,
                          Reduction reduction, double label_smoothing) {
  const int64_t N = input.size(0), C = input.size(1);
  const Tensor x = input.contiguous();
  const Tensor t = target.contiguous();
  const Tensor w = weight.defined() ? weight.detach().contiguous() : Tensor();
  ops::check_class_targets(t, C, ignore_index, "cross_entropy");
  const DType dt = input.dtype();
  const ops::ClassLossForward f = ops::cross_entropy_forward(x, t, w, ignore_index, label_smoothing);
  const Tensor loss = f.loss, lse = f.lse, row_weight = f.row_weight;
  double denom = 1.0;
  Tensor out = dispatch_floating(dt, "cross_entropy", [&]<class T>() {
    if (reduction == Reduction::None) return loss;
    const double total = ops::ordered_sum(loss);
    if (reduction == Reduction::Mean) denom = ops::ordered_sum(row_weight);
    return scalar_tensor(static_cast<T>(total) / static_cast<T>(denom), dt);
  });
  if (!autograd::needs_grad({input})) return out;
  // ∂loss_n/∂x_nc = (1 − ε)·w_t·(p_c − [c = t]) + (ε/C)·(Σw·p_c − w_c): the softmax minus the
  // (smoothed, weighted) target distribution; Mean scales every row by 1/Σ w_t.
  autograd::record(out, "cross_entropy", {input}, [s_x = autograd::SavedTensor(x), s_t = autograd::SavedTensor(t), s_w = autograd::SavedTensor(w), s_lse = autograd::SavedTensor(lse), reduction, denom, ignore_index, label_smoothing, N, C](
                                                       const Tensor& g) {
      const Tensor x = s_x.get(), t = s_t.get(), w = s_w.get(), lse = s_lse.get();
    const Tensor gc = g.to(x.dtype()).contiguous();
    Tensor dx = ops::cross_entropy_backward(gc, x, t, w, lse, reduction == Reduction::None, reduction == Reduction::Mean,
                                            denom, ignore_index, label_smoothing);
    return std::vector<Tensor>{dx};
  });
  return out;
}

// Cross-entropy against class probabilities of input's shape (PyTorch's prob-target path).
Tensor cross_entropy_probs(const Tensor& input, const Tensor& target_in, const Tensor& weight, Reduction reduction,
                           double label_smoothing) {
  check_same_shape(input, target_in, "cross_entropy");
  const int64_t cdim = input.dim() == 1 ? 0 : 1;
  const int64_t C = input.size(cdim);
  Tensor target = float_target(target_in, input);
  if (label_smoothing > 0) target = target * (1.0 - label_smoothing) + label_smoothing / static_cast<double>(C);
  Tensor prod = log_softmax(input, cdim) * target;
  if (weight.defined()) {
    Shape wshape(input.dim(), 1);
    wshape[cdim] = C;
    prod = prod * weight.reshape(wshape);
  }
  switch (reduction) {
    case Reduction::None: return neg(sum(prod, {cdim}));
    case Reduction::Sum: return neg(sum(prod));
    default: return neg(sum(prod)) / static_cast<double>(input.numel() / std::max<int64_t>(C, 1));
  }
}

}  // namespace

Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight, int64_t ignore_index,
                Reduction reduction) {
  const char* op = "nll_loss";
  check_floating(input, op, "input");
  check_reduction(reduction, op);
  check_index_target(input, target, op);
  const int64_t N = input.dim() == 1 ? 1 : input.size(0);
  const int64_t C = input.dim() == 1 ? input.size(0) : input.size(1);
  const int64_t D = N * C == 0 ? 0 : input.numel() / (N * C);
  check_class_weight(weight, C, input, op);
  const Tensor x = input.contiguous();
  const Tensor t = target.contiguous();
  const Tensor w = weight.defined() ? weight.detach().contiguous() : Tensor();
  ops::check_class_targets(t, C, ignore_index, op);
  const DType dt = input.dtype();
  const ops::ClassLossForward f = ops::nll_forward(x, t, w, N, C, D, ignore_index);
  const Tensor loss = f.loss, row_weight = f.row_weight;
  double denom = 1.0;
  Tensor out = dispatch_floating(dt, op, [&]<class T>() {
    if (reduction == Reduction::None) return loss;
    const double total = ops::ordered_sum(loss);
    if (reduction == Reduction::Mean) denom = ops::ordered_sum(row_weight);
    return scalar_tensor(static_cast<T>(total) / static_cast<T>(denom), dt);
  });
  if (!autograd::needs_grad({input})) return out;
  // ∂(−w_t·x_t)/∂x_c = −w_t·[c = t]: the gradient lands on the target entry only.
  autograd::record(out, op, {input}, [t, w, reduction, denom, ignore_index, N, C, D, shape = input.shape(), dt](
                                         const Tensor& g) {
    const Tensor gc = g.to(dt).contiguous();
    Tensor dx = ops::nll_backward(gc, t, w, shape, reduction == Reduction::None, reduction == Reduction::Mean, denom, N,
                                  C, D, ignore_index);
    return std::vector<Tensor>{dx};
  });
  return out;
}

Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight, int64_t ignore_index,
                     Reduction reduction, double label_smoothing) {
  const char* op = "cross_entropy";
  check_floating(input, op, "input");
  check_reduction(reduction, op);
  NABLA_CHECK(label_smoothing >= 0.0 && label_smoothing <= 1.0, op,
              ": label_smoothing must be between 0.0 and 1.0, got ", label_smoothing);
  NABLA_CHECK(input.dim() >= 1, op, ": input must have at least 1 dimension (classes), got shape ", input.shape());
  NABLA_CHECK(target.defined(), op, ": target is undefined");
  const int64_t C = input.dim() == 1 ? input.size(0) : input.size(1);
  check_class_weight(weight, C, input, op);
  if (is_floating(target.dtype())) return cross_entropy_probs(input, target, weight, reduction, label_smoothing);
  check_index_target(input, target, op);
  if (input.dim() == 2) return cross_entropy_rows(input, target, weight, ignore_index, reduction, label_smoothing);
  if (input.dim() == 1) {
    Tensor l = cross_entropy_rows(input.unsqueeze(0), target.reshape({1}), weight, ignore_index, reduction,
                                  label_smoothing);
    return reduction == Reduction::None ? l.reshape({}) : l;
  }
  // (N, C, d1, …): log_softmax over dim 1, then NLL, plus the smoothing term written out.
  const Tensor logp = log_softmax(input, 1);
  Tensor nll = nll_loss(logp, target, weight, ignore_index, reduction);
  if (label_smoothing == 0.0) return nll;
  Tensor smooth;
  if (weight.defined()) {
    Shape wshape(input.dim(), 1);
    wshape[1] = C;
    smooth = neg(sum(logp * weight.reshape(wshape), {1}));
  } else {
    smooth = neg(sum(logp, {1}));
  }
  smooth = masked_fill(smooth, eq(target, static_cast<double>(ignore_index)), 0.0);
  Tensor reduced;
  switch (reduction) {
    case Reduction::None: reduced = smooth; break;
    case Reduction::Sum: reduced = sum(smooth); break;
    default: {
      const Tensor tc = target.contiguous();
      reduced = sum(smooth) / total_target_weight(tc, weight, ignore_index);
    }
  }
  return nll * (1.0 - label_smoothing) + reduced * (label_smoothing / static_cast<double>(C));
}

Tensor multi_margin_loss(const Tensor& input, const Tensor& target, int64_t p, double margin, const Tensor& weight,
                         Reduction reduction) {
  const char* op = "multi_margin_loss";
  check_floating(input, op, "input");
  check_reduction(reduction, op);
  NABLA_CHECK(p == 1 || p == 2, op, ": only p == 1 and p == 2 supported, got p = ", p);
  NABLA_CHECK(input.dim() == 1 || input.dim() == 2, op, ": expected input of shape (C) or (N, C), got ", input.shape());
  const Tensor x = input.dim() == 1 ? input.unsqueeze(0) : input;
  const int64_t N = x.size(0), C = x.size(1);
  NABLA_CHECK(target.dtype() == DType::Int64, op, ": expected int64 class indices as target, got ", dtype_name(target.dtype()));
  NABLA_CHECK(target.numel() == N && target.dim() <= 1, op, ": inconsistent target size ", target.shape(),
              " for input of size ", input.shape());
  check_class_weight(weight, C, input, op);
  const Tensor t = target.reshape({N}).contiguous();
  ops::check_class_targets(t, C, /*ignore_index=*/std::numeric_limits<int64_t>::min(), op);  // none ignored
  // z_ni = margin − x_{n,y} + x_ni, hinged at 0; the target column itself does not count.
  Tensor z = clamp(sub(x, gather(x, 1, t.unsqueeze(1))) + margin, 0.0, std::nullopt);
  z = masked_fill(z, eq(one_hot(t, C), 1.0), 0.0);
  if (p == 2) z = z * z;
  if (weight.defined()) z = z * index_select(weight.detach(), 0, t).unsqueeze(1);
  Tensor loss = sum(z, {1}) / static_cast<double>(C);
  if (input.dim() == 1) loss = loss.reshape({});
  return apply_reduction(loss, reduction, op);
}

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target_in, const Tensor& weight, Reduction reduction) {
  const char* op = "binary_cross_entropy";
  check_floating(input, op, "input");
  check_reduction(reduction, op);
  check_same_shape(input, target_in, op);
  const Tensor target = float_target(target_in, input);
  const Tensor x = input.contiguous(), y = target.contiguous();
  Tensor loss = ops::binary_cross_entropy_forward(x, y, op);
  if (autograd::needs_grad({input, target})) {
    autograd::record(loss, op, {input, target}, [s_x = autograd::SavedTensor(x), s_y = autograd::SavedTensor(y), need_x = input.requires_grad(), need_y = target.requires_grad()](
                                                     const Tensor& g) {
      const Tensor x = s_x.get(), y = s_y.get();
      const Tensor gc = g.to(x.dtype()).contiguous();
      auto [dx, dy] = ops::binary_cross_entropy_backward(gc, x, y, need_x, need_y);
      return std::vector<Tensor>{dx, dy};
    });
  }
  if (weight.defined()) {
    NABLA_CHECK(broadcasts_to(weight.shape(), input.shape()), op, ": weight of shape ",
                weight.shape(), " does not broadcast to input of shape ", input.shape());
    loss = loss * weight.detach();
  }
  return apply_reduction(loss, reduction, op);
}

Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target_in, const Tensor& weight,
                                        Reduction reduction, const Tensor& pos_weight) {
  const char* op = "binary_cross_entropy_with_logits";
  check_floating(input, op, "input");
  check_reduction(reduction, op);
  check_same_shape(input, target_in, op);
  const Tensor target = float_target(target_in, input);
  const Tensor x = input.contiguous(), y = target.contiguous();
  Tensor pw;
  if (pos_weight.defined()) {
    check_floating(pos_weight, op, "pos_weight");
    NABLA_CHECK(broadcasts_to(pos_weight.shape(), input.shape()), op, ": pos_weight of shape ",
                pos_weight.shape(), " does not broadcast to input of shape ", input.shape());
    pw = pos_weight.detach().to(input.dtype()).expand(input.shape()).contiguous();
  }
  Tensor loss = ops::bce_with_logits_forward(x, y, pw);
  const Tensor pw_input = pos_weight.defined() ? pos_weight : Tensor();
  std::vector<Tensor> inputs{input, target};
  if (pw_input.defined()) inputs.push_back(pw_input);
  if (autograd::needs_grad(inputs)) {
    autograd::record(loss, op, inputs, [s_x = autograd::SavedTensor(x), s_y = autograd::SavedTensor(y), s_pw = autograd::SavedTensor(pw), pw_shape = pw_input.defined() ? pw_input.shape() : Shape{}, has_pw = pw_input.defined(), need_x = input.requires_grad(), need_y = target.requires_grad(), need_pw = pw_input.defined() && pw_input.requires_grad()](const Tensor& g) {
      const Tensor x = s_x.get(), y = s_y.get(), pw = s_pw.get();
      const Tensor gc = g.to(x.dtype()).contiguous();
      const ops::BceWithLogitsGrads r = ops::bce_with_logits_backward(gc, x, y, pw, need_x, need_y, need_pw);
      std::vector<Tensor> grads{r.dx, r.dy};
      if (has_pw) grads.push_back(need_pw ? sum_to(r.dpw, pw_shape) : Tensor());
      return grads;
    });
  }
  if (weight.defined()) {
    NABLA_CHECK(broadcasts_to(weight.shape(), input.shape()), op, ": weight of shape ",
                weight.shape(), " does not broadcast to input of shape ", input.shape());
    loss = loss * weight.detach();
  }
  return apply_reduction(loss, reduction, op);
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_floating(input, "mse_loss", "input");
  const Tensor d = sub(input, target);
  return apply_reduction(d * d, reduction, "mse_loss");
}

Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_floating(input, "l1_loss", "input");
  return apply_reduction(abs(sub(input, target)), reduction, "l1_loss");
}

Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, Reduction reduction, double beta) {
  const char* op = "smooth_l1_loss";
  check_floating(input, op, "input");
  NABLA_CHECK(beta >= 0.0, op, ": smooth_l1_loss does not support negative values for beta, got ", beta);
  if (beta == 0.0) return apply_reduction(abs(sub(input, target)), reduction, op);
  const Tensor d = sub(input, target);
  const Tensor ad = abs(d);
  return apply_reduction(where(lt(ad, beta), d * d * (0.5 / beta), ad - 0.5 * beta), reduction, op);
}

Tensor huber_loss(const Tensor& input, const Tensor& target, Reduction reduction, double delta) {
  const char* op = "huber_loss";
  check_floating(input, op, "input");
  NABLA_CHECK(delta > 0.0, op, ": huber_loss does not support non-positive values for delta, got ", delta);
  const Tensor d = sub(input, target);
  const Tensor ad = abs(d);
  return apply_reduction(where(lt(ad, delta), d * d * 0.5, (ad - 0.5 * delta) * delta), reduction, op);
}

Tensor kl_div(const Tensor& input, const Tensor& target, Reduction reduction, bool log_target) {
  const char* op = "kl_div";
  check_floating(input, op, "input");
  Tensor loss;
  if (log_target) {
    loss = exp(target) * sub(target, input);
  } else {
    // y·log y is taken as 0 where y = 0 (xlogy); log reads 1 there so no NaN enters the graph.
    const Tensor safe = where(gt(target, 0.0), target, 1.0);
    loss = target * log(safe) - target * input;
  }
  if (reduction == Reduction::BatchMean) {
    const double batch = input.dim() == 0 ? 1.0 : static_cast<double>(input.size(0));
    return sum(loss) / batch;
  }
  return apply_reduction(loss, reduction, op);
}

Tensor cosine_embedding_loss(const Tensor& input1, const Tensor& input2, const Tensor& target, double margin,
                             Reduction reduction) {
  const char* op = "cosine_embedding_loss";
  check_floating(input1, op, "input1");
  NABLA_CHECK(input1.dim() == 1 || input1.dim() == 2, op, ": expected 1-d or 2-d inputs, got ", input1.shape());
  NABLA_CHECK(input1.shape() == input2.shape(), op, ": input1 of shape ", input1.shape(), " and input2 of shape ",
              input2.shape(), " must have the same shape");
  const Shape expected_target = input1.dim() == 2 ? Shape{input1.size(0)} : Shape{};
  NABLA_CHECK(target.shape() == expected_target, op, ": expected target of shape ", expected_target,
              " for inputs of shape ", input1.shape(), ", got ", target.shape());
  constexpr double kEps = 1e-12;  // PyTorch's EPSILON, keeps the denominator positive
  const Tensor prod = sum(input1 * input2, {-1});
  const Tensor mag1 = sum(input1 * input1, {-1}) + kEps;
  const Tensor mag2 = sum(input2 * input2, {-1}) + kEps;
  const Tensor cos = prod / sqrt(mag1 * mag2);
  const Tensor pos = 1.0 - cos;
  const Tensor negative = clamp(cos - margin, 0.0, std::nullopt);
  const Tensor loss = where(eq(target, 1.0), pos, 0.0) + where(eq(target, -1.0), negative, 0.0);
  return apply_reduction(loss, reduction, op);
}

namespace {
// ‖u − v + eps‖_p over the last dim (torch.pairwise_distance).
Tensor pairwise_distance(const Tensor& u, const Tensor& v, double p, double eps) {
  const Tensor d = sub(u, v) + eps;
  if (p == 2.0) return sqrt(sum(d * d, {-1}));
  if (p == 1.0) return sum(abs(d), {-1});
  return pow(sum(pow(abs(d), p), {-1}), 1.0 / p);
}
}  // namespace

Tensor triplet_margin_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative, double margin,
                           double p, double eps, bool swap, Reduction reduction) {
  const char* op = "triplet_margin_loss";
  check_floating(anchor, op, "anchor");
  NABLA_CHECK(p > 0 && std::isfinite(p), op, ": p must be a positive finite number, got ", p);
  NABLA_CHECK(anchor.dim() == 1 || anchor.dim() == 2, op, ": expected 1-d or 2-d inputs, got anchor of shape ",
              anchor.shape());
  NABLA_CHECK(anchor.dim() == positive.dim() && anchor.dim() == negative.dim(), op,
              ": anchor, positive and negative must have the same number of dimensions, got ", anchor.shape(), ", ",
              positive.shape(), " and ", negative.shape());
  const Tensor d_pos = pairwise_distance(anchor, positive, p, eps);
  Tensor d_neg = pairwise_distance(anchor, negative, p, eps);
  if (swap) d_neg = minimum(d_neg, pairwise_distance(positive, negative, p, eps));
  return apply_reduction(clamp(d_pos - d_neg + margin, 0.0, std::nullopt), reduction, op);
}

Tensor margin_ranking_loss(const Tensor& input1, const Tensor& input2, const Tensor& target, double margin,
                           Reduction reduction) {
  const char* op = "margin_ranking_loss";
  check_floating(input1, op, "input1");
  const Tensor loss = clamp(neg(target) * sub(input1, input2) + margin, 0.0, std::nullopt);
  return apply_reduction(loss, reduction, op);
}

namespace {
template <class F>
Tensor sum_over_params(const std::vector<Tensor>& params, F term) {
  Tensor total;
  for (const Tensor& p : params) {
    if (!p.defined()) continue;
    const Tensor s = sum(term(p));
    total = total.defined() ? total + s : s;
  }
  return total.defined() ? total : scalar_tensor(0.0);
}
}  // namespace

Tensor l1_penalty(const std::vector<Tensor>& params) {
  return sum_over_params(params, [](const Tensor& p) { return abs(p); });
}

Tensor l2_penalty(const std::vector<Tensor>& params) {
  return sum_over_params(params, [](const Tensor& p) { return p * p; });
}

Tensor elastic_net(const std::vector<Tensor>& params, double l1, double l2) {
  return l1_penalty(params) * l1 + l2_penalty(params) * l2;
}

}  // namespace nabla::nn::functional
