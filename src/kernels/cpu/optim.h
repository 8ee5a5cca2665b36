#pragma once
// Fused optimizer updates: one pass over a parameter, its gradient and its state buffers, with
// the arithmetic in the order PyTorch's single-tensor implementations use (torch/optim/*.py), so
// trajectories agree to rounding. All arrays are contiguous of length n; hyperparameters arrive
// as doubles and are rounded to T where PyTorch rounds them (scalar arguments of tensor ops).
#include <cstdint>

namespace nabla::cpu {

struct SgdHyper {
  double lr, momentum, dampening, weight_decay;
  bool nesterov, maximize;
};
/// d = ±g + wd·p; with momentum: buf = d on the first step (first = true), else
/// buf = momentum·buf + (1 − dampening)·d, and d = nesterov ? d + momentum·buf : buf;
/// p −= lr·d. buf may be null when momentum = 0.
template <class T>
void sgd_update(T* p, const T* g, T* buf, int64_t n, const SgdHyper& h, bool first);

struct AdamHyper {
  double lr, beta1, beta2, eps, weight_decay;
  double step;        // step count after this update (1 on the first)
  bool amsgrad, maximize;
  bool decoupled;     // AdamW: p ← p·(1 − lr·wd) instead of adding wd·p to the gradient
};
/// m = β1·m + (1 − β1)·d, v = β2·v + (1 − β2)·d², v̂ = amsgrad ? (vmax = max(vmax, v)) : v,
/// p −= lr/(1 − β1^t) · m / (√v̂/√(1 − β2^t) + eps). vmax may be null without amsgrad.
template <class T>
void adam_update(T* p, const T* g, T* m, T* v, T* vmax, int64_t n, const AdamHyper& h);

struct AdagradHyper {
  double clr;  // lr / (1 + (step − 1)·lr_decay)
  double weight_decay, eps;
  bool maximize;
};
/// d = ±g + wd·p; sum += d²; p −= clr·d/(√sum + eps).
template <class T>
void adagrad_update(T* p, const T* g, T* sum, int64_t n, const AdagradHyper& h);

struct RmspropHyper {
  double lr, alpha, eps, weight_decay, momentum;
  bool centered, maximize;
};
/// d = ±g + wd·p; sq = α·sq + (1 − α)·d²; centered: ga = α·ga + (1 − α)·d, avg = √(sq − ga²) + eps,
/// else avg = √sq + eps; momentum > 0: buf = momentum·buf + d/avg, p −= lr·buf; else p −= lr·d/avg.
/// grad_avg / buf may be null when unused.
template <class T>
void rmsprop_update(T* p, const T* g, T* square_avg, T* grad_avg, T* buf, int64_t n, const RmspropHyper& h);

struct AdadeltaHyper {
  double lr, rho, eps, weight_decay;
  bool maximize;
};
/// d = ±g + wd·p; sq = ρ·sq + (1 − ρ)·d²; δ = √(acc + eps)/√(sq + eps)·d;
/// acc = ρ·acc + (1 − ρ)·δ²; p −= lr·δ.
template <class T>
void adadelta_update(T* p, const T* g, T* square_avg, T* acc_delta, int64_t n, const AdadeltaHyper& h);

}  // namespace nabla::cpu
