#include "kernels/cpu/masked_fill.h"

#include "kernels/cpu/loops.h"
#include "nabla/half.h"

namespace nabla::cpu {

template <class T>
void masked_fill_strided(const std::vector<int64_t>& shape, char* out, const std::vector<int64_t>& out_strides,
                         const char* x, const std::vector<int64_t>& x_strides, const char* mask,
                         const std::vector<int64_t>& mask_strides, T value) {
  for_each_row<3>(shape, {out, const_cast<char*>(x), const_cast<char*>(mask)}, {out_strides, x_strides, mask_strides},
                  [value](std::array<char*, 3> p, std::array<int64_t, 3> s, int64_t n) {
                    if (s[0] == sizeof(T) && s[1] == sizeof(T) && s[2] == 1) {  // contiguous: vectorisable
                      T* o = reinterpret_cast<T*>(p[0]);
                      const T* xv = reinterpret_cast<const T*>(p[1]);
                      const bool* m = reinterpret_cast<const bool*>(p[2]);
                      for (int64_t i = 0; i < n; ++i) o[i] = m[i] ? value : xv[i];
                      return;
                    }
                    for (int64_t i = 0; i < n; ++i) {
                      const bool m = *reinterpret_cast<const bool*>(p[2] + i * s[2]);
                      *reinterpret_cast<T*>(p[0] + i * s[0]) = m ? value : *reinterpret_cast<const T*>(p[1] + i * s[1]);
                    }
                  });
}

using Strides = std::vector<int64_t>;
template void masked_fill_strided<float>(const Strides&, char*, const Strides&, const char*, const Strides&, const char*,
                                         const Strides&, float);
template void masked_fill_strided<double>(const Strides&, char*, const Strides&, const char*, const Strides&,
                                          const char*, const Strides&, double);
template void masked_fill_strided<int64_t>(const Strides&, char*, const Strides&, const char*, const Strides&,
                                           const char*, const Strides&, int64_t);
template void masked_fill_strided<bool>(const Strides&, char*, const Strides&, const char*, const Strides&, const char*,
                                        const Strides&, bool);
template void masked_fill_strided<uint8_t>(const Strides&, char*, const Strides&, const char*, const Strides&, const char*,
                                        const Strides&, uint8_t);
template void masked_fill_strided<int32_t>(const Strides&, char*, const Strides&, const char*, const Strides&, const char*,
                                        const Strides&, int32_t);
template void masked_fill_strided<bfloat16>(const Strides&, char*, const Strides&, const char*, const Strides&, const char*,
                                        const Strides&, bfloat16);
template void masked_fill_strided<float16>(const Strides&, char*, const Strides&, const char*, const Strides&, const char*,
                                        const Strides&, float16);

}  // namespace nabla::cpu
