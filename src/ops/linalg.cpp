// Matrix products: mm and bmm are primitives (BLAS); matmul composes them with views.
#include <cstring>

#include "kernels/cpu/gemm.h"
#include "kernels/cpu/loops.h"
#include "nabla/autograd.h"
#include "nabla/ops.h"

namespace nabla {
namespace {

// How a 2-d matrix (rows, cols) can be handed to BLAS without copying.
struct BlasOperand {
  Tensor t;          // the tensor actually passed (maybe a contiguous copy)
  bool trans = false;
  int64_t ld = 0;
};

// Matrix view at `offset` with strides (s0, s1): row-major if s1 == 1, column-major if s0 == 1.
BlasOperand as_blas(const Tensor& m, int64_t rows, int64_t cols, int64_t s0, int64_t s1) {
  if ((s1 == 1 || cols == 1) && s0 >= std::max<int64_t>(cols, 1)) return {m, false, s0};
  if ((s0 == 1 || rows == 1) && s1 >= std::max<int64_t>(rows, 1)) return {m, true, s1};
  return {Tensor(), false, 0};
}

DType matmul_dtype(const Tensor& a, const Tensor& b, const char* op) {
  NABLA_CHECK(a.dtype() == b.dtype(), op, ": expected both operands to have the same dtype, but got ",
              dtype_name(a.dtype()), " and ", dtype_name(b.dtype()));
  NABLA_CHECK(is_floating(a.dtype()), op, ": only float32 and float64 are supported, got ", dtype_name(a.dtype()));
  return a.dtype();
}

// The last two dims of `m` as a BLAS operand: m itself when one of their strides is 1, else a
// contiguous copy.
BlasOperand blas_operand(const Tensor& m) {
  const int64_t rows = m.size(-2), cols = m.size(-1);
  BlasOperand p = as_blas(m, rows, cols, m.stride(-2), m.stride(-1));
  if (!p.t.defined()) p = {m.detach().contiguous(), false, cols};
  return p;
}

// out = a·b for 2-d a (M, K) and b (K, N), no autograd. Called directly by mm (not through
// batched_matmul_raw) because the batch walk it needs costs more than a small product itself.
Tensor mm_raw(const Tensor& a, const Tensor& b) {
  const int64_t M = a.size(0), K = a.size(1), N = b.size(1);
  if (M == 0 || N == 0 || K == 0) return zeros({M, N}, a.dtype());
  const BlasOperand pa = blas_operand(a), pb = blas_operand(b);
  Tensor out = empty({M, N}, a.dtype());
  dispatch_floating(a.dtype(), "mm", [&]<class T>() {
    cpu::gemm<T>(pa.trans, pb.trans, M, N, K, pa.t.data_ptr<T>(), pa.ld, pb.t.data_ptr<T>(), pb.ld,
                 out.data_ptr<T>(), N);
  });
  return out;
}

// out[i…] = a[i…]·b[i…] for a (batch…, M, K) and b (batch…, K, N) with the same batch shape and
// any batch strides (0 for broadcast dims), no autograd. The batch is walked through the strides,
// so heads split by a reshape/permute (MultiheadAttention) are read in place, not copied; only
// the last two dims must be BLAS-able (one unit stride), else the operand is copied once.
Tensor batched_matmul_raw(const Tensor& a_in, const Tensor& b_in) {
  const int64_t nd = a_in.dim(), M = a_in.size(-2), K = a_in.size(-1), N = b_in.size(-1);
  const Shape batch(a_in.shape().begin(), a_in.shape().end() - 2);
  Shape out_shape = batch;
  out_shape.insert(out_shape.end(), {M, N});
  if (K == 0) return zeros(out_shape, a_in.dtype());
  Tensor out = empty(out_shape, a_in.dtype());
  if (out.numel() == 0) return out;
  const BlasOperand pa = blas_operand(a_in), pb = blas_operand(b_in);
  const int64_t B = shape_numel(batch), nb = nd - 2;
  dispatch_floating(a_in.dtype(), "matmul", [&]<class T>() {
    const T* A = pa.t.data_ptr<T>();
    const T* Bp = pb.t.data_ptr<T>();
    T* C = out.data_ptr<T>();
    auto one = [&](int64_t i) {
      int64_t oa = 0, ob = 0;
      for (int64_t d = nb - 1, r = i; d >= 0; --d) {
        const int64_t idx = r % batch[d];
        r /= batch[d];
        oa += idx * pa.t.stride(d);
        ob += idx * pb.t.stride(d);
      }
      cpu::gemm<T>(pa.trans, pb.trans, M, N, K, A + oa, pa.ld, Bp + ob, pb.ld, C + i * M * N, N);
    };
    if (B > 1 && M * N * K < (1 << 18))
      cpu::parallel_for(B, 1, [&](int64_t lo, int64_t hi) {
        for (int64_t i = lo; i < hi; ++i) one(i);
      });
    else
      for (int64_t i = 0; i < B; ++i) one(i);
  });
  return out;
}

// Differentiable batched_matmul_raw; a and b are already expanded to one batch shape (expand's
// own rule sums the gradient of broadcast dims). d(AB)/dA = G·Bᵀ, d(AB)/dB = Aᵀ·G, per batch.
Tensor batched_matmul(const Tensor& a, const Tensor& b) {
  Tensor out = batched_matmul_raw(a.detach(), b.detach());
  autograd::record(out, "matmul", {a, b}, [sa = autograd::SavedTensor(a), sb = autograd::SavedTensor(b),
                                           need_a = a.requires_grad(), need_b = b.requires_grad()](const Tensor& g) {
    return std::vector<Tensor>{need_a ? batched_matmul(g, sb.get().transpose(-2, -1)) : Tensor(),
                               need_b ? batched_matmul(sa.get().transpose(-2, -1), g) : Tensor()};
  });
  return out;
}

}  // namespace

Tensor mm(const Tensor& a, const Tensor& b) {
  matmul_dtype(a, b, "mm");
  NABLA_CHECK(a.dim() == 2 && b.dim() == 2, "mm: expected 2-d tensors, got shapes ", a.shape(), " and ", b.shape());
  NABLA_CHECK(a.size(1) == b.size(0), "mm: shapes ", a.shape(), " and ", b.shape(), " cannot be multiplied (", a.size(0),
              "x", a.size(1), " and ", b.size(0), "x", b.size(1), ")");
  Tensor out = mm_raw(a, b);
  // d(AB)/dA = G·Bᵀ, d(AB)/dB = Aᵀ·G.
  autograd::record(out, "mm", {a, b}, [sa = autograd::SavedTensor(a), sb = autograd::SavedTensor(b),
                                       need_a = a.requires_grad(), need_b = b.requires_grad()](const Tensor& g) {
    return std::vector<Tensor>{need_a ? mm(g, sb.get().t()) : Tensor(), need_b ? mm(sa.get().t(), g) : Tensor()};
  });
  return out;
}

Tensor bmm(const Tensor& a, const Tensor& b) {
  matmul_dtype(a, b, "bmm");
  NABLA_CHECK(a.dim() == 3 && b.dim() == 3, "bmm: expected 3-d tensors, got shapes ", a.shape(), " and ", b.shape());
  NABLA_CHECK(a.size(0) == b.size(0) && a.size(2) == b.size(1), "bmm: shapes ", a.shape(), " and ", b.shape(),
              " cannot be multiplied (batch sizes must match and a.size(2) must equal b.size(1))");
  Tensor out = batched_matmul_raw(a.detach(), b.detach());
  autograd::record(out, "bmm", {a, b}, [sa = autograd::SavedTensor(a), sb = autograd::SavedTensor(b),
                                        need_a = a.requires_grad(), need_b = b.requires_grad()](const Tensor& g) {
    return std::vector<Tensor>{need_a ? bmm(g, sb.get().transpose(1, 2)) : Tensor(),
                               need_b ? bmm(sa.get().transpose(1, 2), g) : Tensor()};
  });
  return out;
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  matmul_dtype(a, b, "matmul");
  NABLA_CHECK(a.dim() >= 1 && b.dim() >= 1, "matmul: both arguments need at least 1 dimension, got shapes ", a.shape(),
              " and ", b.shape());
  if (a.dim() == 1 && b.dim() == 1) {
    NABLA_CHECK(a.size(0) == b.size(0), "matmul: 1-d tensors of sizes ", a.size(0), " and ", b.size(0),
                " cannot be multiplied (inconsistent tensor size)");
    return mm(a.unsqueeze(0), b.unsqueeze(1)).reshape({});
  }
  if (a.dim() == 2 && b.dim() == 2) return mm(a, b);
  if (a.dim() == 1 && b.dim() == 2) return mm(a.unsqueeze(0), b).squeeze(0);
  if (a.dim() == 2 && b.dim() == 1) return mm(a, b.unsqueeze(1)).squeeze(1);
  // Batched: promote 1-d operands, broadcast batch dims, flatten them into one.
  const Tensor a2 = a.dim() == 1 ? a.unsqueeze(0) : a;
  const Tensor b2 = b.dim() == 1 ? b.unsqueeze(1) : b;
  const int64_t M = a2.size(-2), K = a2.size(-1), N = b2.size(-1);
  NABLA_CHECK(b2.size(-2) == K, "matmul: shapes ", a.shape(), " and ", b.shape(), " cannot be multiplied (", K, " vs ",
              b2.size(-2), " in the contracted dimension)");
  const Shape a_batch(a2.shape().begin(), a2.shape().end() - 2), b_batch(b2.shape().begin(), b2.shape().end() - 2);
  const Shape batch = broadcast_shapes(a_batch, b_batch, "matmul");
  Shape ae = batch, be = batch;
  ae.insert(ae.end(), {M, K});
  be.insert(be.end(), {K, N});
  Tensor out = batched_matmul(a2.expand(ae), b2.expand(be));  // (batch…, M, N)
  if (a.dim() == 1) return out.squeeze(-2);
  if (b.dim() == 1) return out.squeeze(-1);
  return out;
}

}  // namespace nabla
