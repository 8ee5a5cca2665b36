#include "kernels/cpu/cumsum.h"

#include <type_traits>
#include <vector>

#include "kernels/cpu/loops.h"

namespace nabla::cpu {

template <class T>
void cumsum(const T* x, T* y, int64_t O, int64_t R, int64_t I, bool reverse) {
  using Acc = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;
  // Outer slices are independent: each thread scans whole slices, so the sums do not depend on
  // the thread count. Within a slice one running row of I accumulators walks the scanned dim.
  parallel_for(O, std::max<int64_t>(1, 32768 / std::max<int64_t>(R * I, 1)), [&](int64_t b, int64_t e) {
    std::vector<Acc> acc(static_cast<size_t>(I));
    for (int64_t o = b; o < e; ++o) {
      std::fill(acc.begin(), acc.end(), Acc(0));
      for (int64_t k = 0; k < R; ++k) {
        const int64_t r = reverse ? R - 1 - k : k;
        const T* xr = x + (o * R + r) * I;
        T* yr = y + (o * R + r) * I;
        for (int64_t i = 0; i < I; ++i) {
          acc[i] += static_cast<Acc>(xr[i]);
          yr[i] = static_cast<T>(acc[i]);
        }
      }
    }
  });
}

template void cumsum<float>(const float*, float*, int64_t, int64_t, int64_t, bool);
template void cumsum<double>(const double*, double*, int64_t, int64_t, int64_t, bool);
template void cumsum<int64_t>(const int64_t*, int64_t*, int64_t, int64_t, int64_t, bool);
template void cumsum<int32_t>(const int32_t*, int32_t*, int64_t, int64_t, int64_t, bool);
template void cumsum<uint8_t>(const uint8_t*, uint8_t*, int64_t, int64_t, int64_t, bool);

}  // namespace nabla::cpu
