// Exporters of nn layers: each turns one layer applied to the value `x` into ONNX nodes
// (docs/interop.md has the table). Parameters are initializers named by their state_dict keys.
#include <cmath>

#include "graph_builder.h"
#include "nabla/error.h"
#include "nabla/nn/activation.h"
#include "nabla/nn/attention.h"
#include "nabla/nn/conv.h"
#include "nabla/nn/dropout.h"
#include "nabla/nn/embedding.h"
#include "nabla/nn/linear.h"
#include "nabla/nn/norm.h"
#include "nabla/nn/pool.h"
#include "nabla/nn/resample.h"
#include "nabla/nn/shape_layers.h"

namespace nabla::onnx {

namespace {

std::string where(const std::string& path, const nn::Module& m) {
  return (path.empty() ? std::string("the model") : path) + " (" + m.name() + ")";
}

// A per-dim list of `d` values from PyTorch's "one value or one per dim" (an empty stride: the kernel).
std::vector<int64_t> per_dim(const IntList& v, size_t d, const IntList& fallback = {}) {
  if (v.empty()) return per_dim(fallback, d);
  if (v.size() == d) return v;
  NABLA_CHECK(v.size() == 1, "onnx export: expected 1 or ", d, " values, got ", v.size());
  return std::vector<int64_t>(d, v[0]);
}

// ONNX pads: every spatial dim's begin, then every end.
std::vector<int64_t> symmetric_pads(const IntList& padding) {
  std::vector<int64_t> pads(padding);
  pads.insert(pads.end(), padding.begin(), padding.end());
  return pads;
}

// A convolution or pooling window per spatial dim (PyTorch stores one value or one per dim; empty stride = kernel).
struct Window {
  std::vector<int64_t> kernel, stride, padding, dilation;
};

Window window(const IntList& kernel, const IntList& stride, const IntList& padding, const IntList& dilation, size_t d) {
  return {per_dim(kernel, d), per_dim(stride, d, kernel), per_dim(padding, d),
          per_dim(dilation.empty() ? IntList{1} : dilation, d)};
}

std::string scalar(GraphBuilder& g, const std::string& hint, float v) { return g.floats(hint, {v}, {}); }

std::string export_conv(GraphBuilder& g, nn::ConvNd& m, const std::string& path, const std::string& x) {
  NABLA_CHECK(m.padding_mode == nn::PaddingMode::Zeros, where(path, m),
              " has no ONNX form: only padding_mode='zeros' is exported");
  const size_t d = m.kernel_size.size();
  const Window w = window(m.kernel_size, m.stride, m.padding, m.dilation, d);
  std::vector<int64_t> pads;
  if (m.padding_str == "valid") {
    pads.assign(2 * d, 0);
  } else if (m.padding_str == "same") {  // PyTorch puts the odd extra pixel at the end
    pads.assign(2 * d, 0);
    for (size_t i = 0; i < d; ++i) {
      const int64_t total = w.dilation[i] * (w.kernel[i] - 1);
      pads[i] = total / 2;
      pads[i + d] = total - total / 2;
    }
  } else {
    pads = symmetric_pads(w.padding);
  }
  std::vector<Attr> attrs = {{"kernel_shape", w.kernel},
                             {"strides", w.stride},
                             {"pads", pads},
                             {"dilations", w.dilation},
                             {"group", m.groups}};
  if (m.transposed) attrs.push_back({"output_padding", per_dim(m.output_padding, d)});
  std::vector<std::string> in = {x, g.param(path, "weight", m.weight)};
  if (m.bias.defined()) in.push_back(g.param(path, "bias", m.bias));
  return g.node(m.transposed ? "ConvTranspose" : "Conv", in, path, attrs);
}

std::string export_linear(GraphBuilder& g, nn::Linear& m, const std::string& path, const std::string& x) {
  const std::string w = g.param(path, "weight", m.weight);
  const size_t rank = g.shapes(m, path).input.size();
  if (rank == 2) {
    std::vector<std::string> in = {x, w};
    if (m.bias.defined()) in.push_back(g.param(path, "bias", m.bias));
    return g.node("Gemm", in, path, {{"transB", int64_t{1}}});
  }
  return export_matmul_linear(g, m, path, x);  // Gemm takes only matrices
}

std::string export_batch_norm(GraphBuilder& g, nn::NormBase& m, const std::string& path, const std::string& x) {
  NABLA_CHECK(m.track_running_stats && m.running_mean.defined(), where(path, m),
              " has no ONNX form: without running statistics it normalises by batch statistics in eval mode");
  const auto C = m.num_features;
  const std::string scale =
      m.affine ? g.param(path, "weight", m.weight) : g.floats(path + "/ones", std::vector<float>(C, 1.0f), {C});
  const std::string bias =
      m.affine ? g.param(path, "bias", m.bias) : g.floats(path + "/zeros", std::vector<float>(C, 0.0f), {C});
  return g.node(
      "BatchNormalization",
      {x, scale, bias, g.param(path, "running_mean", m.running_mean), g.param(path, "running_var", m.running_var)},
      path, {{"epsilon", static_cast<float>(m.eps)}});
}

// With running statistics (eval mode) InstanceNorm normalises exactly as BatchNorm does.
std::string export_instance_norm(GraphBuilder& g, nn::InstanceNormBase& m, const std::string& path,
                                 const std::string& x) {
  if (m.track_running_stats && m.running_mean.defined()) return export_batch_norm(g, m, path, x);
  NABLA_CHECK(g.shapes(m, path).input.size() >= 3, where(path, m), " has no ONNX form for unbatched input");
  const auto C = m.num_features;
  const std::string scale =
      m.affine ? g.param(path, "weight", m.weight) : g.floats(path + "/ones", std::vector<float>(C, 1.0f), {C});
  const std::string bias =
      m.affine ? g.param(path, "bias", m.bias) : g.floats(path + "/zeros", std::vector<float>(C, 0.0f), {C});
  return g.node("InstanceNormalization", {x, scale, bias}, path, {{"epsilon", static_cast<float>(m.eps)}});
}

// (N, C, *) → (N, G, C/G·∏*) → InstanceNormalization with unit scale → (N, C, *) → ·weight + bias
// per channel (ONNX's GroupNormalization is opset 18 and scales per group).
std::string export_group_norm(GraphBuilder& g, nn::GroupNorm& m, const std::string& path, const std::string& x) {
  const Shape& in = g.shapes(m, path).input;
  NABLA_CHECK(in.size() >= 2, where(path, m), " has no ONNX form for input ", shape_str(in));
  const int64_t G = m.num_groups, C = m.num_channels;
  std::string y = g.node("Reshape", {x, g.ints(path + "/group_shape", {0, G, -1})}, path);
  y = g.node("InstanceNormalization",
             {y, g.floats(path + "/ones", std::vector<float>(G, 1.0f), {G}),
              g.floats(path + "/zeros", std::vector<float>(G, 0.0f), {G})},
             path, {{"epsilon", static_cast<float>(m.eps)}});
  std::vector<int64_t> back = {0};
  back.insert(back.end(), in.begin() + 1, in.end());
  y = g.node("Reshape", {y, g.ints(path + "/shape", back)}, path);
  if (!m.affine) return y;
  std::vector<int64_t> per_channel(in.size() - 1, 1);  // (C, 1, …, 1): broadcasts over (N, C, *)
  per_channel[0] = C;
  const std::string shape = g.ints(path + "/channel_shape", per_channel);
  y = g.node("Mul", {y, g.node("Reshape", {g.param(path, "weight", m.weight), shape}, path)}, path);
  return g.node("Add", {y, g.node("Reshape", {g.param(path, "bias", m.bias), shape}, path)}, path);
}

std::string export_layer_norm(GraphBuilder& g, nn::LayerNorm& m, const std::string& path, const std::string& x) {
  NABLA_CHECK(g.opset >= 17, where(path, m), ": LayerNormalization needs opset 17, exporting opset ", g.opset);
  const Shape& s = m.normalized_shape;
  std::vector<float> ones(shape_numel(s), 1.0f), zeros(shape_numel(s), 0.0f);
  const std::string scale =
      m.elementwise_affine ? g.param(path, "weight", m.weight) : g.floats(path + "/ones", ones, s);
  const std::string bias =
      m.elementwise_affine && m.bias.defined() ? g.param(path, "bias", m.bias) : g.floats(path + "/zeros", zeros, s);
  return g.node("LayerNormalization", {x, scale, bias}, path,
                {{"axis", -static_cast<int64_t>(s.size())}, {"epsilon", static_cast<float>(m.eps)}});
}

// PyTorch's pooling with ceil_mode written as explicit end padding: padded positions never win a
// maximum, so the floor-mode ONNX MaxPool gives PyTorch's output size and values exactly
// (including PyTorch's rule that the last window must start inside the input or left padding).
std::vector<int64_t> ceil_pads(const Window& w, const Shape& in) {
  const size_t d = w.kernel.size();
  std::vector<int64_t> pads = symmetric_pads(w.padding);
  for (size_t i = 0; i < d; ++i) {
    const int64_t size = in[in.size() - d + i], k = w.kernel[i], s = w.stride[i], p = w.padding[i], dil = w.dilation[i];
    const int64_t span = size + 2 * p - dil * (k - 1) - 1;
    int64_t out = (span + s - 1) / s + 1;
    if ((out - 1) * s >= size + p) --out;
    pads[i + d] = std::max<int64_t>(p, (out - 1) * s + dil * (k - 1) + 1 - size - p);
  }
  return pads;
}

std::string export_max_pool(GraphBuilder& g, nn::MaxPoolNd& m, const std::string& path, const std::string& x) {
  const Shape& in = g.shapes(m, path).input;
  const Window w = window(m.kernel_size, m.stride, m.padding, m.dilation, in.size() - 2);
  return g.node("MaxPool", {x}, path,
                {{"kernel_shape", w.kernel},
                 {"strides", w.stride},
                 {"pads", m.ceil_mode ? ceil_pads(w, in) : symmetric_pads(w.padding)},
                 {"dilations", w.dilation}});
}

std::string export_avg_pool(GraphBuilder& g, nn::AvgPoolNd& m, const std::string& path, const std::string& x) {
  NABLA_CHECK(!m.divisor_override, where(path, m), " has no ONNX form: divisor_override");
  const Shape& in = g.shapes(m, path).input;
  const Window w = window(m.kernel_size, m.stride, m.padding, {}, in.size() - 2);
  return g.node("AveragePool", {x}, path,
                {{"kernel_shape", w.kernel},
                 {"strides", w.stride},
                 {"pads", symmetric_pads(w.padding)},
                 {"ceil_mode", int64_t{m.ceil_mode}},
                 {"count_include_pad", int64_t{m.count_include_pad}}});
}

std::string export_adaptive_pool(GraphBuilder& g, nn::AdaptivePoolNd& m, const std::string& path,
                                 const std::string& x) {
  const bool max = m.name().find("Max") != std::string::npos;
  const CallShapes& s = g.shapes(m, path);
  const size_t d = s.output.size() - 2;
  bool global = true, divisible = true;
  std::vector<int64_t> kernel;
  for (size_t i = 0; i < d; ++i) {
    const int64_t in = s.input[s.input.size() - d + i], out = s.output[2 + i];
    global = global && out == 1;
    divisible = divisible && in % out == 0;
    kernel.push_back(out > 0 ? in / out : 1);
  }
  if (global) return g.node(max ? "GlobalMaxPool" : "GlobalAveragePool", {x}, path);
  if (divisible)
    return g.node(max ? "MaxPool" : "AveragePool", {x}, path, {{"kernel_shape", kernel}, {"strides", kernel}});
  NABLA_CHECK(!max && d == 2, where(path, m), " has no ONNX form: input ", shape_str(s.input), " to output ",
              shape_str(s.output), " is not a whole number of windows");
  // Average over PyTorch's overlapping windows [⌊i·in/out⌋, ⌈(i+1)·in/out⌉) as two matrix products:
  // y = P_h · x · P_wᵀ, P (out, in) holding 1/len over each window (exact up to float rounding).
  auto pooling_matrix = [](int64_t in, int64_t out) {
    std::vector<float> p(static_cast<size_t>(out * in), 0.0f);
    for (int64_t i = 0; i < out; ++i) {
      const int64_t lo = i * in / out, hi = ((i + 1) * in + out - 1) / out;
      for (int64_t j = lo; j < hi; ++j) p[static_cast<size_t>(i * in + j)] = 1.0f / static_cast<float>(hi - lo);
    }
    return p;
  };
  const int64_t H = s.input[s.input.size() - 2], W = s.input.back(), OH = s.output[2], OW = s.output[3];
  std::vector<float> pw = pooling_matrix(W, OW), pw_t(pw.size());
  for (int64_t i = 0; i < OW; ++i)
    for (int64_t j = 0; j < W; ++j) pw_t[static_cast<size_t>(j * OW + i)] = pw[static_cast<size_t>(i * W + j)];
  const std::string rows = g.node("MatMul", {x, g.floats(path + "/pool_w", pw_t, {W, OW})}, path);
  return g.node("MatMul", {g.floats(path + "/pool_h", pooling_matrix(H, OH), {OH, H}), rows}, path);
}

std::string export_flatten(GraphBuilder& g, nn::Flatten& m, const std::string& path, const std::string& x) {
  const Shape& in = g.shapes(m, path).input;
  const auto r = static_cast<int64_t>(in.size());
  const int64_t start = m.start_dim < 0 ? m.start_dim + r : m.start_dim,
                end = m.end_dim < 0 ? m.end_dim + r : m.end_dim;
  if (start == 1 && end == r - 1) return g.node("Flatten", {x}, path, {{"axis", int64_t{1}}});
  std::vector<int64_t> shape;
  for (int64_t i = 0; i < start; ++i) shape.push_back(0);  // 0: copy the dimension (the batch stays dynamic)
  shape.push_back(-1);
  for (int64_t i = end + 1; i < r; ++i) shape.push_back(in[i]);
  return g.node("Reshape", {x, g.ints(path + "/shape", shape)}, path);
}

std::string export_upsample(GraphBuilder& g, nn::Upsample& m, const std::string& path, const std::string& x) {
  std::vector<Attr> attrs;
  if (m.mode == "nearest") {
    attrs = {{"mode", std::string("nearest")},
             {"coordinate_transformation_mode", std::string("asymmetric")},
             {"nearest_mode", std::string("floor")}};
  } else if (m.mode == "linear" || m.mode == "bilinear") {
    attrs = {{"mode", std::string("linear")},
             {"coordinate_transformation_mode",
              std::string(m.align_corners.value_or(false) ? "align_corners" : "pytorch_half_pixel")}};
  } else {
    throw Error(where(path, m) + " has no ONNX form: mode '" + m.mode + "'");
  }
  const CallShapes& s = g.shapes(m, path);
  const size_t d = s.output.size() - 2;
  if (m.scale_factor) {
    std::vector<float> scales = {1.0f, 1.0f};
    for (size_t i = 0; i < d; ++i)
      scales.push_back(static_cast<float>((*m.scale_factor)[m.scale_factor->size() == 1 ? 0 : i]));
    return g.node("Resize", {x, "", g.floats(path + "/scales", scales, {static_cast<int64_t>(scales.size())})}, path,
                  attrs);
  }
  // Output size given: sizes = (N, C) of the input, then the fixed spatial size.
  const std::string shape = g.node("Shape", {x}, path);
  const std::string nc = g.node("Slice", {shape, g.ints(path + "/starts", {0}), g.ints(path + "/ends", {2})}, path);
  const std::vector<int64_t> spatial(s.output.begin() + 2, s.output.end());
  const std::string sizes = g.node("Concat", {nc, g.ints(path + "/size", spatial)}, path, {{"axis", int64_t{0}}});
  return g.node("Resize", {x, "", "", sizes}, path, attrs);
}

// y = 0.5·x·(1 + erf(x/√2)), or the tanh form: ONNX has Gelu only from opset 20.
std::string export_gelu(GraphBuilder& g, const std::string& approximate, const std::string& path,
                        const std::string& x) {
  std::string inner;
  if (approximate == "tanh") {
    const std::string x3 = g.node("Mul", {g.node("Mul", {x, x}, path), x}, path);
    const std::string poly = g.node("Add", {x, g.node("Mul", {x3, scalar(g, path + "/c", 0.044715f)}, path)}, path);
    inner =
        g.node("Tanh",
               {g.node("Mul", {poly, scalar(g, path + "/k", std::sqrt(2.0f / static_cast<float>(M_PI)))}, path)}, path);
  } else {
    inner = g.node("Erf", {g.node("Div", {x, scalar(g, path + "/sqrt2", std::sqrt(2.0f))}, path)}, path);
  }
  const std::string one_plus = g.node("Add", {inner, scalar(g, path + "/one", 1.0f)}, path);
  return g.node("Mul", {g.node("Mul", {x, one_plus}, path), scalar(g, path + "/half", 0.5f)}, path);
}

std::string clip(GraphBuilder& g, const std::string& path, const std::string& x, float lo, float hi) {
  return g.node("Clip", {x, scalar(g, path + "/min", lo), scalar(g, path + "/max", hi)}, path);
}

std::optional<std::string> export_activation(GraphBuilder& g, nn::Module& module, const std::string& path,
                                             const std::string& x) {
  const std::string kind = module.name();
  if (kind == "ReLU") return g.node("Relu", {x}, path);
  if (kind == "ReLU6") return clip(g, path, x, 0.0f, 6.0f);
  if (auto* m = dynamic_cast<nn::Hardtanh*>(&module))
    return clip(g, path, x, static_cast<float>(m->min_val), static_cast<float>(m->max_val));
  if (auto* m = dynamic_cast<nn::LeakyReLU*>(&module))
    return g.node("LeakyRelu", {x}, path, {{"alpha", static_cast<float>(m->negative_slope)}});
  if (auto* m = dynamic_cast<nn::ELU*>(&module))
    return g.node("Elu", {x}, path, {{"alpha", static_cast<float>(m->alpha)}});
  if (kind == "SELU") return g.node("Selu", {x}, path);  // ONNX's default alpha and gamma are PyTorch's constants
  if (auto* m = dynamic_cast<nn::GELU*>(&module)) return export_gelu(g, m->approximate, path, x);
  if (kind == "SiLU") return g.node("Mul", {x, g.node("Sigmoid", {x}, path)}, path);
  if (kind == "Sigmoid") return g.node("Sigmoid", {x}, path);
  if (kind == "Tanh") return g.node("Tanh", {x}, path);
  if (kind == "Hardswish") return g.node("HardSwish", {x}, path);
  if (kind == "Hardsigmoid") return g.node("HardSigmoid", {x}, path, {{"alpha", 1.0f / 6.0f}, {"beta", 0.5f}});
  if (auto* m = dynamic_cast<nn::Softplus*>(&module)) {
    if (m->beta == 1.0) return g.node("Softplus", {x}, path);
    const std::string b = scalar(g, path + "/beta", static_cast<float>(m->beta));
    return g.node("Div", {g.node("Softplus", {g.node("Mul", {x, b}, path)}, path), b}, path);
  }
  if (auto* m = dynamic_cast<nn::Softmax*>(&module)) {
    NABLA_CHECK(m->dim.has_value(), where(path, module), " has no ONNX form without an explicit dim");
    return g.node("Softmax", {x}, path, {{"axis", *m->dim}});
  }
  if (auto* m = dynamic_cast<nn::LogSoftmax*>(&module)) {
    NABLA_CHECK(m->dim.has_value(), where(path, module), " has no ONNX form without an explicit dim");
    return g.node("LogSoftmax", {x}, path, {{"axis", *m->dim}});
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> export_layer(GraphBuilder& g, nn::Module& module, const std::string& path,
                                        const std::string& x) {
  if (auto* m = dynamic_cast<nn::Sequential*>(&module)) {
    std::string y = x;
    for (auto& [name, child] : m->named_children()) y = g.run_child(*child, path, name, y);
    return y;
  }
  if (auto* m = dynamic_cast<nn::ConvNd*>(&module)) return export_conv(g, *m, path, x);
  if (auto* m = dynamic_cast<nn::Linear*>(&module)) return export_linear(g, *m, path, x);
  if (dynamic_cast<nn::BatchNormBase*>(&module))
    return export_batch_norm(g, *dynamic_cast<nn::NormBase*>(&module), path, x);
  if (auto* m = dynamic_cast<nn::LayerNorm*>(&module)) return export_layer_norm(g, *m, path, x);
  if (auto* m = dynamic_cast<nn::InstanceNormBase*>(&module)) return export_instance_norm(g, *m, path, x);
  if (auto* m = dynamic_cast<nn::GroupNorm*>(&module)) return export_group_norm(g, *m, path, x);
  if (auto* m = dynamic_cast<nn::MaxPoolNd*>(&module)) return export_max_pool(g, *m, path, x);
  if (auto* m = dynamic_cast<nn::AvgPoolNd*>(&module)) return export_avg_pool(g, *m, path, x);
  if (auto* m = dynamic_cast<nn::AdaptivePoolNd*>(&module)) return export_adaptive_pool(g, *m, path, x);
  if (auto* m = dynamic_cast<nn::Flatten*>(&module)) return export_flatten(g, *m, path, x);
  if (auto* m = dynamic_cast<nn::Upsample*>(&module)) return export_upsample(g, *m, path, x);
  if (auto* m = dynamic_cast<nn::Embedding*>(&module))
    return g.node("Gather", {g.param(path, "weight", m->weight), x}, path, {{"axis", int64_t{0}}});
  if (auto* m = dynamic_cast<nn::PixelShuffle*>(&module))
    return g.node("DepthToSpace", {x}, path, {{"blocksize", m->upscale_factor}, {"mode", std::string("CRD")}});
  if (auto* m = dynamic_cast<nn::LocalResponseNorm*>(&module))
    return g.node("LRN", {x}, path,
                  {{"size", m->size},
                   {"alpha", static_cast<float>(m->alpha)},
                   {"beta", static_cast<float>(m->beta)},
                   {"bias", static_cast<float>(m->k)}});
  const std::string kind = module.name();
  if (kind == "Identity" || kind == "Dropout" || kind == "Dropout2d" || kind == "AlphaDropout" || kind == "DropPath")
    return x;  // identities in eval mode (export requires eval mode)
  return export_activation(g, module, path, x);
}

std::string export_gelu_nodes(GraphBuilder& g, const std::string& approximate, const std::string& path,
                              const std::string& x) {
  return export_gelu(g, approximate, path, x);
}

std::string export_matmul_linear(GraphBuilder& g, nn::Linear& m, const std::string& path, const std::string& x) {
  const std::string wt =
      g.node("Transpose", {g.param(path, "weight", m.weight)}, path, {{"perm", std::vector<int64_t>{1, 0}}});
  std::string y = g.node("MatMul", {x, wt}, path);
  if (m.bias.defined()) y = g.node("Add", {y, g.param(path, "bias", m.bias)}, path);
  return y;
}

std::string export_self_attention(GraphBuilder& g, nn::MultiheadAttention& m, const std::string& path,
                                  const std::string& x, const std::string& mask) {
  NABLA_CHECK(m.packed_projection() && !m.bias_k.defined() && !m.options.add_zero_attn, where(path, m),
              " has no ONNX form here: only self-attention with one packed projection "
              "and no bias_k/bias_v or zero attention is exported");
  const int64_t E = m.embed_dim, H = m.num_heads, D = m.head_dim;
  // (L, N, E) without batch_first: computed batch-first, between two Transposes.
  const std::vector<int64_t> swap01 = {1, 0, 2};
  const std::string xb = m.options.batch_first ? x : g.node("Transpose", {x}, path, {{"perm", swap01}});
  // qkv = x Wᵀ + b: (N, L, 3E) → (N, L, 3, H, D) → (3, N, H, L, D), then q, k, v.
  const std::string wt = g.node("Transpose", {g.param(path, "in_proj_weight", m.in_proj_weight)}, path,
                                {{"perm", std::vector<int64_t>{1, 0}}});
  std::string qkv = g.node("MatMul", {xb, wt}, path);
  if (m.in_proj_bias.defined()) qkv = g.node("Add", {qkv, g.param(path, "in_proj_bias", m.in_proj_bias)}, path);
  qkv = g.node("Reshape", {qkv, g.ints(path + "/qkv_shape", {0, 0, 3, H, D})}, path);
  qkv = g.node("Transpose", {qkv}, path, {{"perm", std::vector<int64_t>{2, 0, 3, 1, 4}}});
  const auto parts = g.node_n("Split", {qkv}, 3, path, {{"axis", int64_t{0}}});
  const std::string axis0 = g.ints(path + "/axis0", {0});
  const std::string q = g.node("Squeeze", {parts[0], axis0}, path);
  const std::string k = g.node("Squeeze", {parts[1], axis0}, path);
  const std::string v = g.node("Squeeze", {parts[2], axis0}, path);
  // softmax(q kᵀ / √D) v per head: (N, H, L, D).
  const std::string kt = g.node("Transpose", {k}, path, {{"perm", std::vector<int64_t>{0, 1, 3, 2}}});
  std::string scores = g.node("MatMul", {q, kt}, path);
  scores = g.node("Mul", {scores, scalar(g, path + "/scale", 1.0f / std::sqrt(static_cast<float>(D)))}, path);
  if (!mask.empty()) scores = g.node("Add", {scores, mask}, path);  // (N, H, L, L)
  const std::string attn = g.node("Softmax", {scores}, path, {{"axis", int64_t{-1}}});
  std::string out = g.node("MatMul", {attn, v}, path);
  out = g.node("Transpose", {out}, path, {{"perm", std::vector<int64_t>{0, 2, 1, 3}}});
  out = g.node("Reshape", {out, g.ints(path + "/merge_shape", {0, 0, E})}, path);
  out = export_matmul_linear(g, *m.out_proj, child_path(path, "out_proj"), out);  // (N, L, E)
  return m.options.batch_first ? out : g.node("Transpose", {out}, path, {{"perm", swap01}});
}

}  // namespace nabla::onnx
