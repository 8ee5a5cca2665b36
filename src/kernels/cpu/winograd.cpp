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

// Work items per parallel chunk of a transform with `tiles` tiles per item.
int64_t transform_grain(int64_t tiles) { return std::max<int64_t>(1, 4096 / (kAlpha * tiles)); }

// out[u] = plane[row][u − pad] for u in [0, width), zero outside the plane (H × W).
void load_row(const float* plane, int64_t H, int64_t W, int64_t row, int64_t pad, int64_t width, float* out) {
  std::fill(out, out + width, 0.0f);
  if (row < 0 || row >= H) return;
  const int64_t begin = std::min(pad, width), end = std::min(width, pad + W);
  if (end > begin) std::copy(plane + row * W, plane + row * W + (end - begin), out + begin);
}

// V[ξ][c][t] = (Bᵀ d B)[ξ], d the 4 × 4 input patch of tile t (rows 2ty − ph …, columns
// 2tx − pw …) in channel c, for the tile rows [r0, r1); t = (r − r0)·TW + tx, ξ = 4i + j.
//   Bᵀ d: e0 = d0 − d2, e1 = d1 + d2, e2 = d2 − d1, e3 = d1 − d3   (rows of d)
//   e B:  [e.0 − e.2, e.1 + e.2, e.2 − e.1, e.1 − e.3]              (each row e)
void input_transform(const float* x, const Plane& p, int64_t r0, int64_t r1, float* V) {
  const int64_t TH = p.TH(), TW = p.TW(), rows = r1 - r0, Tb = rows * TW, width = 2 * TW + 2, step = p.C * Tb;
  parallel_for(p.C * rows, transform_grain(TW), [&](int64_t b, int64_t e) {
    std::vector<float> buf(4 * width);
    for (int64_t item = b; item < e; ++item) {
      const int64_t c = item / rows, r = r0 + item % rows, n = r / TH, ty = r % TH;
      const float* plane = x + (n * p.C + c) * p.H * p.W;
      for (int64_t i = 0; i < 4; ++i) load_row(plane, p.H, p.W, 2 * ty - p.ph + i, p.pw, width, &buf[i * width]);
      const float *d0 = buf.data(), *d1 = d0 + width, *d2 = d1 + width, *d3 = d2 + width;
      float* v = V + c * Tb + (r - r0) * TW;
#pragma omp simd
      for (int64_t tx = 0; tx < TW; ++tx) {
        const int64_t u = 2 * tx;
        float e[4][4];
        for (int64_t j = 0; j < 4; ++j) {
          e[0][j] = d0[u + j] - d2[u + j];
          e[1][j] = d1[u + j] + d2[u + j];
          e[2][j] = d2[u + j] - d1[u + j];
          e[3][j] = d1[u + j] - d3[u + j];
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
void output_transform(const float* M, const float* bias, const Plane& p, int64_t r0, int64_t r1, float* y) {
  const int64_t TH = p.TH(), TW = p.TW(), rows = r1 - r0, Tb = rows * TW, step = p.K * Tb;
  parallel_for(p.K * rows, transform_grain(TW), [&](int64_t b, int64_t e) {
    std::vector<float> buf(4 * TW);
    for (int64_t item = b; item < e; ++item) {
      const int64_t k = item / rows, r = r0 + item % rows, n = r / TH, ty = r % TH;
      const float* m = M + k * Tb + (r - r0) * TW;
      const float add = bias ? bias[k] : 0.0f;
      float *o0 = buf.data(), *o1 = o0 + 2 * TW;
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
      float* plane = y + (n * p.K + k) * p.OH * p.OW;
      for (int64_t a = 0; a < 2 && 2 * ty + a < p.OH; ++a)
        std::copy(buf.data() + a * 2 * TW, buf.data() + a * 2 * TW + p.OW, plane + (2 * ty + a) * p.OW);
    }
  });
}

// gM[ξ][k][t] = (A g Aᵀ)[ξ], g the 2 × 2 output gradient of tile t in channel k (zero past OH,
// OW): the adjoint of output_transform.
//   A g: q0 = g0, q1 = g0 + g1, q2 = g0 − g1, q3 = −g1   (rows of g)
//   q Aᵀ: [q.0, q.0 + q.1, q.0 − q.1, −q.1]              (each row q)
void grad_output_transform(const float* gy, const Plane& p, int64_t r0, int64_t r1, float* gM) {
  const int64_t TH = p.TH(), TW = p.TW(), rows = r1 - r0, Tb = rows * TW, width = 2 * TW, step = p.K * Tb;
  parallel_for(p.K * rows, transform_grain(TW), [&](int64_t b, int64_t e) {
    std::vector<float> buf(2 * width);
    for (int64_t item = b; item < e; ++item) {
      const int64_t k = item / rows, r = r0 + item % rows, n = r / TH, ty = r % TH;
      const float* plane = gy + (n * p.K + k) * p.OH * p.OW;
      for (int64_t a = 0; a < 2; ++a) load_row(plane, p.OH, p.OW, 2 * ty + a, 0, width, &buf[a * width]);
      const float *g0 = buf.data(), *g1 = g0 + width;
      float* m = gM + k * Tb + (r - r0) * TW;
#pragma omp simd
      for (int64_t tx = 0; tx < TW; ++tx) {
        float q[4][2];
        for (int64_t j = 0; j < 2; ++j) {
          const float a = g0[2 * tx + j], c = g1[2 * tx + j];
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

// u (4 × 4) = G f Gᵀ for a 3 × 3 filter f (row-major).
//   G f: rows f0, ½(f0 + f1 + f2), ½(f0 − f1 + f2), f2;  then the same on each row's columns.
void filter_transform(const float f[9], float u[16]) {
  float h[4][3];
  for (int64_t j = 0; j < 3; ++j) {
    h[0][j] = f[j];
    h[1][j] = 0.5f * (f[j] + f[3 + j] + f[6 + j]);
    h[2][j] = 0.5f * (f[j] - f[3 + j] + f[6 + j]);
    h[3][j] = f[6 + j];
  }
  for (int64_t i = 0; i < 4; ++i) {
    u[4 * i + 0] = h[i][0];
    u[4 * i + 1] = 0.5f * (h[i][0] + h[i][1] + h[i][2]);
    u[4 * i + 2] = 0.5f * (h[i][0] - h[i][1] + h[i][2]);
    u[4 * i + 3] = h[i][2];
  }
}

// U[ξ][k][c] = (G w[k, c] Gᵀ)[ξ]; with `flip`, the filters of the input gradient's convolution:
// U[ξ][c][k] = (G rot180(w[k, c]) Gᵀ)[ξ].
void weight_transform(const float* w, int64_t K, int64_t C, bool flip, float* U) {
  parallel_for(K, std::max<int64_t>(1, 4096 / (16 * C)), [&](int64_t b, int64_t e) {
    for (int64_t k = b; k < e; ++k)
      for (int64_t c = 0; c < C; ++c) {
        const float* f = w + (k * C + c) * 9;
        float filter[9], u[16];
        for (int64_t i = 0; i < 9; ++i) filter[i] = flip ? f[8 - i] : f[i];
        filter_transform(filter, u);
        const int64_t at = flip ? c * K + k : k * C + c;
        for (int64_t xi = 0; xi < kAlpha; ++xi) U[xi * K * C + at] = u[xi];
      }
  });
}

// gw[k, c] = Gᵀ gU[k, c] G (3 × 3) from gU[ξ][k][c]: the adjoint of weight_transform.
//   Gᵀ X: rows X0 + ½(X1 + X2), ½(X1 − X2), ½(X1 + X2) + X3;  then the same on each row's columns.
void weight_grad_transform(const float* gU, int64_t K, int64_t C, float* gw) {
  parallel_for(K, std::max<int64_t>(1, 4096 / (16 * C)), [&](int64_t b, int64_t e) {
    for (int64_t k = b; k < e; ++k)
      for (int64_t c = 0; c < C; ++c) {
        float X[16], h[3][4];
        for (int64_t xi = 0; xi < kAlpha; ++xi) X[xi] = gU[xi * K * C + k * C + c];
        for (int64_t j = 0; j < 4; ++j) {
          h[0][j] = X[j] + 0.5f * (X[4 + j] + X[8 + j]);
          h[1][j] = 0.5f * (X[4 + j] - X[8 + j]);
          h[2][j] = 0.5f * (X[4 + j] + X[8 + j]) + X[12 + j];
        }
        float* out = gw + (k * C + c) * 9;
        for (int64_t i = 0; i < 3; ++i) {
          out[3 * i + 0] = h[i][0] + 0.5f * (h[i][1] + h[i][2]);
          out[3 * i + 1] = 0.5f * (h[i][1] - h[i][2]);
          out[3 * i + 2] = 0.5f * (h[i][1] + h[i][2]) + h[i][3];
        }
      }
  });
}

// Runs f(ξ) for the 16 transformed positions, in parallel, each on one thread.
template <class F>
void for_each_position(F&& f) {
  parallel_for(kAlpha, 1, [&](int64_t b, int64_t e) {
    for (int64_t xi = b; xi < e; ++xi) f(xi);
  });
}

// y = conv(x) + bias from the transformed filters U[ξ][k][c].
void forward_transformed(const float* x, const float* U, const float* bias, float* y, const Plane& p) {
  const int64_t rows = p.N * p.TH(), block = rows_per_block(p), TW = p.TW();
  Scratch<float> V(kAlpha * p.C * block * TW), M(kAlpha * p.K * block * TW);
  for (int64_t r0 = 0; r0 < rows; r0 += block) {
    const int64_t r1 = std::min(rows, r0 + block), Tb = (r1 - r0) * TW;
    input_transform(x, p, r0, r1, V.get());
    for_each_position([&](int64_t xi) {
      gemm<float>(false, false, p.K, Tb, p.C, U + xi * p.K * p.C, p.C, V.get() + xi * p.C * Tb, Tb,
                  M.get() + xi * p.K * Tb, Tb);
    });
    output_transform(M.get(), bias, p, r0, r1, y);
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
  weight_transform(w, p.K, p.C, /*flip=*/false, U.get());
  forward_transformed(x, U.get(), bias, y, p);
}

void winograd_f23_backward_input(const float* gy, const float* w, float* gx, const ConvGeometry& g) {
  const Plane p = plane_of(g);
  // gx[c, i, j] = Σ_k Σ_ab gy[k, i + ph − a, j + pw − b] · w[k, c, a, b]: a convolution of gy (K
  // channels, OH × OW) with the rotated filters, padding 2 − ph, 2 − pw, output H × W.
  const Plane q{p.N, p.K, p.C, p.OH, p.OW, p.H, p.W, 2 - p.ph, 2 - p.pw};
  Scratch<float> U(kAlpha * p.K * p.C);
  weight_transform(w, p.K, p.C, /*flip=*/true, U.get());
  forward_transformed(gy, U.get(), nullptr, gx, q);
}

void winograd_f23_backward_weight(const float* x, const float* gy, float* gw, const ConvGeometry& g) {
  const Plane p = plane_of(g);
  const int64_t rows = p.N * p.TH(), block = rows_per_block(p), TW = p.TW();
  Scratch<float> V(kAlpha * p.C * block * TW), gM(kAlpha * p.K * block * TW), gU(kAlpha * p.K * p.C);
  std::fill(gU.get(), gU.get() + kAlpha * p.K * p.C, 0.0f);
  for (int64_t r0 = 0; r0 < rows; r0 += block) {
    const int64_t r1 = std::min(rows, r0 + block), Tb = (r1 - r0) * TW;
    input_transform(x, p, r0, r1, V.get());
    grad_output_transform(gy, p, r0, r1, gM.get());
    for_each_position([&](int64_t xi) {
      gemm<float>(false, true, p.K, p.C, Tb, gM.get() + xi * p.K * Tb, Tb, V.get() + xi * p.C * Tb, Tb,
                  gU.get() + xi * p.K * p.C, p.C, /*accumulate=*/true);
    });
  }
  weight_grad_transform(gU.get(), p.K, p.C, gw);
}

}  // namespace nabla::cpu
