// Tensor-level kernel of causal scaled dot-product attention (ops/nn_kernels.h).
#include <vector>

#include "kernels/cpu/attention.h"
#include "kernels/cpu/loops.h"
#include "ops/device_dispatch.h"
#include "ops/nn_kernels.h"

namespace nabla::ops {

Tensor causal_attention_forward(const Tensor& q, const Tensor& k, const Tensor& v, double scale) {
  const int64_t B = q.size(0), L = q.size(1), E = q.size(2), S = k.size(1), Ev = v.size(2);
  Tensor out = empty({B, L, Ev}, q.dtype());
  dispatch_device(q, "scaled_dot_product_attention", [&] {
    dispatch_floating(q.dtype(), "scaled_dot_product_attention", [&]<class T>() {
      const T *qp = q.data_ptr<T>(), *kp = k.data_ptr<T>(), *vp = v.data_ptr<T>();
      T* op = out.data_ptr<T>();
      // One (batch, head) slice per task; each task's GEMMs then run on one thread. A single
      // slice runs outside a parallel region, so that its GEMMs may use the threads.
      cpu::parallel_for(B, 1, [&](int64_t lo, int64_t hi) {
        std::vector<T> scratch(static_cast<size_t>(cpu::kCausalAttentionBlock * S));
        for (int64_t b = lo; b < hi; ++b)
          cpu::causal_attention_forward<T>(qp + b * L * E, E, kp + b * S * E, E, vp + b * S * Ev, Ev, op + b * L * Ev,
                                           Ev, L, S, E, Ev, static_cast<T>(scale), scratch.data());
      });
    });
  });
  return out;
}

}  // namespace nabla::ops
