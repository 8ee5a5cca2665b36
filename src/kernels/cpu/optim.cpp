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

// The block loop of every update that needs square roots, written once. For each block [s, s + len)
// of at most kBlock elements (blocks split over threads), fill(s, len, roots, grad) writes the
// arguments of kRoots square roots into roots[r][0, len) (and may keep a per-element value in
// grad), the roots are taken in place, then finish(s, len, roots, grad) uses them. Both stages
// capture by value and are copied into locals of each thread: no captured references, so the
// stores into the parameter arrays cannot be assumed to change their scalars (vectorisation).
template <class T, int kRoots, class Fill, class Finish>
void sqrt_blocks(int64_t n, const Fill& fill, const Finish& finish) {
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) {
    const Fill local_fill = fill;
    const Finish local_finish = finish;
    for (int64_t s = b; s < e; s += kBlock) {
      const int64_t len = std::min(kBlock, e - s);
      T roots[kRoots][kBlock], grad[kBlock];
      local_fill(s, len, roots, grad);
      for (int r = 0; r < kRoots; ++r) sqrt_contiguous<T>(roots[r], roots[r], len, false);
      local_finish(s, len, roots, grad);
    }
  });
}

// d = ±g + wd·p (maximize negates first, then weight decay is added, as PyTorch).
template <class T>
inline T decayed_grad(T g, T p, bool maximize, T wd, bool has_wd) {
  const T d = maximize ? -g : g;
  return has_wd ? d + wd * p : d;
}

// avg ← ρ·avg + (1 − ρ)·d², returning the new value (RMSprop's and Adadelta's square averages;
// Adam's pass writes it out, as AMSGrad's max does not vectorise through the reference).
template <class T>
inline T update_square_avg(T& avg, T d, T rho, T one_m_rho) {
  const T v = avg * rho + one_m_rho * (d * d);
  avg = v;
  return v;
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
    sqrt_blocks<T, 1>(
        n,
        [=](int64_t s, int64_t len, auto roots, T*) {
          // Locals, so that stores into p cannot be assumed to change the scalars (vectorisation).
          const T l_decay = decay, l_wd = wd, l_b1 = b1, l_1mb1 = one_m_b1, l_b2 = b2, l_1mb2 = one_m_b2;
          const bool l_max = maximize, l_coupled = coupled_wd;
          T* const root = roots[0];
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
            const T vi = lv[k] * l_b2 + l_1mb2 * (d * d);
            lv[k] = vi;
            if constexpr (kAmsgrad) {
              const T vm = std::max(lvmax[k], vi);
              lvmax[k] = vm;
              root[k] = vm;
            } else {
              root[k] = vi;
            }
          }
        },
        [=](int64_t s, int64_t len, auto roots, T*) {
          const T* const root = roots[0];
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
  sqrt_blocks<T, 1>(
      n,
      [=](int64_t s, int64_t len, auto roots, T* grad) {
#pragma omp simd
        for (int64_t k = 0; k < len; ++k) {
          const int64_t i = s + k;
          const T d = decayed_grad(g[i], p[i], maximize, wd, has_wd);
          grad[k] = d;
          sum[i] = sum[i] + d * d;
          roots[0][k] = sum[i];
        }
      },
      [=](int64_t s, int64_t len, auto roots, const T* grad) {
#pragma omp simd
        for (int64_t k = 0; k < len; ++k) p[s + k] = p[s + k] + neg_clr * (grad[k] / (roots[0][k] + eps));
      });
}

template <class T>
void rmsprop_update(T* p, const T* g, T* square_avg, T* grad_avg, T* buf, int64_t n, const RmspropHyper& h) {
  const T wd = static_cast<T>(h.weight_decay), eps = static_cast<T>(h.eps), neg_lr = static_cast<T>(-h.lr);
  const T alpha = static_cast<T>(h.alpha), one_m_alpha = static_cast<T>(1.0 - h.alpha);
  const T mom = static_cast<T>(h.momentum);
  const bool has_wd = h.weight_decay != 0, maximize = h.maximize;
  with_flags(h.centered, h.momentum > 0, [&]<bool kCentered, bool kMomentum>() {
    sqrt_blocks<T, 1>(
        n,
        [=](int64_t s, int64_t len, auto roots, T* grad) {
#pragma omp simd
          for (int64_t k = 0; k < len; ++k) {
            const int64_t i = s + k;
            const T d = decayed_grad(g[i], p[i], maximize, wd, has_wd);
            grad[k] = d;
            const T sq = update_square_avg(square_avg[i], d, alpha, one_m_alpha);
            if constexpr (kCentered) {
              const T ga = grad_avg[i] * alpha + one_m_alpha * d;
              grad_avg[i] = ga;
              roots[0][k] = sq - ga * ga;
            } else {
              roots[0][k] = sq;
            }
          }
        },
        [=](int64_t s, int64_t len, auto roots, const T* grad) {
#pragma omp simd
          for (int64_t k = 0; k < len; ++k) {
            const int64_t i = s + k;
            const T avg = roots[0][k] + eps;
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
  // roots[0]: √(square_avg + eps) (the std), roots[1]: √(acc_delta + eps).
  sqrt_blocks<T, 2>(
      n,
      [=](int64_t s, int64_t len, auto roots, T* grad) {
#pragma omp simd
        for (int64_t k = 0; k < len; ++k) {
          const int64_t i = s + k;
          const T d = decayed_grad(g[i], p[i], maximize, wd, has_wd);
          grad[k] = d;
          const T sq = update_square_avg(square_avg[i], d, rho, one_m_rho);
          roots[0][k] = sq + eps;
          roots[1][k] = acc_delta[i] + eps;
        }
      },
      [=](int64_t s, int64_t len, auto roots, const T* grad) {
#pragma omp simd
        for (int64_t k = 0; k < len; ++k) {
          const int64_t i = s + k;
          const T delta = roots[1][k] / roots[0][k] * grad[k];
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
