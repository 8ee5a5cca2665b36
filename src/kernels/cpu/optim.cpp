#include "kernels/cpu/optim.h"

#include <algorithm>
#include <cmath>

#include "kernels/cpu/loops.h"
#include "kernels/cpu/sqrt.h"

// GCC cannot see that each block buffer is filled for k < len before sqrt_contiguous reads it.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace nabla::cpu {
namespace {

// Elements per block: updates that need a square root compute its argument for a block into a
// stack buffer, take the roots with the vectorised sqrt kernel (std::sqrt does not vectorise under
// GCC's default errno semantics), and then finish the block. No heap temporaries.
constexpr int64_t kBlock = 512;
// A parameter update reads/writes ~4 arrays; below this size one thread does it all.
constexpr int64_t kGrain = kParallelGrain / 2;

template <class F>
void for_each_block(int64_t n, F&& f) {
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) {
    for (int64_t s = b; s < e; s += kBlock) f(s, std::min(kBlock, e - s));
  });
}

// d = ±g + wd·p (maximize negates first, then weight decay is added, as PyTorch).
template <class T>
inline T decayed_grad(T g, T p, bool maximize, T wd, bool has_wd) {
  const T d = maximize ? -g : g;
  return has_wd ? d + wd * p : d;
}

// Calls f.template operator()<A, B>() with the two flags as compile-time constants, so that
// optional buffers (null when unused) are never touched inside vectorised loops.
template <class F>
void with_flags(bool a, bool b, F&& f) {
  if (a) {
    if (b) f.template operator()<true, true>();
    else f.template operator()<true, false>();
  } else {
    if (b) f.template operator()<false, true>();
    else f.template operator()<false, false>();
  }
}

}  // namespace

template <class T>
void sgd_update(T* p, const T* g, T* buf, int64_t n, const SgdHyper& h, bool first) {
  const T wd = static_cast<T>(h.weight_decay), mom = static_cast<T>(h.momentum);
  const T keep = static_cast<T>(1.0 - h.dampening), neg_lr = static_cast<T>(-h.lr);
  const bool has_wd = h.weight_decay != 0, has_mom = h.momentum != 0, maximize = h.maximize, nesterov = h.nesterov;
  with_flags(has_mom, nesterov, [&]<bool kMomentum, bool kNesterov>() {
    parallel_for(n, kGrain, [&](int64_t b, int64_t e) {
#pragma omp simd
      for (int64_t i = b; i < e; ++i) {
        T d = decayed_grad(g[i], p[i], maximize, wd, has_wd);
        if constexpr (kMomentum) {
          const T bi = first ? d : buf[i] * mom + keep * d;
          buf[i] = bi;
          d = kNesterov ? d + mom * bi : bi;
        }
        p[i] = p[i] + neg_lr * d;
      }
    });
  });
}

template <class T>
void adam_update(T* p, const T* g, T* m, T* v, T* vmax, int64_t n, const AdamHyper& h) {
  const double bias1 = 1.0 - std::pow(h.beta1, h.step);
  const double bias2 = 1.0 - std::pow(h.beta2, h.step);
  const T neg_step_size = static_cast<T>(-(h.lr / bias1));
  const T bias2_sqrt = static_cast<T>(std::sqrt(bias2));
  const T b1 = static_cast<T>(h.beta1), b2 = static_cast<T>(h.beta2);
  const T one_m_b1 = static_cast<T>(1.0 - h.beta1), one_m_b2 = static_cast<T>(1.0 - h.beta2);
  const T eps = static_cast<T>(h.eps), wd = static_cast<T>(h.weight_decay);
  const T decay = static_cast<T>(1.0 - h.lr * h.weight_decay);
  const bool coupled_wd = !h.decoupled && h.weight_decay != 0, decoupled_wd = h.decoupled;
  const bool maximize = h.maximize;
  with_flags(h.amsgrad, decoupled_wd, [&]<bool kAmsgrad, bool kDecoupled>() {
  for_each_block(n, [=](int64_t s, int64_t len) {  // by value: no aliasing through captured references
    T root[kBlock];
    // Locals, so that stores into p cannot be assumed to change the scalars (vectorisation).
    const T l_decay = decay, l_wd = wd, l_b1 = b1, l_1mb1 = one_m_b1;
    const bool l_max = maximize, l_coupled = coupled_wd;
    T* const lp = p + s;
    const T* const lg = g + s;
    T* const lm = m + s;
    T* const lv = v + s;
    T* const lvmax = vmax + (vmax ? s : 0);
#pragma omp simd
    for (int64_t k = 0; k < len; ++k) {
      if constexpr (kDecoupled) lp[k] = lp[k] * l_decay;
      const T d = decayed_grad(lg[k], lp[k], l_max, l_wd, l_coupled);
      lm[k] = lm[k] * l_b1 + l_1mb1 * d;
      const T vi = lv[k] * b2 + one_m_b2 * (d * d);
      lv[k] = vi;
      if constexpr (kAmsgrad) {
        const T vm = std::max(lvmax[k], vi);
        lvmax[k] = vm;
        root[k] = vm;
      } else {
        root[k] = vi;
      }
    }
    sqrt_contiguous<T>(root, root, len, false);
#pragma omp simd
    for (int64_t k = 0; k < len; ++k) {
      const int64_t i = s + k;
      const T denom = root[k] / bias2_sqrt + eps;
      p[i] = p[i] + neg_step_size * (m[i] / denom);
    }
  });
  });
}

template <class T>
void adagrad_update(T* p, const T* g, T* sum, int64_t n, const AdagradHyper& h) {
  const T wd = static_cast<T>(h.weight_decay), eps = static_cast<T>(h.eps), neg_clr = static_cast<T>(-h.clr);
  const bool has_wd = h.weight_decay != 0, maximize = h.maximize;
  for_each_block(n, [=](int64_t s, int64_t len) {  // by value: no aliasing through captured references
    T root[kBlock], grad[kBlock];
#pragma omp simd
    for (int64_t k = 0; k < len; ++k) {
      const int64_t i = s + k;
      const T d = decayed_grad(g[i], p[i], maximize, wd, has_wd);
      grad[k] = d;
      sum[i] = sum[i] + d * d;
      root[k] = sum[i];
    }
    sqrt_contiguous<T>(root, root, len, false);
#pragma omp simd
    for (int64_t k = 0; k < len; ++k) p[s + k] = p[s + k] + neg_clr * (grad[k] / (root[k] + eps));
  });
}

template <class T>
void rmsprop_update(T* p, const T* g, T* square_avg, T* grad_avg, T* buf, int64_t n, const RmspropHyper& h) {
  const T wd = static_cast<T>(h.weight_decay), eps = static_cast<T>(h.eps), neg_lr = static_cast<T>(-h.lr);
  const T alpha = static_cast<T>(h.alpha), one_m_alpha = static_cast<T>(1.0 - h.alpha);
  const T mom = static_cast<T>(h.momentum);
  const bool has_wd = h.weight_decay != 0, maximize = h.maximize;
  with_flags(h.centered, h.momentum > 0, [&]<bool kCentered, bool kMomentum>() {
  for_each_block(n, [=](int64_t s, int64_t len) {  // by value: no aliasing through captured references
    T root[kBlock], grad[kBlock];
#pragma omp simd
    for (int64_t k = 0; k < len; ++k) {
      const int64_t i = s + k;
      const T d = decayed_grad(g[i], p[i], maximize, wd, has_wd);
      grad[k] = d;
      const T sq = square_avg[i] * alpha + one_m_alpha * (d * d);
      square_avg[i] = sq;
      if constexpr (kCentered) {
        const T ga = grad_avg[i] * alpha + one_m_alpha * d;
        grad_avg[i] = ga;
        root[k] = sq - ga * ga;
      } else {
        root[k] = sq;
      }
    }
    sqrt_contiguous<T>(root, root, len, false);
#pragma omp simd
    for (int64_t k = 0; k < len; ++k) {
      const int64_t i = s + k;
      const T avg = root[k] + eps;
      if constexpr (kMomentum) {
        const T bi = buf[i] * mom + grad[k] / avg;
        buf[i] = bi;
        p[i] = p[i] + neg_lr * bi;
      } else {
        p[i] = p[i] + neg_lr * (grad[k] / avg);
      }
    }
  });
  });
}

template <class T>
void adadelta_update(T* p, const T* g, T* square_avg, T* acc_delta, int64_t n, const AdadeltaHyper& h) {
  const T wd = static_cast<T>(h.weight_decay), eps = static_cast<T>(h.eps), neg_lr = static_cast<T>(-h.lr);
  const T rho = static_cast<T>(h.rho), one_m_rho = static_cast<T>(1.0 - h.rho);
  const bool has_wd = h.weight_decay != 0, maximize = h.maximize;
  for_each_block(n, [=](int64_t s, int64_t len) {  // by value: no aliasing through captured references
    T std_root[kBlock], acc_root[kBlock], grad[kBlock];
#pragma omp simd
    for (int64_t k = 0; k < len; ++k) {
      const int64_t i = s + k;
      const T d = decayed_grad(g[i], p[i], maximize, wd, has_wd);
      grad[k] = d;
      const T sq = square_avg[i] * rho + one_m_rho * (d * d);
      square_avg[i] = sq;
      std_root[k] = sq + eps;
      acc_root[k] = acc_delta[i] + eps;
    }
    sqrt_contiguous<T>(std_root, std_root, len, false);
    sqrt_contiguous<T>(acc_root, acc_root, len, false);
#pragma omp simd
    for (int64_t k = 0; k < len; ++k) {
      const int64_t i = s + k;
      const T delta = acc_root[k] / std_root[k] * grad[k];
      acc_delta[i] = acc_delta[i] * rho + one_m_rho * (delta * delta);
      p[i] = p[i] + neg_lr * delta;
    }
  });
}

#define NABLA_INSTANTIATE_OPTIM(T)                                                                 \
  template void sgd_update<T>(T*, const T*, T*, int64_t, const SgdHyper&, bool);                   \
  template void adam_update<T>(T*, const T*, T*, T*, T*, int64_t, const AdamHyper&);               \
  template void adagrad_update<T>(T*, const T*, T*, int64_t, const AdagradHyper&);                 \
  template void rmsprop_update<T>(T*, const T*, T*, T*, T*, int64_t, const RmspropHyper&);         \
  template void adadelta_update<T>(T*, const T*, T*, T*, int64_t, const AdadeltaHyper&);

NABLA_INSTANTIATE_OPTIM(float)
NABLA_INSTANTIATE_OPTIM(double)
#undef NABLA_INSTANTIATE_OPTIM

}  // namespace nabla::cpu
