#pragma once
// Elementwise kernels over broadcast operands. Each kernel applies a scalar functor `f` to rows
// produced by for_each_row; contiguous rows get a plain (vectorisable) loop, rows where one
// input is broadcast (stride 0) hoist that value, and anything else walks the byte strides.
#include <array>
#include <cstdint>
#include <vector>

#include "kernels/cpu/loops.h"

namespace nabla::cpu {

/// out[i] = f(x[i]) for `shape`, strides in bytes. `out` is Out*, `x` is In*.
template <class Out, class In, class F>
void unary_kernel(const std::vector<int64_t>& shape, char* out, const std::vector<int64_t>& out_strides, const char* x,
                  const std::vector<int64_t>& x_strides, F f) {
  for_each_row<2>(shape, {out, const_cast<char*>(x)}, {out_strides, x_strides},
                  [&f](std::array<char*, 2> p, std::array<int64_t, 2> s, int64_t n) {
                    Out* o = reinterpret_cast<Out*>(p[0]);
                    const In* a = reinterpret_cast<const In*>(p[1]);
                    if (s[0] == sizeof(Out) && s[1] == sizeof(In)) {
#pragma omp simd
                      for (int64_t i = 0; i < n; ++i) o[i] = f(a[i]);
                    } else {
                      for (int64_t i = 0; i < n; ++i)
                        *reinterpret_cast<Out*>(p[0] + i * s[0]) = f(*reinterpret_cast<const In*>(p[1] + i * s[1]));
                    }
                  });
}

/// out[i] = f(a[i], b[i]) for `shape` (a and b broadcast via zero strides), strides in bytes.
template <class Out, class In, class F>
void binary_kernel(const std::vector<int64_t>& shape, char* out, const std::vector<int64_t>& out_strides, const char* a,
                   const std::vector<int64_t>& a_strides, const char* b, const std::vector<int64_t>& b_strides, F f) {
  for_each_row<3>(shape, {out, const_cast<char*>(a), const_cast<char*>(b)}, {out_strides, a_strides, b_strides},
                  [&f](std::array<char*, 3> p, std::array<int64_t, 3> s, int64_t n) {
                    Out* o = reinterpret_cast<Out*>(p[0]);
                    const In* x = reinterpret_cast<const In*>(p[1]);
                    const In* y = reinterpret_cast<const In*>(p[2]);
                    if (s[0] == sizeof(Out)) {
                      if (s[1] == sizeof(In) && s[2] == sizeof(In)) {
#pragma omp simd
                        for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], y[i]);
                        return;
                      }
                      if (s[1] == sizeof(In) && s[2] == 0) {
                        const In yv = *y;
#pragma omp simd
                        for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], yv);
                        return;
                      }
                      if (s[1] == 0 && s[2] == sizeof(In)) {
                        const In xv = *x;
#pragma omp simd
                        for (int64_t i = 0; i < n; ++i) o[i] = f(xv, y[i]);
                        return;
                      }
                    }
                    for (int64_t i = 0; i < n; ++i)
                      *reinterpret_cast<Out*>(p[0] + i * s[0]) =
                          f(*reinterpret_cast<const In*>(p[1] + i * s[1]), *reinterpret_cast<const In*>(p[2] + i * s[2]));
                  });
}

/// out[i] = f(a[i], b[i], c[i]) (e.g. where, clamp with tensors); strides in bytes.
template <class Out, class A, class B, class C, class F>
void ternary_kernel(const std::vector<int64_t>& shape, char* out, const std::vector<int64_t>& out_strides, const char* a,
                    const std::vector<int64_t>& a_strides, const char* b, const std::vector<int64_t>& b_strides,
                    const char* c, const std::vector<int64_t>& c_strides, F f) {
  for_each_row<4>(shape, {out, const_cast<char*>(a), const_cast<char*>(b), const_cast<char*>(c)},
                  {out_strides, a_strides, b_strides, c_strides},
                  [&f](std::array<char*, 4> p, std::array<int64_t, 4> s, int64_t n) {
                    for (int64_t i = 0; i < n; ++i)
                      *reinterpret_cast<Out*>(p[0] + i * s[0]) =
                          f(*reinterpret_cast<const A*>(p[1] + i * s[1]), *reinterpret_cast<const B*>(p[2] + i * s[2]),
                            *reinterpret_cast<const C*>(p[3] + i * s[3]));
                  });
}

}  // namespace nabla::cpu
