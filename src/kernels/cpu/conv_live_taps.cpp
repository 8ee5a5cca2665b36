#include "kernels/cpu/conv_live_taps.h"

#include <algorithm>
#include <vector>

#include "kernels/cpu/loops.h"

namespace nabla::cpu {
namespace {

// Whether tap t of dim d reads the input for some output position: i = o·stride − pad + t·dilation
// in [0, in) for some o in [0, out).
bool tap_live(const ConvGeometry& g, int d, int64_t t) {
  const int64_t s = g.stride[d], at0 = t * g.dilation[d] - g.pad[d];  // i at o = 0
  const int64_t o = at0 >= 0 ? 0 : (-at0 + s - 1) / s;                // first o with i ≥ 0
  return o < g.out[d] && o * s + at0 < g.in[d];
}

// Padding after the input in dim d that `out` implies (negative: trailing input unread).
int64_t pad_after(const ConvGeometry& g, int d) {
  return (g.out[d] - 1) * g.stride[d] + (g.kernel[d] - 1) * g.dilation[d] + 1 - g.in[d] - g.pad[d];
}

// Calls f(offset of a live tap in the full weights, its offset in the cropped ones) for every live
// tap of every (K, C/groups) filter plane, planes split over the threads. The live taps' offsets
// within a plane come from a table: at batch 1 the crop runs on every call, and VGG's 512 × 512
// planes of one live tap each cost more than the convolution when indexed through the loops.
template <class F>
void for_each_live_tap(const ConvGeometry& full, const LiveTaps& live, F&& f) {
  const auto& k = full.kernel;
  const auto& c = live.g.kernel;
  const auto& s = live.first;
  std::vector<int64_t> offsets;  // offset of live tap j within a plane of the full kernel
  offsets.reserve(static_cast<size_t>(live.g.kernel_numel()));
  for (int64_t a = 0; a < c[0]; ++a)
    for (int64_t b = 0; b < c[1]; ++b)
      for (int64_t e = 0; e < c[2]; ++e) offsets.push_back(((s[0] + a) * k[1] + s[1] + b) * k[2] + s[2] + e);
  const int64_t planes = full.out_channels * (full.in_channels / full.groups);
  const int64_t R = full.kernel_numel(), Rc = static_cast<int64_t>(offsets.size());
  const int64_t* off = offsets.data();
  parallel_for(planes, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(R, 1)), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p)
      for (int64_t j = 0; j < Rc; ++j) f(p * R + off[j], p * Rc + j);
  });
}

}  // namespace

LiveTaps live_taps(const ConvGeometry& g) {
  LiveTaps r{g, {0, 0, 0}, false};
  if (g.batch <= 0 || g.in_numel() <= 0 || g.out_numel() <= 0) return r;
  for (int d = 0; d < 3; ++d) {
    const int64_t K = g.kernel[d];
    int64_t t0 = 0, t1 = K - 1;
    while (t0 < K && !tap_live(g, d, t0)) ++t0;
    if (t0 == K) continue;  // no live tap (the output is the bias alone): left to the kernels
    while (!tap_live(g, d, t1)) --t1;
    if (t0 == 0 && t1 == K - 1) continue;
    ConvGeometry c = r.g;
    c.kernel[d] = t1 - t0 + 1;
    c.pad[d] = g.pad[d] - t0 * g.dilation[d];
    if (c.pad[d] < 0 || pad_after(c, d) < std::min<int64_t>(0, pad_after(g, d))) continue;
    r.g = c;
    r.first[d] = t0;
    r.cropped = true;
  }
  return r;
}

template <class T>
void crop_taps(const T* w, T* wc, const ConvGeometry& full, const LiveTaps& live) {
  for_each_live_tap(full, live, [&](int64_t from, int64_t to) { wc[to] = w[from]; });
}

template <class T>
void uncrop_taps(const T* gwc, T* gw, const ConvGeometry& full, const LiveTaps& live) {
  parallel_for(full.weight_numel(), kParallelGrain, [&](int64_t b, int64_t e) { std::fill(gw + b, gw + e, T(0)); });
  for_each_live_tap(full, live, [&](int64_t to, int64_t from) { gw[to] = gwc[from]; });
}

template void crop_taps<float>(const float*, float*, const ConvGeometry&, const LiveTaps&);
template void crop_taps<double>(const double*, double*, const ConvGeometry&, const LiveTaps&);
template void uncrop_taps<float>(const float*, float*, const ConvGeometry&, const LiveTaps&);
template void uncrop_taps<double>(const double*, double*, const ConvGeometry&, const LiveTaps&);

}  // namespace nabla::cpu
