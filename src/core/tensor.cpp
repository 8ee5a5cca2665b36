// Tensor metadata, element access and gradient slots (the computing methods live in src/ops/tensor_methods.cpp).
#include "nabla/tensor.h"

#include <cstring>

#include "core/tensor_access.h"

namespace nabla {

std::string dtype_name(DType dt) {
  switch (dt) {
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
    case DType::Int64: return "int64";
    case DType::Bool: return "bool";
    case DType::UInt8: return "uint8";
    case DType::Int32: return "int32";
    case DType::BFloat16: return "bfloat16";
    case DType::Float16: return "float16";
  }
  return "unknown";
}

namespace detail {
void throw_storage_only(const char* op, DType dt) {
  throw Error(str_cat(op, ": not implemented for dtype ", dtype_name(dt),
                      " (a storage-only dtype; convert with .to(DType::Float32) first)"));
}
}  // namespace detail

int64_t shape_numel(const Shape& shape) {
  int64_t n = 1;
  for (auto s : shape) n *= s;
  return n;
}

Shape contiguous_strides(const Shape& shape) {
  Shape st(shape.size());
  int64_t acc = 1;
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    st[d] = acc;
    acc *= std::max<int64_t>(shape[d], 1);
  }
  return st;
}

int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op) {
  const int64_t n = std::max<int64_t>(ndim, 1);  // 0-d tensors accept dim 0 / -1
  NABLA_CHECK(dim >= -n && dim < n, op, ": dimension out of range (expected to be in range of [", -n, ", ",
              n - 1, "], but got ", dim, ")");
  return dim < 0 ? dim + n : dim;
}

std::string shape_str(const Shape& shape) { return str_cat(shape); }

TensorImpl& Tensor::impl() const {
  NABLA_CHECK(impl_ != nullptr, "operation on an undefined tensor");
  return *impl_;
}

int64_t Tensor::size(int64_t d) const { return shape()[wrap_dim(d, dim(), "size")]; }
int64_t Tensor::stride(int64_t d) const { return strides()[wrap_dim(d, dim(), "stride")]; }

bool Tensor::is_contiguous() const {
  if (numel() == 0) return true;  // no element to misplace, whatever the strides (as PyTorch)
  int64_t expected = 1;
  for (int64_t d = dim() - 1; d >= 0; --d) {
    if (shape()[d] == 1) continue;
    if (strides()[d] != expected) return false;
    expected *= shape()[d];
  }
  return true;
}

void* Tensor::raw_data() const { return detail::bytes(*this); }

template <class T>
T* Tensor::data_ptr() const {
  NABLA_CHECK(dtype() == dtype_of<T>(), "data_ptr: tensor has dtype ", dtype_name(dtype()),
              " but ", dtype_name(dtype_of<T>()), " was requested");
  return reinterpret_cast<T*>(detail::bytes(*this));
}
template float* Tensor::data_ptr<float>() const;
template double* Tensor::data_ptr<double>() const;
template int64_t* Tensor::data_ptr<int64_t>() const;
template bool* Tensor::data_ptr<bool>() const;
template uint8_t* Tensor::data_ptr<uint8_t>() const;
template int32_t* Tensor::data_ptr<int32_t>() const;
template bfloat16* Tensor::data_ptr<bfloat16>() const;
template float16* Tensor::data_ptr<float16>() const;

double Tensor::item() const {
  NABLA_CHECK(numel() == 1, "item: a tensor with ", numel(), " elements (shape ", shape(),
              ") cannot be converted to a scalar");
  return dispatch_storage(dtype(), [&]<class T>() { return convert_element<double>(*reinterpret_cast<T*>(detail::bytes(*this))); });
}

Tensor& Tensor::requires_grad_(bool on) {
  NABLA_CHECK(!on || is_floating(dtype()), "requires_grad_: only floating-point tensors can require gradients, got ",
              dtype_name(dtype()));
  NABLA_CHECK(is_leaf() || on, "requires_grad_: cannot turn off requires_grad on a non-leaf tensor; use detach()");
  impl().requires_grad = on;
  return *this;
}

Tensor Tensor::grad() const { return impl().grad ? Tensor(impl().grad) : Tensor(); }

void Tensor::set_grad(const Tensor& g) {
  if (g.defined())
    NABLA_CHECK(g.shape() == shape() && g.dtype() == dtype(), "set_grad: gradient of shape ", g.shape(), " (",
                dtype_name(g.dtype()), ") does not match tensor of shape ", shape(), " (", dtype_name(dtype()), ")");
  impl().grad = g.defined() ? g.impl_ptr() : nullptr;
}

void Tensor::zero_grad() { impl().grad.reset(); }

Tensor Tensor::detach() const {
  auto d = std::make_shared<TensorImpl>();
  d->storage = impl().storage;
  d->offset = impl().offset;
  d->shape = impl().shape;
  d->strides = impl().strides;
  d->dtype = impl().dtype;
  d->is_view = true;
  return Tensor(d);
}

Tensor& Tensor::detach_() {
  impl().grad_fn.reset();
  impl().output_nr = 0;
  impl().requires_grad = false;
  return *this;
}

}  // namespace nabla
