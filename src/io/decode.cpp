// Element decoding for the file readers: widening integer and float conversions, byte swaps.
#include "io/decode.h"

#include <cstring>
#include <limits>

namespace nabla::io::detail {

DType load_dtype(ElementFormat fmt) {
  switch (fmt.kind) {
    case ElementFormat::Bool: return DType::Bool;
    case ElementFormat::Int:
    case ElementFormat::UInt: return DType::Int64;
    case ElementFormat::BFloat: return DType::Float32;
    case ElementFormat::Float: return fmt.size == 8 ? DType::Float64 : DType::Float32;
  }
  return DType::Float32;
}

bool is_identity_format(ElementFormat fmt) {
  if (fmt.big_endian && fmt.size > 1) return false;
  switch (fmt.kind) {
    case ElementFormat::Int: return fmt.size == 8;
    case ElementFormat::Float: return fmt.size == 4 || fmt.size == 8;
    default: return false;  // bool is normalised to 0/1; narrower ints widen
  }
}

float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  uint32_t bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13);  // inf / NaN (payload kept)
  } else if (exp != 0) {
    bits = sign | ((exp + 112) << 23) | (mant << 13);  // rebias 15 → 127
  } else if (mant == 0) {
    bits = sign;  // ±0
  } else {
    // Subnormal half: shift the mantissa up until its leading 1 becomes the implicit bit.
    exp = 113;
    while ((mant & 0x400) == 0) {
      mant <<= 1;
      --exp;
    }
    bits = sign | (exp << 23) | ((mant & 0x3ff) << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
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
    case ElementFormat::Int: {
      int64_t* out = t.data_ptr<int64_t>();
      for (int64_t i = 0; i < n; ++i) out[i] = sign_extend(load_bits(src + i * size, size, be), size);
      break;
    }
    case ElementFormat::UInt: {
      int64_t* out = t.data_ptr<int64_t>();
      for (int64_t i = 0; i < n; ++i) {
        const uint64_t v = load_bits(src + i * size, size, be);
        if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
          ctx.fail("uint64 element ", i, " = ", v, " does not fit in int64");
        out[i] = static_cast<int64_t>(v);
      }
      break;
    }
    case ElementFormat::BFloat: {
      float* out = t.data_ptr<float>();
      for (int64_t i = 0; i < n; ++i) {
        const uint32_t bits = static_cast<uint32_t>(load_bits(src + i * 2, 2, be)) << 16;
        std::memcpy(out + i, &bits, 4);
      }
      break;
    }
    case ElementFormat::Float: {
      if (size == 2) {
        float* out = t.data_ptr<float>();
        for (int64_t i = 0; i < n; ++i) out[i] = half_to_float(static_cast<uint16_t>(load_bits(src + i * 2, 2, be)));
      } else if (size == 4) {
        float* out = t.data_ptr<float>();
        for (int64_t i = 0; i < n; ++i) {
          const uint32_t bits = static_cast<uint32_t>(load_bits(src + i * 4, 4, be));
          std::memcpy(out + i, &bits, 4);
        }
      } else {
        double* out = t.data_ptr<double>();
        for (int64_t i = 0; i < n; ++i) {
          const uint64_t bits = load_bits(src + i * 8, 8, be);
          std::memcpy(out + i, &bits, 8);
        }
      }
      break;
    }
  }
  return t;
}

}  // namespace nabla::io::detail
