// Tensor-level fused optimizer updates (ops/optim_kernels.h) over kernels/cpu/optim.h.
#include "ops/optim_kernels.h"

#include "ops/device_dispatch.h"

namespace nabla::ops {
namespace {

// Null for an undefined optional buffer.
template <class T>
T* data_or_null(const Tensor& t) {
  return t.defined() ? t.data_ptr<T>() : nullptr;
}

}  // namespace

void sgd_step_(const Tensor& p, const Tensor& g, const Tensor& buf, const SgdHyper& h, bool first,
               const char* optimizer) {
  dispatch_device(p, optimizer, [&] {
    dispatch_floating(p.dtype(), optimizer, [&]<class T>() {
      cpu::sgd_update<T>(data_or_null<T>(p), g.data_ptr<T>(), data_or_null<T>(buf), p.numel(), h, first);
    });
  });
}

void adam_step_(const Tensor& p, const Tensor& g, const Tensor& m, const Tensor& v, const Tensor& vmax,
                const AdamHyper& h, const char* optimizer) {
  dispatch_device(p, optimizer, [&] {
    dispatch_floating(p.dtype(), optimizer, [&]<class T>() {
      cpu::adam_update<T>(data_or_null<T>(p), g.data_ptr<T>(), data_or_null<T>(m), data_or_null<T>(v),
                          data_or_null<T>(vmax), p.numel(), h);
    });
  });
}

void adagrad_step_(const Tensor& p, const Tensor& g, const Tensor& sum, const AdagradHyper& h, const char* optimizer) {
  dispatch_device(p, optimizer, [&] {
    dispatch_floating(p.dtype(), optimizer, [&]<class T>() {
      cpu::adagrad_update<T>(data_or_null<T>(p), g.data_ptr<T>(), data_or_null<T>(sum), p.numel(), h);
    });
  });
}

void rmsprop_step_(const Tensor& p, const Tensor& g, const Tensor& square_avg, const Tensor& grad_avg,
                   const Tensor& buf, const RmspropHyper& h, const char* optimizer) {
  dispatch_device(p, optimizer, [&] {
    dispatch_floating(p.dtype(), optimizer, [&]<class T>() {
      cpu::rmsprop_update<T>(data_or_null<T>(p), g.data_ptr<T>(), data_or_null<T>(square_avg),
                             data_or_null<T>(grad_avg), data_or_null<T>(buf), p.numel(), h);
    });
  });
}

void adadelta_step_(const Tensor& p, const Tensor& g, const Tensor& square_avg, const Tensor& acc_delta,
                    const AdadeltaHyper& h, const char* optimizer) {
  dispatch_device(p, optimizer, [&] {
    dispatch_floating(p.dtype(), optimizer, [&]<class T>() {
      cpu::adadelta_update<T>(data_or_null<T>(p), g.data_ptr<T>(), data_or_null<T>(square_avg),
                              data_or_null<T>(acc_delta), p.numel(), h);
    });
  });
}

}  // namespace nabla::ops
