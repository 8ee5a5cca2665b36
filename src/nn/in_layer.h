#pragma once
// Errors raised inside a layer's forward, prefixed with the layer and its arguments.
#include "nabla/error.h"
#include "nabla/nn/module.h"

namespace nabla::nn::detail {

/// Runs f, re-raising a nabla::Error prefixed with the layer and its arguments, so that a bad
/// input names the layer ("MaxPool2d(kernel_size=2, …): max_pool2d: expected …").
template <class Fn>
auto in_layer(const Module& m, Fn&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const Error& e) {
    throw Error(str_cat(m.name(), "(", m.extra_repr(), "): ", e.what()));
  }
}

}  // namespace nabla::nn::detail
