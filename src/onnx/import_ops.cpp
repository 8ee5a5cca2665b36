// ONNX operators for import (docs/interop.md has the table). Each follows the ONNX operator spec
// (opsets 7–18: where an attribute became an input, both forms are read) and is written with
// nabla's differentiable ops; integer shape arithmetic (Shape, Gather on shapes, Range, …) runs
// on small int64 tensors.
#include "import_ops.h"
#include "gates.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <numeric>
#include <tuple>

#include "nabla/error.h"
#include "nabla/nn/functional/activation.h"
#include "nabla/nn/functional/conv.h"
#include "nabla/nn/functional/dropout.h"
#include "nabla/nn/functional/linear.h"
#include "nabla/nn/functional/norm.h"
#include "nabla/nn/functional/pool.h"
#include "nabla/nn/functional/recurrent.h"
#include "nabla/nn/functional/resample.h"
#include "nabla/ops.h"

namespace nabla::onnx {

namespace F = nn::functional;

const Tensor& OpCall::input(size_t i) const {
  NABLA_CHECK(has(i), "input ", i, " is required");
  return in[i];
}

const ProtoAttribute* OpCall::attr(const std::string& name) const {
  for (const auto& a : node.attrs)
    if (a.name == name) return &a;
  return nullptr;
}

int64_t OpCall::attr_int(const std::string& name, int64_t fallback) const {
  const ProtoAttribute* a = attr(name);
  return a ? a->i : fallback;
}

float OpCall::attr_float(const std::string& name, float fallback) const {
  const ProtoAttribute* a = attr(name);
  return a ? a->f : fallback;
}

double OpCall::attr_decimal(const std::string& name, float fallback) const {
  const float f = attr_float(name, fallback);
  char text[32];
  const auto written = std::to_chars(text, text + sizeof text, f);  // shortest round-trip form
  double d = f;
  if (written.ec == std::errc()) std::from_chars(text, written.ptr, d);
  return d;
}

std::string OpCall::attr_str(const std::string& name, const std::string& fallback) const {
  const ProtoAttribute* a = attr(name);
  return a ? a->s : fallback;
}

std::vector<int64_t> OpCall::attr_ints(const std::string& name, std::vector<int64_t> fallback) const {
  const ProtoAttribute* a = attr(name);
  return a ? a->ints : fallback;
}

namespace {

using Outs = std::vector<Tensor>;

// ---- helpers -----------------------------------------------------------------------------------

std::vector<int64_t> to_ints(const Tensor& t) {
  NABLA_CHECK(!is_floating(t.dtype()), "expected an integer tensor, got ", dtype_name(t.dtype()));
  return t.detach().to_vector<int64_t>();
}

double to_double(const Tensor& t) {
  NABLA_CHECK(t.numel() == 1, "expected one value, got shape ", shape_str(t.shape()));
  return t.detach().item();
}

Tensor int_tensor(const std::vector<int64_t>& v, std::optional<Shape> shape = std::nullopt) {
  return from_vector(v, shape ? *shape : Shape{static_cast<int64_t>(v.size())});
}

int64_t axis_of(int64_t axis, int64_t rank) {
  const int64_t a = axis < 0 ? axis + rank : axis;
  NABLA_CHECK(a >= 0 && a < std::max<int64_t>(rank, 1), "axis ", axis, " is out of range for rank ", rank);
  return a;
}

int64_t prod(const Shape& s, size_t from, size_t to) {
  int64_t p = 1;
  for (size_t i = from; i < to; ++i) p *= s[i];
  return p;
}

// Axes from the attribute (older opsets) or the optional input `index`.
std::vector<int64_t> axes_of(const OpCall& c, size_t index) {
  if (c.attr("axes")) return c.attr_ints("axes");
  if (c.has(index)) return to_ints(c.in[index]);
  return {};
}

// F::pad's list ((begin, end) from the last dim backwards) from ONNX's pads of the last `d` dims
// (all begins, then all ends).
IntList torch_pads(const std::vector<int64_t>& pads, size_t d) {
  IntList out;
  for (size_t i = d; i-- > 0;) {
    out.push_back(pads[i]);
    out.push_back(pads[i + d]);
  }
  return out;
}

// Spatial pads of a convolution or pooling node: explicit, or from auto_pad SAME_UPPER/SAME_LOWER.
std::vector<int64_t> window_pads(const OpCall& c, const Shape& in, const std::vector<int64_t>& kernel,
                                 const std::vector<int64_t>& strides, const std::vector<int64_t>& dilations) {
  const size_t d = kernel.size();
  const std::string auto_pad = c.attr_str("auto_pad", "NOTSET");
  std::vector<int64_t> pads = c.attr_ints("pads", std::vector<int64_t>(2 * d, 0));
  NABLA_CHECK(pads.size() == 2 * d, "pads has ", pads.size(), " values, expected ", 2 * d);
  if (auto_pad == "VALID") return std::vector<int64_t>(2 * d, 0);
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    for (size_t i = 0; i < d; ++i) {
      const int64_t size = in[in.size() - d + i], out = (size + strides[i] - 1) / strides[i];
      const int64_t total = std::max<int64_t>(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - size);
      const int64_t small = total / 2, big = total - small;
      pads[i] = auto_pad == "SAME_UPPER" ? small : big;
      pads[i + d] = auto_pad == "SAME_UPPER" ? big : small;
    }
    return pads;
  }
  NABLA_CHECK(auto_pad == "NOTSET" || auto_pad.empty(), "auto_pad '", auto_pad, "' is not supported");
  return pads;
}

bool symmetric(const std::vector<int64_t>& pads) {
  const size_t d = pads.size() / 2;
  for (size_t i = 0; i < d; ++i)
    if (pads[i] != pads[i + d]) return false;
  return true;
}

std::vector<int64_t> begins(const std::vector<int64_t>& pads) {
  return std::vector<int64_t>(pads.begin(), pads.begin() + static_cast<ptrdiff_t>(pads.size() / 2));
}

// ---- elementwise -------------------------------------------------------------------------------

template <Tensor (*f)(const Tensor&)>
Outs unary(const OpCall& c) {
  return {f(c.input(0))};
}

Tensor neg_(const Tensor& x) { return neg(x); }
Tensor reciprocal(const Tensor& x) { return div(ones_like(x), x); }
Tensor relu_(const Tensor& x) { return relu(x); }
Tensor identity(const Tensor& x) { return x; }
Tensor sum2(const Tensor& a, const Tensor& b) { return add(a, b); }

// ONNX integer Div truncates toward zero; nabla's div is true division (as PyTorch's).
Tensor int_div(const Tensor& a, const Tensor& b) {
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), "Div");
  const std::vector<int64_t> x = to_ints(a.expand(shape).contiguous()), y = to_ints(b.expand(shape).contiguous());
  std::vector<int64_t> out(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    NABLA_CHECK(y[i] != 0, "integer division by zero");
    out[i] = x[i] / y[i];
  }
  return int_tensor(out, shape).to(a.dtype());
}

Outs op_add(const OpCall& c) { return {add(c.input(0), c.input(1))}; }
Outs op_sub(const OpCall& c) { return {sub(c.input(0), c.input(1))}; }
Outs op_mul(const OpCall& c) { return {mul(c.input(0), c.input(1))}; }
Outs op_div(const OpCall& c) {
  const Tensor &a = c.input(0), &b = c.input(1);
  if (!is_floating(a.dtype()) && !is_floating(b.dtype())) return {int_div(a, b)};
  return {div(a, b)};
}
Outs op_pow(const OpCall& c) {
  const Tensor &x = c.input(0), &e = c.input(1);
  // A constant scalar exponent takes pow's exact fast paths (x², √x), as PyTorch's x ** 2.
  if (e.numel() == 1 && !e.requires_grad() && e.dim() <= x.dim()) return {pow(x, to_double(e))};
  return {pow(x, e)};
}

template <Tensor (*f)(const Tensor&, const Tensor&)>
Outs compare(const OpCall& c) {
  return {f(c.input(0), c.input(1))};
}

Outs op_where(const OpCall& c) { return {where(c.input(0).to(DType::Bool), c.input(1), c.input(2))}; }
Outs op_not(const OpCall& c) { return {logical_not(c.input(0))}; }

// Max, Min, Sum, Mean of any number of inputs (broadcast).
template <Tensor (*f)(const Tensor&, const Tensor&)>
Outs fold(const OpCall& c) {
  Tensor y = c.input(0);
  for (size_t i = 1; i < c.in.size(); ++i) y = f(y, c.input(i));
  return {y};
}
Outs op_mean(const OpCall& c) { return {div(fold<sum2>(c)[0], static_cast<double>(c.in.size()))}; }

Outs op_leaky_relu(const OpCall& c) { return {F::leaky_relu(c.input(0), c.attr_float("alpha", 0.01f))}; }
Outs op_elu(const OpCall& c) { return {F::elu(c.input(0), c.attr_float("alpha", 1.0f))}; }
Outs op_selu(const OpCall& c) {
  const double alpha = c.attr_float("alpha", 1.67326319217681884765625f), gamma = c.attr_float("gamma", 1.05070102214813232421875f);
  if (std::abs(alpha - 1.6732632423543772) < 1e-6 && std::abs(gamma - 1.0507009873554805) < 1e-6)
    return {F::selu(c.input(0))};
  const Tensor& x = c.input(0);
  return {mul(where(gt(x, 0.0), x, mul(sub(exp(x), 1.0), alpha)), gamma)};
}
Outs op_softplus(const OpCall& c) { return {F::softplus(c.input(0))}; }
Outs op_gelu(const OpCall& c) { return {F::gelu(c.input(0), c.attr_str("approximate", "none"))}; }
Outs op_hardswish(const OpCall& c) { return {F::hardswish(c.input(0))}; }
Outs op_hardsigmoid(const OpCall& c) {
  const double alpha = c.attr_float("alpha", 0.2f), beta = c.attr_float("beta", 0.5f);
  if (std::abs(alpha - 1.0 / 6.0) < 1e-6 && beta == 0.5) return {F::hardsigmoid(c.input(0))};
  return {clamp(add(mul(c.input(0), alpha), beta), 0.0, 1.0)};
}
Outs op_prelu(const OpCall& c) {
  const Tensor &x = c.input(0), &slope = c.input(1);
  return {where(gt(x, 0.0), x, mul(x, slope))};
}
Outs op_clip(const OpCall& c) {
  std::optional<double> lo, hi;
  if (c.opset < 11) {
    if (c.attr("min")) lo = c.attr_float("min", 0.0f);
    if (c.attr("max")) hi = c.attr_float("max", 0.0f);
  } else {
    if (c.has(1)) lo = to_double(c.in[1]);
    if (c.has(2)) hi = to_double(c.in[2]);
  }
  if (!lo && !hi) return {c.input(0)};
  return {clamp(c.input(0), lo, hi)};
}

Tensor softmax_like(const OpCall& c, bool log) {
  const Tensor& x = c.input(0);
  const int64_t r = x.dim();
  if (c.opset >= 13) {
    const int64_t axis = axis_of(c.attr_int("axis", -1), r);
    return log ? log_softmax(x, axis) : softmax(x, axis);
  }
  // Before opset 13: softmax over the flattened dims from `axis` on (default 1).
  const auto axis = static_cast<size_t>(axis_of(c.attr_int("axis", 1), r));
  const Tensor flat = x.reshape({prod(x.shape(), 0, axis), prod(x.shape(), axis, x.shape().size())});
  return (log ? log_softmax(flat, 1) : softmax(flat, 1)).reshape(x.shape());
}
Outs op_softmax(const OpCall& c) { return {softmax_like(c, false)}; }
Outs op_log_softmax(const OpCall& c) { return {softmax_like(c, true)}; }

Outs op_cast(const OpCall& c) {
  const ProtoAttribute* to = c.attr("to");
  NABLA_CHECK(to, "attribute 'to' is missing");
  return {c.input(0).to(dtype_of_onnx(to->i, "Cast"))};
}

Outs op_dropout(const OpCall& c) {
  NABLA_CHECK(!c.wants_output(1), "the mask output is not supported");
  double ratio = c.opset >= 12 ? (c.has(1) ? to_double(c.in[1]) : 0.5) : c.attr_float("ratio", 0.5f);
  const bool training = c.training && !(c.has(2) && to_double(c.in[2]) == 0.0);
  if (!training || ratio == 0.0) return {c.input(0)};
  return {F::dropout(c.input(0), ratio, true)};
}

// ---- linear algebra, convolution, normalisation, pooling ---------------------------------------

Outs op_matmul(const OpCall& c) { return {matmul(c.input(0), c.input(1))}; }

Outs op_gemm(const OpCall& c) {
  const double alpha = c.attr_float("alpha", 1.0f), beta = c.attr_float("beta", 1.0f);
  const bool ta = c.attr_int("transA", 0) != 0, tb = c.attr_int("transB", 0) != 0;
  const Tensor &A = c.input(0), &B = c.input(1);
  NABLA_CHECK(A.dim() == 2 && B.dim() == 2, "A and B must be matrices, got ", shape_str(A.shape()), " and ",
              shape_str(B.shape()));
  if (alpha == 1.0 && beta == 1.0 && tb && !ta && (!c.has(2) || c.in[2].dim() == 1))
    return {F::linear(A, B, c.has(2) ? c.in[2] : Tensor())};  // x Wᵀ + b, PyTorch's Linear
  Tensor y = matmul(ta ? A.t() : A, tb ? B.t() : B);
  if (alpha != 1.0) y = mul(y, alpha);
  if (c.has(2)) y = add(y, beta == 1.0 ? c.in[2] : mul(c.in[2], beta));
  return {y};
}

Outs op_conv(const OpCall& c) {
  Tensor x = c.input(0);
  const Tensor& w = c.input(1);
  const Tensor b = c.has(2) ? c.in[2] : Tensor();
  NABLA_CHECK(w.dim() >= 3 && w.dim() <= 5 && x.dim() == w.dim(), "input ", shape_str(x.shape()), " and weight ",
              shape_str(w.shape()), " must both be 3-d to 5-d");
  const size_t d = static_cast<size_t>(w.dim()) - 2;
  const std::vector<int64_t> kernel(w.shape().begin() + 2, w.shape().end());
  const std::vector<int64_t> strides = c.attr_ints("strides", std::vector<int64_t>(d, 1)),
                             dilations = c.attr_ints("dilations", std::vector<int64_t>(d, 1));
  const int64_t group = c.attr_int("group", 1);
  std::vector<int64_t> pads = window_pads(c, x.shape(), kernel, strides, dilations);
  if (!symmetric(pads)) {  // PyTorch pads both sides alike: pad explicitly first
    x = pad(x, torch_pads(pads, d));
    pads.assign(2 * d, 0);
  }
  const IntList p = begins(pads);
  if (d == 1) return {F::conv1d(x, w, b, strides, p, dilations, group)};
  if (d == 2) return {F::conv2d(x, w, b, strides, p, dilations, group)};
  return {F::conv3d(x, w, b, strides, p, dilations, group)};
}

Outs op_conv_transpose(const OpCall& c) {
  const Tensor &x = c.input(0), &w = c.input(1);
  const Tensor b = c.has(2) ? c.in[2] : Tensor();
  NABLA_CHECK(w.dim() >= 3 && w.dim() <= 5 && x.dim() == w.dim(), "input ", shape_str(x.shape()), " and weight ",
              shape_str(w.shape()), " must both be 3-d to 5-d");
  NABLA_CHECK(!c.attr("output_shape"), "attribute output_shape is not supported (give pads and output_padding)");
  const std::string auto_pad = c.attr_str("auto_pad", "NOTSET");
  NABLA_CHECK(auto_pad == "NOTSET" || auto_pad.empty(), "auto_pad '", auto_pad, "' is not supported");
  const size_t d = static_cast<size_t>(w.dim()) - 2;
  const std::vector<int64_t> strides = c.attr_ints("strides", std::vector<int64_t>(d, 1)),
                             dilations = c.attr_ints("dilations", std::vector<int64_t>(d, 1)),
                             out_pad = c.attr_ints("output_padding", std::vector<int64_t>(d, 0)),
                             pads = c.attr_ints("pads", std::vector<int64_t>(2 * d, 0));
  NABLA_CHECK(pads.size() == 2 * d && symmetric(pads), "pads must be symmetric, got ", shape_str(pads));
  const int64_t group = c.attr_int("group", 1);
  const IntList p = begins(pads);
  if (d == 1) return {F::conv_transpose1d(x, w, b, strides, p, out_pad, group, dilations)};
  if (d == 2) return {F::conv_transpose2d(x, w, b, strides, p, out_pad, group, dilations)};
  return {F::conv_transpose3d(x, w, b, strides, p, out_pad, group, dilations)};
}

Outs op_batch_norm(const OpCall& c) {
  NABLA_CHECK(!c.wants_output(1) && !c.wants_output(2), "the running-statistics outputs are not supported");
  const double eps = c.attr_decimal("epsilon", 1e-5f), momentum = c.attr_float("momentum", 0.9f);
  // ONNX's momentum weighs the running value (0.9), PyTorch's the batch value (0.1).
  return {F::batch_norm(c.input(0), c.input(3), c.input(4), c.input(1), c.input(2), c.training, 1.0 - momentum, eps)};
}

Outs op_layer_norm(const OpCall& c) {
  NABLA_CHECK(!c.wants_output(1) && !c.wants_output(2), "the Mean and InvStdDev outputs are not supported");
  const Tensor& x = c.input(0);
  const auto axis = static_cast<size_t>(axis_of(c.attr_int("axis", -1), x.dim()));
  const Shape normalized(x.shape().begin() + static_cast<ptrdiff_t>(axis), x.shape().end());
  const int64_t n = shape_numel(normalized);
  auto fit = [&](const Tensor& t) {
    NABLA_CHECK(t.numel() == n, "scale/bias of shape ", shape_str(t.shape()), " does not match the normalized shape ",
                shape_str(normalized));
    return t.reshape(normalized);
  };
  return {F::layer_norm(x, normalized, fit(c.input(1)), c.has(2) ? fit(c.in[2]) : Tensor(),
                        c.attr_decimal("epsilon", 1e-5f))};
}

Outs op_instance_norm(const OpCall& c) {
  return {F::instance_norm(c.input(0), Tensor(), Tensor(), c.input(1), c.input(2), true, 0.1,
                           c.attr_decimal("epsilon", 1e-5f))};
}

Outs op_lrn(const OpCall& c) {
  const ProtoAttribute* size = c.attr("size");
  NABLA_CHECK(size, "attribute 'size' is missing");
  return {F::local_response_norm(c.input(0), size->i, c.attr_float("alpha", 1e-4f), c.attr_float("beta", 0.75f),
                                 c.attr_float("bias", 1.0f))};
}

Outs op_max_pool(const OpCall& c) {
  NABLA_CHECK(!c.wants_output(1), "the Indices output is not supported");
  Tensor x = c.input(0);
  const std::vector<int64_t> kernel = c.attr_ints("kernel_shape");
  const size_t d = kernel.size();
  NABLA_CHECK(d >= 1 && d <= 3 && static_cast<size_t>(x.dim()) == d + 2, "kernel_shape ", shape_str(kernel),
              " does not fit input ", shape_str(x.shape()));
  const std::vector<int64_t> strides = c.attr_ints("strides", std::vector<int64_t>(d, 1)),
                             dilations = c.attr_ints("dilations", std::vector<int64_t>(d, 1));
  std::vector<int64_t> pads = window_pads(c, x.shape(), kernel, strides, dilations);
  bool explicit_pad = !symmetric(pads);
  for (size_t i = 0; i < d; ++i) explicit_pad = explicit_pad || pads[i] * 2 > kernel[i];
  if (explicit_pad) {  // padded positions never win a maximum
    x = pad(x, torch_pads(pads, d), PadMode::Constant, -std::numeric_limits<double>::infinity());
    pads.assign(2 * d, 0);
  }
  const bool ceil = c.attr_int("ceil_mode", 0) != 0;
  const IntList p = begins(pads);
  if (d == 1) return {F::max_pool1d(x, kernel, strides, p, dilations, ceil)};
  if (d == 2) return {F::max_pool2d(x, kernel, strides, p, dilations, ceil)};
  return {F::max_pool3d(x, kernel, strides, p, dilations, ceil)};
}

Outs op_avg_pool(const OpCall& c) {
  Tensor x = c.input(0);
  const std::vector<int64_t> kernel = c.attr_ints("kernel_shape");
  const size_t d = kernel.size();
  NABLA_CHECK(d >= 1 && d <= 3 && static_cast<size_t>(x.dim()) == d + 2, "kernel_shape ", shape_str(kernel),
              " does not fit input ", shape_str(x.shape()));
  const std::vector<int64_t> strides = c.attr_ints("strides", std::vector<int64_t>(d, 1));
  std::vector<int64_t> pads = window_pads(c, x.shape(), kernel, strides, std::vector<int64_t>(d, 1));
  const bool include = c.attr_int("count_include_pad", 0) != 0, ceil = c.attr_int("ceil_mode", 0) != 0;
  bool explicit_pad = !symmetric(pads);
  for (size_t i = 0; i < d; ++i) explicit_pad = explicit_pad || pads[i] * 2 > kernel[i];
  if (explicit_pad) {
    NABLA_CHECK(include, "asymmetric pads need count_include_pad=1");
    x = pad(x, torch_pads(pads, d));
    pads.assign(2 * d, 0);
  }
  const IntList p = begins(pads);
  if (d == 1) return {F::avg_pool1d(x, kernel, strides, p, ceil, include)};
  if (d == 2) return {F::avg_pool2d(x, kernel, strides, p, ceil, include)};
  return {F::avg_pool3d(x, kernel, strides, p, ceil, include)};
}

IntList spatial_dims(const Tensor& x) {
  NABLA_CHECK(x.dim() >= 3, "expected (N, C, …) input, got ", shape_str(x.shape()));
  IntList dims;
  for (int64_t i = 2; i < x.dim(); ++i) dims.push_back(i);
  return dims;
}

// Through adaptive average pooling to size 1, the kernel of nabla's own AdaptiveAvgPool layers, so
// that an exported model's global pooling comes back with the same summation order (a mean over
// the spatial dims adds in another order, which differs in the last bit where the vector width
// is not 16 lanes).
Outs op_global_avg_pool(const OpCall& c) {
  const Tensor& x = c.input(0);
  const IntList dims = spatial_dims(x);
  if (dims.size() == 1) return {F::adaptive_avg_pool1d(x, {1})};
  if (dims.size() == 2) return {F::adaptive_avg_pool2d(x, {1, 1})};
  if (dims.size() == 3) return {F::adaptive_avg_pool3d(x, {1, 1, 1})};
  return {mean(x, dims, true)};
}

Outs op_global_max_pool(const OpCall& c) {
  const Tensor& x = c.input(0);
  Shape out(x.shape().begin(), x.shape().begin() + 2);
  out.resize(x.shape().size(), 1);
  (void)spatial_dims(x);
  return {max(x.flatten(2), 2, true).first.reshape(out)};
}

Outs op_resize(const OpCall& c) {
  const Tensor& x = c.input(0);
  const size_t r = x.shape().size();
  NABLA_CHECK(r >= 3 && r <= 5, "input must be 3-d to 5-d, got ", shape_str(x.shape()));
  const std::string mode = c.attr_str("mode", "nearest");
  const std::string coord = c.attr_str("coordinate_transformation_mode", c.opset >= 11 ? "half_pixel" : "asymmetric");
  // Scales and sizes: inputs 2 and 3 from opset 11 (1 = roi), input 1 in opset 10.
  const size_t scales_at = c.opset >= 11 ? 2 : 1;
  std::optional<IntList> size;
  std::optional<std::vector<double>> scale;
  if (c.opset >= 11 && c.has(3) && c.in[3].numel() > 0) {
    const std::vector<int64_t> sizes = to_ints(c.in[3]);
    NABLA_CHECK(sizes.size() == r && sizes[0] == x.shape()[0] && sizes[1] == x.shape()[1],
                "sizes must keep N and C, got ", shape_str(sizes), " for input ", shape_str(x.shape()));
    size = IntList(sizes.begin() + 2, sizes.end());
  } else {
    NABLA_CHECK(c.has(scales_at) && c.in[scales_at].numel() == static_cast<int64_t>(r), "needs scales or sizes");
    const std::vector<double> s = c.in[scales_at].detach().to_vector<double>();
    NABLA_CHECK(s[0] == 1.0 && s[1] == 1.0, "scales of N and C must be 1");
    scale = std::vector<double>(s.begin() + 2, s.end());
  }
  if (mode == "nearest") {
    const std::string nearest = c.attr_str("nearest_mode", c.opset >= 11 ? "round_prefer_floor" : "floor");
    NABLA_CHECK(coord == "asymmetric" && nearest == "floor",
                "nearest mode is supported with coordinate_transformation_mode 'asymmetric' and nearest_mode 'floor' "
                "(PyTorch's), got '", coord, "' and '", nearest, "'");
    return {F::interpolate(x, size, scale, "nearest")};
  }
  NABLA_CHECK(mode == "linear", "mode '", mode, "' is not supported");
  const char* linear = r == 3 ? "linear" : r == 4 ? "bilinear" : "trilinear";
  if (coord == "align_corners") return {F::interpolate(x, size, scale, linear, true)};
  NABLA_CHECK(coord == "pytorch_half_pixel" || coord == "half_pixel",
              "linear mode is supported with coordinate_transformation_mode 'pytorch_half_pixel', 'half_pixel' or "
              "'align_corners', got '", coord, "'");
  return {F::interpolate(x, size, scale, linear, false)};
}

Outs op_depth_to_space(const OpCall& c) {
  const Tensor& x = c.input(0);
  const int64_t b = c.attr_int("blocksize", 0);
  NABLA_CHECK(x.dim() == 4 && b > 0 && x.shape()[1] % (b * b) == 0, "blocksize ", b, " does not fit input ",
              shape_str(x.shape()));
  if (c.attr_str("mode", "DCR") == "CRD") return {F::pixel_shuffle(x, b)};
  const int64_t N = x.shape()[0], C = x.shape()[1] / (b * b), H = x.shape()[2], W = x.shape()[3];
  return {x.reshape({N, b, b, C, H, W}).permute({0, 3, 4, 1, 5, 2}).reshape({N, C, H * b, W * b})};
}

Outs op_pad(const OpCall& c) {
  const Tensor& x = c.input(0);
  const size_t r = x.shape().size();
  const std::vector<int64_t> pads = c.opset >= 11 ? to_ints(c.input(1)) : c.attr_ints("pads");
  NABLA_CHECK(pads.size() == 2 * r, "pads has ", pads.size(), " values for a rank-", r, " input");
  NABLA_CHECK(!c.has(3), "the axes input is not supported");
  double value = c.opset >= 11 ? (c.has(2) ? to_double(c.in[2]) : 0.0) : c.attr_float("value", 0.0f);
  const std::string mode = c.attr_str("mode", "constant");
  IntList p = torch_pads(pads, r);
  while (p.size() > 2 && p[p.size() - 1] == 0 && p[p.size() - 2] == 0) p.resize(p.size() - 2);  // unpadded leading dims
  if (mode == "constant") return {pad(x, p, PadMode::Constant, value)};
  if (mode == "reflect") return {pad(x, p, PadMode::Reflect)};
  NABLA_CHECK(mode == "edge", "mode '", mode, "' is not supported");
  return {pad(x, p, PadMode::Replicate)};
}

// ---- recurrent layers -----------------------------------------------------------------------------

enum class Cell { Lstm, Gru, Rnn };

// ONNX's LSTM, GRU and RNN (X (T, N, I), or (N, T, I) with layout 1; W (D, G·H, I); R (D, G·H, H);
// B (D, 2·G·H); initial states (D, N, H)) as nabla's PyTorch-order cells, one step at a time:
// ONNX's gates are i, o, f, c (LSTM) and z, r, h (GRU); PyTorch's i, f, g, o and r, z, n.
// sequence_lens (N), when given, bounds each sequence: past its length the outputs are 0 and the
// states stay, so Y_h is the state of its last step (forward) or of step 0 after starting at its
// last step (reverse), as the ONNX spec and PyTorch's packed sequences.
// Outputs Y (T, D, N, H), Y_h (D, N, H) and, for an LSTM, Y_c.
Outs recurrent(const OpCall& c, Cell cell) {
  const bool batch_major = c.attr_int("layout", 0) == 1;
  const Tensor x = batch_major ? c.input(0).transpose(0, 1) : c.input(0);
  const Tensor &W = c.input(1), &R = c.input(2);
  NABLA_CHECK(x.dim() == 3 && W.dim() == 3 && R.dim() == 3, "X, W and R must be 3-d, got ", shape_str(x.shape()),
              ", ", shape_str(W.shape()), ", ", shape_str(R.shape()));
  const int64_t G = cell == Cell::Lstm ? 4 : cell == Cell::Gru ? 3 : 1;
  const int64_t T = x.size(0), N = x.size(1), H = R.size(2), D = W.size(0);
  NABLA_CHECK(W.size(1) == G * H && R.size(1) == G * H && R.size(0) == D, "W ", shape_str(W.shape()), " and R ",
              shape_str(R.shape()), " do not fit hidden size ", H);
  const std::string direction = c.attr_str("direction", "forward");
  NABLA_CHECK((direction == "bidirectional") == (D == 2) && D >= 1 && D <= 2, "direction '", direction, "' with ", D,
              " weight sets");
  NABLA_CHECK(!c.attr("clip"), "clip is not supported");
  NABLA_CHECK(c.attr_int("input_forget", 0) == 0, "input_forget is not supported");
  NABLA_CHECK(!c.has(cell == Cell::Lstm ? 7 : 99), "peepholes (input P) are not supported");
  if (cell == Cell::Gru)
    NABLA_CHECK(c.attr_int("linear_before_reset", 0) == 1,
                "linear_before_reset=0 is not supported (PyTorch's GRU exports linear_before_reset=1)");
  bool relu = false;
  if (const auto* a = c.attr("activations")) {
    const std::vector<std::string> standard =
        cell == Cell::Lstm ? std::vector<std::string>{"Sigmoid", "Tanh", "Tanh"}
        : cell == Cell::Gru ? std::vector<std::string>{"Sigmoid", "Tanh"} : std::vector<std::string>{"Tanh"};
    relu = cell == Cell::Rnn && a->strings.size() == 1 && a->strings[0] == "Relu";
    for (size_t d = 0; d < a->strings.size() && !relu; ++d)
      NABLA_CHECK(a->strings[d] == standard[d % standard.size()], "activation '", a->strings[d], "' is not supported");
  }
  // valid (T, N, 1): step t lies within sequence n (undefined: every sequence has T steps).
  Tensor valid;
  if (c.has(4)) {
    const std::vector<int64_t> lens = to_ints(c.in[4].to(DType::Int64));
    NABLA_CHECK(static_cast<int64_t>(lens.size()) == N, "sequence_lens has ", lens.size(), " lengths for a batch of ",
                N);
    for (int64_t len : lens) NABLA_CHECK(len >= 0 && len <= T, "sequence_lens must be in [0, ", T, "], got ", len);
    valid = lt(arange(0, static_cast<double>(T), 1, DType::Int64).reshape({T, 1, 1}),
               from_vector(lens, Shape{1, N, 1}));
  }
  auto initial = [&](size_t i) {
    if (!c.has(i)) return zeros({D, N, H}, x.dtype());
    return batch_major ? c.in[i].transpose(0, 1) : c.in[i];
  };
  const Tensor h0 = initial(5), c0 = cell == Cell::Lstm ? initial(6) : Tensor();
  const std::vector<int64_t> order = cell == Cell::Lstm  ? std::vector<int64_t>{0, 2, 3, 1}
                                     : cell == Cell::Gru ? std::vector<int64_t>{1, 0, 2}
                                                         : std::vector<int64_t>{0};
  std::vector<Tensor> ys, hs, cs;
  for (int64_t d = 0; d < D; ++d) {
    const Tensor w = reorder_gates(W.select(0, d), order), r = reorder_gates(R.select(0, d), order);
    Tensor gi = matmul(x, w.t());  // (T, N, G·H) for every step at once
    Tensor bias_h;
    if (c.has(3)) {
      const Tensor b = c.in[3].select(0, d);
      gi = add(gi, reorder_gates(b.narrow(0, 0, G * H), order));
      bias_h = reorder_gates(b.narrow(0, G * H, G * H), order);
    }
    Tensor h = h0.select(0, d), cs_d = cell == Cell::Lstm ? c0.select(0, d) : Tensor();
    std::vector<Tensor> out(static_cast<size_t>(T));
    const bool reverse = direction == "reverse" || d == 1;
    for (int64_t k = 0; k < T; ++k) {
      const int64_t t = reverse ? T - 1 - k : k;
      const Tensor h_prev = h, c_prev = cs_d;
      Tensor gh = matmul(h, r.t());
      if (bias_h.defined()) gh = add(gh, bias_h);
      if (cell == Cell::Lstm) {
        std::tie(h, cs_d) = F::lstm_gates(gi.select(0, t), gh, cs_d);
      } else if (cell == Cell::Gru) {
        h = F::gru_gates(gi.select(0, t), gh, h);
      } else {
        const Tensor pre = add(gi.select(0, t), gh);
        h = relu ? nabla::relu(pre) : tanh(pre);
      }
      if (valid.defined()) {  // past the sequence's end: the state stays, the output is 0
        const Tensor v = valid.select(0, t);  // (N, 1)
        h = where(v, h, h_prev);
        if (cell == Cell::Lstm) cs_d = where(v, cs_d, c_prev);
        out[static_cast<size_t>(t)] = where(v, h, 0.0);
        continue;
      }
      out[static_cast<size_t>(t)] = h;
    }
    ys.push_back(stack(out, 0));  // (T, N, H)
    hs.push_back(h);
    if (cell == Cell::Lstm) cs.push_back(cs_d);
  }
  Tensor y = stack(ys, 1), y_h = stack(hs, 0);  // (T, D, N, H), (D, N, H)
  Tensor y_c = cell == Cell::Lstm ? stack(cs, 0) : Tensor();
  if (batch_major) {
    y = y.permute({2, 0, 1, 3});
    y_h = y_h.transpose(0, 1);
    if (y_c.defined()) y_c = y_c.transpose(0, 1);
  }
  if (cell == Cell::Lstm) return {y, y_h, y_c};
  return {y, y_h};
}

Outs op_lstm(const OpCall& c) { return recurrent(c, Cell::Lstm); }
Outs op_gru(const OpCall& c) { return recurrent(c, Cell::Gru); }
Outs op_rnn(const OpCall& c) { return recurrent(c, Cell::Rnn); }

// ---- shapes ------------------------------------------------------------------------------------

Outs op_flatten(const OpCall& c) {
  const Tensor& x = c.input(0);
  const int64_t r = x.dim();
  int64_t axis = c.attr_int("axis", 1);
  if (axis < 0) axis += r;
  NABLA_CHECK(axis >= 0 && axis <= r, "axis ", c.attr_int("axis", 1), " is out of range for rank ", r);
  const auto a = static_cast<size_t>(axis);
  return {x.reshape({prod(x.shape(), 0, a), prod(x.shape(), a, x.shape().size())})};
}

Outs op_reshape(const OpCall& c) {
  const Tensor& x = c.input(0);
  std::vector<int64_t> shape = c.opset >= 5 ? to_ints(c.input(1)) : c.attr_ints("shape");
  const bool allow_zero = c.attr_int("allowzero", 0) != 0;
  int64_t infer = -1, known = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 0 && !allow_zero) {
      NABLA_CHECK(i < x.shape().size(), "shape ", shape_str(shape), ": 0 copies a dimension the input ",
                  shape_str(x.shape()), " does not have");
      shape[i] = x.shape()[i];
    }
    if (shape[i] == -1) {
      NABLA_CHECK(infer < 0, "shape ", shape_str(shape), " has two -1");
      infer = static_cast<int64_t>(i);
    } else {
      NABLA_CHECK(shape[i] >= 0, "shape ", shape_str(shape), " has a negative dimension");
      NABLA_CHECK(!__builtin_mul_overflow(known, shape[i], &known), "shape ", shape_str(shape),
                  " has too many elements");
    }
  }
  if (infer >= 0) {
    NABLA_CHECK(known > 0 && x.numel() % known == 0, "cannot reshape ", shape_str(x.shape()), " to ", shape_str(shape));
    shape[static_cast<size_t>(infer)] = x.numel() / known;
  }
  NABLA_CHECK(shape_numel(shape) == x.numel(), "cannot reshape ", shape_str(x.shape()), " to ", shape_str(shape));
  return {x.reshape(shape)};
}

Outs op_transpose(const OpCall& c) {
  const Tensor& x = c.input(0);
  std::vector<int64_t> perm = c.attr_ints("perm");
  if (perm.empty())
    for (int64_t i = x.dim() - 1; i >= 0; --i) perm.push_back(i);
  return {x.permute(perm)};
}

Outs op_shape(const OpCall& c) {
  const Shape& s = c.input(0).shape();
  const auto r = static_cast<int64_t>(s.size());
  int64_t start = c.attr_int("start", 0), end = c.attr_int("end", r);
  start = std::clamp<int64_t>(start < 0 ? start + r : start, 0, r);
  end = std::clamp<int64_t>(end < 0 ? end + r : end, 0, r);
  return {int_tensor(std::vector<int64_t>(s.begin() + start, s.begin() + std::max(start, end)))};
}

Outs op_size(const OpCall& c) { return {scalar_tensor(static_cast<double>(c.input(0).numel()), DType::Int64)}; }

Outs op_constant(const OpCall& c) {
  if (const auto* a = c.attr("value")) return {a->t};
  if (const auto* a = c.attr("value_float")) return {scalar_tensor(a->f)};
  if (const auto* a = c.attr("value_int")) return {scalar_tensor(static_cast<double>(a->i), DType::Int64)};
  if (const auto* a = c.attr("value_floats")) return {from_vector(a->floats)};
  if (const auto* a = c.attr("value_ints")) return {int_tensor(a->ints)};
  throw Error("no value attribute (value, value_float(s) or value_int(s)) is given");
}

Outs op_constant_of_shape(const OpCall& c) {
  const std::vector<int64_t> shape = to_ints(c.input(0));
  for (int64_t d : shape) NABLA_CHECK(d >= 0, "negative dimension in ", shape_str(shape));
  const auto* a = c.attr("value");
  if (!a) return {zeros(shape)};
  return {full(shape, to_double(a->t), a->t.dtype())};
}

Outs op_range(const OpCall& c) {
  const double start = to_double(c.input(0)), limit = to_double(c.input(1)), delta = to_double(c.input(2));
  NABLA_CHECK(delta != 0.0, "delta is 0");
  const auto n = static_cast<int64_t>(std::max(0.0, std::ceil((limit - start) / delta)));
  NABLA_CHECK(n <= (int64_t{1} << 31), "range of ", n, " values");
  std::vector<double> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = start + static_cast<double>(i) * delta;
  return {from_vector(v).to(c.input(0).dtype())};
}

// Gathers along `axis` on the host: integer data (shape arithmetic) of any size.
Tensor gather_ints(const Tensor& data, int64_t axis, const std::vector<int64_t>& idx, const Shape& out_shape) {
  const std::vector<int64_t> d = to_ints(data);
  const Shape& s = data.shape();
  const int64_t outer = prod(s, 0, static_cast<size_t>(axis)), dim = s[static_cast<size_t>(axis)],
                inner = prod(s, static_cast<size_t>(axis) + 1, s.size());
  std::vector<int64_t> out;
  out.reserve(static_cast<size_t>(outer * static_cast<int64_t>(idx.size()) * inner));
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i : idx)
      for (int64_t k = 0; k < inner; ++k) out.push_back(d[static_cast<size_t>((o * dim + i) * inner + k)]);
  return int_tensor(out, out_shape).to(data.dtype());
}

Outs op_gather(const OpCall& c) {
  const Tensor &data = c.input(0), &indices = c.input(1);
  const int64_t axis = axis_of(c.attr_int("axis", 0), data.dim());
  const int64_t dim = data.shape()[static_cast<size_t>(axis)];
  std::vector<int64_t> idx = to_ints(indices);
  for (int64_t& i : idx) {
    NABLA_CHECK(i >= -dim && i < dim, "index ", i, " is out of range for dimension ", axis, " of size ", dim);
    if (i < 0) i += dim;
  }
  Shape out(data.shape().begin(), data.shape().begin() + axis);
  out.insert(out.end(), indices.shape().begin(), indices.shape().end());
  out.insert(out.end(), data.shape().begin() + axis + 1, data.shape().end());
  if (!is_floating(data.dtype())) return {gather_ints(data, axis, idx, out)};
  return {index_select(data, axis, int_tensor(idx)).reshape(out)};
}

Outs op_unsqueeze(const OpCall& c) {
  Tensor x = c.input(0);
  std::vector<int64_t> axes = axes_of(c, 1);
  const auto r = static_cast<int64_t>(x.dim() + axes.size());
  for (int64_t& a : axes) a = axis_of(a, r);
  std::sort(axes.begin(), axes.end());
  for (int64_t a : axes) x = x.unsqueeze(a);
  return {x};
}

Outs op_squeeze(const OpCall& c) {
  Tensor x = c.input(0);
  std::vector<int64_t> axes = axes_of(c, 1);
  if (axes.empty()) return {x.squeeze()};
  for (int64_t& a : axes) {
    a = axis_of(a, x.dim());
    NABLA_CHECK(x.shape()[static_cast<size_t>(a)] == 1, "cannot squeeze dimension ", a, " of ", shape_str(x.shape()));
  }
  std::sort(axes.rbegin(), axes.rend());
  for (int64_t a : axes) x = x.squeeze(a);
  return {x};
}

Outs op_concat(const OpCall& c) {
  std::vector<Tensor> parts;
  for (size_t i = 0; i < c.in.size(); ++i) parts.push_back(c.input(i));
  NABLA_CHECK(!parts.empty(), "no inputs");
  return {cat(parts, axis_of(c.attr_int("axis", 0), parts[0].dim()))};
}

Outs op_split(const OpCall& c) {
  const Tensor& x = c.input(0);
  const int64_t axis = axis_of(c.attr_int("axis", 0), x.dim());
  const int64_t dim = x.shape()[static_cast<size_t>(axis)];
  std::vector<int64_t> sizes = c.opset >= 13 ? (c.has(1) ? to_ints(c.in[1]) : std::vector<int64_t>{})
                                             : c.attr_ints("split");
  const auto n = static_cast<int64_t>(c.attr("num_outputs") ? c.attr_int("num_outputs", 1) : c.node.outputs.size());
  if (sizes.empty()) {
    NABLA_CHECK(n > 0, "no outputs");
    const int64_t each = (dim + n - 1) / n;  // the last part is smaller when dim is not a multiple
    for (int64_t i = 0, left = dim; i < n; ++i, left -= each) sizes.push_back(std::min(each, std::max<int64_t>(left, 0)));
  }
  NABLA_CHECK(std::accumulate(sizes.begin(), sizes.end(), int64_t{0}) == dim, "split sizes ", shape_str(sizes),
              " do not add up to dimension ", axis, " of ", shape_str(x.shape()));
  Outs out;
  int64_t start = 0;
  for (int64_t s : sizes) {
    out.push_back(x.narrow(axis, start, s));
    start += s;
  }
  return out;
}

Outs op_slice(const OpCall& c) {
  Tensor x = c.input(0);
  std::vector<int64_t> starts, ends, axes, steps;
  if (c.opset >= 10) {
    starts = to_ints(c.input(1));
    ends = to_ints(c.input(2));
    if (c.has(3)) axes = to_ints(c.in[3]);
    if (c.has(4)) steps = to_ints(c.in[4]);
  } else {
    starts = c.attr_ints("starts");
    ends = c.attr_ints("ends");
    axes = c.attr_ints("axes");
  }
  NABLA_CHECK(starts.size() == ends.size(), "starts and ends differ in length");
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  if (steps.empty()) steps.assign(starts.size(), 1);
  NABLA_CHECK(axes.size() == starts.size() && steps.size() == starts.size(), "starts, ends, axes and steps differ in length");
  for (size_t i = 0; i < starts.size(); ++i) {
    const int64_t a = axis_of(axes[i], x.dim()), dim = x.shape()[static_cast<size_t>(a)], step = steps[i];
    NABLA_CHECK(step != 0, "step 0");
    if (step > 0) {
      auto clamp_index = [dim](int64_t v) {
        if (v < 0) v = v < -dim ? 0 : v + dim;
        return std::min(v, dim);
      };
      const int64_t s = clamp_index(starts[i]), e = clamp_index(ends[i]);
      x = x.slice(a, s, std::max(s, e), step);
      continue;
    }
    // A negative step walks down from start (clamped to [0, dim − 1]) while above end (clamped to
    // [−1, dim − 1]), e.g. PyTorch's reversal of a pads list: gather those indices.
    auto clamp_down = [dim](int64_t v, int64_t lo) {
      if (v < 0) v = v < -dim ? lo : v + dim;
      return std::max(lo, std::min(v, dim - 1));
    };
    const int64_t s = clamp_down(starts[i], 0), e = clamp_down(ends[i], -1);
    std::vector<int64_t> idx;
    for (int64_t k = s; k > e && k >= 0 && k < dim; k += step) idx.push_back(k);
    Shape out = x.shape();
    out[static_cast<size_t>(a)] = static_cast<int64_t>(idx.size());
    x = is_floating(x.dtype()) ? index_select(x, a, int_tensor(idx)) : gather_ints(x, a, idx, out);
  }
  return {x};
}

Outs op_expand(const OpCall& c) {
  Tensor x = c.input(0);
  const std::vector<int64_t> shape = to_ints(c.input(1));
  const Shape target = broadcast_shapes(x.shape(), shape, "Expand");
  while (x.dim() < static_cast<int64_t>(target.size())) x = x.unsqueeze(0);
  return {x.expand(target)};
}

Outs op_tile(const OpCall& c) {
  Tensor x = c.input(0);
  const std::vector<int64_t> reps = to_ints(c.input(1));
  NABLA_CHECK(static_cast<int64_t>(reps.size()) == x.dim(), "repeats ", shape_str(reps), " for input ", shape_str(x.shape()));
  for (size_t i = 0; i < reps.size(); ++i) {
    NABLA_CHECK(reps[i] >= 1, "repeats must be positive, got ", shape_str(reps));
    if (reps[i] > 1) x = cat(std::vector<Tensor>(static_cast<size_t>(reps[i]), x), static_cast<int64_t>(i));
  }
  return {x};
}

// ReduceMean/Sum/Max/Min: axes from the attribute, or the input (ReduceSum from opset 13, the
// others from 18); keepdims 1 by default; no axes reduces everything unless noop_with_empty_axes.
template <int kind>  // 0 mean, 1 sum, 2 max, 3 min
Outs reduce(const OpCall& c) {
  const Tensor& x = c.input(0);
  std::vector<int64_t> axes = axes_of(c, 1);
  const bool keep = c.attr_int("keepdims", 1) != 0;
  if (axes.empty() && c.attr_int("noop_with_empty_axes", 0) != 0) return {x};
  if (axes.empty())
    for (int64_t i = 0; i < x.dim(); ++i) axes.push_back(i);
  for (int64_t& a : axes) a = axis_of(a, x.dim());
  if (kind == 0) return {mean(x, axes, keep)};
  if (kind == 1) return {sum(x, axes, keep)};
  std::sort(axes.rbegin(), axes.rend());
  Tensor y = x;
  for (int64_t a : axes) y = (kind == 2 ? max(y, a, keep) : min(y, a, keep)).first;
  return {y};
}

const std::map<std::string, OpFn>& table() {
  static const std::map<std::string, OpFn> ops = {
      {"Abs", unary<abs>},
      {"Add", op_add},
      {"And", compare<logical_and>},
      {"AveragePool", op_avg_pool},
      {"BatchNormalization", op_batch_norm},
      {"Cast", op_cast},
      {"Clip", op_clip},
      {"Concat", op_concat},
      {"Constant", op_constant},
      {"ConstantOfShape", op_constant_of_shape},
      {"Conv", op_conv},
      {"ConvTranspose", op_conv_transpose},
      {"DepthToSpace", op_depth_to_space},
      {"Div", op_div},
      {"Dropout", op_dropout},
      {"Elu", op_elu},
      {"Equal", compare<eq>},
      {"Erf", unary<erf>},
      {"Exp", unary<exp>},
      {"Expand", op_expand},
      {"Flatten", op_flatten},
      {"Gather", op_gather},
      {"Gelu", op_gelu},
      {"Gemm", op_gemm},
      {"GRU", op_gru},
      {"GlobalAveragePool", op_global_avg_pool},
      {"GlobalMaxPool", op_global_max_pool},
      {"Greater", compare<gt>},
      {"GreaterOrEqual", compare<ge>},
      {"HardSigmoid", op_hardsigmoid},
      {"HardSwish", op_hardswish},
      {"Identity", unary<identity>},
      {"InstanceNormalization", op_instance_norm},
      {"LRN", op_lrn},
      {"LSTM", op_lstm},
      {"LayerNormalization", op_layer_norm},
      {"LeakyRelu", op_leaky_relu},
      {"Less", compare<lt>},
      {"LessOrEqual", compare<le>},
      {"Log", unary<log>},
      {"LogSoftmax", op_log_softmax},
      {"MatMul", op_matmul},
      {"Max", fold<maximum>},
      {"MaxPool", op_max_pool},
      {"Mean", op_mean},
      {"Min", fold<minimum>},
      {"Mul", op_mul},
      {"Neg", unary<neg_>},
      {"Not", op_not},
      {"Or", compare<logical_or>},
      {"PRelu", op_prelu},
      {"Pad", op_pad},
      {"Pow", op_pow},
      {"RNN", op_rnn},
      {"Range", op_range},
      {"Reciprocal", unary<reciprocal>},
      {"ReduceMax", reduce<2>},
      {"ReduceMean", reduce<0>},
      {"ReduceMin", reduce<3>},
      {"ReduceSum", reduce<1>},
      {"Relu", unary<relu_>},
      {"Reshape", op_reshape},
      {"Resize", op_resize},
      {"Selu", op_selu},
      {"Shape", op_shape},
      {"Sigmoid", unary<sigmoid>},
      {"Size", op_size},
      {"Slice", op_slice},
      {"Softmax", op_softmax},
      {"Softplus", op_softplus},
      {"Split", op_split},
      {"Sqrt", unary<sqrt>},
      {"Squeeze", op_squeeze},
      {"Sub", op_sub},
      {"Sum", fold<sum2>},
      {"Tanh", unary<tanh>},
      {"Tile", op_tile},
      {"Transpose", op_transpose},
      {"Unsqueeze", op_unsqueeze},
      {"Upsample", op_resize},
      {"Where", op_where},
  };
  return ops;
}

}  // namespace

OpFn find_op(const std::string& op) {
  auto it = table().find(op);
  return it == table().end() ? nullptr : it->second;
}

std::vector<std::string> op_names() {
  std::vector<std::string> names;
  for (const auto& [name, fn] : table()) names.push_back(name);
  return names;
}

}  // namespace nabla::onnx
