#pragma once
// The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of
// JSON {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...,
// "__metadata__": {"key": "value"}}, then one byte buffer holding every tensor back to back.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "nabla/tensor.h"

namespace nabla::io {

/// The contents of a safetensors file.
struct SafetensorsFile {
  StateDict tensors;
  std::map<std::string, std::string> metadata;  // the "__metadata__" object (string → string)
};

/// Reads a safetensors file, validating it fully: header length against the file size (and at
/// most 100 MB), JSON syntax, every entry's keys, dtype, shape (non-negative integers) and
/// data_offsets (inside the buffer, matching shape × element size), and that the tensors cover
/// the buffer exactly, with no overlap and no holes. dtypes: F32 → float32, F64 → float64,
/// F16 → float16, BF16 → bfloat16, I64 → int64, I32 → int32, U8 → uint8, BOOL → bool (the stored
/// dtype is kept); types nabla lacks widen: I8, I16, U16 → int32; U32, U64 → int64 (U64 values
/// above INT64_MAX raise Error).
/// Raises Error naming the file, the tensor and the problem.
SafetensorsFile load_safetensors(const std::string& path);

/// As load_safetensors, parsing `size` bytes at `data`; `source` names the buffer in errors.
SafetensorsFile load_safetensors_bytes(const uint8_t* data, size_t size, const std::string& source = "<memory>");

/// Writes `tensors` (float32 F32, float64 F64, float16 F16, bfloat16 BF16, int64 I64, int32 I32,
/// uint8 U8, bool BOOL; non-contiguous tensors in
/// logical order) and `metadata` as safetensors; the header is padded with spaces to a multiple
/// of 8 bytes and the buffer holds the tensors by element size (largest first), then name, so
/// each starts aligned to its element size. Names must not be
/// "__metadata__" and must be valid UTF-8 (as must metadata). The file is replaced atomically
/// (written to "<path>.tmp.<pid>", fsynced, renamed over `path`).
void save_safetensors(const std::string& path, const StateDict& tensors,
                      const std::map<std::string, std::string>& metadata = {});

/// The safetensors encoding, as save_safetensors writes it.
std::vector<uint8_t> save_safetensors_bytes(const StateDict& tensors,
                                            const std::map<std::string, std::string>& metadata = {});

}  // namespace nabla::io
