// Loss kernels at tensor level (ops/nn_kernels.h): fused softmax cross-entropy, NLL and the
// binary cross-entropies. The reductions and backward rules are in nn/functional/loss.cpp.
#include "kernels/cpu/cross_entropy.h"
#include "ops/device_dispatch.h"
#include "ops/nn_kernels.h"

namespace nabla::ops {
namespace {

// Sum of a contiguous 1-d array in double, in index order (deterministic).
template <class T>
double ordered_sum(const T* p, int64_t n) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += p[i];
  return s;
}

}  // namespace

double ordered_sum(const Tensor& t) {
  return dispatch_device(t, "ordered_sum", [&] {
    return dispatch_floating(t.dtype(), "ordered_sum", [&]<class T>() { return ordered_sum(t.data_ptr<T>(), t.numel()); });
  });
}

void check_class_targets(const Tensor& t, int64_t C, int64_t ignore_index, const char* op) {
  dispatch_device(t, op, [&] {
    const int64_t* p = t.data_ptr<int64_t>();
    const int64_t n = t.numel();
    for (int64_t i = 0; i < n; ++i)
      NABLA_CHECK(p[i] == ignore_index || (p[i] >= 0 && p[i] < C), op, ": target ", p[i], " is out of bounds for ", C,
                  " classes (at flat position ", i, "; ignore_index is ", ignore_index, ")");
  });
}

ClassLossForward cross_entropy_forward(const Tensor& x, const Tensor& t, const Tensor& w, int64_t ignore_index,
                                       double label_smoothing) {
  const int64_t N = x.size(0), C = x.size(1);
  const DType dt = x.dtype();
  ClassLossForward r{empty({N}, dt), empty({N}, dt), empty({N}, dt)};
  dispatch_device(x, "cross_entropy", [&] {
    dispatch_floating(dt, "cross_entropy", [&]<class T>() {
      cpu::softmax_cross_entropy_forward<T>(x.data_ptr<T>(), t.data_ptr<int64_t>(),
                                            w.defined() ? w.data_ptr<T>() : nullptr, N, C, ignore_index, label_smoothing,
                                            r.loss.data_ptr<T>(), r.lse.data_ptr<T>(), r.row_weight.data_ptr<T>());
    });
  });
  return r;
}

Tensor cross_entropy_backward(const Tensor& grad, const Tensor& x, const Tensor& t, const Tensor& w, const Tensor& lse,
                              bool per_row_grad, bool mean, double denom, int64_t ignore_index,
                              double label_smoothing) {
  const int64_t N = x.size(0), C = x.size(1);
  Tensor dx = empty({N, C}, x.dtype());
  dispatch_device(x, "cross_entropy", [&] {
    dispatch_floating(x.dtype(), "cross_entropy", [&]<class T>() {
      const T factor = mean ? static_cast<T>(1.0 / denom) : T(1);
      cpu::softmax_cross_entropy_backward<T>(x.data_ptr<T>(), t.data_ptr<int64_t>(),
                                             w.defined() ? w.data_ptr<T>() : nullptr, lse.data_ptr<T>(),
                                             grad.data_ptr<T>(), per_row_grad ? 1 : 0, factor, N, C, ignore_index,
                                             label_smoothing, dx.data_ptr<T>());
    });
  });
  return dx;
}

ClassLossForward nll_forward(const Tensor& x, const Tensor& t, const Tensor& w, int64_t N, int64_t C, int64_t D,
                             int64_t ignore_index) {
  const DType dt = x.dtype();
  ClassLossForward r{empty(t.shape(), dt), Tensor(), empty(t.shape(), dt)};
  dispatch_device(x, "nll_loss", [&] {
    dispatch_floating(dt, "nll_loss", [&]<class T>() {
      cpu::nll_forward<T>(x.data_ptr<T>(), t.data_ptr<int64_t>(), w.defined() ? w.data_ptr<T>() : nullptr, N, C, D,
                          ignore_index, r.loss.data_ptr<T>(), r.row_weight.data_ptr<T>());
    });
  });
  return r;
}

Tensor nll_backward(const Tensor& grad, const Tensor& t, const Tensor& w, const Shape& x_shape, bool per_row_grad,
                    bool mean, double denom, int64_t N, int64_t C, int64_t D, int64_t ignore_index) {
  const DType dt = grad.dtype();
  Tensor dx = zeros(x_shape, dt);
  dispatch_device(grad, "nll_loss", [&] {
    dispatch_floating(dt, "nll_loss", [&]<class T>() {
      const T factor = mean ? static_cast<T>(1.0 / denom) : T(1);
      cpu::nll_backward<T>(t.data_ptr<int64_t>(), w.defined() ? w.data_ptr<T>() : nullptr, grad.data_ptr<T>(),
                           per_row_grad ? 1 : 0, factor, N, C, D, ignore_index, dx.data_ptr<T>());
    });
  });
  return dx;
}

Tensor binary_cross_entropy_forward(const Tensor& x, const Tensor& y, const char* op) {
  const int64_t n = x.numel();
  Tensor loss = empty(x.shape(), x.dtype());
  dispatch_device(x, op, [&] {
    dispatch_floating(x.dtype(), op, [&]<class T>() {
      const T* xp = x.data_ptr<T>();
      for (int64_t i = 0; i < n; ++i)
        NABLA_CHECK(xp[i] >= T(0) && xp[i] <= T(1), op, ": all elements of input should be between 0 and 1, got ",
                    xp[i], " at flat position ", i);
      cpu::binary_cross_entropy_forward<T>(xp, y.data_ptr<T>(), loss.data_ptr<T>(), n);
    });
  });
  return loss;
}

std::pair<Tensor, Tensor> binary_cross_entropy_backward(const Tensor& grad, const Tensor& x, const Tensor& y,
                                                        bool need_x, bool need_y) {
  Tensor dx = need_x ? empty(x.shape(), x.dtype()) : Tensor();
  Tensor dy = need_y ? empty(x.shape(), x.dtype()) : Tensor();
  dispatch_device(x, "binary_cross_entropy", [&] {
    dispatch_floating(x.dtype(), "binary_cross_entropy", [&]<class T>() {
      cpu::binary_cross_entropy_backward<T>(grad.data_ptr<T>(), x.data_ptr<T>(), y.data_ptr<T>(),
                                            need_x ? dx.data_ptr<T>() : nullptr, need_y ? dy.data_ptr<T>() : nullptr,
                                            x.numel());
    });
  });
  return {dx, dy};
}

Tensor bce_with_logits_forward(const Tensor& x, const Tensor& y, const Tensor& pw) {
  Tensor loss = empty(x.shape(), x.dtype());
  dispatch_device(x, "binary_cross_entropy_with_logits", [&] {
    dispatch_floating(x.dtype(), "binary_cross_entropy_with_logits", [&]<class T>() {
      cpu::bce_with_logits_forward<T>(x.data_ptr<T>(), y.data_ptr<T>(), pw.defined() ? pw.data_ptr<T>() : nullptr,
                                      loss.data_ptr<T>(), x.numel());
    });
  });
  return loss;
}

BceWithLogitsGrads bce_with_logits_backward(const Tensor& grad, const Tensor& x, const Tensor& y, const Tensor& pw,
                                            bool need_x, bool need_y, bool need_pw) {
  BceWithLogitsGrads r;
  if (need_x) r.dx = empty(x.shape(), x.dtype());
  if (need_y) r.dy = empty(x.shape(), x.dtype());
  if (need_pw) r.dpw = empty(x.shape(), x.dtype());
  dispatch_device(x, "binary_cross_entropy_with_logits", [&] {
    dispatch_floating(x.dtype(), "binary_cross_entropy_with_logits", [&]<class T>() {
      cpu::bce_with_logits_backward<T>(grad.data_ptr<T>(), x.data_ptr<T>(), y.data_ptr<T>(),
                                       pw.defined() ? pw.data_ptr<T>() : nullptr, need_x ? r.dx.data_ptr<T>() : nullptr,
                                       need_y ? r.dy.data_ptr<T>() : nullptr, need_pw ? r.dpw.data_ptr<T>() : nullptr,
                                       x.numel());
    });
  });
  return r;
}

}  // namespace nabla::ops
