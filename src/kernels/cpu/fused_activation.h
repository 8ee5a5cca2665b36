#pragma once
// The activations that convolution and BatchNorm kernels fuse into their own passes, with the two
// scalar rules they need: the activation itself and where its gradient passes. No dependencies:
// the layers above the kernels see this header (cmake: the kernels layer's EXPORTS).

namespace nabla::cpu {

/// An activation a kernel applies to its result in the same pass: a convolution's epilogue at
/// inference, BatchNorm's output (and the matching gradient mask) in training.
enum class FusedActivation { None, Relu, Relu6 };

/// Calls f.template operator()<A>() with A the value of `a`, so that loops see it as a constant.
template <class F> decltype(auto) with_fused_activation(FusedActivation a, F&& f) {
  switch (a) {
    case FusedActivation::Relu: return f.template operator()<FusedActivation::Relu>();
    case FusedActivation::Relu6: return f.template operator()<FusedActivation::Relu6>();
    case FusedActivation::None: break;
  }
  return f.template operator()<FusedActivation::None>();
}

}  // namespace nabla::cpu

namespace nabla::cpu::act {

/// The fused activation of v, as the unfused ops compute it: ReLU v < 0 ? 0 : v, ReLU6
/// hardtanh(v, 0, 6); a NaN passes through both, as through relu() and F::relu6 (and PyTorch's).
template <FusedActivation A, class T> inline T fused(T v) {
  if constexpr (A == FusedActivation::Relu) return v < T(0) ? T(0) : v;
  else if constexpr (A == FusedActivation::Relu6) return v < T(0) ? T(0) : (v > T(6) ? T(6) : v);
  else return v;
}
/// Whether the gradient passes the fused activation at v, its input or its output (the same set):
/// ReLU v > 0, ReLU6 0 < v < 6 (hardtanh_grad's open interval, PyTorch's), None always.
template <FusedActivation A, class T> inline bool fused_passes(T v) {
  if constexpr (A == FusedActivation::Relu) return v > T(0);
  else if constexpr (A == FusedActivation::Relu6) return v > T(0) && v < T(6);
  else return true;
}

}  // namespace nabla::cpu::act
