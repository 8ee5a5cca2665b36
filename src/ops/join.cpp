// Joining and splitting: cat, stack, split, chunk, unbind. cat copies contiguous blocks (one
// memcpy per (row, piece)); split/chunk/unbind return views recorded as one node with one output
// per piece, whose rule receives the gradients of all pieces at once.
#include "core/tensor_access.h"
#include "kernels/cpu/cat.h"
#include "nabla/autograd.h"
#include "nabla/ops.h"

namespace nabla {
namespace {

int64_t product(const Shape& s, int64_t from, int64_t to) {
  int64_t p = 1;
  for (int64_t d = from; d < to; ++d) p *= s[d];
  return p;
}

// PyTorch's legacy rule: 1-d empty tensors (shape [0]) are skipped by cat whatever the rank of the others.
bool skipped_by_cat(const Tensor& t) { return t.dim() == 1 && t.numel() == 0; }

// The pieces of x of `sizes` along d, as views recorded by one "split" node.
std::vector<Tensor> split_views(const Tensor& x, const IntList& sizes, int64_t d) {
  std::vector<Tensor> out;
  out.reserve(sizes.size());
  {
    NoGradGuard no_grad;  // one node below records all pieces, instead of one slice node each
    int64_t start = 0;
    for (int64_t s : sizes) {
      out.push_back(x.narrow(d, start, s));
      start += s;
    }
  }
  // x = [p_0 | p_1 | …] along d, so ∂L/∂x is the pieces' gradients side by side (zeros for a
  // piece that received none).
  autograd::record_multi(out, "split", {x}, [x_shape = x.shape(), sizes, d](const std::vector<Tensor>& grads) {
    DType dt = DType::Float32;
    for (const Tensor& g : grads)
      if (g.defined()) dt = g.dtype();
    std::vector<Tensor> parts(grads.size());
    for (size_t k = 0; k < grads.size(); ++k) {
      Shape piece = x_shape;
      piece[d] = sizes[k];
      parts[k] = grads[k].defined() ? grads[k] : zeros(piece, dt);
    }
    return std::vector<Tensor>{cat(parts, d)};
  });
  return out;
}

}  // namespace

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  NABLA_CHECK(!tensors.empty(), "cat: expected a non-empty list of tensors");
  DType dt = DType::Bool;
  int64_t ref = -1;
  for (size_t i = 0; i < tensors.size(); ++i) {
    NABLA_CHECK(tensors[i].defined(), "cat: tensor ", i, " in the list is undefined");
    NABLA_CHECK(tensors[i].dim() > 0, "cat: zero-dimensional tensor (at position ", i, ") cannot be concatenated");
    dt = i == 0 ? tensors[i].dtype() : promote(dt, tensors[i].dtype());
    if (ref < 0 && !skipped_by_cat(tensors[i])) ref = static_cast<int64_t>(i);
  }
  if (ref < 0) return empty({0}, dt);  // only [0]-shaped tensors
  const Shape& ref_shape = tensors[ref].shape();
  const int64_t nd = static_cast<int64_t>(ref_shape.size());
  const int64_t d = wrap_dim(dim, nd, "cat");

  Shape out_shape = ref_shape;
  out_shape[d] = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    if (skipped_by_cat(t)) continue;
    NABLA_CHECK(t.dim() == nd, "cat: tensors must have the same number of dimensions: got ", nd, " (tensor ", ref,
                ", shape ", ref_shape, ") and ", t.dim(), " (tensor ", i, ", shape ", t.shape(), ")");
    for (int64_t k = 0; k < nd; ++k)
      NABLA_CHECK(k == d || t.shape()[k] == ref_shape[k], "cat: sizes of tensors must match except in dimension ", d,
                  "; expected size ", ref_shape[k], " but got size ", t.shape()[k], " in dimension ", k, " for tensor ",
                  i, " in the list (shapes ", ref_shape, " and ", t.shape(), ")");
    out_shape[d] += t.shape()[d];
  }

  // Each piece as a contiguous block of (outer, size_d · inner) elements of the result dtype.
  Tensor out = empty(out_shape, dt);
  const int64_t outer = product(out_shape, 0, d), inner = product(out_shape, d + 1, nd);
  const int64_t elem = static_cast<int64_t>(dtype_size(dt));
  std::vector<Tensor> pieces;
  std::vector<const char*> ptrs;
  std::vector<int64_t> piece_bytes;
  IntList offsets(tensors.size(), -1), sizes(tensors.size(), 0);
  int64_t offset = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (skipped_by_cat(tensors[i])) continue;
    Tensor p = tensors[i].detach();
    if (p.dtype() != dt) p = p.to(dt);
    p = p.contiguous();
    ptrs.push_back(detail::bytes(p));
    piece_bytes.push_back(p.shape()[d] * inner * elem);
    pieces.push_back(p);
    offsets[i] = offset;
    sizes[i] = p.shape()[d];
    offset += sizes[i];
  }
  cpu::cat_rows(detail::bytes(out), outer, ptrs, piece_bytes);

  // out = [x_0 | x_1 | …] along d, so ∂L/∂x_i is the matching slice of the gradient.
  autograd::record(out, "cat", tensors, [d, offsets, sizes](const Tensor& g) {
    std::vector<Tensor> grads(offsets.size());
    for (size_t i = 0; i < offsets.size(); ++i)
      if (offsets[i] >= 0) grads[i] = g.narrow(d, offsets[i], sizes[i]);
    return grads;
  });
  return out;
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  NABLA_CHECK(!tensors.empty(), "stack: expected a non-empty list of tensors");
  for (size_t i = 0; i < tensors.size(); ++i) {
    NABLA_CHECK(tensors[i].defined(), "stack: tensor ", i, " in the list is undefined");
    NABLA_CHECK(tensors[i].shape() == tensors[0].shape(), "stack: expects each tensor to be equal size, but got ",
                tensors[0].shape(), " at entry 0 and ", tensors[i].shape(), " at entry ", i);
  }
  const int64_t d = wrap_dim(dim, tensors[0].dim() + 1, "stack");
  // stack = cat of unsqueezed views; the gradient flows back through cat and unsqueeze.
  std::vector<Tensor> expanded;
  expanded.reserve(tensors.size());
  for (const Tensor& t : tensors) expanded.push_back(t.unsqueeze(d));
  return cat(expanded, d);
}

std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t dim) {
  NABLA_CHECK(x.dim() > 0, "split: cannot split a zero-dimensional tensor");
  const int64_t d = wrap_dim(dim, x.dim(), "split");
  const int64_t n = x.shape()[d];
  NABLA_CHECK(split_size >= 0, "split: split_size must be non-negative, got ", split_size);
  NABLA_CHECK(split_size > 0 || n == 0, "split: split_size can only be 0 if the dimension size is 0, but dimension ",
              d, " has size ", n, " (shape ", x.shape(), ")");
  const int64_t pieces = split_size == 0 ? 1 : std::max<int64_t>((n + split_size - 1) / split_size, 1);
  IntList sizes(pieces);
  for (int64_t p = 0; p < pieces; ++p) sizes[p] = std::min(split_size, n - p * split_size);
  return split_views(x, sizes, d);
}

std::vector<Tensor> split(const Tensor& x, const IntList& sizes, int64_t dim) {
  NABLA_CHECK(x.dim() > 0, "split: cannot split a zero-dimensional tensor");
  const int64_t d = wrap_dim(dim, x.dim(), "split");
  int64_t total = 0;
  for (int64_t s : sizes) {
    NABLA_CHECK(s >= 0, "split: split sizes must be non-negative, got ", sizes);
    total += s;
  }
  NABLA_CHECK(total == x.shape()[d], "split: split sizes ", sizes, " sum to ", total, " but dimension ", d,
              " has size ", x.shape()[d], " (shape ", x.shape(), ")");
  return split_views(x, sizes, d);
}

std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t dim) {
  NABLA_CHECK(chunks > 0, "chunk: number of chunks must be greater than 0, got ", chunks);
  NABLA_CHECK(x.dim() > 0, "chunk: cannot chunk a zero-dimensional tensor");
  const int64_t d = wrap_dim(dim, x.dim(), "chunk");
  const int64_t n = x.shape()[d];
  // As torch.chunk: pieces of ceil(n / chunks), so there may be fewer than `chunks` pieces;
  // an empty dim gives `chunks` empty pieces.
  if (n == 0) return split(x, IntList(chunks, 0), d);
  return split(x, (n + chunks - 1) / chunks, d);
}

std::vector<Tensor> unbind(const Tensor& x, int64_t dim) {
  NABLA_CHECK(x.dim() > 0, "unbind: cannot unbind a zero-dimensional tensor");
  const int64_t d = wrap_dim(dim, x.dim(), "unbind");
  const int64_t n = x.shape()[d];
  std::vector<Tensor> out;
  out.reserve(n);
  {
    NoGradGuard no_grad;  // one node below records all slices
    for (int64_t i = 0; i < n; ++i) out.push_back(x.select(d, i));
  }
  // x = stack(slices, d), so ∂L/∂x stacks the slices' gradients (zeros where a slice got none).
  autograd::record_multi(out, "unbind", {x}, [x_shape = x.shape(), d](const std::vector<Tensor>& grads) {
    DType dt = DType::Float32;
    for (const Tensor& g : grads)
      if (g.defined()) dt = g.dtype();
    Shape slice = x_shape;
    slice.erase(slice.begin() + d);
    std::vector<Tensor> parts(grads.size());
    for (size_t k = 0; k < grads.size(); ++k) parts[k] = grads[k].defined() ? grads[k] : zeros(slice, dt);
    return std::vector<Tensor>{stack(parts, d)};
  });
  return out;
}

}  // namespace nabla
