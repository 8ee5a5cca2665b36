// Batch normalisation kernels; see batch_norm.h for shapes. Two layouts:
//  * S > 1: a channel is N contiguous rows of S elements; threads split the channels (sums) or
//    the N·C rows (elementwise passes) and the inner loop over S vectorises.
//  * S = 1 ((N, C) input): a channel is a column; threads split the channels into blocks and the
//    inner loop runs along a row over the block, which vectorises across channels.
#include "kernels/cpu/batch_norm.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "kernels/cpu/loops.h"

namespace nabla::cpu {
namespace {

// Items per thread below which a loop stays serial, scaled by the elements each item touches.
int64_t grain_for(int64_t elements_per_item) {
  return std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, elements_per_item));
}

// Σu and Σu·v over a channel's rows, u = p − ps (0 where the gradient does not pass the fused
// activation A at m, the activation's output), v = q − qs.
// Rows are added into kLanes independent float lanes (element s of a row into lane s mod kLanes),
// so consecutive adds do not wait on each other (one vector accumulator made the loop add-latency
// bound: 7 % of a ResNet-20 training step, measured with perf). The lanes carry over from row to
// row and are added into double totals only every kFlushElements lane values: short rows (7 × 7
// and smaller maps) then cost their loads and adds alone, not a zeroing and a reduction of the
// lanes each (13.5 % of a MobileNet v2 training step on AVX2 when that was per row).
template <class T>
class LaneSums {
 public:
  static constexpr int64_t kLanes = 32;
  static constexpr int64_t kFlushElements = 256;  // values a lane adds before the flush

  template <FusedActivation A>
  void add_row(const T* p, const T* q, const T* m, int64_t S, T ps, T qs) {
    if (pending_ > 0 && pending_ + S > kLanes * kFlushElements) flush();
    auto add = [&](int64_t i, int64_t j) {
      T u = p[i] - ps;
      if constexpr (A != FusedActivation::None) u = act::fused_passes<A>(m[i]) ? u : T(0);
      lu_[j] += u;
      luv_[j] += u * (q[i] - qs);
    };
    int64_t s = 0;
    for (; s + kLanes <= S; s += kLanes) {
#pragma omp simd
      for (int64_t j = 0; j < kLanes; ++j) add(s + j, j);
    }
    const int64_t tail = S - s;
#pragma omp simd
    for (int64_t j = 0; j < tail; ++j) add(s + j, j);
    pending_ += S;
  }

  /// Adds the lanes into the double totals and clears them.
  void flush() {
    T u = 0, uv = 0;
#pragma omp simd reduction(+ : u, uv)
    for (int64_t j = 0; j < kLanes; ++j) {
      u += lu_[j];
      uv += luv_[j];
    }
    su_ += u;
    suv_ += uv;
    std::fill(lu_, lu_ + kLanes, T(0));
    std::fill(luv_, luv_ + kLanes, T(0));
    pending_ = 0;
  }

  double su() const { return su_; }
  double suv() const { return suv_; }

 private:
  alignas(64) T lu_[kLanes] = {};
  alignas(64) T luv_[kLanes] = {};
  int64_t pending_ = 0;  // elements added since the last flush
  double su_ = 0, suv_ = 0;
};

// batch_norm_channel_sums with the activation A of the mask a constant.
template <class T, FusedActivation A>
void channel_sums(const T* p, const T* p_shift, const T* q, const T* q_shift, int64_t N, int64_t C, int64_t S,
                  double* sum_u, double* sum_uv, const T* mask) {
  if (S == 1) {
    parallel_for(C, grain_for(N), [&](int64_t c0, int64_t c1) {
      const int64_t w = c1 - c0;
      std::vector<T> ps(w, T(0)), qs(w, T(0));
      std::vector<double> su(w, 0.0), suv(w, 0.0);
      for (int64_t j = 0; j < w; ++j) {
        if (p_shift) ps[j] = p_shift[c0 + j];
        if (q_shift) qs[j] = q_shift[c0 + j];
      }
      double* su_p = su.data();
      double* suv_p = suv.data();
      const T* ps_p = ps.data();
      const T* qs_p = qs.data();
      for (int64_t n = 0; n < N; ++n) {
        const T* pr = p + n * C + c0;
        const T* qr = q + n * C + c0;
        const T* mr = A != FusedActivation::None ? mask + n * C + c0 : nullptr;
#pragma omp simd
        for (int64_t j = 0; j < w; ++j) {
          T u = pr[j] - ps_p[j];
          if constexpr (A != FusedActivation::None) u = act::fused_passes<A>(mr[j]) ? u : T(0);
          su_p[j] += u;
          suv_p[j] += static_cast<double>(u * (qr[j] - qs_p[j]));
        }
      }
      std::copy(su.begin(), su.end(), sum_u + c0);
      std::copy(suv.begin(), suv.end(), sum_uv + c0);
    });
    return;
  }
  parallel_for(C, grain_for(N * S), [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      const T ps = p_shift ? p_shift[c] : T(0), qs = q_shift ? q_shift[c] : T(0);
      LaneSums<T> sums;
      for (int64_t n = 0; n < N; ++n) {
        const int64_t at = (n * C + c) * S;
        sums.template add_row<A>(p + at, q + at, A != FusedActivation::None ? mask + at : nullptr, S, ps, qs);
      }
      sums.flush();
      sum_u[c] = sums.su();
      sum_uv[c] = sums.suv();
    }
  });
}

// batch_norm_apply with the activation a constant.
template <class T, FusedActivation A>
void apply(const T* x, T* y, int64_t N, int64_t C, int64_t S, const T* center, const T* scale, const T* shift) {
  if (S == 1) {
    parallel_for(N, grain_for(C), [&](int64_t n0, int64_t n1) {
      for (int64_t n = n0; n < n1; ++n) {
        const T* xr = x + n * C;
        T* yr = y + n * C;
#pragma omp simd
        for (int64_t c = 0; c < C; ++c) yr[c] = act::fused<A>((xr[c] - center[c]) * scale[c] + shift[c]);
      }
    });
    return;
  }
  parallel_for(N * C, grain_for(S), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t c = r % C;
      const T m = center[c], a = scale[c], b = shift[c];
      const T* xr = x + r * S;
      T* yr = y + r * S;
#pragma omp simd
      for (int64_t s = 0; s < S; ++s) yr[s] = act::fused<A>((xr[s] - m) * a + b);
    }
  });
}

// batch_norm_input_grad with the activation of the mask a constant.
template <class T, FusedActivation A>
void input_grad(const T* g, const T* x, T* dx, int64_t N, int64_t C, int64_t S, const T* center, const T* a,
                const T* b, const T* k, const T* mask) {
  // g where the gradient passes the activation (always when A is None; mask is its output).
  auto passed = [](T gv, const T* m, int64_t i) {
    if constexpr (A == FusedActivation::None) return gv;
    else return act::fused_passes<A>(m[i]) ? gv : T(0);
  };
  if (S == 1) {
    parallel_for(N, grain_for(C), [&](int64_t n0, int64_t n1) {
      for (int64_t n = n0; n < n1; ++n) {
        const T* gr = g + n * C;
        const T* xr = x + n * C;
        const T* mr = A != FusedActivation::None ? mask + n * C : nullptr;
        T* dr = dx + n * C;
#pragma omp simd
        for (int64_t c = 0; c < C; ++c) dr[c] = a[c] * passed(gr[c], mr, c) + b[c] * (xr[c] - center[c]) + k[c];
      }
    });
    return;
  }
  parallel_for(N * C, grain_for(S), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t c = r % C;
      const T mc = center[c], ac = a[c], bc = b[c], kc = k[c];
      const T* gr = g + r * S;
      const T* xr = x + r * S;
      const T* mr = A != FusedActivation::None ? mask + r * S : nullptr;
      T* dr = dx + r * S;
#pragma omp simd
      for (int64_t s = 0; s < S; ++s) dr[s] = ac * passed(gr[s], mr, s) + bc * (xr[s] - mc) + kc;
    }
  });
}

}  // namespace

template <class T>
void batch_norm_channel_sums(const T* p, const T* p_shift, const T* q, const T* q_shift, int64_t N, int64_t C,
                             int64_t S, double* sum_u, double* sum_uv, FusedActivation act, const T* act_out) {
  if (!act_out) act = FusedActivation::None;
  with_fused_activation(act, [&]<FusedActivation A>() {
    channel_sums<T, A>(p, p_shift, q, q_shift, N, C, S, sum_u, sum_uv, act_out);
  });
}

template <class T>
void batch_norm_apply(const T* x, T* y, int64_t N, int64_t C, int64_t S, const T* center, const T* scale,
                      const T* shift, FusedActivation act) {
  with_fused_activation(act, [&]<FusedActivation A>() { apply<T, A>(x, y, N, C, S, center, scale, shift); });
}

template <class T>
void batch_norm_input_grad(const T* g, const T* x, T* dx, int64_t N, int64_t C, int64_t S, const T* center,
                           const T* a, const T* b, const T* k, FusedActivation act, const T* act_out) {
  if (!act_out) act = FusedActivation::None;
  with_fused_activation(act, [&]<FusedActivation A>() {
    input_grad<T, A>(g, x, dx, N, C, S, center, a, b, k, act_out);
  });
}

#define NABLA_INSTANTIATE_BATCH_NORM(T)                                                                          \
  template void batch_norm_channel_sums<T>(const T*, const T*, const T*, const T*, int64_t, int64_t, int64_t,    \
                                           double*, double*, FusedActivation, const T*);                         \
  template void batch_norm_apply<T>(const T*, T*, int64_t, int64_t, int64_t, const T*, const T*, const T*,      \
                                    FusedActivation);                                                            \
  template void batch_norm_input_grad<T>(const T*, const T*, T*, int64_t, int64_t, int64_t, const T*, const T*,  \
                                         const T*, const T*, FusedActivation, const T*);
NABLA_INSTANTIATE_BATCH_NORM(float)
NABLA_INSTANTIATE_BATCH_NORM(double)
#undef NABLA_INSTANTIATE_BATCH_NORM

}  // namespace nabla::cpu
