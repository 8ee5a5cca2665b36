#include "kernels/cpu/copy.h"

#include <cstring>

#include "kernels/cpu/loops.h"

namespace nabla::cpu {

void copy_strided(const std::vector<int64_t>& shape, char* dst, DType dst_dtype, const std::vector<int64_t>& dst_strides,
                  const char* src, DType src_dtype, const std::vector<int64_t>& src_strides) {
  dispatch_storage(dst_dtype, [&]<class D>() {
    dispatch_storage(src_dtype, [&]<class S>() {
      for_each_row<2>(shape, {dst, const_cast<char*>(src)}, {dst_strides, src_strides},
                      [](std::array<char*, 2> p, std::array<int64_t, 2> s, int64_t n) {
                        if constexpr (std::is_same_v<D, S>) {
                          if (s[0] == sizeof(D) && s[1] == sizeof(S)) {
                            std::memcpy(p[0], p[1], n * sizeof(D));
                            return;
                          }
                        }
                        if (s[0] == sizeof(D) && s[1] == sizeof(S)) {
                          D* d = reinterpret_cast<D*>(p[0]);
                          const S* x = reinterpret_cast<const S*>(p[1]);
                          for (int64_t i = 0; i < n; ++i) d[i] = convert_element<D>(x[i]);
                          return;
                        }
                        for (int64_t i = 0; i < n; ++i)
                          *reinterpret_cast<D*>(p[0] + i * s[0]) = convert_element<D>(*reinterpret_cast<const S*>(p[1] + i * s[1]));
                      });
    });
  });
}

void fill_strided(const std::vector<int64_t>& shape, char* dst, DType dtype, const std::vector<int64_t>& dst_strides,
                  double value) {
  dispatch_storage(dtype, [&]<class T>() {
    const T v = convert_element<T>(value);
    for_each_row<1>(shape, {dst}, {dst_strides}, [v](std::array<char*, 1> p, std::array<int64_t, 1> s, int64_t n) {
      if (s[0] == sizeof(T)) {
        T* d = reinterpret_cast<T*>(p[0]);
        for (int64_t i = 0; i < n; ++i) d[i] = v;
      } else {
        for (int64_t i = 0; i < n; ++i) *reinterpret_cast<T*>(p[0] + i * s[0]) = v;
      }
    });
  });
}

}  // namespace nabla::cpu
