// Activation kernels at tensor level (ops/nn_kernels.h): one elementwise pass through a scalar
// function of kernels/cpu/activation.h (forward) or its derivative (backward).
#include "kernels/cpu/activation.h"
#include "ops/device_dispatch.h"
#include "ops/elementwise_impl.h"
#include "ops/nn_kernels.h"

namespace nabla::ops {
namespace {

// Calls f(fwd, grad) with the scalar function pair of `a` for element type T.
template <class T, class F>
decltype(auto) with_activation(const Activation& a, F&& f) {
  const T p0 = static_cast<T>(a.p0), p1 = static_cast<T>(a.p1);
  switch (a.kind) {
    case ActivationKind::LeakyRelu:
      return f([p0](T x) { return cpu::act::leaky_relu(x, p0); },
               [p0](T g, T x) { return cpu::act::leaky_relu_grad(g, x, p0); });
    case ActivationKind::Elu:
      return f([p0, p1](T x) { return cpu::act::elu(x, p0, p1); },
               [p0, p1](T g, T x) { return cpu::act::elu_grad(g, x, p0, p1); });
    case ActivationKind::Gelu:
      // Forced inline: the GELU bodies are long enough that GCC would otherwise call them once per
      // element from the loops of binary_kernel, which then do not vectorise.
      return f([](T x) __attribute__((always_inline)) { return cpu::act::gelu(x); },
               [](T g, T x) __attribute__((always_inline)) { return cpu::act::gelu_grad(g, x); });
    case ActivationKind::GeluTanh:
      return f([](T x) { return cpu::act::gelu_tanh(x); }, [](T g, T x) { return cpu::act::gelu_tanh_grad(g, x); });
    case ActivationKind::Silu:
      return f([](T x) { return cpu::act::silu(x); }, [](T g, T x) { return cpu::act::silu_grad(g, x); });
    case ActivationKind::Softplus:
      return f([p0, p1](T x) { return cpu::act::softplus(x, p0, p1); },
               [p0, p1](T g, T x) { return cpu::act::softplus_grad(g, x, p0, p1); });
    case ActivationKind::Hardtanh:
      return f([p0, p1](T x) { return cpu::act::hardtanh(x, p0, p1); },
               [p0, p1](T g, T x) { return cpu::act::hardtanh_grad(g, x, p0, p1); });
    case ActivationKind::Hardsigmoid:
      return f([](T x) { return cpu::act::hardsigmoid(x); }, [](T g, T x) { return cpu::act::hardsigmoid_grad(g, x); });
    case ActivationKind::Hardswish:
      return f([](T x) { return cpu::act::hardswish(x); }, [](T g, T x) { return cpu::act::hardswish_grad(g, x); });
  }
  throw Error("activation: unknown kind");
}

}  // namespace

Tensor activation_forward(const Tensor& x, const Activation& a, const char* op) {
  return dispatch_device(x, op, [&] {
    return dispatch_floating(x.dtype(), op, [&]<class T>() {
      return with_activation<T>(a, [&](auto fwd, auto) {
        return detail::map_unary<T, T>(x, [fwd](T v) __attribute__((always_inline)) { return static_cast<T>(fwd(v)); });
      });
    });
  });
}

Tensor activation_backward(const Tensor& g, const Tensor& x, const Activation& a, const char* op) {
  return dispatch_device(x, op, [&] {
    return dispatch_floating(x.dtype(), op, [&]<class T>() {
      return with_activation<T>(a, [&](auto, auto grad) {
        return detail::map_binary<T, T>(g, x, op, [grad](T gv, T v) __attribute__((always_inline)) {
          return static_cast<T>(grad(gv, v));
        });
      });
    });
  });
}

}  // namespace nabla::ops
