#pragma once
// Element types and compile-time dispatch over them.
#include <cstdint>
#include <string>

#include "nabla/error.h"

namespace nabla {

/// Element type of a tensor. Float32 is the default.
enum class DType : uint8_t { Float32, Float64, Int64, Bool };

/// Size in bytes of one element of `dt`.
constexpr size_t dtype_size(DType dt) {
  switch (dt) {
    case DType::Float32: return 4;
    case DType::Float64: return 8;
    case DType::Int64: return 8;
    case DType::Bool: return 1;
  }
  return 0;
}

/// PyTorch-style name: "float32", "float64", "int64", "bool".
std::string dtype_name(DType dt);

/// True for Float32 and Float64.
constexpr bool is_floating(DType dt) { return dt == DType::Float32 || dt == DType::Float64; }

/// The dtype an op on `a` and `b` computes in (bool < int64 < float32 < float64).
constexpr DType promote(DType a, DType b) {
  auto rank = [](DType d) {
    switch (d) {
      case DType::Bool: return 0;
      case DType::Int64: return 1;
      case DType::Float32: return 2;
      case DType::Float64: return 3;
    }
    return 0;
  };
  return rank(a) >= rank(b) ? a : b;
}

/// C++ type of each dtype (bool is stored as one byte).
template <class T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::Float32; }
template <> constexpr DType dtype_of<double>() { return DType::Float64; }
template <> constexpr DType dtype_of<int64_t>() { return DType::Int64; }
template <> constexpr DType dtype_of<bool>() { return DType::Bool; }

/// Calls `f.template operator()<T>()` with T the C++ type of `dt`.
template <class F>
decltype(auto) dispatch_all(DType dt, F&& f) {
  switch (dt) {
    case DType::Float32: return f.template operator()<float>();
    case DType::Float64: return f.template operator()<double>();
    case DType::Int64: return f.template operator()<int64_t>();
    case DType::Bool: return f.template operator()<bool>();
  }
  throw Error("dispatch_all: unknown dtype");
}

/// Like dispatch_all, for float32/float64 only; other dtypes raise an Error naming `op`.
template <class F>
decltype(auto) dispatch_floating(DType dt, const char* op, F&& f) {
  switch (dt) {
    case DType::Float32: return f.template operator()<float>();
    case DType::Float64: return f.template operator()<double>();
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
    default: throw Error(str_cat(op, ": not supported for dtype ", dtype_name(dt)));
  }
}

}  // namespace nabla
