// Tensor-level kernel of scaled dot-product attention without weights (ops/nn_kernels.h).
#include <algorithm>
#include <vector>

#include "kernels/cpu/attention.h"
#include "kernels/cpu/loops.h"
#include "ops/device_dispatch.h"
#include "ops/nn_kernels.h"

namespace nabla::ops {

Tensor attention_forward(const Tensor& q_in, const Tensor& k_in, const Tensor& v_in, int64_t heads, double scale,
                         bool causal) {
  // The kernel reads each head's rows through their strides: the columns must be adjacent and the
  // rows apart by at least a row (GEMM leading dims); anything else is copied first. A single row's
  // stride is never stepped, so it gets a valid leading dim whatever it is.
  auto rows = [](const Tensor& t) {
    return t.stride(2) == 1 && (t.size(1) == 1 || t.stride(1) >= t.size(2)) ? t : t.contiguous();
  };
  auto ld = [](const Tensor& t) { return std::max(t.stride(1), t.size(2)); };
  const Tensor q = rows(q_in), k = rows(k_in), v = rows(v_in);
  const int64_t B = q.size(0), L = q.size(1), S = k.size(1), H = heads, E = q.size(2) / H, Ev = v.size(2) / H;
  Tensor out = empty({B, L, H * Ev}, q.dtype());
  dispatch_device(q, "scaled_dot_product_attention", [&] {
    dispatch_floating(q.dtype(), "scaled_dot_product_attention", [&]<class T>() {
      const T *qp = q.data_ptr<T>(), *kp = k.data_ptr<T>(), *vp = v.data_ptr<T>();
      T* op = out.data_ptr<T>();
      // One (batch, head) slice per task; each task's GEMMs then run on one thread. A single
      // slice runs outside a parallel region, so that its GEMMs may use the threads.
      cpu::parallel_for(B * H, 1, [&](int64_t lo, int64_t hi) {
        std::vector<T> scratch(static_cast<size_t>(cpu::kAttentionBlock * S));
        for (int64_t t = lo; t < hi; ++t) {
          const int64_t b = t / H, h = t % H;
          cpu::attention_forward<T>(qp + b * q.stride(0) + h * E, ld(q), kp + b * k.stride(0) + h * E, ld(k),
                                    vp + b * v.stride(0) + h * Ev, ld(v),
                                    op + b * L * H * Ev + h * Ev, H * Ev, L, S, E, Ev, static_cast<T>(scale), causal,
                                    scratch.data());
        }
      });
    });
  });
  return out;
}

}  // namespace nabla::ops
