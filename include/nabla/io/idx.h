#pragma once
// IDX files (the MNIST family): magic 0x00 0x00 <type> <ndim>, ndim big-endian uint32 sizes,
// then the elements, big-endian. Plain or gzip-compressed (detected by the 1f 8b magic).
#include <cstdint>
#include <string>
#include <vector>

#include "nabla/tensor.h"

namespace nabla::io {

/// IDX element type codes.
enum IdxType : uint8_t {
  kIdxUInt8 = 0x08,
  kIdxInt8 = 0x09,
  kIdxInt16 = 0x0B,
  kIdxInt32 = 0x0C,
  kIdxFloat32 = 0x0D,
  kIdxFloat64 = 0x0E,
};

/// An IDX array as a tensor of the stored dtype (uint8 images and labels stay uint8).
struct IdxArray {
  Tensor data;        // the stored dtype: uint8 (0x08), int32 (0x09, 0x0B, 0x0C), float32, float64
  uint8_t type_code;  // the stored type (one of IdxType)
  Shape shape;        // the dims from the file (also data.shape())
};

/// Reads an IDX file (plain or gzip). Raises Error naming the file for a missing file, a bad
/// magic or type code, corrupt gzip data, or a data size that differs from the product of the
/// dims times the element size (truncated or oversized; the message gives both sizes).
IdxArray read_idx(const std::string& path);

/// As read_idx, parsing `size` bytes at `data` (plain or gzip); `source` names it in errors.
IdxArray read_idx_bytes(const uint8_t* data, size_t size, const std::string& source = "<memory>");

}  // namespace nabla::io
