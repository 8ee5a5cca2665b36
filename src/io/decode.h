#pragma once
// Decoding stored elements (any width, either byte order) into nabla's dtypes. Shared by the
// npy, safetensors and IDX readers, which describe what a file holds with an ElementFormat.
#include <cstdint>

#include "io/io_util.h"
#include "nabla/tensor.h"

namespace nabla::io::detail {

/// How one stored element is encoded.
struct ElementFormat {
  enum Kind : uint8_t { Bool, Int, UInt, Float, BFloat } kind;
  uint8_t size;       // bytes per element: 1, 2, 4 or 8
  bool big_endian;    // byte order of multi-byte elements
};

/// The nabla dtype a stored format loads as, keeping the stored type where nabla has it:
/// bool → Bool; uint8 → UInt8; int8, int16, int32, uint16 → Int32; int64, uint32, uint64 →
/// Int64; float16 → Float16; bfloat16 → BFloat16; float32 → Float32; float64 → Float64.
DType load_dtype(ElementFormat fmt);

/// True when the stored bytes can be copied unchanged into a tensor of load_dtype(fmt).
bool is_identity_format(ElementFormat fmt);

/// Decodes `shape_numel(shape)` elements stored at `src` into a new contiguous tensor of
/// load_dtype(fmt). Bool bytes other than 0 read as true. Fails through `ctx` for uint64
/// values above INT64_MAX. The caller has checked that `src` holds numel * fmt.size bytes.
Tensor decode_elements(const uint8_t* src, const Shape& shape, ElementFormat fmt, const ErrorContext& ctx);

}  // namespace nabla::io::detail
