// View ops: new shape/strides/offset over the same storage. Each records a backward rule that
// maps the view's gradient back to the base's shape.
#include <numeric>

#include "core/tensor_access.h"
#include "nabla/autograd.h"
#include "nabla/ops.h"

namespace nabla {
namespace {

Tensor make_view(const Tensor& base, Shape shape, Shape strides, int64_t offset) {
  auto v = std::make_shared<TensorImpl>();
  v->storage = base.impl().storage;
  v->offset = offset;
  v->shape = std::move(shape);
  v->strides = std::move(strides);
  v->dtype = base.dtype();
  v->is_view = true;
  return Tensor(v);
}

// Resolves one -1 in `shape` against numel; validates the element count.
Shape infer_shape(const Shape& requested, int64_t numel, const char* op, const Shape& from) {
  Shape shape = requested;
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      NABLA_CHECK(infer < 0, op, ": only one dimension can be inferred, got shape ", requested);
      infer = static_cast<int64_t>(i);
    } else {
      NABLA_CHECK(shape[i] >= 0, op, ": invalid shape dimension ", shape[i], " in ", requested);
      known *= shape[i];
    }
  }
  if (infer >= 0) {
    NABLA_CHECK(known != 0 && numel % known == 0, op, ": shape ", requested, " is invalid for input of size ", numel,
                " (shape ", from, ")");
    shape[infer] = numel / known;
  } else {
    NABLA_CHECK(known == numel, op, ": shape ", requested, " is invalid for input of size ", numel, " (shape ", from,
                ")");
  }
  return shape;
}

// Strides for viewing (old_shape, old_strides) as new_shape without copying, if possible
// (each run of merged old dims must be contiguous within itself). Empty optional otherwise.
std::optional<Shape> view_strides(const Shape& old_shape, const Shape& old_strides, const Shape& new_shape) {
  const int64_t numel = shape_numel(old_shape);
  if (numel == 0 || old_shape.empty()) return contiguous_strides(new_shape);
  Shape new_strides(new_shape.size());
  int64_t view_d = static_cast<int64_t>(new_shape.size()) - 1;
  int64_t chunk_base_stride = old_strides.empty() ? 1 : old_strides.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t d = static_cast<int64_t>(old_shape.size()) - 1; d >= 0; --d) {
    tensor_numel *= old_shape[d];
    if (d == 0 || (old_shape[d - 1] != 1 && old_strides[d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || new_shape[view_d] == 1)) {
        new_strides[view_d] = view_numel * chunk_base_stride;
        view_numel *= new_shape[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return std::nullopt;
      if (d > 0) {
        chunk_base_stride = old_strides[d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return std::nullopt;
  return new_strides;
}

}  // namespace

Tensor Tensor::view(const Shape& requested) const {
  Shape shape = infer_shape(requested, numel(), "view", this->shape());
  auto st = view_strides(this->shape(), strides(), shape);
  NABLA_CHECK(st.has_value(), "view: shape ", requested, " is not compatible with input of shape ", this->shape(),
              " and strides ", strides(), " (at least one dimension spans across two contiguous subspaces); use reshape()");
  Tensor out = make_view(*this, shape, *st, storage_offset());
  if (requires_grad() && autograd::grad_enabled()) {
    Shape in_shape = this->shape();
    autograd::record(out, "view", {*this}, [in_shape](const Tensor& g) { return std::vector<Tensor>{g.reshape(in_shape)}; });
  }
  return out;
}

Tensor Tensor::reshape(const Shape& requested) const {
  Shape shape = infer_shape(requested, numel(), "reshape", this->shape());
  if (view_strides(this->shape(), strides(), shape)) return view(shape);
  return contiguous().view(shape);
}

Tensor Tensor::flatten(int64_t start_dim, int64_t end_dim) const {
  if (dim() == 0) return reshape({1});
  const int64_t s = wrap_dim(start_dim, dim(), "flatten"), e = wrap_dim(end_dim, dim(), "flatten");
  NABLA_CHECK(s <= e, "flatten: start_dim (", start_dim, ") must not come after end_dim (", end_dim, ")");
  Shape shape(this->shape().begin(), this->shape().begin() + s);
  int64_t n = 1;
  for (int64_t d = s; d <= e; ++d) n *= this->shape()[d];
  shape.push_back(n);
  shape.insert(shape.end(), this->shape().begin() + e + 1, this->shape().end());
  return reshape(shape);
}

Tensor Tensor::unflatten(int64_t d, const Shape& sizes) const {
  d = wrap_dim(d, dim(), "unflatten");
  Shape inner = infer_shape(sizes, this->shape()[d], "unflatten", this->shape());
  Shape shape(this->shape().begin(), this->shape().begin() + d);
  shape.insert(shape.end(), inner.begin(), inner.end());
  shape.insert(shape.end(), this->shape().begin() + d + 1, this->shape().end());
  return view(shape);
}

Tensor Tensor::squeeze() const {
  Shape shape;
  for (auto s : this->shape())
    if (s != 1) shape.push_back(s);
  return view(shape);
}

Tensor Tensor::squeeze(int64_t d) const {
  if (dim() == 0) return *this;
  d = wrap_dim(d, dim(), "squeeze");
  if (this->shape()[d] != 1) return *this;
  Shape shape = this->shape(), st = strides();
  shape.erase(shape.begin() + d);
  st.erase(st.begin() + d);
  Tensor out = make_view(*this, shape, st, storage_offset());
  if (requires_grad() && autograd::grad_enabled()) {
    Shape in_shape = this->shape();
    autograd::record(out, "squeeze", {*this}, [in_shape](const Tensor& g) { return std::vector<Tensor>{g.reshape(in_shape)}; });
  }
  return out;
}

Tensor Tensor::unsqueeze(int64_t d) const {
  d = wrap_dim(d, dim() + 1, "unsqueeze");
  Shape shape = this->shape(), st = strides();
  const int64_t new_stride = d < dim() ? st[d] * shape[d] : 1;
  shape.insert(shape.begin() + d, 1);
  st.insert(st.begin() + d, new_stride);
  Tensor out = make_view(*this, shape, st, storage_offset());
  if (requires_grad() && autograd::grad_enabled()) {
    Shape in_shape = this->shape();
    autograd::record(out, "unsqueeze", {*this}, [in_shape](const Tensor& g) { return std::vector<Tensor>{g.reshape(in_shape)}; });
  }
  return out;
}

Tensor Tensor::permute(const IntList& dims) const {
  NABLA_CHECK(static_cast<int64_t>(dims.size()) == dim(), "permute: number of dims (", dims.size(),
              ") does not match tensor rank ", dim(), " (shape ", this->shape(), ")");
  Shape shape(dims.size()), st(dims.size());
  std::vector<bool> seen(dims.size(), false);
  IntList inverse(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) {
    const int64_t d = wrap_dim(dims[i], dim(), "permute");
    NABLA_CHECK(!seen[d], "permute: repeated dim ", dims[i], " in ", dims);
    seen[d] = true;
    shape[i] = this->shape()[d];
    st[i] = strides()[d];
    inverse[d] = static_cast<int64_t>(i);
  }
  Tensor out = make_view(*this, shape, st, storage_offset());
  if (requires_grad() && autograd::grad_enabled())
    autograd::record(out, "permute", {*this}, [inverse](const Tensor& g) { return std::vector<Tensor>{g.permute(inverse)}; });
  return out;
}

Tensor Tensor::transpose(int64_t d0, int64_t d1) const {
  if (dim() == 0) return *this;
  d0 = wrap_dim(d0, dim(), "transpose");
  d1 = wrap_dim(d1, dim(), "transpose");
  IntList perm(dim());
  std::iota(perm.begin(), perm.end(), 0);
  std::swap(perm[d0], perm[d1]);
  return permute(perm);
}

Tensor Tensor::t() const {
  NABLA_CHECK(dim() <= 2, "t: expects a tensor with <= 2 dimensions, but got shape ", shape());
  return dim() < 2 ? *this : transpose(0, 1);
}

namespace {

// The gradient of a slice: zeros of the input's shape holding g at the sliced positions. It is
// recorded itself (its gradient is the same slice of the incoming gradient), so slice and select
// stay differentiable when the backward pass records a graph.
Tensor slice_backward(const Tensor& g, const Shape& in_shape, int64_t d, int64_t start, int64_t end, int64_t step) {
  Tensor gi = zeros(in_shape, g.dtype());
  {
    NoGradGuard no_grad;  // the write into a view of gi is not part of the graph; the node below is
    gi.slice(d, start, end, step).copy_(g);
  }
  autograd::record(gi, "slice_backward", {g}, [d, start, end, step](const Tensor& gg) {
    return std::vector<Tensor>{gg.slice(d, start, end, step)};
  });
  return gi;
}

}  // namespace

Tensor Tensor::slice(int64_t d, int64_t start, int64_t end, int64_t step) const {
  d = wrap_dim(d, dim(), "slice");
  NABLA_CHECK(step > 0, "slice: step must be positive, got ", step);
  const int64_t n = this->shape()[d];
  if (start < 0) start += n;
  if (end < 0) end += n;
  start = std::clamp<int64_t>(start, 0, n);
  end = std::clamp<int64_t>(end, start, n);
  Shape shape = this->shape(), st = strides();
  shape[d] = (end - start + step - 1) / step;
  st[d] *= step;
  Tensor out = make_view(*this, shape, st, storage_offset() + start * strides()[d]);
  if (requires_grad() && autograd::grad_enabled()) {
    Shape in_shape = this->shape();
    autograd::record(out, "slice", {*this}, [in_shape, d, start, end, step](const Tensor& g) {
      return std::vector<Tensor>{slice_backward(g, in_shape, d, start, end, step)};
    });
  }
  return out;
}

Tensor Tensor::narrow(int64_t d, int64_t start, int64_t length) const {
  d = wrap_dim(d, dim(), "narrow");
  const int64_t n = this->shape()[d];
  if (start < 0) start += n;
  NABLA_CHECK(start >= 0 && length >= 0 && start + length <= n, "narrow: start ", start, " + length ", length,
              " exceeds dimension ", d, " of size ", n, " (shape ", this->shape(), ")");
  return slice(d, start, start + length);
}

Tensor Tensor::select(int64_t d, int64_t index) const {
  NABLA_CHECK(dim() > 0, "select: cannot select from a 0-d tensor");
  d = wrap_dim(d, dim(), "select");
  const int64_t n = this->shape()[d];
  NABLA_CHECK(index >= -n && index < n, "select: index ", index, " is out of bounds for dimension ", d,
              " with size ", n, " (shape ", this->shape(), ")");
  if (index < 0) index += n;
  Shape shape = this->shape(), st = strides();
  shape.erase(shape.begin() + d);
  st.erase(st.begin() + d);
  Tensor out = make_view(*this, shape, st, storage_offset() + index * strides()[d]);
  if (requires_grad() && autograd::grad_enabled()) {
    Shape in_shape = this->shape();
    autograd::record(out, "select", {*this}, [in_shape, d, index](const Tensor& g) {
      return std::vector<Tensor>{slice_backward(g.unsqueeze(d), in_shape, d, index, index + 1, 1)};
    });
  }
  return out;
}

Tensor Tensor::expand(const Shape& target) const {
  NABLA_CHECK(static_cast<int64_t>(target.size()) >= dim(), "expand: the number of sizes provided (", target.size(),
              ") must be greater or equal to the number of dimensions in the tensor (", dim(), "), shape ", shape());
  const int64_t nd = static_cast<int64_t>(target.size()), lead = nd - dim();
  Shape shape(nd), st(nd);
  for (int64_t i = 0; i < nd; ++i) {
    const int64_t want = target[i];
    if (i < lead) {
      NABLA_CHECK(want >= 0, "expand: the expanded size ", want, " is not allowed in a leading, non-existing dimension");
      shape[i] = want;
      st[i] = 0;
      continue;
    }
    const int64_t have = this->shape()[i - lead];
    if (want == -1 || want == have) {
      shape[i] = have;
      st[i] = strides()[i - lead];
    } else {
      NABLA_CHECK(have == 1, "expand: the expanded size of the tensor (", want, ") must match the existing size (",
                  have, ") at non-singleton dimension ", i, ". Target sizes: ", target, ". Tensor sizes: ", this->shape());
      shape[i] = want;
      st[i] = 0;
    }
  }
  Tensor out = make_view(*this, shape, st, storage_offset());
  if (requires_grad() && autograd::grad_enabled()) {
    Shape in_shape = this->shape();
    autograd::record(out, "expand", {*this}, [in_shape](const Tensor& g) { return std::vector<Tensor>{sum_to(g, in_shape)}; });
  }
  return out;
}

}  // namespace nabla
