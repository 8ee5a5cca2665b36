#pragma once
// NumPy .npy files: one array, a small text header, then the raw elements.
#include <cstdint>
#include <string>
#include <vector>

#include "nabla/tensor.h"

namespace nabla::io {

/// Reads a .npy file (format versions 1.0, 2.0 and 3.0).
/// Element types keep their stored dtype: '<f2' → float16, '<f4' → float32, '<f8' → float64,
/// '|u1' → uint8, '<i4' → int32, '<i8' → int64, '|b1' → bool; types nabla lacks widen to the
/// smallest that holds them: int8/int16/uint16 → int32, uint32/uint64 → int64 (uint64 values
/// above INT64_MAX raise Error). Big-endian ('>') data is byte-swapped. fortran_order: True arrays
/// are returned in C (row-major) order.
/// Raises Error naming the file for a missing, truncated, oversized or malformed file and for
/// unsupported element types (structured, complex, strings, objects).
Tensor load_npy(const std::string& path);

/// As load_npy, parsing `size` bytes at `data`; `source` names the buffer in error messages.
Tensor load_npy_bytes(const uint8_t* data, size_t size, const std::string& source = "<memory>");

/// Writes `tensor` as .npy (version 1.0, or 2.0 when the header exceeds 65535 bytes) in C order:
/// float32 '<f4', float64 '<f8', float16 '<f2', int64 '<i8', int32 '<i4', uint8 '|u1', bool '|b1'
/// (bfloat16, which NumPy lacks, raises Error). Non-contiguous tensors are written in
/// logical order. The file is replaced atomically (written to "<path>.tmp.<pid>", fsynced, renamed).
void save_npy(const std::string& path, const Tensor& tensor);

/// The .npy encoding of `tensor`, as save_npy writes it.
std::vector<uint8_t> save_npy_bytes(const Tensor& tensor);

}  // namespace nabla::io
