// Copies and conversions: contiguous, clone, to(dtype), copy_, fill_, zero_.
#include "core/tensor_access.h"
#include "kernels/cpu/copy.h"
#include "nabla/autograd.h"
#include "nabla/ops.h"

namespace nabla {
namespace {

std::vector<int64_t> byte_strides(const Tensor& t) { return detail::broadcast_byte_strides(t, t.shape()); }

// A new contiguous tensor holding t's elements converted to `dtype` (no autograd).
Tensor copy_to_new(const Tensor& t, DType dtype) {
  Tensor out = empty(t.shape(), dtype);
  cpu::copy_strided(t.shape(), detail::bytes(out), dtype, byte_strides(out), detail::bytes(t), t.dtype(), byte_strides(t));
  return out;
}

}  // namespace

Tensor Tensor::contiguous() const {
  if (is_contiguous()) return *this;
  Tensor out = copy_to_new(*this, dtype());
  autograd::record(out, "contiguous", {*this}, [](const Tensor& g) { return std::vector<Tensor>{g}; });
  return out;
}

Tensor Tensor::clone() const {
  Tensor out = copy_to_new(*this, dtype());
  autograd::record(out, "clone", {*this}, [](const Tensor& g) { return std::vector<Tensor>{g}; });
  return out;
}

Tensor Tensor::to(DType target) const {
  if (target == dtype()) return *this;
  Tensor out = copy_to_new(*this, target);
  if (is_floating(target)) {
    const DType source = dtype();
    autograd::record(out, "to", {*this}, [source](const Tensor& g) { return std::vector<Tensor>{g.to(source)}; });
  }
  return out;
}

Tensor& Tensor::copy_(const Tensor& src) {
  autograd::check_inplace(*this, "copy_");
  broadcast_shapes(shape(), src.shape(), "copy_");
  NABLA_CHECK(src.dim() <= dim() && broadcast_shapes(shape(), src.shape(), "copy_") == shape(), "copy_: source of shape ",
              src.shape(), " cannot be broadcast to destination of shape ", shape());
  cpu::copy_strided(shape(), detail::bytes(*this), dtype(), byte_strides(*this), detail::bytes(src), src.dtype(),
                    detail::broadcast_byte_strides(src, shape()));
  detail::bump_version(*this);
  if (autograd::needs_grad({*this, src})) {
    const Shape src_shape = src.shape();
    const DType src_dtype = src.dtype();
    autograd::record_inplace(*this, "copy_", {src}, [src_shape, src_dtype](const Tensor& g) {
      return std::vector<Tensor>{zeros_like(g), sum_to(g, src_shape).to(src_dtype)};
    });
  }
  return *this;
}

Tensor& Tensor::fill_(double value) {
  autograd::check_inplace(*this, "fill_");
  cpu::fill_strided(shape(), detail::bytes(*this), dtype(), byte_strides(*this), value);
  detail::bump_version(*this);
  if (requires_grad() && autograd::grad_enabled())
    autograd::record_inplace(*this, "fill_", {}, [](const Tensor& g) { return std::vector<Tensor>{zeros_like(g)}; });
  return *this;
}

Tensor& Tensor::zero_() { return fill_(0.0); }

}  // namespace nabla
