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

/// The nabla dtype a stored format loads as: bool → Bool; every integer → Int64;
/// float16, bfloat16, float32 → Float32; float64 → Float64.
DType load_dtype(ElementFormat fmt);

/// True when the stored bytes can be copied unchanged into a tensor of load_dtype(fmt).
bool is_identity_format(ElementFormat fmt);

/// Decodes `shape_numel(shape)` elements stored at `src` into a new contiguous tensor of
/// load_dtype(fmt). Bool bytes other than 0 read as true. Fails through `ctx` for uint64
/// values above INT64_MAX. The caller has checked that `src` holds numel * fmt.size bytes.
Tensor decode_elements(const uint8_t* src, const Shape& shape, ElementFormat fmt, const ErrorContext& ctx);

/// IEEE half → float (exact, including subnormals, infinities and NaN).
float half_to_float(uint16_t h);

}  // namespace nabla::io::detail
