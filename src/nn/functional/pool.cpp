// nn::functional pooling ops: argument checking, output sizes, kernels and backward rules.
// Each op views its input as P = N·C planes of (D, H, W) (see kernels/cpu/pool_geometry.h).
#include "nabla/nn/functional/pool.h"

#include <cmath>

#include "nabla/autograd.h"
#include "nabla/ops.h"
#include "ops/nn_kernels.h"

namespace nabla::nn::functional {
namespace {

// An n-d pooling input: (N, C, *spatial) or (C, *spatial), viewed as planes × spatial.
struct PoolInput {
  Tensor x;            // contiguous
  Shape lead;          // the dims before the spatial ones (N, C) or (C)
  int64_t planes = 1;  // product of lead
  Shape spatial;       // n sizes
};

std::string expected_layout(int n) {
  const char* names[] = {"L", "H, W", "D, H, W"};
  return str_cat(n + 1, "-d (C, ", names[n - 1], ") or ", n + 2, "-d (N, C, ", names[n - 1], ")");
}

PoolInput pool_input(const Tensor& input, int n, const char* op) {
  NABLA_CHECK(input.defined(), op, ": input is undefined");
  NABLA_CHECK(input.dim() == n + 1 || input.dim() == n + 2, op, ": expected a ", expected_layout(n),
              " input, got shape ", input.shape());
  NABLA_CHECK(is_floating(input.dtype()), op, ": expected a floating-point input, got ", dtype_name(input.dtype()),
              " (shape ", input.shape(), ")");
  for (int64_t d = input.dim() == n + 2 ? 1 : 0; d < input.dim(); ++d)
    NABLA_CHECK(input.size(d) > 0, op, ": expected non-empty dims (only the batch dim may be 0), got shape ",
                input.shape());
  PoolInput in;
  in.x = input.contiguous();
  const int64_t nl = input.dim() - n;
  in.lead.assign(input.shape().begin(), input.shape().begin() + nl);
  in.spatial.assign(input.shape().begin() + nl, input.shape().end());
  for (int64_t s : in.lead) in.planes *= s;
  return in;
}

// One value for every spatial dim, or one per dim.
IntList per_dim(const IntList& v, int n, const char* op, const char* what) {
  NABLA_CHECK(v.size() == 1 || static_cast<int>(v.size()) == n, op, ": ", what, " must be one value or ", n,
              " values, got ", v);
  return v.size() == 1 ? IntList(n, v[0]) : v;
}

// floor or ceil((in + 2·pad − dilation·(k − 1) − 1) / stride) + 1, PyTorch's rule: with ceil_mode
// the last window must start inside the input or the left padding.
int64_t pooled_size(int64_t in, int64_t k, int64_t pad, int64_t stride, int64_t dilation, bool ceil_mode) {
  const int64_t span = in + 2 * pad - dilation * (k - 1) - 1 + (ceil_mode ? stride - 1 : 0);
  // Floor division (span may be negative for a too-large kernel).
  int64_t out = (span >= 0 ? span / stride : -((-span + stride - 1) / stride)) + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

// Parameters of a sliding-window pooling, expanded to n values each.
struct WindowArgs {
  IntList kernel, stride, pad, dilation;
};

WindowArgs window_args(int n, const IntList& kernel_size, const IntList& stride, const IntList& padding,
                       const IntList& dilation, const char* op) {
  WindowArgs a;
  a.kernel = per_dim(kernel_size, n, op, "kernel_size");
  a.stride = stride.empty() ? a.kernel : per_dim(stride, n, op, "stride");
  a.pad = per_dim(padding, n, op, "padding");
  a.dilation = per_dim(dilation, n, op, "dilation");
  for (int d = 0; d < n; ++d) {
    NABLA_CHECK(a.kernel[d] > 0, op, ": kernel_size must be positive, got ", a.kernel);
    NABLA_CHECK(a.stride[d] > 0, op, ": stride must be positive, got ", a.stride);
    NABLA_CHECK(a.dilation[d] > 0, op, ": dilation must be positive, got ", a.dilation);
    NABLA_CHECK(a.pad[d] >= 0, op, ": padding must be non-negative, got ", a.pad);
    NABLA_CHECK(a.pad[d] <= a.kernel[d] / 2, op, ": padding should be at most half of kernel_size, got padding ", a.pad,
                " and kernel_size ", a.kernel);
  }
  return a;
}

// Kernel geometry of a sliding-window pooling; raises when an output size is not positive.
ops::PoolGeometry window_geometry(const PoolInput& in, const WindowArgs& a, bool ceil_mode, const char* op) {
  const int n = static_cast<int>(in.spatial.size());
  ops::PoolGeometry g;
  g.planes = in.planes;
  Shape out(n);
  for (int d = 0; d < n; ++d) {
    out[d] = pooled_size(in.spatial[d], a.kernel[d], a.pad[d], a.stride[d], a.dilation[d], ceil_mode);
    const int k = 3 - n + d;
    g.in[k] = in.spatial[d], g.out[k] = out[d], g.kernel[k] = a.kernel[d], g.stride[k] = a.stride[d];
    g.pad[k] = a.pad[d], g.dilation[k] = a.dilation[d];
  }
  for (int d = 0; d < n; ++d)
    NABLA_CHECK(out[d] > 0, op, ": output size ", out, " is not positive for input shape ", in.x.shape(),
                " with kernel_size ", a.kernel, ", stride ", a.stride, ", padding ", a.pad, ", dilation ", a.dilation,
                ", ceil_mode ", ceil_mode ? "true" : "false");
  return g;
}

Shape output_shape(const PoolInput& in, const int64_t out3[3]) {
  Shape s = in.lead;
  const int n = static_cast<int>(in.spatial.size());
  for (int d = 0; d < n; ++d) s.push_back(out3[3 - n + d]);
  return s;
}

Tensor grad_as(const Tensor& g, DType dt) { return g.to(dt).contiguous(); }

// ---- max pooling ------------------------------------------------------------------------------

std::pair<Tensor, Tensor> max_pool(const Tensor& input, int n, const IntList& kernel_size, const IntList& stride,
                                   const IntList& padding, const IntList& dilation, bool ceil_mode, bool want_indices,
                                   const char* op) {
  const PoolInput in = pool_input(input, n, op);
  const ops::PoolGeometry g =
      window_geometry(in, window_args(n, kernel_size, stride, padding, dilation, op), ceil_mode, op);
  const Shape out_shape = output_shape(in, g.out);
  const bool grad = autograd::needs_grad({input});
  auto [y, indices] = ops::max_pool_forward(in.x, g, out_shape, want_indices || grad);
  if (grad) {
    // The output is a selection of inputs: y[o] = x[indices[o]], so dL/dx[i] = Σ_{o: indices[o]=i} dL/dy[o].
    autograd::record(y, op, {input},
                     [s_indices = autograd::SavedTensor(indices), g, shape = input.shape(), dtype = input.dtype(), op](const Tensor& gy) {
                       const Tensor gc = grad_as(gy, dtype);
                       return std::vector<Tensor>{ops::max_pool_backward(gc, s_indices.get(), shape, g)};
                     });
  }
  return {y, indices};
}

// ---- average pooling ------------------------------------------------------------------------

Tensor avg_pool(const Tensor& input, int n, const IntList& kernel_size, const IntList& stride, const IntList& padding,
                bool ceil_mode, bool count_include_pad, std::optional<int64_t> divisor_override, const char* op) {
  const PoolInput in = pool_input(input, n, op);
  const ops::PoolGeometry g = window_geometry(in, window_args(n, kernel_size, stride, padding, {1}, op), ceil_mode, op);
  NABLA_CHECK(!divisor_override || *divisor_override != 0, op, ": divisor_override must be non-zero");
  const int64_t divisor = divisor_override.value_or(0);
  Tensor y = ops::avg_pool_forward(in.x, g, output_shape(in, g.out), count_include_pad, divisor);
  if (autograd::needs_grad({input})) {
    // y[o] = Σ_{i ∈ window(o)} x[i] / divisor(o) is linear in x: dL/dx[i] = Σ_{o ∋ i} dL/dy[o] / divisor(o).
    autograd::record(
        y, op, {input},
        [g, count_include_pad, divisor, shape = input.shape(), dtype = input.dtype(), op](const Tensor& gy) {
          const Tensor gc = grad_as(gy, dtype);
          return std::vector<Tensor>{ops::avg_pool_backward(gc, shape, g, count_include_pad, divisor)};
        });
  }
  return y;
}

// ---- adaptive pooling ---------------------------------------------------------------------------

// Input and output sizes of an adaptive pooling as 3-d plane geometry.
struct AdaptiveGeometry {
  int64_t in[3] = {1, 1, 1};
  int64_t out[3] = {1, 1, 1};
};

AdaptiveGeometry adaptive_geometry(const PoolInput& in, const IntList& output_size, const char* op) {
  const int n = static_cast<int>(in.spatial.size());
  const IntList out = per_dim(output_size, n, op, "output_size");
  AdaptiveGeometry g;
  for (int d = 0; d < n; ++d) {
    NABLA_CHECK(out[d] > 0, op, ": output_size must be positive, got ", out, " for input shape ", in.x.shape());
    g.in[3 - n + d] = in.spatial[d];
    g.out[3 - n + d] = out[d];
  }
  return g;
}

Tensor adaptive_avg_pool(const Tensor& input, int n, const IntList& output_size, const char* op) {
  const PoolInput in = pool_input(input, n, op);
  const AdaptiveGeometry g = adaptive_geometry(in, output_size, op);
  Tensor y = ops::adaptive_avg_pool_forward(in.x, in.planes, g.in, g.out, output_shape(in, g.out));
  if (autograd::needs_grad({input})) {
    // Linear: each input element receives dL/dy[o] / |window(o)| from every window o holding it.
    autograd::record(y, op, {input},
                     [g, planes = in.planes, shape = input.shape(), dtype = input.dtype(), op](const Tensor& gy) {
                       const Tensor gc = grad_as(gy, dtype);
                       return std::vector<Tensor>{ops::adaptive_avg_pool_backward(gc, shape, planes, g.in, g.out)};
                     });
  }
  return y;
}

std::pair<Tensor, Tensor> adaptive_max_pool(const Tensor& input, int n, const IntList& output_size, bool want_indices,
                                            const char* op) {
  const PoolInput in = pool_input(input, n, op);
  const AdaptiveGeometry g = adaptive_geometry(in, output_size, op);
  const Shape out_shape = output_shape(in, g.out);
  const bool grad = autograd::needs_grad({input});
  auto [y, indices] = ops::adaptive_max_pool_forward(in.x, in.planes, g.in, g.out, out_shape, want_indices || grad);
  if (grad) {
    // As max pooling: the gradient of each output goes to the position of its maximum.
    const int64_t in_plane = g.in[0] * g.in[1] * g.in[2], out_plane = g.out[0] * g.out[1] * g.out[2];
    autograd::record(y, op, {input},
                     [s_indices = autograd::SavedTensor(indices), planes = in.planes, in_plane, out_plane, shape = input.shape(), dtype = input.dtype(),
                      op](const Tensor& gy) {
                       const Tensor gc = grad_as(gy, dtype);
                       return std::vector<Tensor>{
                           ops::max_index_backward(gc, s_indices.get(), shape, planes, in_plane, out_plane)};
                     });
  }
  return {y, indices};
}

// ---- power-average pooling ------------------------------------------------------------------

// (Σ_window x^p)^(1/p) = (avg_pool(x^p) · |kernel|)^(1/p), composed from differentiable ops
// (PyTorch's definition; its sign(·)·relu(|·|) wrapper equals the identity away from 0).
Tensor lp_pool(const Tensor& input, int n, double norm_type, const IntList& kernel_size, const IntList& stride,
               bool ceil_mode, const char* op) {
  NABLA_CHECK(norm_type != 0 && std::isfinite(norm_type), op, ": norm_type must be finite and non-zero, got ",
              norm_type);
  const IntList k = per_dim(kernel_size, n, op, "kernel_size");
  int64_t volume = 1;
  for (int64_t v : k) volume *= v;
  const Tensor powered = pow(input, norm_type);
  const Tensor avg = avg_pool(powered, n, k, stride, {0}, ceil_mode, true, std::nullopt, op);
  return pow(mul(avg, static_cast<double>(volume)), 1.0 / norm_type);
}

}  // namespace

// ---- public API ---------------------------------------------------------------------------------

Tensor max_pool1d(const Tensor& input, const PoolInts& kernel_size, const PoolInts& stride, const PoolInts& padding,
                  const PoolInts& dilation, bool ceil_mode) {
  return max_pool(input, 1, kernel_size.values, stride.values, padding.values, dilation.values, ceil_mode, false,
                  "max_pool1d")
      .first;
}
Tensor max_pool2d(const Tensor& input, const PoolInts& kernel_size, const PoolInts& stride, const PoolInts& padding,
                  const PoolInts& dilation, bool ceil_mode) {
  return max_pool(input, 2, kernel_size.values, stride.values, padding.values, dilation.values, ceil_mode, false,
                  "max_pool2d")
      .first;
}
Tensor max_pool3d(const Tensor& input, const PoolInts& kernel_size, const PoolInts& stride, const PoolInts& padding,
                  const PoolInts& dilation, bool ceil_mode) {
  return max_pool(input, 3, kernel_size.values, stride.values, padding.values, dilation.values, ceil_mode, false,
                  "max_pool3d")
      .first;
}
std::pair<Tensor, Tensor> max_pool1d_with_indices(const Tensor& input, const PoolInts& kernel_size,
                                                  const PoolInts& stride, const PoolInts& padding,
                                                  const PoolInts& dilation, bool ceil_mode) {
  return max_pool(input, 1, kernel_size.values, stride.values, padding.values, dilation.values, ceil_mode, true,
                  "max_pool1d");
}
std::pair<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, const PoolInts& kernel_size,
                                                  const PoolInts& stride, const PoolInts& padding,
                                                  const PoolInts& dilation, bool ceil_mode) {
  return max_pool(input, 2, kernel_size.values, stride.values, padding.values, dilation.values, ceil_mode, true,
                  "max_pool2d");
}
std::pair<Tensor, Tensor> max_pool3d_with_indices(const Tensor& input, const PoolInts& kernel_size,
                                                  const PoolInts& stride, const PoolInts& padding,
                                                  const PoolInts& dilation, bool ceil_mode) {
  return max_pool(input, 3, kernel_size.values, stride.values, padding.values, dilation.values, ceil_mode, true,
                  "max_pool3d");
}

Tensor avg_pool1d(const Tensor& input, const PoolInts& kernel_size, const PoolInts& stride, const PoolInts& padding,
                  bool ceil_mode, bool count_include_pad) {
  return avg_pool(input, 1, kernel_size.values, stride.values, padding.values, ceil_mode, count_include_pad,
                  std::nullopt, "avg_pool1d");
}
Tensor avg_pool2d(const Tensor& input, const PoolInts& kernel_size, const PoolInts& stride, const PoolInts& padding,
                  bool ceil_mode, bool count_include_pad, std::optional<int64_t> divisor_override) {
  return avg_pool(input, 2, kernel_size.values, stride.values, padding.values, ceil_mode, count_include_pad,
                  divisor_override, "avg_pool2d");
}
Tensor avg_pool3d(const Tensor& input, const PoolInts& kernel_size, const PoolInts& stride, const PoolInts& padding,
                  bool ceil_mode, bool count_include_pad, std::optional<int64_t> divisor_override) {
  return avg_pool(input, 3, kernel_size.values, stride.values, padding.values, ceil_mode, count_include_pad,
                  divisor_override, "avg_pool3d");
}

Tensor adaptive_avg_pool1d(const Tensor& input, const PoolInts& output_size) {
  return adaptive_avg_pool(input, 1, output_size.values, "adaptive_avg_pool1d");
}
Tensor adaptive_avg_pool2d(const Tensor& input, const PoolInts& output_size) {
  return adaptive_avg_pool(input, 2, output_size.values, "adaptive_avg_pool2d");
}
Tensor adaptive_avg_pool3d(const Tensor& input, const PoolInts& output_size) {
  return adaptive_avg_pool(input, 3, output_size.values, "adaptive_avg_pool3d");
}
Tensor adaptive_max_pool1d(const Tensor& input, const PoolInts& output_size) {
  return adaptive_max_pool(input, 1, output_size.values, false, "adaptive_max_pool1d").first;
}
Tensor adaptive_max_pool2d(const Tensor& input, const PoolInts& output_size) {
  return adaptive_max_pool(input, 2, output_size.values, false, "adaptive_max_pool2d").first;
}
Tensor adaptive_max_pool3d(const Tensor& input, const PoolInts& output_size) {
  return adaptive_max_pool(input, 3, output_size.values, false, "adaptive_max_pool3d").first;
}
std::pair<Tensor, Tensor> adaptive_max_pool1d_with_indices(const Tensor& input, const PoolInts& output_size) {
  return adaptive_max_pool(input, 1, output_size.values, true, "adaptive_max_pool1d");
}
std::pair<Tensor, Tensor> adaptive_max_pool2d_with_indices(const Tensor& input, const PoolInts& output_size) {
  return adaptive_max_pool(input, 2, output_size.values, true, "adaptive_max_pool2d");
}
std::pair<Tensor, Tensor> adaptive_max_pool3d_with_indices(const Tensor& input, const PoolInts& output_size) {
  return adaptive_max_pool(input, 3, output_size.values, true, "adaptive_max_pool3d");
}

Tensor lp_pool1d(const Tensor& input, double norm_type, const PoolInts& kernel_size, const PoolInts& stride,
                 bool ceil_mode) {
  return lp_pool(input, 1, norm_type, kernel_size.values, stride.values, ceil_mode, "lp_pool1d");
}
Tensor lp_pool2d(const Tensor& input, double norm_type, const PoolInts& kernel_size, const PoolInts& stride,
                 bool ceil_mode) {
  return lp_pool(input, 2, norm_type, kernel_size.values, stride.values, ceil_mode, "lp_pool2d");
}

Tensor max_unpool2d(const Tensor& input, const Tensor& indices, const PoolInts& kernel_size, const PoolInts& stride,
                    const PoolInts& padding, const std::optional<IntList>& output_size) {
  const char* op = "max_unpool2d";
  const PoolInput in = pool_input(input, 2, op);
  NABLA_CHECK(indices.defined() && indices.dtype() == DType::Int64, op, ": indices must be an int64 tensor, got ",
              indices.defined() ? dtype_name(indices.dtype()) : std::string("undefined"));
  NABLA_CHECK(indices.shape() == input.shape(), op, ": indices must have the input's shape ", input.shape(), ", got ",
              indices.shape());
  const IntList k = per_dim(kernel_size.values, 2, op, "kernel_size");
  const IntList s = stride.values.empty() ? k : per_dim(stride.values, 2, op, "stride");
  const IntList p = per_dim(padding.values, 2, op, "padding");
  IntList out(2);
  for (int d = 0; d < 2; ++d) {
    NABLA_CHECK(k[d] > 0 && s[d] > 0 && p[d] >= 0, op, ": kernel_size and stride must be positive and padding ",
                "non-negative, got kernel_size ", k, ", stride ", s, ", padding ", p);
    out[d] = (in.spatial[d] - 1) * s[d] - 2 * p[d] + k[d];
  }
  if (output_size) {
    IntList req = *output_size;
    if (req.size() == static_cast<size_t>(input.dim()) || req.size() == 4) req.erase(req.begin(), req.end() - 2);
    NABLA_CHECK(req.size() == 2, op, ": output_size must have 2 elements (or the input's rank ", input.dim(), "), got ",
                *output_size);
    for (int d = 0; d < 2; ++d)
      NABLA_CHECK(req[d] > out[d] - s[d] && req[d] < out[d] + s[d], op, ": invalid output_size ", *output_size,
                  ": each spatial size must lie strictly between ", IntList{out[0] - s[0], out[1] - s[1]}, " and ",
                  IntList{out[0] + s[0], out[1] + s[1]}, " for input shape ", input.shape(), ", kernel_size ", k,
                  ", stride ", s, ", padding ", p);
    out = req;
  }
  NABLA_CHECK(out[0] > 0 && out[1] > 0, op, ": output size ", out, " is not positive for input shape ", input.shape(),
              " with kernel_size ", k, ", stride ", s, ", padding ", p);
  Shape out_shape = in.lead;
  out_shape.push_back(out[0]);
  out_shape.push_back(out[1]);
  const Tensor idx = indices.contiguous();
  const int64_t in_plane = in.spatial[0] * in.spatial[1], out_plane = out[0] * out[1];
  ops::UnpoolResult unpooled = ops::max_unpool_forward(in.x, idx, out_shape, in.planes, in_plane, out_plane);
  Tensor y = unpooled.y;
  NABLA_CHECK(unpooled.bad_position < 0, op, ": found an invalid max index ", unpooled.bad_index,
              " (the output plane ", out, " has ", out_plane, " positions) for input shape ", input.shape());
  if (autograd::needs_grad({input})) {
    // y[indices[i]] = x[i] is a placement: dL/dx[i] = dL/dy[indices[i]].
    autograd::record(y, op, {input},
                     [s_idx = autograd::SavedTensor(idx), planes = in.planes, in_plane, out_plane, shape = input.shape(), dtype = input.dtype(),
                      op](const Tensor& gy) {
                       const Tensor gc = grad_as(gy, dtype);
                       return std::vector<Tensor>{
                           ops::max_unpool_backward(gc, s_idx.get(), shape, planes, in_plane, out_plane)};
                     });
  }
  return y;
}

}  // namespace nabla::nn::functional
