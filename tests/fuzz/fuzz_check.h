#pragma once
// Shared by the libFuzzer harnesses: an invariant check that aborts (so the fuzzer reports it)
// and a byte-exact comparison of two tensors.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "nabla/tensor.h"

namespace nabla::fuzz {

/// Aborts with a message when an invariant of a successful parse does not hold.
inline void require(bool cond, const char* what) {
  if (!cond) {
    std::fprintf(stderr, "fuzz invariant violated: %s\n", what);
    std::abort();
  }
}

/// Same dtype, shape and bytes (NaN payloads included).
inline bool same_tensor(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || a.shape() != b.shape()) return false;
  const Tensor ca = a.contiguous(), cb = b.contiguous();
  const size_t n = static_cast<size_t>(ca.numel()) * ca.element_size();
  return n == 0 || std::memcmp(ca.raw_data(), cb.raw_data(), n) == 0;
}

}  // namespace nabla::fuzz
