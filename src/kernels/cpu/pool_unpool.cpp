#include "kernels/cpu/pool_unpool.h"

#include <atomic>
#include <cstring>

#include "kernels/cpu/loops.h"
#include "kernels/cpu/pool_geometry.h"

namespace nabla::cpu {

template <class T>
int64_t max_unpool_forward(const T* x, const int64_t* indices, T* y, int64_t planes, int64_t in_plane,
                           int64_t out_plane) {
  std::atomic<int64_t> first_bad{-1};
  parallel_for(planes, planes_grain(in_plane + out_plane), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      T* yp = y + p * out_plane;
      std::memset(yp, 0, sizeof(T) * static_cast<size_t>(out_plane));
      const T* xp = x + p * in_plane;
      const int64_t* ip = indices + p * in_plane;
      for (int64_t i = 0; i < in_plane; ++i) {
        const int64_t k = ip[i];
        if (k < 0 || k >= out_plane) {
          // Keep the smallest bad position so that the error does not depend on thread timing.
          const int64_t pos = p * in_plane + i;
          int64_t cur = first_bad.load();
          while ((cur < 0 || pos < cur) && !first_bad.compare_exchange_weak(cur, pos)) {
          }
          return;
        }
        yp[k] = xp[i];
      }
    }
  });
  return first_bad.load();
}

template <class T>
void max_unpool_backward(const T* gy, const int64_t* indices, T* gx, int64_t planes, int64_t in_plane,
                         int64_t out_plane) {
  parallel_for(planes, planes_grain(in_plane), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const T* gyp = gy + p * out_plane;
      const int64_t* ip = indices + p * in_plane;
      T* gxp = gx + p * in_plane;
      for (int64_t i = 0; i < in_plane; ++i) gxp[i] = gyp[ip[i]];
    }
  });
}

template int64_t max_unpool_forward<float>(const float*, const int64_t*, float*, int64_t, int64_t, int64_t);
template int64_t max_unpool_forward<double>(const double*, const int64_t*, double*, int64_t, int64_t, int64_t);
template void max_unpool_backward<float>(const float*, const int64_t*, float*, int64_t, int64_t, int64_t);
template void max_unpool_backward<double>(const double*, const int64_t*, double*, int64_t, int64_t, int64_t);

}  // namespace nabla::cpu
