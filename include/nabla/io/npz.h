#pragma once
// NumPy .npz archives: a ZIP file with one .npy member per array (np.savez, np.savez_compressed).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "nabla/tensor.h"

namespace nabla::io {

/// Reads every member of a .npz archive; keys are the member names without ".npy".
/// Members may be stored (np.savez) or deflate-compressed (np.savez_compressed); ZIP64 archives
/// are read. Each member is read as by load_npy (same dtypes and conversions). Raises Error
/// naming the file (and member) for missing, truncated or corrupt archives, CRC-32 mismatches,
/// encrypted members, other compression methods, members not ending in ".npy" and duplicates.
StateDict load_npz(const std::string& path);

/// As load_npz, parsing `size` bytes at `data`; `source` names the buffer in error messages.
StateDict load_npz_bytes(const uint8_t* data, size_t size,
                                             const std::string& source = "<memory>");

/// Writes the tensors as an uncompressed .npz (each as "<name>.npy", in key order), readable by
/// np.load. ZIP64 records are added only when sizes or offsets need them. Names must be
/// non-empty. The file is replaced atomically (written to "<path>.tmp.<pid>", fsynced, renamed).
void save_npz(const std::string& path, const StateDict& tensors);

/// The .npz encoding of `tensors`, as save_npz writes it.
std::vector<uint8_t> save_npz_bytes(const StateDict& tensors);

}  // namespace nabla::io
