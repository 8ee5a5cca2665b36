#include "kernels/cpu/winograd.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "kernels/cpu/gemm.h"
#include "kernels/cpu/loops.h"
#include "kernels/cpu/scratch.h"

namespace nabla::cpu {
namespace {

constexpr int64_t kAlpha = 16;  // transformed values per tile (4 × 4)

// A block's transformed input and output together take about this many floats (16 MB, half of
// the last-level cache of the 2-core hosts), so the GEMMs read what the transforms just wrote.
constexpr int64_t kBlockFloats = int64_t{1} << 22;

// The 2-d problem: x (N, C, H, W) → y (N, K, OH, OW) with padding ph, pw before each dim. The
// output is covered by TH × TW tiles of 2 × 2; a tile row r = n·TH + ty holds TW tiles.
struct Plane {
  int64_t N, C, K, H, W, OH, OW, ph, pw;
  int64_t TH() const { return (OH + 1) / 2; }
  int64_t TW() const { return (OW + 1) / 2; }
};

Plane plane_of(const ConvGeometry& g) {
  return {g.batch, g.in_channels, g.out_channels, g.in[1], g.in[2], g.out[1], g.out[2], g.pad[1], g.pad[2]};
}

// Tile rows per block.
int64_t rows_per_block(const Plane& p) {
  const int64_t tiles = std::max<int64_t>(kBlockFloats / (kAlpha * (p.C + p.K)), 1);
  return std::clamp<int64_t>(tiles / p.TW(), 1, std::max<int64_t>(p.N * p.TH(), 1));
}

// The part of one image a block covers: its tile rows [ty0, ty1), the first of them the block's
// tile `t0`.
struct Segment {
  int64_t n, ty0, ty1, t0;
};

// The tile rows [r0, r1) split at image boundaries.
std::vector<Segment> segments(const Plane& p, int64_t r0, int64_t r1) {
  std::vector<Segment> out;
  const int64_t TH = p.TH();
  for (int64_t r = r0; r < r1;) {
    const int64_t n = r / TH, end = std::min(r1, (n + 1) * TH);
    out.push_back({n, r - n * TH, end - n * TH, (r - r0) * p.TW()});
    r = end;
  }
  return out;
}

// Runs f(channel, segment, scratch) for every channel in [0, channels) and segment of `segs`, in
// parallel, each thread with `scratch_floats` floats of scratch.
template <class F>
void for_each_plane(int64_t channels, const std::vector<Segment>& segs, int64_t scratch_floats, F&& f) {
  const int64_t items = channels * static_cast<int64_t>(segs.size());
  parallel_for(items, 1, [&](int64_t b, int64_t e) {
    std::vector<float> scratch(static_cast<size_t>(scratch_floats));
    for (int64_t item = b; item < e; ++item)
      f(item / static_cast<int64_t>(segs.size()), segs[static_cast<size_t>(item) % segs.size()], scratch.data());
  });
}

// Row `row` of a plane (H × W) with `pad` zeros before it and zeros after it, split into its even
// and odd positions: even[t] = padded[2t], odd[t] = padded[2t + 1] for t < half (padded[u] =
// plane[row][u − pad]). The split makes every later access of the transforms contiguous.
void load_row_split(const float* plane, int64_t H, int64_t W, int64_t row, int64_t pad, int64_t half, float* even,
                    float* odd) {
  std::fill(even, even + half, 0.0f);
  std::fill(odd, odd + half, 0.0f);
  if (row < 0 || row >= H) return;
  const float* src = plane + row * W;
  // even[t] reads column 2t − pad, odd[t] column 2t + 1 − pad; each only inside [0, W).
  for (int64_t parity = 0; parity < 2; ++parity) {
    float* out = parity ? odd : even;
    const int64_t shift = parity - pad;  // column = 2t + shift
    const int64_t last = W - 1 - shift;  // 2t ≤ last
    const int64_t lo = std::max<int64_t>(0, (-shift + 1) / 2), hi = last < 0 ? 0 : std::min(half, last / 2 + 1);
    for (int64_t t = lo; t < hi; ++t) out[t] = src[2 * t + shift];
  }
}

// V[ξ][c][t] = (Bᵀ d B)[ξ], d the 4 × 4 input patch of tile t (rows 2ty − ph …, columns
// 2tx − pw …) in channel c, for the tile rows [r0, r1); t = (r − r0)·TW + tx, ξ = 4i + j.
//   Bᵀ d: e0 = d0 − d2, e1 = d1 + d2, e2 = d2 − d1, e3 = d1 − d3   (rows of d)
//   e B:  [e.0 − e.2, e.1 + e.2, e.2 − e.1, e.1 − e.3]              (each row e)
// Each input row is loaded once per block, split into even and odd columns (E, O): the patch's
// columns 0…3 are E[tx], O[tx], E[tx + 1], O[tx + 1].
void input_transform(const float* x, const Plane& p, int64_t r0, int64_t r1, const std::vector<Segment>& segs,
                     float* V) {
  const int64_t TW = p.TW(), half = TW + 1, Tb = (r1 - r0) * TW, step = p.C * Tb;
  const int64_t most_rows = 2 * std::min(r1 - r0, p.TH()) + 2;
  for_each_plane(p.C, segs, 2 * most_rows * half, [&](int64_t c, const Segment& sg, float* buf) {
    const float* plane = x + (sg.n * p.C + c) * p.H * p.W;
    const int64_t first = 2 * sg.ty0 - p.ph, rows = 2 * (sg.ty1 - sg.ty0) + 2;
    for (int64_t i = 0; i < rows; ++i)
      load_row_split(plane, p.H, p.W, first + i, p.pw, half, buf + 2 * i * half, buf + (2 * i + 1) * half);
    for (int64_t ty = sg.ty0; ty < sg.ty1; ++ty) {
      const float* E0 = buf + 4 * (ty - sg.ty0) * half;
      const float *O0 = E0 + half, *E1 = O0 + half, *O1 = E1 + half;
      const float *E2 = O1 + half, *O2 = E2 + half, *E3 = O2 + half, *O3 = E3 + half;
      float* v = V + c * Tb + sg.t0 + (ty - sg.ty0) * TW;
#pragma omp simd
      for (int64_t tx = 0; tx < TW; ++tx) {
        const float d[4][4] = {{E0[tx], O0[tx], E0[tx + 1], O0[tx + 1]},
                               {E1[tx], O1[tx], E1[tx + 1], O1[tx + 1]},
                               {E2[tx], O2[tx], E2[tx + 1], O2[tx + 1]},
                               {E3[tx], O3[tx], E3[tx + 1], O3[tx + 1]}};
        float e[4][4];
        for (int64_t j = 0; j < 4; ++j) {
          e[0][j] = d[0][j] - d[2][j];
          e[1][j] = d[1][j] + d[2][j];
          e[2][j] = d[2][j] - d[1][j];
          e[3][j] = d[1][j] - d[3][j];
        }
        for (int64_t i = 0; i < 4; ++i) {
          v[(4 * i + 0) * step + tx] = e[i][0] - e[i][2];
          v[(4 * i + 1) * step + tx] = e[i][1] + e[i][2];
          v[(4 * i + 2) * step + tx] = e[i][2] - e[i][1];
          v[(4 * i + 3) * step + tx] = e[i][1] - e[i][3];
        }
      }
    }
  });
}

// y[n, k, 2ty + a, 2tx + b] = (Aᵀ m A)[a][b] + bias[k], m the 4 × 4 values M[ξ][k][t] of tile t,
// for the tile rows [r0, r1); outputs past OH, OW (partial tiles) are dropped.
//   Aᵀ m: s0 = m0 + m1 + m2, s1 = m1 − m2 − m3   (rows of m)
//   s A:  [s.0 + s.1 + s.2, s.1 − s.2 − s.3]     (each row s)
void output_transform(const float* M, const float* bias, const Plane& p, int64_t r0, int64_t r1,
                      const std::vector<Segment>& segs, float* y) {
  const int64_t TW = p.TW(), Tb = (r1 - r0) * TW, step = p.K * Tb;
  for_each_plane(p.K, segs, 4 * TW, [&](int64_t k, const Segment& sg, float* buf) {
    const float add = bias ? bias[k] : 0.0f;
    float* plane = y + (sg.n * p.K + k) * p.OH * p.OW;
    for (int64_t ty = sg.ty0; ty < sg.ty1; ++ty) {
      const float* m = M + k * Tb + sg.t0 + (ty - sg.ty0) * TW;
      float *o0 = buf, *o1 = o0 + 2 * TW;
#pragma omp simd
      for (int64_t tx = 0; tx < TW; ++tx) {
        float s[2][4];
        for (int64_t j = 0; j < 4; ++j) {
          const float m0 = m[j * step + tx], m1 = m[(4 + j) * step + tx];
          const float m2 = m[(8 + j) * step + tx], m3 = m[(12 + j) * step + tx];
          s[0][j] = m0 + m1 + m2;
          s[1][j] = m1 - m2 - m3;
        }
        o0[2 * tx] = s[0][0] + s[0][1] + s[0][2] + add;
        o0[2 * tx + 1] = s[0][1] - s[0][2] - s[0][3] + add;
        o1[2 * tx] = s[1][0] + s[1][1] + s[1][2] + add;
        o1[2 * tx + 1] = s[1][1] - s[1][2] - s[1][3] + add;
      }
      for (int64_t a = 0; a < 2 && 2 * ty + a < p.OH; ++a)
        std::copy(buf + a * 2 * TW, buf + a * 2 * TW + p.OW, plane + (2 * ty + a) * p.OW);
    }
  });
}

// gM[ξ][k][t] = (A g Aᵀ)[ξ], g the 2 × 2 output gradient of tile t in channel k (zero past OH,
// OW): the adjoint of output_transform.
//   A g: q0 = g0, q1 = g0 + g1, q2 = g0 − g1, q3 = −g1   (rows of g)
//   q Aᵀ: [q.0, q.0 + q.1, q.0 − q.1, −q.1]              (each row q)
void grad_output_transform(const float* gy, const Plane& p, int64_t r0, int64_t r1, const std::vector<Segment>& segs,
                           float* gM) {
  const int64_t TW = p.TW(), Tb = (r1 - r0) * TW, step = p.K * Tb;
  for_each_plane(p.K, segs, 4 * TW, [&](int64_t k, const Segment& sg, float* buf) {
    const float* plane = gy + (sg.n * p.K + k) * p.OH * p.OW;
    for (int64_t ty = sg.ty0; ty < sg.ty1; ++ty) {
      for (int64_t a = 0; a < 2; ++a)
        load_row_split(plane, p.OH, p.OW, 2 * ty + a, 0, TW, buf + 2 * a * TW, buf + (2 * a + 1) * TW);
      const float *E0 = buf, *O0 = E0 + TW, *E1 = O0 + TW, *O1 = E1 + TW;
      float* m = gM + k * Tb + sg.t0 + (ty - sg.ty0) * TW;
#pragma omp simd
      for (int64_t tx = 0; tx < TW; ++tx) {
        float q[4][2];
        for (int64_t j = 0; j < 2; ++j) {
          const float a = j ? O0[tx] : E0[tx], c = j ? O1[tx] : E1[tx];
          q[0][j] = a;
          q[1][j] = a + c;
          q[2][j] = a - c;
          q[3][j] = -c;
        }
        for (int64_t i = 0; i < 4; ++i) {
          m[(4 * i + 0) * step + tx] = q[i][0];
          m[(4 * i + 1) * step + tx] = q[i][0] + q[i][1];
          m[(4 * i + 2) * step + tx] = q[i][0] - q[i][1];
          m[(4 * i + 3) * step + tx] = -q[i][1];
        }
      }
    }
  });
}

// Filters are transformed kLanes at a time, lane l holding one filter: plain loops over the
// lanes, which the compiler turns into vector instructions.
constexpr int64_t kLanes = 8;

// u = G f Gᵀ (4 × 4) for 3 × 3 filters f (row-major), one per lane.
//   G f: rows f0, ½(f0 + f1 + f2), ½(f0 − f1 + f2), f2;  then the same on each row's columns.
void filter_transform(const float (&f)[9][kLanes], float (&u)[16][kLanes]) {
  float h[4][3][kLanes];
  for (int64_t j = 0; j < 3; ++j)
    for (int64_t l = 0; l < kLanes; ++l) {
      h[0][j][l] = f[j][l];
      h[1][j][l] = 0.5f * (f[j][l] + f[3 + j][l] + f[6 + j][l]);
      h[2][j][l] = 0.5f * (f[j][l] - f[3 + j][l] + f[6 + j][l]);
      h[3][j][l] = f[6 + j][l];
    }
  for (int64_t i = 0; i < 4; ++i)
    for (int64_t l = 0; l < kLanes; ++l) {
      u[4 * i + 0][l] = h[i][0][l];
      u[4 * i + 1][l] = 0.5f * (h[i][0][l] + h[i][1][l] + h[i][2][l]);
      u[4 * i + 2][l] = 0.5f * (h[i][0][l] - h[i][1][l] + h[i][2][l]);
      u[4 * i + 3][l] = h[i][2][l];
    }
}

// g = Gᵀ X G (3 × 3) for 4 × 4 X, one per lane: the adjoint of filter_transform.
//   Gᵀ X: rows X0 + ½(X1 + X2), ½(X1 − X2), ½(X1 + X2) + X3;  then the same on each row's columns.
void filter_grad_transform(const float (&X)[16][kLanes], float (&g)[9][kLanes]) {
  float h[3][4][kLanes];
  for (int64_t j = 0; j < 4; ++j)
    for (int64_t l = 0; l < kLanes; ++l) {
      h[0][j][l] = X[j][l] + 0.5f * (X[4 + j][l] + X[8 + j][l]);
      h[1][j][l] = 0.5f * (X[4 + j][l] - X[8 + j][l]);
      h[2][j][l] = 0.5f * (X[4 + j][l] + X[8 + j][l]) + X[12 + j][l];
    }
  for (int64_t i = 0; i < 3; ++i)
    for (int64_t l = 0; l < kLanes; ++l) {
      g[3 * i + 0][l] = h[i][0][l] + 0.5f * (h[i][1][l] + h[i][2][l]);
      g[3 * i + 1][l] = 0.5f * (h[i][1][l] - h[i][2][l]);
      g[3 * i + 2][l] = 0.5f * (h[i][1][l] + h[i][2][l]) + h[i][3][l];
    }
}

// Runs f(k, c0, lanes) for every output channel k and group of kLanes input channels
// [c0, c0 + lanes), in parallel over k.
template <class F>
void for_each_filter_group(int64_t K, int64_t C, F&& f) {
  parallel_for(K, std::max<int64_t>(1, 4096 / (kAlpha * C)), [&](int64_t b, int64_t e) {
    for (int64_t k = b; k < e; ++k)
      for (int64_t c0 = 0; c0 < C; c0 += kLanes) f(k, c0, std::min(kLanes, C - c0));
  });
}

// U[ξ][k][c] = (G w[k, c] Gᵀ)[ξ].
void weight_transform(const float* w, int64_t K, int64_t C, float* U) {
  for_each_filter_group(K, C, [&](int64_t k, int64_t c0, int64_t lanes) {
    float f[9][kLanes] = {}, u[16][kLanes];
    for (int64_t l = 0; l < lanes; ++l)
      for (int64_t i = 0; i < 9; ++i) f[i][l] = w[(k * C + c0 + l) * 9 + i];
    filter_transform(f, u);
    for (int64_t xi = 0; xi < kAlpha; ++xi) std::copy(u[xi], u[xi] + lanes, U + (xi * K + k) * C + c0);
  });
}

// The input gradient's filters are the forward's rotated by 180° with C and K swapped, and
// G rot180(f) Gᵀ = P (G f Gᵀ) Pᵀ with P the 4 × 4 permutation that swaps rows 0 and 3 (G's rows
// reversed are G's rows 3, 1, 2, 0): so its transformed filters are U[ξ′]ᵀ with ξ′ = 4p(i) + p(j),
// p = (3, 1, 2, 0) for ξ = 4i + j.
int64_t rotated_position(int64_t xi) {
  constexpr int64_t p[4] = {3, 1, 2, 0};
  return 4 * p[xi / 4] + p[xi % 4];
}

// gw[k, c] = Gᵀ gU[k, c] G (3 × 3) from gU[ξ][k][c]: the adjoint of weight_transform.
void weight_grad_transform(const float* gU, int64_t K, int64_t C, float* gw) {
  for_each_filter_group(K, C, [&](int64_t k, int64_t c0, int64_t lanes) {
    float X[16][kLanes] = {}, g[9][kLanes];
    for (int64_t xi = 0; xi < kAlpha; ++xi) {
      const float* src = gU + (xi * K + k) * C + c0;
      std::copy(src, src + lanes, X[xi]);
    }
    filter_grad_transform(X, g);
    for (int64_t l = 0; l < lanes; ++l)
      for (int64_t i = 0; i < 9; ++i) gw[(k * C + c0 + l) * 9 + i] = g[i][l];
  });
}

// Runs f(ξ) for the 16 transformed positions, in parallel, each on one thread.
template <class F>
void for_each_position(F&& f) {
  parallel_for(kAlpha, 1, [&](int64_t b, int64_t e) {
    for (int64_t xi = b; xi < e; ++xi) f(xi);
  });
}

// y = conv(x) + bias from the transformed filters U[ξ][k][c], or with `rotated` from the
// forward's U[ξ][c][k] of the rotated filters (rotated_position).
void forward_transformed(const float* x, const float* U, bool rotated, const float* bias, float* y, const Plane& p) {
  const int64_t rows = p.N * p.TH(), block = rows_per_block(p), TW = p.TW();
  Scratch<float> V(kAlpha * p.C * block * TW), M(kAlpha * p.K * block * TW);
  for (int64_t r0 = 0; r0 < rows; r0 += block) {
    const int64_t r1 = std::min(rows, r0 + block), Tb = (r1 - r0) * TW;
    const std::vector<Segment> segs = segments(p, r0, r1);
    input_transform(x, p, r0, r1, segs, V.get());
    for_each_position([&](int64_t xi) {
      const float* u = U + (rotated ? rotated_position(xi) : xi) * p.K * p.C;
      gemm<float>(rotated, false, p.K, Tb, p.C, u, rotated ? p.K : p.C, V.get() + xi * p.C * Tb, Tb,
                  M.get() + xi * p.K * Tb, Tb);
    });
    output_transform(M.get(), bias, p, r0, r1, segs, y);
  }
}

}  // namespace

bool winograd_f23_geometry(const ConvGeometry& g) {
  if (g.groups != 1 || g.in[0] != 1 || g.out[0] != 1 || g.kernel[0] != 1) return false;
  for (int d = 1; d < 3; ++d)
    if (g.kernel[d] != 3 || g.stride[d] != 1 || g.dilation[d] != 1 || g.pad[d] < 0 || g.pad[d] > 2 ||
        g.out[d] < 1 || g.in[d] < 1 || g.out[d] > g.in[d] + 2 * g.pad[d] - 2)
      return false;
  return g.in_channels >= 1 && g.out_channels >= 1;
}

void winograd_f23_forward(const float* x, const float* w, const float* bias, float* y, const ConvGeometry& g) {
  const Plane p = plane_of(g);
  Scratch<float> U(kAlpha * p.K * p.C);
  weight_transform(w, p.K, p.C, U.get());
  forward_transformed(x, U.get(), /*rotated=*/false, bias, y, p);
}

void winograd_f23_backward_input(const float* gy, const float* w, float* gx, const ConvGeometry& g) {
  const Plane p = plane_of(g);
  // gx[c, i, j] = Σ_k Σ_ab gy[k, i + ph − a, j + pw − b] · w[k, c, a, b]: a convolution of gy (K
  // channels, OH × OW) with the rotated filters, padding 2 − ph, 2 − pw, output H × W.
  const Plane q{p.N, p.K, p.C, p.OH, p.OW, p.H, p.W, 2 - p.ph, 2 - p.pw};
  Scratch<float> U(kAlpha * p.K * p.C);
  weight_transform(w, p.K, p.C, U.get());
  forward_transformed(gy, U.get(), /*rotated=*/true, nullptr, gx, q);
}

void winograd_f23_backward_weight(const float* x, const float* gy, float* gw, const ConvGeometry& g) {
  const Plane p = plane_of(g);
  const int64_t rows = p.N * p.TH(), block = rows_per_block(p), TW = p.TW();
  Scratch<float> V(kAlpha * p.C * block * TW), gM(kAlpha * p.K * block * TW), gU(kAlpha * p.K * p.C);
  std::fill(gU.get(), gU.get() + kAlpha * p.K * p.C, 0.0f);
  for (int64_t r0 = 0; r0 < rows; r0 += block) {
    const int64_t r1 = std::min(rows, r0 + block), Tb = (r1 - r0) * TW;
    const std::vector<Segment> segs = segments(p, r0, r1);
    input_transform(x, p, r0, r1, segs, V.get());
    grad_output_transform(gy, p, r0, r1, segs, gM.get());
    for_each_position([&](int64_t xi) {
      gemm<float>(false, true, p.K, p.C, Tb, gM.get() + xi * p.K * Tb, Tb, V.get() + xi * p.C * Tb, Tb,
                  gU.get() + xi * p.K * p.C, p.C, /*accumulate=*/true);
    });
  }
  weight_grad_transform(gU.get(), p.K, p.C, gw);
}

}  // namespace nabla::cpu
