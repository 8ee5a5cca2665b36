#include "kernels/cpu/conv.h"

#include <omp.h>

#include <algorithm>
#include <type_traits>
#include <vector>

#include "kernels/cpu/conv_dnnl.h"
#include "kernels/cpu/conv_live_taps.h"
#include "kernels/cpu/gemm.h"
#include "kernels/cpu/im2col.h"
#include "kernels/cpu/loops.h"
#include "kernels/cpu/reduce.h"
#include "kernels/cpu/scratch.h"
#include "kernels/cpu/winograd.h"

namespace nabla::cpu {
namespace {

// Images run in parallel when there are at least as many as threads.
bool images_in_parallel(int64_t n_images) {
  const int nt = omp_in_parallel() ? 1 : omp_get_max_threads();
  return nt > 1 && n_images >= nt;
}

// Calls f(n, scratch) for images [0, N): in parallel (one scratch of `scratch_elems` per thread)
// or serially (one scratch).
template <class T, class F>
void for_each_image(int64_t N, int64_t scratch_elems, F&& f) {
  auto run = [&](int64_t b, int64_t e) {
    Scratch<T> scratch(scratch_elems);
    for (int64_t n = b; n < e; ++n) f(n, scratch.get());
  };
  if (images_in_parallel(N))
    parallel_for(N, 1, run);
  else
    run(0, N);
}

// Fixed number of image blocks for the weight gradient: independent of the thread count, so the
// summation order (and the result) is too.
constexpr int64_t kWeightGradBlocks = 16;

// Whether oneDNN's post-ops compute the chain as the step-by-step path does. Its ReLU and clip
// (ReLU6) post-ops turn a NaN into 0 (their max instruction returns the 0 operand), where relu()
// and PyTorch pass it through. Short of an overflow, a NaN arises only from a NaN or an infinity
// among the chain's input, its residual, or a step's weights and bias (ConvChainStep::finite,
// checked by the caller once per conversion). Chains without activations need no check.
template <class T>
bool chain_post_ops_exact(const T* x, const std::vector<ConvChainStep<T>>& steps, const T* residual) {
  bool activations = false, weights_finite = true;
  for (const ConvChainStep<T>& s : steps) {
    activations = activations || s.act != FusedActivation::None;
    weights_finite = weights_finite && s.finite;
  }
  if (!activations) return true;
  const ConvGeometry &first = steps.front().g, &last = steps.back().g;
  return weights_finite && all_finite(x, first.batch * first.in_channels * first.in_numel()) &&
         (!residual || all_finite(residual, last.batch * last.out_channels * last.out_numel()));
}

}  // namespace

bool conv_own_winograd(const ConvGeometry& g) {
  if (conv_backend_choice() != ConvBackendChoice::Auto || conv_dnnl_has_winograd() || !winograd_f23_geometry(g))
    return false;
  switch (conv_algorithm_choice()) {
    case ConvAlgorithmChoice::Direct: return false;
    case ConvAlgorithmChoice::Winograd: return true;
    case ConvAlgorithmChoice::Auto: break;
  }
  // Measured per layer and per model (docs/nn-conv.md): with fewer channels, small maps or few
  // tiles the transforms and the weights' transform cost more than the multiplications saved.
  const int64_t C = g.in_channels, K = g.out_channels, OH = g.out[1], OW = g.out[2];
  const int64_t tiles = g.batch * ((OH + 1) / 2) * ((OW + 1) / 2);
  return C >= 64 && K >= 64 && OH >= 4 && OW >= 4 && tiles >= 256 && (std::max(C, K) >= 128 || OH * OW >= 14 * 14);
}

template <class T>
void conv_forward(const T* x, const T* w, const T* bias, T* y, const ConvGeometry& g, ConvBlockedPtr* packed,
                  ConvBlockedPtr* keep_x) {
  // On the live taps (keep_x then holds the cropped form). With converted weights kept for
  // inference the crop runs once, when the conversion is made: while *packed holds the cropped
  // weights in the primitive's layout, w is not read (cropping it on every call cost more than
  // the dead taps at batch 1: VGG-11's two 512-channel 1 × 1-map layers, 1.9 → 3.6 ms).
  if (const LiveTaps live = live_taps(g); live.cropped) {
    if constexpr (std::is_same_v<T, float>)
      if (packed && !keep_x && !conv_own_winograd(live.g) && conv_dnnl_forward(x, nullptr, bias, y, live.g, packed))
        return;
    return conv_forward(x, LiveTapWeights<T>(g, live, w, false).w(), bias, y, live.g, packed, keep_x);
  }
  if constexpr (std::is_same_v<T, float>) {
    if (conv_own_winograd(g)) return winograd_f23_forward(x, w, bias, y, g);
    if (conv_dnnl_forward(x, w, bias, y, g, packed, keep_x)) return;
  }
  const int64_t C = g.in_channels, K = g.out_channels, G = g.groups;
  const int64_t Cg = C / G, Kg = K / G, R = g.kernel_numel(), P = g.out_numel(), I = g.in_numel();
  const bool pointwise = g.is_pointwise();
  for_each_image<T>(g.batch, pointwise ? 0 : C * R * P, [&](int64_t n, T* col) {
    const T* xn = x + n * C * I;
    T* yn = y + n * K * P;
    const T* cols = xn;
    if (!pointwise) {
      im2col(xn, C, g, col);
      cols = col;
    }
    if (bias)
      for (int64_t k = 0; k < K; ++k) std::fill(yn + k * P, yn + (k + 1) * P, bias[k]);
    for (int64_t gi = 0; gi < G; ++gi)
      gemm<T>(false, false, Kg, P, Cg * R, w + gi * Kg * Cg * R, Cg * R, cols + gi * Cg * R * P, P, yn + gi * Kg * P, P,
              /*accumulate=*/bias != nullptr);
  });
}

template <class T>
void conv_forward_chain(const T* x, const std::vector<ConvChainStep<T>>& steps, const T* residual, T* y) {
  if constexpr (std::is_same_v<T, float>)
    if (chain_post_ops_exact(x, steps, residual) && conv_dnnl_forward_chain(x, steps, residual, y)) return;
  std::vector<const T*> values{x};  // the chain's input, then each step's output
  std::vector<std::vector<T>> outputs(steps.size());
  for (size_t i = 0; i < steps.size(); ++i) {
    const ConvChainStep<T>& step = steps[i];
    const bool last = i + 1 == steps.size();
    const int64_t n = step.g.batch * step.g.out_channels * step.g.out_numel();
    if (!last) outputs[i].resize(n);
    T* dst = last ? y : outputs[i].data();
    conv_forward(values[step.src < 0 ? i : static_cast<size_t>(step.src)], step.w, step.bias, dst, step.g,
                 step.packed);
    const T* add = step.add >= 0 ? values[static_cast<size_t>(step.add)] : last ? residual : nullptr;
    if (add || step.act != FusedActivation::None)
      with_fused_activation(step.act, [&]<FusedActivation A>() {
        parallel_for(n, 1, [&](int64_t begin, int64_t end) {
          for (int64_t e = begin; e < end; ++e) dst[e] = act::fused<A>(add ? dst[e] + add[e] : dst[e]);
        });
      });
    values.push_back(dst);
  }
}

template <class T>
void conv_backward_input(const T* gy, const T* w, T* gx, const ConvGeometry& g) {
  if (const LiveTaps live = live_taps(g); live.cropped)
    return conv_backward_input(gy, LiveTapWeights<T>(g, live, w, false).w(), gx, live.g);
  if constexpr (std::is_same_v<T, float>) {
    if (conv_own_winograd(g)) return winograd_f23_backward_input(gy, w, gx, g);
    if (conv_dnnl_backward_input(gy, w, gx, g)) return;
  }
  const int64_t C = g.in_channels, K = g.out_channels, G = g.groups;
  const int64_t Cg = C / G, Kg = K / G, R = g.kernel_numel(), P = g.out_numel(), I = g.in_numel();
  const bool pointwise = g.is_pointwise();
  for_each_image<T>(g.batch, pointwise ? 0 : C * R * P, [&](int64_t n, T* col) {
    const T* gyn = gy + n * K * P;
    T* gxn = gx + n * C * I;
    T* cols = pointwise ? gxn : col;  // pointwise: col2im is the identity, write gx directly
    for (int64_t gi = 0; gi < G; ++gi)
      gemm<T>(true, false, Cg * R, P, Kg, w + gi * Kg * Cg * R, Cg * R, gyn + gi * Kg * P, P, cols + gi * Cg * R * P, P);
    if (!pointwise) col2im(col, C, g, gxn);
  });
}

template <class T>
void conv_backward_weight(const T* x, const T* gy, T* gw, const ConvGeometry& g) {
  if (const LiveTaps live = live_taps(g); live.cropped) {
    const LiveTapWeights<T> lw(g, live, nullptr, true);
    conv_backward_weight(x, gy, lw.grad(), live.g);
    return lw.write_grad(gw);
  }
  if constexpr (std::is_same_v<T, float>) {
    if (conv_own_winograd(g)) return winograd_f23_backward_weight(x, gy, gw, g);
    if (conv_dnnl_backward_weight(x, gy, gw, g)) return;
  }
  const int64_t N = g.batch, C = g.in_channels, K = g.out_channels, G = g.groups;
  const int64_t Cg = C / G, Kg = K / G, R = g.kernel_numel(), P = g.out_numel(), I = g.in_numel();
  const int64_t W = K * Cg * R;  // elements of w
  const bool pointwise = g.is_pointwise();
  const int64_t blocks = std::min<int64_t>(N, kWeightGradBlocks);
  if (blocks == 0) {
    std::fill(gw, gw + W, T(0));
    return;
  }
  // Block b sums images [b·N/blocks, (b+1)·N/blocks) into partial[b] (block 0 writes gw).
  Scratch<T> partial_store(blocks > 1 ? (blocks - 1) * W : 0);
  auto partial = [&](int64_t b) { return b == 0 ? gw : partial_store.get() + (b - 1) * W; };
  auto run_blocks = [&](int64_t bb, int64_t be) {
    Scratch<T> col(pointwise ? 0 : C * R * P);
    for (int64_t b = bb; b < be; ++b) {
      T* acc = partial(b);
      const int64_t n0 = b * N / blocks, n1 = (b + 1) * N / blocks;
      for (int64_t n = n0; n < n1; ++n) {
        const T* cols = x + n * C * I;
        if (!pointwise) {
          im2col(cols, C, g, col.get());
          cols = col.get();
        }
        for (int64_t gi = 0; gi < G; ++gi)
          gemm<T>(false, true, Kg, Cg * R, P, gy + (n * K + gi * Kg) * P, P, cols + gi * Cg * R * P, P,
                  acc + gi * Kg * Cg * R, Cg * R, /*accumulate=*/n > n0);
      }
    }
  };
  if (images_in_parallel(blocks))
    parallel_for(blocks, 1, run_blocks);
  else
    run_blocks(0, blocks);
  if (blocks > 1) {
    parallel_for(W, kParallelGrain / blocks + 1, [&](int64_t b, int64_t e) {
      for (int64_t blk = 1; blk < blocks; ++blk) {
        const T* p = partial(blk);
        for (int64_t i = b; i < e; ++i) gw[i] += p[i];
      }
    });
  }
}

template <class T>
void conv_backward(const T* x, const T* gy, const T* w, T* gx, T* gw, const ConvGeometry& g,
                   const ConvBlocked* x_blocked) {
  if (const LiveTaps live = live_taps(g); live.cropped) {
    const LiveTapWeights<T> lw(g, live, gx ? w : nullptr, gw != nullptr);
    conv_backward(x, gy, lw.w(), gx, lw.grad(), live.g, x_blocked);
    return lw.write_grad(gw);
  }
  if constexpr (std::is_same_v<T, float>) {
    if (conv_own_winograd(g)) {
      if (gx) winograd_f23_backward_input(gy, w, gx, g);
      if (gw) winograd_f23_backward_weight(x, gy, gw, g);
      return;
    }
    if (gx && gw && conv_dnnl_backward(x, gy, w, gx, gw, g, x_blocked)) return;
    if (!gx && gw && conv_dnnl_backward_weight(x, gy, gw, g, x_blocked)) return;
  }
  if (gx) conv_backward_input(gy, w, gx, g);
  if (gw) conv_backward_weight(x, gy, gw, g);
}

template <class T>
void conv_add_bias(T* y, const T* b, int64_t N, int64_t K, int64_t P) {
  parallel_for(N * K, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(P, 1)), [&](int64_t rb, int64_t re) {
    for (int64_t r = rb; r < re; ++r) {
      const T v = b[r % K];
      T* row = y + r * P;
      for (int64_t p = 0; p < P; ++p) row[p] += v;
    }
  });
}

template <class T>
void conv_backward_bias(const T* gy, T* gb, int64_t N, int64_t K, int64_t P) {
  parallel_for(K, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(N * P, 1)), [&](int64_t kb, int64_t ke) {
    for (int64_t k = kb; k < ke; ++k) {
      T total = 0;
      for (int64_t n = 0; n < N; ++n) {
        const T* row = gy + (n * K + k) * P;
        T s = 0;
#pragma omp simd reduction(+ : s)
        for (int64_t p = 0; p < P; ++p) s += row[p];
        total += s;
      }
      gb[k] = total;
    }
  });
}

#define NABLA_INSTANTIATE_CONV(T)                                                           \
  template void conv_forward<T>(const T*, const T*, const T*, T*, const ConvGeometry&, ConvBlockedPtr*, ConvBlockedPtr*); \
  template void conv_forward_chain<T>(const T*, const std::vector<ConvChainStep<T>>&, const T*, T*);          \
  template void conv_backward_input<T>(const T*, const T*, T*, const ConvGeometry&);       \
  template void conv_backward_weight<T>(const T*, const T*, T*, const ConvGeometry&);      \
  template void conv_backward<T>(const T*, const T*, const T*, T*, T*, const ConvGeometry&, const ConvBlocked*); \
  template void conv_add_bias<T>(T*, const T*, int64_t, int64_t, int64_t);                  \
  template void conv_backward_bias<T>(const T*, T*, int64_t, int64_t, int64_t);
NABLA_INSTANTIATE_CONV(float)
NABLA_INSTANTIATE_CONV(double)
#undef NABLA_INSTANTIATE_CONV

}  // namespace nabla::cpu
