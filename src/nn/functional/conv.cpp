// Convolutions: conv1d/2d/3d and conv_transpose1d/2d/3d over the tensor-level conv ops of
// ops/nn_kernels.h (oneDNN for float32 where it applies, im2col + GEMM otherwise; the backend
// setting lives with those ops, in ops/nn_conv.cpp). Forward and backward rules sit together below.
#include "nabla/nn/functional/conv.h"

#include <array>

#include "nabla/autograd.h"
#include "nabla/nn/functional/norm.h"
#include "nabla/ops.h"
#include "nn/functional/conv_fused.h"
#include "ops/nn_kernels.h"

namespace nabla::nn {

PaddingMode padding_mode_from_string(const std::string& mode) {
  if (mode == "zeros") return PaddingMode::Zeros;
  if (mode == "reflect") return PaddingMode::Reflect;
  if (mode == "replicate") return PaddingMode::Replicate;
  if (mode == "circular") return PaddingMode::Circular;
  throw Error(str_cat("padding_mode must be one of 'zeros', 'reflect', 'replicate' or 'circular', but got padding_mode='",
                      mode, "'"));
}

std::string to_string(PaddingMode mode) {
  switch (mode) {
    case PaddingMode::Zeros: return "zeros";
    case PaddingMode::Reflect: return "reflect";
    case PaddingMode::Replicate: return "replicate";
    case PaddingMode::Circular: return "circular";
  }
  return "?";
}

namespace functional {

int64_t conv_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t pad_before, int64_t pad_after,
                         int64_t dilation) {
  const int64_t span = in + pad_before + pad_after - dilation * (kernel - 1) - 1;
  // floor division (span may be negative)
  return (span >= 0 ? span / stride : -((-span + stride - 1) / stride)) + 1;
}

namespace {

// One `int or tuple` argument expanded to `spatial` values; checks each against `min`.
IntList expand_arg(const IntList& v, int64_t spatial, const char* op, const char* what, int64_t min) {
  NABLA_CHECK(v.size() == 1 || static_cast<int64_t>(v.size()) == spatial, op, ": expected ", what, " to be a single integer or a list of ",
              spatial, " integers, got ", v);
  IntList out = v.size() == 1 ? IntList(spatial, v[0]) : v;
  for (int64_t e : out) NABLA_CHECK(e >= min, op, ": ", what, " must be ", min == 0 ? "non-negative" : "positive", ", got ", v);
  return out;
}

// Shared checks of the input, weight and bias of a convolution. Returns the batched input.
// `weight_in_channels` is the number of input channels the weight implies.
Tensor check_and_batch(const char* op, const Tensor& input, const Tensor& weight, const Tensor& bias, int64_t spatial,
                       int64_t groups, bool transposed) {
  NABLA_CHECK(input.defined() && weight.defined(), op, ": input and weight must be defined tensors");
  NABLA_CHECK(is_floating(input.dtype()), op, ": expected a floating-point input, got ", dtype_name(input.dtype()));
  NABLA_CHECK(weight.dtype() == input.dtype(), op, ": input type (", dtype_name(input.dtype()), ") and weight type (",
              dtype_name(weight.dtype()), ") should be the same");
  NABLA_CHECK(!bias.defined() || bias.dtype() == input.dtype(), op, ": input type (", dtype_name(input.dtype()),
              ") and bias type (", dtype_name(bias.dtype()), ") should be the same");
  NABLA_CHECK(input.dim() == spatial + 1 || input.dim() == spatial + 2, op, ": expected ", spatial + 1, "-D (unbatched) or ",
              spatial + 2, "-D (batched) input, but got input of size: ", input.shape());
  NABLA_CHECK(weight.dim() == spatial + 2, op, ": expected a ", spatial + 2, "-D weight, but got weight of size ",
              weight.shape());
  NABLA_CHECK(groups > 0, op, ": non-positive groups is not supported, got groups=", groups);
  Tensor x = input.dim() == spatial + 1 ? input.unsqueeze(0) : input;
  const int64_t C = x.size(1);
  if (!transposed) {
    NABLA_CHECK(weight.size(0) % groups == 0, op, ": out_channels (weight.size(0) = ", weight.size(0),
                ") must be divisible by groups=", groups, " (weight of size ", weight.shape(), ")");
    NABLA_CHECK(C == weight.size(1) * groups, op, ": given groups=", groups, ", weight of size ", weight.shape(),
                ", expected input", input.shape(), " to have ", weight.size(1) * groups, " channels, but got ", C,
                " channels instead");
  } else {
    NABLA_CHECK(C == weight.size(0), op, ": given transposed=1, weight of size ", weight.shape(), ", expected input",
                input.shape(), " to have ", weight.size(0), " channels, but got ", C, " channels instead");
    NABLA_CHECK(weight.size(0) % groups == 0, op, ": in_channels (weight.size(0) = ", weight.size(0),
                ") must be divisible by groups=", groups);
  }
  const int64_t out_channels = transposed ? weight.size(1) * groups : weight.size(0);
  NABLA_CHECK(!bias.defined() || (bias.dim() == 1 && bias.size(0) == out_channels), op, ": expected bias of shape [",
              out_channels, "], got ", bias.shape());
  for (int64_t d = 0; d < x.dim(); ++d)
    NABLA_CHECK(d == 0 || x.size(d) > 0, op, ": expected non-empty channel and spatial dims, got input of size ",
                input.shape());
  return x;
}

// Puts `spatial` values at the end of a 3-array that is `fill` elsewhere.
std::array<int64_t, 3> to3(const IntList& v, int64_t fill) {
  std::array<int64_t, 3> a{fill, fill, fill};
  const size_t off = 3 - v.size();
  for (size_t i = 0; i < v.size(); ++i) a[off + i] = v[i];
  return a;
}

std::string describe(const IntList& stride, const IntList& pad_before, const IntList& pad_after, const IntList& dilation) {
  std::string padding = str_cat(pad_before);
  if (pad_before != pad_after) padding = str_cat(pad_before, " before and ", pad_after, " after");
  return str_cat("stride=", stride, ", padding=", padding, ", dilation=", dilation);
}

// A convolution's batched input (padded when padding_mode is not zeros) and its geometry, after
// every check of its arguments.
struct ConvSetup {
  Tensor x;
  ops::ConvGeometry g;
};

ConvSetup setup_convolution(const char* op, int64_t spatial, const Tensor& input, const Tensor& weight,
                            const Tensor& bias, const ConvInts& stride_arg, const ConvPadding& padding_arg,
                            const ConvInts& dilation_arg, int64_t groups, PaddingMode padding_mode) {
  Tensor x = check_and_batch(op, input, weight, bias, spatial, groups, /*transposed=*/false);
  const IntList stride = expand_arg(stride_arg.values, spatial, op, "stride", 1);
  const IntList dilation = expand_arg(dilation_arg.values, spatial, op, "dilation", 1);
  const IntList kernel(weight.shape().begin() + 2, weight.shape().end());

  // Padding before and after each spatial dim.
  IntList before(spatial, 0), after(spatial, 0);
  if (padding_arg.mode.empty()) {
    before = after = expand_arg(padding_arg.values, spatial, op, "padding", 0);
  } else if (padding_arg.mode == "same") {
    for (int64_t s : stride)
      NABLA_CHECK(s == 1, op, ": padding='same' is not supported for strided convolutions (stride=", stride, ")");
    for (int64_t d = 0; d < spatial; ++d) {
      const int64_t total = dilation[d] * (kernel[d] - 1);
      before[d] = total / 2;
      after[d] = total - before[d];
    }
  } else {
    NABLA_CHECK(padding_arg.mode == "valid", op, ": invalid padding string '", padding_arg.mode,
                "', should be one of {'valid', 'same'}");
  }

  // Output sizes, with the error the notes' formula calls for.
  IntList out(spatial);
  for (int64_t d = 0; d < spatial; ++d)
    out[d] = conv_output_size(x.size(2 + d), kernel[d], stride[d], before[d], after[d], dilation[d]);
  for (int64_t d = 0; d < spatial; ++d)
    NABLA_CHECK(out[d] > 0, op, ": output size is not positive: input of size ", input.shape(), " with kernel size ",
                kernel, ", ", describe(stride, before, after, dilation), " gives output size ", out,
                " (per dim floor((in + pad_before + pad_after - dilation*(kernel-1) - 1)/stride) + 1)");

  // Non-zero padding modes pad the input explicitly (differentiably), then convolve unpadded.
  if (padding_mode != PaddingMode::Zeros) {
    bool any = false;
    IntList pads;  // (left, right) pairs from the last dim, as nabla::pad wants
    for (int64_t d = spatial - 1; d >= 0; --d) {
      pads.push_back(before[d]);
      pads.push_back(after[d]);
      any = any || before[d] || after[d];
    }
    if (any) {
      const PadMode mode = padding_mode == PaddingMode::Reflect     ? PadMode::Reflect
                           : padding_mode == PaddingMode::Replicate ? PadMode::Replicate
                                                                    : PadMode::Circular;
      x = pad(x, pads, mode);
    }
    std::fill(before.begin(), before.end(), 0);
  }

  ops::ConvGeometry g;
  g.batch = x.size(0);
  g.in_channels = x.size(1);
  g.out_channels = weight.size(0);
  g.groups = groups;
  g.in = to3(IntList(x.shape().begin() + 2, x.shape().end()), 1);
  g.out = to3(out, 1);
  g.kernel = to3(kernel, 1);
  g.stride = to3(stride, 1);
  g.pad = to3(before, 0);
  g.dilation = to3(dilation, 1);
  return {x, g};
}

Tensor convolution(const char* op, int64_t spatial, const Tensor& input, const Tensor& weight, const Tensor& bias,
                   const ConvInts& stride_arg, const ConvPadding& padding_arg, const ConvInts& dilation_arg,
                   int64_t groups, PaddingMode padding_mode) {
  // Named members, not a structured binding: the backward lambda below captures the geometry.
  const ConvSetup setup = setup_convolution(op, spatial, input, weight, bias, stride_arg, padding_arg, dilation_arg,
                                            groups, padding_mode);
  const Tensor x = setup.x.contiguous();
  const ops::ConvGeometry g = setup.g;
  Tensor w = weight.contiguous();
  Tensor b = bias.defined() ? bias.contiguous() : Tensor();
  const bool needs_grad = autograd::needs_grad({x, w, b});
  // Without a gradient to take (inference), w's conversion to oneDNN's layout is kept for reuse;
  // with w's gradient to take, the device's copy of x made for it (oneDNN's layout) is kept for
  // the backward.
  ops::ConvSavedInput saved_x;
  Tensor y = ops::conv_forward(x, w, b, g, spatial, /*reuse_packed_weights=*/!needs_grad,
                               needs_grad && w.requires_grad() ? &saved_x : nullptr);
  if (needs_grad) {
    // y = W ⋆ x + b is linear in each argument:
    //   ∂L/∂x = Wᵀ applied to gy (the transposed convolution: GEMM Wᵀ·gy, then col2im),
    //   ∂L/∂W = Σ_n gy[n] · im2col(x[n])ᵀ,   ∂L/∂b_k = Σ_{n,p} gy[n, k, p].
    autograd::record(y, op, {x, w, b}, [sx = autograd::SavedTensor(x), sw = autograd::SavedTensor(w),
                                       need_x = x.requires_grad(), need_w = w.requires_grad(), has_bias = b.defined(), g,
                                       spatial, saved_x](const Tensor& grad) {
      const Tensor x = sx.get(), w = sw.get();
      Tensor gy = grad.contiguous();
      auto [gx, gw] = ops::conv_backward(x, gy, w, g, spatial, need_x, need_w, saved_x);
      Tensor gb = has_bias ? ops::conv_backward_bias(gy) : Tensor();
      return std::vector<Tensor>{gx, gw, gb};
    });
  }
  return input.dim() == spatial + 1 ? y.squeeze(0) : y;
}

Tensor convolution_transpose(const char* op, int64_t spatial, const Tensor& input, const Tensor& weight,
                             const Tensor& bias, const ConvInts& stride_arg, const ConvInts& padding_arg,
                             const ConvInts& output_padding_arg, int64_t groups, const ConvInts& dilation_arg) {
  Tensor x = check_and_batch(op, input, weight, bias, spatial, groups, /*transposed=*/true);
  const IntList stride = expand_arg(stride_arg.values, spatial, op, "stride", 1);
  const IntList padding = expand_arg(padding_arg.values, spatial, op, "padding", 0);
  const IntList output_padding = expand_arg(output_padding_arg.values, spatial, op, "output_padding", 0);
  const IntList dilation = expand_arg(dilation_arg.values, spatial, op, "dilation", 1);
  const IntList kernel(weight.shape().begin() + 2, weight.shape().end());
  for (int64_t d = 0; d < spatial; ++d)
    NABLA_CHECK(output_padding[d] < stride[d] || output_padding[d] < dilation[d], op,
                ": output padding must be smaller than either stride or dilation, but got output_padding=",
                output_padding, ", stride=", stride, ", dilation=", dilation);

  // The transposed convolution's output is the input of the convolution it transposes.
  IntList out(spatial);
  for (int64_t d = 0; d < spatial; ++d)
    out[d] = (x.size(2 + d) - 1) * stride[d] - 2 * padding[d] + dilation[d] * (kernel[d] - 1) + output_padding[d] + 1;
  for (int64_t d = 0; d < spatial; ++d)
    NABLA_CHECK(out[d] > 0, op, ": output size is not positive: input of size ", input.shape(), " with kernel size ",
                kernel, ", stride=", stride, ", padding=", padding, ", output_padding=", output_padding,
                ", dilation=", dilation, " gives output size ", out,
                " (per dim (in - 1)*stride - 2*padding + dilation*(kernel-1) + output_padding + 1)");

  // Geometry of the forward convolution whose input gradient this is: it maps out → x.
  ops::ConvGeometry g;
  g.batch = x.size(0);
  g.in_channels = weight.size(1) * groups;  // = C_out of the transposed conv
  g.out_channels = weight.size(0);          // = C_in of the transposed conv
  g.groups = groups;
  g.in = to3(out, 1);
  g.out = to3(IntList(x.shape().begin() + 2, x.shape().end()), 1);
  g.kernel = to3(kernel, 1);
  g.stride = to3(stride, 1);
  g.pad = to3(padding, 0);
  g.dilation = to3(dilation, 1);

  x = x.contiguous();
  Tensor w = weight.contiguous();
  Tensor b = bias.defined() ? bias.contiguous() : Tensor();
  Tensor y = ops::conv_backward_input(x, w, g, spatial);
  if (b.defined()) ops::conv_add_bias_(y, b);
  if (autograd::needs_grad({x, w, b})) {
    // y = Wᵀ ⋆ x + b with Wᵀ⋆ the adjoint of the convolution C_W (geometry g): y = C_Wᵀ x + b.
    //   ∂L/∂x = C_W gy            (an ordinary convolution of gy with the same weight),
    //   ∂L/∂W: ⟨gy, C_Wᵀ x⟩ = ⟨C_W gy, x⟩ is the conv's weight pairing with (input gy, output grad x),
    //          so ∂L/∂W = Σ_n x[n] · im2col(gy[n])ᵀ — conv_backward_weight with the roles swapped,
    //   ∂L/∂b_k = Σ_{n,p} gy[n, k, p].
    autograd::record(y, op, {x, w, b}, [sx = autograd::SavedTensor(x), sw = autograd::SavedTensor(w),
                                       need_x = x.requires_grad(), need_w = w.requires_grad(), has_bias = b.defined(), g,
                                       spatial](const Tensor& grad) {
      const Tensor x = sx.get(), w = sw.get();
      Tensor gy = grad.contiguous();
      Tensor gx = need_x ? ops::conv_forward(gy, w, Tensor(), g, spatial) : Tensor();
      Tensor gw = need_w ? ops::conv_backward_weight(gy, x, w.shape(), g) : Tensor();
      Tensor gb = has_bias ? ops::conv_backward_bias(gy) : Tensor();
      return std::vector<Tensor>{gx, gw, gb};
    });
  }
  return input.dim() == spatial + 1 ? y.squeeze(0) : y;
}

}  // namespace

namespace detail {

Tensor conv_batch_norm_chain_inference(int64_t spatial, const Tensor& input, const std::vector<ConvLinkArgs>& links,
                                       const Tensor& residual) {
  const char* op = spatial == 1 ? "conv1d" : spatial == 2 ? "conv2d" : "conv3d";
  std::vector<ops::ConvBatchNormLink> chain;
  Tensor x;
  // Each link's checks and geometry from the shape of the value it reads: the chain's input, or a
  // placeholder of an earlier link's output shape (one scalar broadcast: nothing allocated per link).
  const Tensor scalar = zeros({1}, input.dtype());
  std::vector<Tensor> values{input};
  values.reserve(links.size() + 1);
  chain.reserve(links.size());
  for (size_t i = 0; i < links.size(); ++i) {
    const ConvLinkArgs& l = links[i];
    NABLA_CHECK(l.src < static_cast<int>(i + 1) && l.add < static_cast<int>(i + 1), op, ": chain link ", i,
                " reads value ", l.src, " or adds value ", l.add, ", not computed before it");
    auto [xb, g] = setup_convolution(op, spatial, values[l.src < 0 ? i : static_cast<size_t>(l.src)], l.weight, l.bias,
                                     l.stride, l.padding, l.dilation, l.groups, PaddingMode::Zeros);
    if (i == 0) x = xb;
    chain.push_back(
        {l.weight.contiguous(), l.bias.defined() ? l.bias.contiguous() : Tensor(), l.bn, l.act, g, l.src, l.add});
    Shape out{g.batch, g.out_channels};
    for (int64_t d = 3 - spatial; d < 3; ++d) out.push_back(g.out[d]);
    if (l.add >= 0) {
      Shape added = values[static_cast<size_t>(l.add)].shape();
      if (l.add == 0 && input.dim() == spatial + 1) added.insert(added.begin(), 1);
      NABLA_CHECK(added == out, op, ": chain link ", i, " adds value ", l.add, " of shape ", added,
                  " to its output of shape ", out);
    }
    values.push_back(scalar.expand(out));
  }
  Tensor res = residual;
  if (res.defined() && input.dim() == spatial + 1) res = res.unsqueeze(0);
  Tensor y = ops::conv_batch_norm_chain(x.contiguous(), chain, res, spatial);
  return input.dim() == spatial + 1 ? y.squeeze(0) : y;
}

Tensor conv_batch_norm_train(int64_t spatial, const Tensor& input, const ConvBatchNormTrainArgs& a) {
  const char* op = spatial == 1 ? "conv1d" : spatial == 2 ? "conv2d" : "conv3d";
  const ConvSetup setup = setup_convolution(op, spatial, input, a.weight, Tensor(), a.stride, a.padding, a.dilation,
                                            a.groups, PaddingMode::Zeros);
  const Tensor x = setup.x.contiguous();
  const ops::ConvGeometry g = setup.g;
  const Tensor w = a.weight.contiguous();
  // The fused op for a batched float32 input whose BatchNorm tensors fit; anything else (and any
  // error) through the functions in turn.
  bool fits = input.dim() == spatial + 2 && x.dtype() == DType::Float32 && a.eps >= 0;
  for (const Tensor* t : {&a.bn_weight, &a.bn_bias, &a.running_mean, &a.running_var})
    fits = fits && (!t->defined() || (t->shape() == Shape{g.out_channels} && t->dtype() == DType::Float32));
  const bool needs_grad = autograd::needs_grad({x, w, a.bn_weight, a.bn_bias});
  std::optional<ops::ConvBatchNormTrain> f;
  if (fits)
    f = ops::conv_batch_norm_train_forward(x, w, g, spatial, a.bn_weight, a.bn_bias, a.running_mean, a.running_var,
                                           a.momentum, a.eps, a.act, needs_grad && w.requires_grad());
  if (!f) {
    const Tensor h = convolution(op, spatial, input, a.weight, Tensor(), a.stride, a.padding, a.dilation, a.groups,
                                 PaddingMode::Zeros);
    const auto& bn = a.act == ops::FusedActivation::Relu    ? batch_norm_relu
                     : a.act == ops::FusedActivation::Relu6 ? batch_norm_relu6
                                                            : batch_norm;
    return bn(h, a.running_mean, a.running_var, a.bn_weight, a.bn_bias, true, a.momentum, a.eps);
  }
  Tensor out = std::move(f->out);  // not kept in the rule's state: the output would hold its own node
  if (!needs_grad) return out;
  // out = act(batch_norm(y)) with y = W ⋆ x: batch_norm(_relu)'s rule gives ∂L/∂y (and ∂L/∂γ,
  // ∂L/∂β), the convolution's rule takes ∂L/∂y to ∂L/∂x and ∂L/∂W (see convolution above).
  const Tensor bn_w = a.bn_weight.defined() ? a.bn_weight.detach() : Tensor();
  autograd::record(out, "conv_batch_norm", {x, w, a.bn_weight, a.bn_bias},
                   [sx = autograd::SavedTensor(x), sw = autograd::SavedTensor(w), sg = autograd::SavedTensor(bn_w),
                    need_x = x.requires_grad(), need_w = w.requires_grad(),
                    need_gamma = a.bn_weight.defined() && a.bn_weight.requires_grad(),
                    need_beta = a.bn_bias.defined() && a.bn_bias.requires_grad(), act = a.act, g, spatial,
                    state = *f](const Tensor& grad) {
                     const ops::ConvBatchNormTrainGrads r =
                         ops::conv_batch_norm_train_backward(grad.contiguous(), sx.get(), sw.get(), sg.get(), state, g,
                                                             spatial, act, need_x, need_w, need_gamma, need_beta);
                     return std::vector<Tensor>{r.gx, r.gw, r.gweight, r.gbias};
                   });
  return out;
}

}  // namespace detail

Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias, ConvInts stride, ConvPadding padding,
              ConvInts dilation, int64_t groups, PaddingMode padding_mode) {
  return convolution("conv1d", 1, input, weight, bias, stride, padding, dilation, groups, padding_mode);
}
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, ConvInts stride, ConvPadding padding,
              ConvInts dilation, int64_t groups, PaddingMode padding_mode) {
  return convolution("conv2d", 2, input, weight, bias, stride, padding, dilation, groups, padding_mode);
}
Tensor conv3d(const Tensor& input, const Tensor& weight, const Tensor& bias, ConvInts stride, ConvPadding padding,
              ConvInts dilation, int64_t groups, PaddingMode padding_mode) {
  return convolution("conv3d", 3, input, weight, bias, stride, padding, dilation, groups, padding_mode);
}

Tensor conv_transpose1d(const Tensor& input, const Tensor& weight, const Tensor& bias, ConvInts stride,
                        ConvInts padding, ConvInts output_padding, int64_t groups, ConvInts dilation) {
  return convolution_transpose("conv_transpose1d", 1, input, weight, bias, stride, padding, output_padding, groups,
                               dilation);
}
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias, ConvInts stride,
                        ConvInts padding, ConvInts output_padding, int64_t groups, ConvInts dilation) {
  return convolution_transpose("conv_transpose2d", 2, input, weight, bias, stride, padding, output_padding, groups,
                               dilation);
}
Tensor conv_transpose3d(const Tensor& input, const Tensor& weight, const Tensor& bias, ConvInts stride,
                        ConvInts padding, ConvInts output_padding, int64_t groups, ConvInts dilation) {
  return convolution_transpose("conv_transpose3d", 3, input, weight, bias, stride, padding, output_padding, groups,
                               dilation);
}

}  // namespace functional
}  // namespace nabla::nn
