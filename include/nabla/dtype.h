#pragma once
// Element types and compile-time dispatch over them.
#include <cstdint>
#include <string>

#include "nabla/error.h"
#include "nabla/half.h"

namespace nabla {

/// Element type of a tensor. Float32 is the default. BFloat16 and Float16 are storage types:
/// tensors of them can be created, converted, copied, indexed, joined, compared and saved, and
/// arithmetic on them raises Error naming the op (convert with `to(DType::Float32)` first).
/// New values are appended, so the numbering of the older ones does not change.
enum class DType : uint8_t { Float32, Float64, Int64, Bool, UInt8, Int32, BFloat16, Float16 };

/// Size in bytes of one element of `dt`.
constexpr size_t dtype_size(DType dt) {
  switch (dt) {
    case DType::Float32: return 4;
    case DType::Float64: return 8;
    case DType::Int64: return 8;
    case DType::Bool: return 1;
    case DType::UInt8: return 1;
    case DType::Int32: return 4;
    case DType::BFloat16: return 2;
    case DType::Float16: return 2;
  }
  return 0;
}

/// PyTorch-style name: "float32", "float64", "int64", "bool", "uint8", "int32", "bfloat16",
/// "float16".
std::string dtype_name(DType dt);

/// True for the floating-point dtypes (the 16-bit storage types included, as torch's
/// is_floating_point).
constexpr bool is_floating(DType dt) {
  return dt == DType::Float32 || dt == DType::Float64 || dt == DType::BFloat16 || dt == DType::Float16;
}

/// True for the 16-bit storage-only dtypes (bfloat16, float16).
constexpr bool is_half(DType dt) { return dt == DType::BFloat16 || dt == DType::Float16; }

/// True for uint8, int32 and int64.
constexpr bool is_integral(DType dt) { return dt == DType::UInt8 || dt == DType::Int32 || dt == DType::Int64; }

/// The dtype an op on tensors `a` and `b` computes in, as torch.result_type for two tensors:
/// bool < uint8 < int32 < int64 < {float16, bfloat16} < float32 < float64, and float16 with
/// bfloat16 gives float32 (neither holds the other).
constexpr DType promote(DType a, DType b) {
  auto rank = [](DType d) {
    switch (d) {
      case DType::Bool: return 0;
      case DType::UInt8: return 1;
      case DType::Int32: return 2;
      case DType::Int64: return 3;
      case DType::BFloat16: return 4;
      case DType::Float16: return 4;
      case DType::Float32: return 5;
      case DType::Float64: return 6;
    }
    return 0;
  };
  if (a != b && is_half(a) && is_half(b)) return DType::Float32;
  return rank(a) >= rank(b) ? a : b;
}

/// C++ type of each dtype (bool is stored as one byte).
template <class T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::Float32; }
template <> constexpr DType dtype_of<double>() { return DType::Float64; }
template <> constexpr DType dtype_of<int64_t>() { return DType::Int64; }
template <> constexpr DType dtype_of<bool>() { return DType::Bool; }
template <> constexpr DType dtype_of<uint8_t>() { return DType::UInt8; }
template <> constexpr DType dtype_of<int32_t>() { return DType::Int32; }
template <> constexpr DType dtype_of<bfloat16>() { return DType::BFloat16; }
template <> constexpr DType dtype_of<float16>() { return DType::Float16; }

namespace detail {
/// The Error raised when `op` meets a storage-only dtype.
[[noreturn]] void throw_storage_only(const char* op, DType dt);
}  // namespace detail

/// Calls `f.template operator()<T>()` with T the C++ type of `dt`, for the dtypes that compute
/// (all but bfloat16/float16, which raise an Error naming `op`).
template <class F>
decltype(auto) dispatch_all(DType dt, const char* op, F&& f) {
  switch (dt) {
    case DType::Float32: return f.template operator()<float>();
    case DType::Float64: return f.template operator()<double>();
    case DType::Int64: return f.template operator()<int64_t>();
    case DType::Bool: return f.template operator()<bool>();
    case DType::UInt8: return f.template operator()<uint8_t>();
    case DType::Int32: return f.template operator()<int32_t>();
    default: detail::throw_storage_only(op, dt);
  }
}

/// Calls `f.template operator()<T>()` with T the C++ type of `dt`, for every dtype, the 16-bit
/// storage types included (for copies, conversions and moves of elements).
template <class F>
decltype(auto) dispatch_storage(DType dt, F&& f) {
  if (dt == DType::BFloat16) return f.template operator()<bfloat16>();
  if (dt == DType::Float16) return f.template operator()<float16>();
  return dispatch_all(dt, "dispatch_storage", f);
}

/// Like dispatch_all, for float32/float64 only; other dtypes raise an Error naming `op`.
template <class F>
decltype(auto) dispatch_floating(DType dt, const char* op, F&& f) {
  switch (dt) {
    case DType::Float32: return f.template operator()<float>();
    case DType::Float64: return f.template operator()<double>();
    case DType::BFloat16:
    case DType::Float16: detail::throw_storage_only(op, dt);
    default: throw Error(str_cat(op, ": expected a floating-point tensor, got ", dtype_name(dt)));
  }
}

/// Like dispatch_all, excluding bool (arithmetic types).
template <class F>
decltype(auto) dispatch_arith(DType dt, const char* op, F&& f) {
  switch (dt) {
    case DType::Float32: return f.template operator()<float>();
    case DType::Float64: return f.template operator()<double>();
    case DType::Int64: return f.template operator()<int64_t>();
    case DType::UInt8: return f.template operator()<uint8_t>();
    case DType::Int32: return f.template operator()<int32_t>();
    case DType::BFloat16:
    case DType::Float16: detail::throw_storage_only(op, dt);
    default: throw Error(str_cat(op, ": not supported for dtype ", dtype_name(dt)));
  }
}

}  // namespace nabla
