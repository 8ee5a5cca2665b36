// Pooling Modules: argument storage, PyTorch's printed form, and forward through nn::functional.
#include "nabla/nn/pool.h"

#include <charconv>

#include "nabla/nn/functional/pool.h"
#include "nn/in_layer.h"

namespace nabla::nn {
namespace {

namespace F = nabla::nn::functional;

using detail::in_layer;

// The 1-, 2- or 3-d variant of a functional op, chosen by a layer's number of spatial dims.
template <class Fn>
Fn by_dims(int64_t dims, Fn one, Fn two, Fn three) {
  return dims == 1 ? one : dims == 2 ? two : three;
}

// A size argument as PyTorch prints what the user passed: 2 or (3, 2).
std::string py_size(const IntList& v) {
  if (v.size() == 1) return std::to_string(v[0]);
  std::string s = "(";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + ")";
}

// A tuple as Python prints it: (2,) or (2, 2).
std::string py_tuple(const IntList& v) { return v.size() == 1 ? str_cat("(", v[0], ",)") : py_size(v); }

std::string py_bool(bool b) { return b ? "True" : "False"; }

// A number as the user most likely wrote it: 2 for an integral value, else the shortest
// round-trip decimal (1.5).
std::string py_number(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

/// One value per spatial dim: `values` as given (one per dim), repeated (one for all) or `fill` (empty).
IntList per_dim(const IntList& values, int dims, int64_t fill) {
  if (values.empty()) return IntList(dims, fill);
  if (values.size() == 1) return IntList(dims, values[0]);
  return values;
}

}  // namespace

// ---- MaxPoolNd ------------------------------------------------------------------------------------

MaxPoolNd::MaxPoolNd(int dims, const MaxPoolOptions& o)
    : kernel_size(o.kernel_size.values),
      stride(o.stride.values.empty() ? kernel_size : o.stride.values),
      padding(o.padding.values),
      dilation(o.dilation.values),
      return_indices(o.return_indices),
      ceil_mode(o.ceil_mode),
      dims_(dims) {
  NABLA_CHECK(!kernel_size.empty(), name(), ": kernel_size is required");
}

std::string MaxPoolNd::name() const { return str_cat("MaxPool", dims_, "d"); }

std::pair<Tensor, Tensor> MaxPoolNd::forward_with_indices(const Tensor& input) {
  return in_layer(*this, [&] {
    const auto pool =
        by_dims(dims_, F::max_pool1d_with_indices, F::max_pool2d_with_indices, F::max_pool3d_with_indices);
    return pool(input, kernel_size, stride, padding, dilation, ceil_mode);
  });
}

Tensor MaxPoolNd::forward(const Tensor& input) {
  return in_layer(*this, [&] {
    const auto pool = by_dims(dims_, F::max_pool1d, F::max_pool2d, F::max_pool3d);
    return pool(input, kernel_size, stride, padding, dilation, ceil_mode);
  });
}

std::string MaxPoolNd::extra_repr() const {
  return str_cat("kernel_size=", py_size(kernel_size), ", stride=", py_size(stride), ", padding=", py_size(padding),
                 ", dilation=", py_size(dilation), ", ceil_mode=", py_bool(ceil_mode));
}

// ---- AvgPoolNd ------------------------------------------------------------------------------------

AvgPoolNd::AvgPoolNd(int dims, const AvgPoolOptions& o)
    : kernel_size(o.kernel_size.values),
      stride(o.stride.values.empty() ? kernel_size : o.stride.values),
      padding(o.padding.values),
      ceil_mode(o.ceil_mode),
      count_include_pad(o.count_include_pad),
      divisor_override(o.divisor_override),
      dims_(dims) {
  NABLA_CHECK(!kernel_size.empty(), name(), ": kernel_size is required");
  NABLA_CHECK(dims > 1 || !divisor_override, name(), ": divisor_override is not an argument of AvgPool1d (as in PyTorch)");
}

std::string AvgPoolNd::name() const { return str_cat("AvgPool", dims_, "d"); }

Tensor AvgPoolNd::forward(const Tensor& input) {
  return in_layer(*this, [&] {
    switch (dims_) {
      case 1:
        return F::avg_pool1d(input, kernel_size, stride, padding, ceil_mode, count_include_pad);
      case 2:
        return F::avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override);
      default:
        return F::avg_pool3d(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override);
    }
  });
}

std::string AvgPoolNd::extra_repr() const {
  // PyTorch stores AvgPool1d's arguments as 1-tuples and the others as given.
  auto fmt = [this](const IntList& v) { return dims_ == 1 ? py_tuple(v) : py_size(v); };
  return str_cat("kernel_size=", fmt(kernel_size), ", stride=", fmt(stride), ", padding=", fmt(padding));
}

// ---- AdaptivePoolNd -------------------------------------------------------------------------------

AdaptivePoolNd::AdaptivePoolNd(int dims, bool max, PoolInts output_size_, bool return_indices_)
    : output_size(std::move(output_size_.values)), return_indices(return_indices_), dims_(dims), max_(max) {}

std::string AdaptivePoolNd::name() const { return str_cat(max_ ? "AdaptiveMaxPool" : "AdaptiveAvgPool", dims_, "d"); }

Tensor AdaptivePoolNd::forward(const Tensor& input) {
  return in_layer(*this, [&] {
    const auto pool = max_ ? by_dims(dims_, F::adaptive_max_pool1d, F::adaptive_max_pool2d, F::adaptive_max_pool3d)
                           : by_dims(dims_, F::adaptive_avg_pool1d, F::adaptive_avg_pool2d, F::adaptive_avg_pool3d);
    return pool(input, output_size);
  });
}

std::pair<Tensor, Tensor> AdaptivePoolNd::forward_with_indices(const Tensor& input) {
  NABLA_CHECK(max_, name(), ": forward_with_indices exists only for adaptive max pooling");
  return in_layer(*this, [&] {
    const auto pool = by_dims(dims_, F::adaptive_max_pool1d_with_indices, F::adaptive_max_pool2d_with_indices,
                              F::adaptive_max_pool3d_with_indices);
    return pool(input, output_size);
  });
}

std::string AdaptivePoolNd::extra_repr() const { return "output_size=" + py_size(output_size); }

// ---- LPPoolNd -------------------------------------------------------------------------------------

LPPoolNd::LPPoolNd(int dims, const LPPoolOptions& o)
    : norm_type(o.norm_type), kernel_size(o.kernel_size.values), stride(o.stride.values), ceil_mode(o.ceil_mode), dims_(dims) {
  NABLA_CHECK(norm_type != 0, name(), ": norm_type (p) must be non-zero, got 0");
  NABLA_CHECK(!kernel_size.empty(), name(), ": kernel_size is required");
}

std::string LPPoolNd::name() const { return str_cat("LPPool", dims_, "d"); }

Tensor LPPoolNd::forward(const Tensor& input) {
  return in_layer(*this, [&] {
    return dims_ == 1 ? F::lp_pool1d(input, norm_type, kernel_size, stride, ceil_mode)
                      : F::lp_pool2d(input, norm_type, kernel_size, stride, ceil_mode);
  });
}

std::string LPPoolNd::extra_repr() const {
  return str_cat("norm_type=", py_number(norm_type), ", kernel_size=", py_size(kernel_size),
                 ", stride=", stride.empty() ? std::string("None") : py_size(stride),
                 ", ceil_mode=", py_bool(ceil_mode));
}

// ---- MaxUnpool2d ----------------------------------------------------------------------------------

MaxUnpool2d::MaxUnpool2d(PoolInts kernel_size_, PoolInts stride_, PoolInts padding_) {
  // PyTorch stores _pair(...) of each argument.
  auto pair = [](const IntList& v) { return v.size() == 1 ? IntList{v[0], v[0]} : v; };
  kernel_size = pair(kernel_size_.values);
  stride = stride_.values.empty() ? kernel_size : pair(stride_.values);
  padding = pair(padding_.values);
}

Tensor MaxUnpool2d::forward(const Tensor&) {
  throw Error(str_cat(name(), ": unpooling needs the indices of MaxPool2d; call forward(input, indices)"));
}

Tensor MaxUnpool2d::forward(const Tensor& input, const Tensor& indices, const std::optional<IntList>& output_size) {
  return in_layer(*this, [&] { return F::max_unpool2d(input, indices, kernel_size, stride, padding, output_size); });
}

Tensor MaxUnpool2d::operator()(const Tensor& input, const Tensor& indices, const std::optional<IntList>& output_size) {
  Tensor out = forward(input, indices, output_size);
  if (has_forward_hooks()) run_forward_hooks({input, indices}, {out});
  return out;
}

std::string MaxUnpool2d::extra_repr() const {
  return str_cat("kernel_size=", py_tuple(kernel_size), ", stride=", py_tuple(stride), ", padding=", py_tuple(padding));
}

std::optional<SummaryGeometry::SpatialGeometry> MaxPoolNd::spatial_geometry() const {
  IntList k = per_dim(kernel_size, dims_, 1);
  return SpatialGeometry{k, per_dim(stride.empty() ? k : stride, dims_, 1), per_dim(padding, dims_, 0),
                         per_dim(dilation, dims_, 1)};
}

std::optional<SummaryGeometry::SpatialGeometry> AvgPoolNd::spatial_geometry() const {
  IntList k = per_dim(kernel_size, dims_, 1);
  return SpatialGeometry{k, per_dim(stride.empty() ? k : stride, dims_, 1), per_dim(padding, dims_, 0),
                         IntList(dims_, 1)};
}

std::optional<SummaryGeometry::SpatialGeometry> LPPoolNd::spatial_geometry() const {
  IntList k = per_dim(kernel_size, dims_, 1);
  return SpatialGeometry{k, per_dim(stride.empty() ? k : stride, dims_, 1), IntList(dims_, 0), IntList(dims_, 1)};
}

}  // namespace nabla::nn
