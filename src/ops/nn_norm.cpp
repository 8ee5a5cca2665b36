// Normalisation kernels at tensor level (ops/nn_kernels.h): batch norm's statistics, apply and
// backward, and the row normalisation under layer_norm / group_norm / instance_norm. The
// derivations are with the rules in nn/functional/norm.cpp.
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/cpu/batch_norm.h"
#include "kernels/cpu/layer_norm.h"
#include "nabla/autograd.h"
#include "nabla/ops.h"
#include "ops/batch_norm_math.h"
#include "ops/device_dispatch.h"
#include "ops/nn_kernels.h"

namespace nabla::ops {
namespace {

// Contiguous values of an optional per-channel tensor in dtype T (empty when undefined).
template <class T>
std::vector<T> values_or_empty(const Tensor& t) {
  return t.defined() ? t.to_vector<T>() : std::vector<T>{};
}

}  // namespace

namespace detail {

template <class T>
std::vector<double> batch_statistics(const double* sum_u, const double* sum_uu, const T* center, T* invstd, int64_t C,
                                     int64_t M, double eps, const Tensor& running_mean, const Tensor& running_var,
                                     double momentum) {
  std::vector<double> offset(C), mean(C), var(C);
  for (int64_t c = 0; c < C; ++c) {
    offset[c] = sum_u[c] / static_cast<double>(M);
    var[c] = std::max(0.0, sum_uu[c] / static_cast<double>(M) - offset[c] * offset[c]);
    mean[c] = static_cast<double>(center[c]) + offset[c];
    invstd[c] = static_cast<T>(1.0 / std::sqrt(var[c] + eps));
  }
  NoGradGuard no_grad;
  if (running_mean.defined()) {
    Tensor rm = running_mean;
    rm.mul_(1.0 - momentum).add_(from_vector<double>(mean).to(rm.dtype()), momentum);
  }
  if (running_var.defined()) {
    std::vector<double> unbiased(C);
    for (int64_t c = 0; c < C; ++c) unbiased[c] = var[c] * static_cast<double>(M) / static_cast<double>(M - 1);
    Tensor rv = running_var;
    rv.mul_(1.0 - momentum).add_(from_vector<double>(unbiased).to(rv.dtype()), momentum);
  }
  return offset;
}

template <class T>
void batch_norm_affine(const T* invstd, const std::vector<double>& offset, const Tensor& weight, const Tensor& bias,
                       T* scale, T* shift, int64_t C) {
  const std::vector<T> w = values_or_empty<T>(weight), b = values_or_empty<T>(bias);
  for (int64_t c = 0; c < C; ++c) {
    const double a = static_cast<double>(invstd[c]) * (w.empty() ? 1.0 : static_cast<double>(w[c]));
    scale[c] = static_cast<T>(a);
    shift[c] = static_cast<T>((b.empty() ? 0.0 : static_cast<double>(b[c])) - offset[c] * a);
  }
}

template <class T>
BatchNormGradCoefficients<T> batch_norm_grad_coefficients(const T* invstd, const std::vector<double>& offset,
                                                          const Tensor& weight, std::vector<double>& G,
                                                          std::vector<double>& P, int64_t C, int64_t M, bool training) {
  // P = Σg·(x − μ) = Σg·(x − center) − offset·G.
  for (int64_t c = 0; c < C; ++c) P[c] -= offset[c] * G[c];
  const std::vector<T> wv = values_or_empty<T>(weight);
  BatchNormGradCoefficients<T> r{std::vector<T>(C), std::vector<T>(C, T(0)), std::vector<T>(C, T(0)),
                                 std::vector<T>(C), std::vector<T>(C)};
  for (int64_t c = 0; c < C; ++c) {
    // dx = A·g + B·(x − μ) + K' with A = γ·r, B = −γ·r³·P/M, K' = −γ·r·G/M (norm.cpp), and
    // x − μ = (x − center) − offset, so k = K' − B·offset.
    const double gamma = wv.empty() ? 1.0 : static_cast<double>(wv[c]);
    const double rc = invstd[c];
    r.a[c] = static_cast<T>(gamma * rc);
    if (training) {
      const double Bc = -gamma * rc * rc * rc * P[c] / static_cast<double>(M);
      r.b[c] = static_cast<T>(Bc);
      r.k[c] = static_cast<T>(-gamma * rc * G[c] / static_cast<double>(M) - Bc * offset[c]);
    }
    r.dweight[c] = static_cast<T>(invstd[c] * P[c]);
    r.dbias[c] = static_cast<T>(G[c]);
  }
  return r;
}

#define NABLA_INSTANTIATE_BATCH_NORM_MATH(T)                                                                        \
  template std::vector<double> batch_statistics<T>(const double*, const double*, const T*, T*, int64_t, int64_t,    \
                                                   double, const Tensor&, const Tensor&, double);                   \
  template void batch_norm_affine<T>(const T*, const std::vector<double>&, const Tensor&, const Tensor&, T*, T*,    \
                                     int64_t);                                                                       \
  template BatchNormGradCoefficients<T> batch_norm_grad_coefficients<T>(                                             \
      const T*, const std::vector<double>&, const Tensor&, std::vector<double>&, std::vector<double>&, int64_t,      \
      int64_t, bool);
NABLA_INSTANTIATE_BATCH_NORM_MATH(float)
NABLA_INSTANTIATE_BATCH_NORM_MATH(double)
#undef NABLA_INSTANTIATE_BATCH_NORM_MATH

}  // namespace detail

BatchNormForward batch_norm_forward(const Tensor& x, const Tensor& weight, const Tensor& bias,
                                    const Tensor& running_mean, const Tensor& running_var, bool training,
                                    double momentum, double eps, FusedActivation act, int64_t N, int64_t C,
                                    int64_t S, const char* op) {
  const DType dt = x.dtype();
  const Shape cshape{C};
  const int64_t M = N * S;
  Tensor out = empty(x.shape(), dt);
  // μ is kept as center + offset: center (T) is a value of the channel in training (its first
  // one) and offset (double) is small, so x − μ = (x − center) − offset loses nothing in float32
  // even when |μ| ≫ σ. In eval, center is the running mean and offset 0.
  Tensor center_t = empty(cshape, dt), invstd_t = empty(cshape, dt);
  std::vector<double> offset(C, 0.0);
  dispatch_device(x, op, [&] {
    dispatch_floating(dt, op, [&]<class T>() {
      T* center = center_t.data_ptr<T>();
      T* invstd = invstd_t.data_ptr<T>();
      const T* xp = x.data_ptr<T>();
      if (training) {
        // One pass: sums of u = x − center give μ and σ² without the cancellation of
        // Σx² − (Σx)²/M when |μ| ≫ σ.
        for (int64_t c = 0; c < C; ++c) center[c] = xp[c * S];
        std::vector<double> su(C), suu(C);
        cpu::batch_norm_channel_sums<T>(xp, center, xp, center, N, C, S, su.data(), suu.data());
        offset = detail::batch_statistics<T>(su.data(), suu.data(), center, invstd, C, M, eps, running_mean,
                                             running_var, momentum);
      } else {
        const std::vector<double> rm = running_mean.to_vector<double>(), rv = running_var.to_vector<double>();
        for (int64_t c = 0; c < C; ++c) {
          center[c] = static_cast<T>(rm[c]);
          invstd[c] = static_cast<T>(1.0 / std::sqrt(rv[c] + eps));
        }
      }
      // y = (x − center)·a + (β − offset·a), a = γ·r.
      std::vector<T> scale(C), shift(C);
      detail::batch_norm_affine<T>(invstd, offset, weight, bias, scale.data(), shift.data(), C);
      cpu::batch_norm_apply<T>(xp, out.data_ptr<T>(), N, C, S, center, scale.data(), shift.data(), act);
    });
  });
  return {out, center_t, invstd_t, offset};
}

NormGrads batch_norm_backward(const Tensor& g, const Tensor& x, const Tensor& w, FusedActivation act, const Tensor& y,
                              const Tensor& center_t, const Tensor& invstd_t, const std::vector<double>& offset,
                              bool training, bool need_x, bool need_w, bool need_b, int64_t N, int64_t C, int64_t S,
                              const char* op) {
  const DType dt = x.dtype();
  const int64_t M = N * S;
  Tensor gx, gw, gb;
  dispatch_device(g, op, [&] {
    dispatch_floating(dt, op, [&]<class T>() {
      const T* center = center_t.data_ptr<T>();
      const T* invstd = invstd_t.data_ptr<T>();
      const T* act_out = act != FusedActivation::None ? y.data_ptr<T>() : nullptr;
      // G = Σg, P = Σg·(x − μ) = Σg·(x − center) − offset·G.
      std::vector<double> G(C), P(C);
      cpu::batch_norm_channel_sums<T>(g.data_ptr<T>(), nullptr, x.data_ptr<T>(), center, N, C, S,
                                      G.data(), P.data(), act, act_out);
      const detail::BatchNormGradCoefficients<T> k =
          detail::batch_norm_grad_coefficients<T>(invstd, offset, w, G, P, C, M, training);
      if (need_x) {
        // dx = a·g + b·(x − center) + k.
        gx = empty(x.shape(), dt);
        cpu::batch_norm_input_grad<T>(g.data_ptr<T>(), x.data_ptr<T>(), gx.data_ptr<T>(), N, C, S, center, k.a.data(),
                                      k.b.data(), k.k.data(), act, act_out);
      }
      if (need_w) gw = from_vector<T>(k.dweight);
      if (need_b) gb = from_vector<T>(k.dbias);
    });
  });
  return {gx, gw, gb};
}

LayerNormForward layer_norm_forward(const Tensor& x, const Tensor& w, const Tensor& b, int64_t R, int64_t D, double eps,
                                    const char* op) {
  const DType dt = x.dtype();
  Tensor out = empty(x.shape(), dt), mean_t = empty({R}, dt), rstd_t = empty({R}, dt);
  dispatch_device(x, op, [&] {
    dispatch_floating(dt, op, [&]<class T>() {
      cpu::layer_norm_forward<T>(x.data_ptr<T>(), w.defined() ? w.data_ptr<T>() : nullptr,
                                 b.defined() ? b.data_ptr<T>() : nullptr, out.data_ptr<T>(), mean_t.data_ptr<T>(),
                                 rstd_t.data_ptr<T>(), R, D, eps);
    });
  });
  return {out, mean_t, rstd_t};
}

NormGrads layer_norm_backward(const Tensor& g, const Tensor& x, const Tensor& mean_t, const Tensor& rstd_t,
                              const Tensor& w, const Shape& wshape, const Shape& bshape, bool need_x, bool need_w,
                              bool need_b, int64_t R, int64_t D, const char* op) {
  const DType dt = x.dtype();
  Tensor gx, gw, gb;
  dispatch_device(g, op, [&] {
    dispatch_floating(dt, op, [&]<class T>() {
      if (need_x) {
        gx = empty(x.shape(), dt);
        cpu::layer_norm_input_grad<T>(g.data_ptr<T>(), x.data_ptr<T>(), mean_t.data_ptr<T>(),
                                      rstd_t.data_ptr<T>(), w.defined() ? w.data_ptr<T>() : nullptr,
                                      gx.data_ptr<T>(), R, D);
      }
      if (need_w || need_b) {
        if (need_w) gw = empty(wshape, dt);
        if (need_b) gb = empty(bshape, dt);
        cpu::layer_norm_param_grad<T>(g.data_ptr<T>(), x.data_ptr<T>(), mean_t.data_ptr<T>(),
                                      rstd_t.data_ptr<T>(), need_w ? gw.data_ptr<T>() : nullptr,
                                      need_b ? gb.data_ptr<T>() : nullptr, R, D);
      }
    });
  });
  return {gx, gw, gb};
}

}  // namespace nabla::ops
