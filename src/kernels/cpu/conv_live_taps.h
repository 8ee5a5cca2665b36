#pragma once
// Kernel taps that read only padding. A tap whose input position lies in the padding for every
// output position adds nothing to the output and gets a zero weight gradient, so the convolution
// can run on the live taps alone: per spatial dim the kernel is cropped to [first live tap, last
// live tap] and the padding before it reduced by the taps cut. 3 × 3 kernels with padding 1 on
// 1 × 1 maps (VGG's last layers at 28 × 28 inputs) keep only their centre: a 1 × 1 convolution,
// instead of nine taps of which eight multiply zeros (oneDNN computes them all).
#include <array>
#include <cstdint>

#include "kernels/cpu/conv_geometry.h"
#include "kernels/cpu/scratch.h"

namespace nabla::cpu {

/// The live taps of a convolution: `g` with each spatial dim's kernel cropped to them (and its
/// padding reduced), `first` the first live tap per dim of the full kernel. `cropped` is false —
/// g unchanged — when every tap is live, or when cropping would need negative padding.
struct LiveTaps {
  ConvGeometry g;
  std::array<int64_t, 3> first{0, 0, 0};
  bool cropped = false;
};

/// The live taps of `g` (see LiveTaps).
LiveTaps live_taps(const ConvGeometry& g);

/// wc (K, C/groups, live kernel) = the live taps of w (K, C/groups, full kernel).
template <class T>
void crop_taps(const T* w, T* wc, const ConvGeometry& full, const LiveTaps& live);

/// gw (K, C/groups, full kernel) = gwc (the live taps' gradient) at the live taps, 0 elsewhere.
template <class T>
void uncrop_taps(const T* gwc, T* gw, const ConvGeometry& full, const LiveTaps& live);

/// The weights of a convolution run on its live taps: w cropped (when given) and a buffer for the
/// live taps' gradient (when asked for), which write_grad spreads back over the full kernel.
template <class T>
class LiveTapWeights {
 public:
  LiveTapWeights(const ConvGeometry& full, const LiveTaps& live, const T* w, bool need_grad)
      : full_(full), live_(live), w_(w ? live.g.weight_numel() : 0), grad_(need_grad ? live.g.weight_numel() : 0) {
    if (w) crop_taps(w, w_.get(), full, live);
  }
  /// The cropped weights (null without w).
  const T* w() const { return w_.get(); }
  /// The live taps' gradient buffer (null unless asked for).
  T* grad() const { return grad_.get(); }
  /// gw (full kernel) from grad(); nothing when gw is null.
  void write_grad(T* gw) const {
    if (gw) uncrop_taps(grad_.get(), gw, full_, live_);
  }

 private:
  const ConvGeometry& full_;
  const LiveTaps& live_;
  Scratch<T> w_, grad_;
};

}  // namespace nabla::cpu
