#pragma once
// The device seam: the one point where a tensor-level op picks the kernel family for the device
// its tensors live on. Every op of ops/nn_kernels.h and ops/optim_kernels.h goes through
// dispatch_device before it reads a data pointer or calls a kernel; today only DeviceType::CPU exists,
// so the switch has one case. A CUDA backend adds a `case DeviceType::CUDA:` here (and the kernels
// and an allocator); nothing in nn/, optim/ or the autograd rules changes.
#include <utility>

#include "nabla/error.h"
#include "nabla/tensor.h"

namespace nabla::ops {

/// Runs `on_cpu()` when `t` lives on the CPU; raises an Error naming `op` for any other device.
template <class OnCpu>
decltype(auto) dispatch_device(const Tensor& t, const char* op, OnCpu&& on_cpu) {
  switch (t.device().type()) {
    case DeviceType::CPU: return std::forward<OnCpu>(on_cpu)();
  }
  throw Error(str_cat(op, ": no kernel for device ", t.device().str()));
}

}  // namespace nabla::ops
