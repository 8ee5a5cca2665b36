// sort and topk along a dim. The kernels order each line of a contiguous (outer, n, inner)
// layout; the gradient flows back to the source positions recorded in the indices.
#include "core/tensor_access.h"
#include "kernels/cpu/sort.h"
#include "nabla/autograd.h"
#include "nabla/ops.h"

namespace nabla {
namespace {

struct Lines {
  int64_t outer, n, inner;
};

// x seen as (outer, n, inner) around dim d (a 0-d tensor is one line of one element).
Lines lines_of(const Tensor& x, int64_t d) {
  if (x.dim() == 0) return {1, 1, 1};
  Lines l{1, x.shape()[d], 1};
  for (int64_t k = 0; k < d; ++k) l.outer *= x.shape()[k];
  for (int64_t k = d + 1; k < x.dim(); ++k) l.inner *= x.shape()[k];
  return l;
}

// One node with two outputs (values, indices); only the values carry a gradient.
// values[p] = x[p | d ← indices[p]], so ∂L/∂x[p | d ← indices[p]] = ∂L/∂values[p]. Indices along
// a line are distinct, so a scatter into zeros routes every gradient element to its source.
std::pair<Tensor, Tensor> record_index_backward(Tensor values, const char* name, const Tensor& x, int64_t d,
                                                Tensor indices) {
  std::vector<Tensor> outputs{std::move(values), std::move(indices)};
  autograd::record_multi(outputs, name, {x}, [x_shape = x.shape(), d, si = autograd::SavedTensor(outputs[1])](
                                                 const std::vector<Tensor>& grads) {
    return std::vector<Tensor>{scatter(zeros(x_shape, grads[0].dtype()), d, si.get(), grads[0])};
  });
  return {outputs[0], outputs[1]};
}

}  // namespace

std::pair<Tensor, Tensor> sort(const Tensor& x, int64_t dim, bool descending) {
  const int64_t d = wrap_dim(dim, x.dim(), "sort");
  const Lines l = lines_of(x, d);
  const Tensor xc = x.detach().contiguous();
  Tensor values = empty(x.shape(), x.dtype());
  Tensor indices = empty(x.shape(), DType::Int64);
  dispatch_all(x.dtype(), "sort", [&]<class T>() {
    cpu::sort_lines<T>(xc.data_ptr<T>(), values.data_ptr<T>(), indices.data_ptr<int64_t>(), l.outer, l.n, l.inner,
                       descending);
  });
  return record_index_backward(values, "sort", x, d, indices);
}

std::pair<Tensor, Tensor> topk(const Tensor& x, int64_t k, int64_t dim, bool largest, bool sorted) {
  const int64_t d = wrap_dim(dim, x.dim(), "topk");
  const Lines l = lines_of(x, d);
  NABLA_CHECK(k >= 0 && k <= l.n, "topk: k (", k, ") is out of range for dimension ", d, " of size ", l.n,
              " (shape ", x.shape(), ")");
  NABLA_CHECK(x.dim() > 0 || k == 1, "topk: k must be 1 for a zero-dimensional input, got ", k);
  Shape out_shape = x.shape();
  if (x.dim() > 0) out_shape[d] = k;
  const Tensor xc = x.detach().contiguous();
  Tensor values = empty(out_shape, x.dtype());
  Tensor indices = empty(out_shape, DType::Int64);
  dispatch_all(x.dtype(), "sort", [&]<class T>() {
    cpu::topk_lines<T>(xc.data_ptr<T>(), values.data_ptr<T>(), indices.data_ptr<int64_t>(), l.outer, l.n, l.inner, k,
                       largest, sorted);
  });
  return record_index_backward(values, "topk", x, d, indices);
}

}  // namespace nabla
