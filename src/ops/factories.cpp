// Tensor factories.
#include <cmath>
#include <cstring>

#include "core/tensor_access.h"
#include "kernels/cpu/copy.h"
#include "nabla/ops.h"

namespace nabla {

Tensor empty(const Shape& shape, DType dtype) {
  // The product of the non-zero dims bounds the strides, so it is checked even when a dim is 0.
  int64_t span = 1;
  for (auto s : shape) {
    NABLA_CHECK(s >= 0, "empty: negative dimension ", s, " in shape ", shape);
    NABLA_CHECK(!__builtin_mul_overflow(span, std::max<int64_t>(s, 1), &span) && span <= (int64_t{1} << 56),
                "empty: shape ", shape, " has too many elements");
  }
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(static_cast<size_t>(shape_numel(shape)) * dtype_size(dtype));
  impl->shape = shape;
  impl->strides = contiguous_strides(shape);
  impl->dtype = dtype;
  return Tensor(impl);
}

Tensor full(const Shape& shape, double value, DType dtype) {
  Tensor t = empty(shape, dtype);
  cpu::fill_strided({t.numel()}, detail::bytes(t), dtype, {static_cast<int64_t>(dtype_size(dtype))}, value);
  return t;
}
Tensor zeros(const Shape& shape, DType dtype) {
  Tensor t = empty(shape, dtype);
  std::memset(t.raw_data(), 0, t.numel() * dtype_size(dtype));
  return t;
}
Tensor ones(const Shape& shape, DType dtype) { return full(shape, 1.0, dtype); }
Tensor scalar_tensor(double value, DType dtype) { return full({}, value, dtype); }
Tensor empty_like(const Tensor& t) { return empty(t.shape(), t.dtype()); }
Tensor zeros_like(const Tensor& t) { return zeros(t.shape(), t.dtype()); }
Tensor ones_like(const Tensor& t) { return ones(t.shape(), t.dtype()); }
Tensor full_like(const Tensor& t, double value) { return full(t.shape(), value, t.dtype()); }

Tensor arange(double end) { return arange(0, end, 1); }

Tensor arange(double start, double end, double step, const TensorOptions& options) {
  check_device(options.device(), "arange");
  NABLA_CHECK(step != 0, "arange: step must be nonzero");
  NABLA_CHECK((end - start) / step >= 0, "arange: upper bound and larger bound inconsistent with step sign (start=",
              start, ", end=", end, ", step=", step, ")");
  const bool integral = std::floor(start) == start && std::floor(end) == end && std::floor(step) == step;
  const DType dt = options.has_dtype() ? options.dtype() : (integral ? DType::Int64 : DType::Float32);
  const int64_t n = static_cast<int64_t>(std::ceil((end - start) / step));
  Tensor t = empty({n}, dt);
  dispatch_storage(dt, [&]<class T>() {
    T* p = t.data_ptr<T>();
    for (int64_t i = 0; i < n; ++i) p[i] = convert_element<T>(start + static_cast<double>(i) * step);
  });
  if (options.requires_grad()) t.requires_grad_(true);
  return t;
}

Tensor linspace(double start, double end, int64_t steps, DType dtype) {
  NABLA_CHECK(steps >= 0, "linspace: number of steps must be non-negative, got ", steps);
  Tensor t = empty({steps}, dtype);
  const double step = steps > 1 ? (end - start) / static_cast<double>(steps - 1) : 0.0;
  dispatch_storage(dtype, [&]<class T>() {
    T* p = t.data_ptr<T>();
    // Symmetric formula (as PyTorch): the second half counts back from `end`.
    for (int64_t i = 0; i < steps; ++i)
      p[i] = convert_element<T>(i < steps / 2 ? start + step * static_cast<double>(i)
                                          : end - step * static_cast<double>(steps - 1 - i));
  });
  return t;
}

Tensor eye(int64_t n, std::optional<int64_t> m_opt, DType dtype) {
  const int64_t m = m_opt.value_or(n);
  NABLA_CHECK(n >= 0 && m >= 0, "eye: sizes must be non-negative, got n=", n, ", m=", m);
  Tensor t = zeros({n, m}, dtype);
  dispatch_storage(dtype, [&]<class T>() {
    T* p = t.data_ptr<T>();
    for (int64_t i = 0; i < std::min(n, m); ++i) p[i * m + i] = convert_element<T>(1);
  });
  return t;
}

Tensor from_blob(void* data, const Shape& shape, DType dtype, std::function<void(void*)> deleter) {
  NABLA_CHECK(data != nullptr || shape_numel(shape) == 0, "from_blob: null data pointer for shape ", shape);
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(data, shape_numel(shape) * dtype_size(dtype), std::move(deleter));
  impl->shape = shape;
  impl->strides = contiguous_strides(shape);
  impl->dtype = dtype;
  return Tensor(impl);
}

template <class T>
Tensor from_vector(const std::vector<T>& values, std::optional<Shape> shape_opt) {
  const Shape shape = shape_opt.value_or(Shape{static_cast<int64_t>(values.size())});
  NABLA_CHECK(shape_numel(shape) == static_cast<int64_t>(values.size()), "from_vector: ", values.size(),
              " values do not fill shape ", shape);
  Tensor t = empty(shape, dtype_of<T>());
  T* p = t.data_ptr<T>();
  for (size_t i = 0; i < values.size(); ++i) p[i] = values[i];
  return t;
}
template Tensor from_vector<float>(const std::vector<float>&, std::optional<Shape>);
template Tensor from_vector<double>(const std::vector<double>&, std::optional<Shape>);
template Tensor from_vector<int64_t>(const std::vector<int64_t>&, std::optional<Shape>);
template Tensor from_vector<bool>(const std::vector<bool>&, std::optional<Shape>);
template Tensor from_vector<uint8_t>(const std::vector<uint8_t>&, std::optional<Shape>);
template Tensor from_vector<int32_t>(const std::vector<int32_t>&, std::optional<Shape>);
template Tensor from_vector<bfloat16>(const std::vector<bfloat16>&, std::optional<Shape>);
template Tensor from_vector<float16>(const std::vector<float16>&, std::optional<Shape>);

Tensor tensor(std::initializer_list<double> values, DType dtype) {
  return from_vector(std::vector<double>(values)).to(dtype);
}

Tensor tensor(std::initializer_list<std::initializer_list<double>> rows, DType dtype) {
  std::vector<double> flat;
  const int64_t n = static_cast<int64_t>(rows.size());
  const int64_t m = n ? static_cast<int64_t>(rows.begin()->size()) : 0;
  for (const auto& r : rows) {
    NABLA_CHECK(static_cast<int64_t>(r.size()) == m, "tensor: rows have different lengths (", m, " and ", r.size(), ")");
    flat.insert(flat.end(), r.begin(), r.end());
  }
  return from_vector(flat, Shape{n, m}).to(dtype);
}

}  // namespace nabla
