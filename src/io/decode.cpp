// Element decoding for the file readers: widening integer and float conversions, byte swaps.
#include "io/decode.h"

#include <cstring>
#include <limits>

namespace nabla::io::detail {

DType load_dtype(ElementFormat fmt) {
  switch (fmt.kind) {
    case ElementFormat::Bool: return DType::Bool;
    case ElementFormat::Int: return fmt.size <= 4 ? DType::Int32 : DType::Int64;
    case ElementFormat::UInt: return fmt.size == 1 ? DType::UInt8 : fmt.size == 2 ? DType::Int32 : DType::Int64;
    case ElementFormat::BFloat: return DType::BFloat16;
    case ElementFormat::Float: return fmt.size == 2 ? DType::Float16 : fmt.size == 8 ? DType::Float64 : DType::Float32;
  }
  return DType::Float32;
}

bool is_identity_format(ElementFormat fmt) {
  if (fmt.big_endian && fmt.size > 1) return false;
  // Bool is normalised to 0/1; uint64 is range-checked against int64.
  if (fmt.kind == ElementFormat::Bool || (fmt.kind == ElementFormat::UInt && fmt.size == 8)) return false;
  return dtype_size(load_dtype(fmt)) == fmt.size;
}

namespace {

/// Reads one unsigned integer of `size` bytes in the given byte order.
inline uint64_t load_bits(const uint8_t* p, int size, bool big_endian) {
  uint64_t v = 0;
  if (big_endian) {
    for (int i = 0; i < size; ++i) v = (v << 8) | p[i];
  } else {
    for (int i = size - 1; i >= 0; --i) v = (v << 8) | p[i];
  }
  return v;
}

/// Sign-extends the low `size` bytes of v.
inline int64_t sign_extend(uint64_t v, int size) {
  if (size == 8) return static_cast<int64_t>(v);
  const int shift = 64 - 8 * size;
  return static_cast<int64_t>(v << shift) >> shift;
}

}  // namespace

Tensor decode_elements(const uint8_t* src, const Shape& shape, ElementFormat fmt, const ErrorContext& ctx) {
  const DType dt = load_dtype(fmt);
  Tensor t = empty(shape, dt);
  const int64_t n = t.numel();
  if (n == 0) return t;
  if (is_identity_format(fmt)) {
    std::memcpy(t.raw_data(), src, static_cast<size_t>(n) * fmt.size);
    return t;
  }
  const int size = fmt.size;
  const bool be = fmt.big_endian;
  switch (fmt.kind) {
    case ElementFormat::Bool: {
      auto* out = static_cast<uint8_t*>(t.raw_data());  // bool is one byte; store 0/1 only
      for (int64_t i = 0; i < n; ++i) out[i] = src[i] != 0 ? 1 : 0;
      break;
    }
    case ElementFormat::Int:  // widened (int8, int16) or byte-swapped
      dispatch_all(dt, "decode", [&]<class T>() {
        T* out = static_cast<T*>(t.raw_data());
        for (int64_t i = 0; i < n; ++i) out[i] = static_cast<T>(sign_extend(load_bits(src + i * size, size, be), size));
      });
      break;
    case ElementFormat::UInt:
      dispatch_all(dt, "decode", [&]<class T>() {
        T* out = static_cast<T*>(t.raw_data());
        for (int64_t i = 0; i < n; ++i) {
          const uint64_t v = load_bits(src + i * size, size, be);
          if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
            ctx.fail("uint64 element ", i, " = ", v, " does not fit in int64");
          out[i] = static_cast<T>(v);
        }
      });
      break;
    case ElementFormat::BFloat:
    case ElementFormat::Float:  // byte-swapped: copy the bits of each element in reverse order
      for (int64_t i = 0; i < n; ++i) {
        const uint64_t bits = load_bits(src + i * size, size, be);
        std::memcpy(static_cast<uint8_t*>(t.raw_data()) + i * size, &bits, size);  // little-endian host
      }
      break;
  }
  return t;
}

}  // namespace nabla::io::detail
