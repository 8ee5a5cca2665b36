// Fused LSTM and GRU gate kernels (kernels/cpu/recurrent.h). Rows (batch entries) are split across
// threads when a step is large enough; within a row the loops over H vectorise (vec::sigmoid and
// vec::tanh are branch-free).
#include "kernels/cpu/recurrent.h"

#include <algorithm>

#include "kernels/cpu/loops.h"
#include "kernels/cpu/vec_math.h"

namespace nabla::cpu {
namespace {
// Rows per thread chunk: about kParallelGrain elementwise operations each.
int64_t row_grain(int64_t H) { return std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(8 * H, 1)); }
}  // namespace

template <class T>
void lstm_cell_forward(const T* gi, const T* gh, const T* c, T* h_out, T* c_out, T* ws, int64_t N, int64_t H) {
  parallel_for(N, row_grain(H), [&](int64_t lo, int64_t hi) {
    for (int64_t n = lo; n < hi; ++n) {
      const T* a = gi + n * 4 * H;
      const T* b = gh + n * 4 * H;
      T* w = ws + n * 5 * H;
      const T* cp = c + n * H;
      T* hn = h_out + n * H;
      T* cn = c_out + n * H;
#pragma omp simd
      for (int64_t j = 0; j < H; ++j) {
        const T i = vec::sigmoid(a[j] + b[j]);
        const T f = vec::sigmoid(a[H + j] + b[H + j]);
        const T g = vec::tanh(a[2 * H + j] + b[2 * H + j]);
        const T o = vec::sigmoid(a[3 * H + j] + b[3 * H + j]);
        const T cc = f * cp[j] + i * g;
        const T tc = vec::tanh(cc);
        w[j] = i;
        w[H + j] = f;
        w[2 * H + j] = g;
        w[3 * H + j] = o;
        w[4 * H + j] = tc;
        cn[j] = cc;
        hn[j] = o * tc;
      }
    }
  });
}

// With tc = tanh(c_out):  dc = g_c + g_h·o·(1 − tc²);  do = g_h·tc;  di = dc·g;  dg = dc·i;
// df = dc·c;  dc_prev = dc·f; then through the activations: σ' = s(1 − s), tanh' = 1 − t².
template <class T>
void lstm_cell_backward(const T* ws, const T* c, const T* g_h, const T* g_c, T* g_gates, T* g_c_prev, int64_t N,
                        int64_t H) {
  parallel_for(N, row_grain(H), [&](int64_t lo, int64_t hi) {
    for (int64_t n = lo; n < hi; ++n) {
      const T* w = ws + n * 5 * H;
      const T* cp = c + n * H;
      const T* gh = g_h ? g_h + n * H : nullptr;
      const T* gc = g_c ? g_c + n * H : nullptr;
      T* d = g_gates + n * 4 * H;
      T* dcp = g_c_prev + n * H;
#pragma omp simd
      for (int64_t j = 0; j < H; ++j) {
        const T i = w[j], f = w[H + j], g = w[2 * H + j], o = w[3 * H + j], tc = w[4 * H + j];
        const T dh = gh ? gh[j] : T(0);
        const T dc = (gc ? gc[j] : T(0)) + dh * o * (T(1) - tc * tc);
        d[j] = dc * g * i * (T(1) - i);
        d[H + j] = dc * cp[j] * f * (T(1) - f);
        d[2 * H + j] = dc * i * (T(1) - g * g);
        d[3 * H + j] = dh * tc * o * (T(1) - o);
        dcp[j] = dc * f;
      }
    }
  });
}

template <class T>
void gru_cell_forward(const T* gi, const T* gh, const T* h, T* h_out, T* ws, int64_t N, int64_t H) {
  parallel_for(N, row_grain(H), [&](int64_t lo, int64_t hi) {
    for (int64_t n = lo; n < hi; ++n) {
      const T* a = gi + n * 3 * H;
      const T* b = gh + n * 3 * H;
      const T* hp = h + n * H;
      T* w = ws + n * 4 * H;
      T* hn = h_out + n * H;
#pragma omp simd
      for (int64_t j = 0; j < H; ++j) {
        const T r = vec::sigmoid(a[j] + b[j]);
        const T z = vec::sigmoid(a[H + j] + b[H + j]);
        const T nn = vec::tanh(a[2 * H + j] + r * b[2 * H + j]);
        w[j] = r;
        w[H + j] = z;
        w[2 * H + j] = nn;
        w[3 * H + j] = b[2 * H + j];
        hn[j] = (T(1) - z) * nn + z * hp[j];
      }
    }
  });
}

// h_out = (1 − z)·n + z·h:  dn = g·(1 − z);  dz = g·(h − n);  dh = g·z.
// n = tanh(gi_n + r·gh_n):  dpre_n = dn·(1 − n²);  d gi_n = dpre_n;  d gh_n = dpre_n·r;  dr = dpre_n·gh_n.
// r, z sigmoids: d gi_r = d gh_r = dr·r(1 − r);  d gi_z = d gh_z = dz·z(1 − z).
template <class T>
void gru_cell_backward(const T* ws, const T* h, const T* g_out, T* g_gi, T* g_gh, T* g_h, int64_t N, int64_t H) {
  parallel_for(N, row_grain(H), [&](int64_t lo, int64_t hi) {
    for (int64_t n = lo; n < hi; ++n) {
      const T* w = ws + n * 4 * H;
      const T* hp = h + n * H;
      const T* g = g_out + n * H;
      T* di = g_gi + n * 3 * H;
      T* dh_gates = g_gh + n * 3 * H;
      T* dh = g_h + n * H;
#pragma omp simd
      for (int64_t j = 0; j < H; ++j) {
        const T r = w[j], z = w[H + j], nn = w[2 * H + j], ghn = w[3 * H + j];
        const T dpre_n = g[j] * (T(1) - z) * (T(1) - nn * nn);
        const T dpre_z = g[j] * (hp[j] - nn) * z * (T(1) - z);
        const T dpre_r = dpre_n * ghn * r * (T(1) - r);
        di[j] = dpre_r;
        di[H + j] = dpre_z;
        di[2 * H + j] = dpre_n;
        dh_gates[j] = dpre_r;
        dh_gates[H + j] = dpre_z;
        dh_gates[2 * H + j] = dpre_n * r;
        dh[j] = g[j] * z;
      }
    }
  });
}

#define NABLA_INSTANTIATE_RECURRENT(T)                                                                          \
  template void lstm_cell_forward<T>(const T*, const T*, const T*, T*, T*, T*, int64_t, int64_t);                \
  template void lstm_cell_backward<T>(const T*, const T*, const T*, const T*, T*, T*, int64_t, int64_t);         \
  template void gru_cell_forward<T>(const T*, const T*, const T*, T*, T*, int64_t, int64_t);                     \
  template void gru_cell_backward<T>(const T*, const T*, const T*, T*, T*, T*, int64_t, int64_t);
NABLA_INSTANTIATE_RECURRENT(float)
NABLA_INSTANTIATE_RECURRENT(double)
#undef NABLA_INSTANTIATE_RECURRENT

}  // namespace nabla::cpu
