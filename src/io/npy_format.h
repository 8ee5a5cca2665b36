#pragma once
// The .npy encoding, shared by the .npy and .npz readers and writers.
#include <cstdint>
#include <string>

#include "io/io_util.h"
#include "nabla/tensor.h"

namespace nabla::io::detail {

/// Parses a whole .npy image (magic, header, elements); every problem fails through `ctx`.
Tensor parse_npy(const uint8_t* data, size_t size, const ErrorContext& ctx);

/// Everything before the elements of `t` (magic, version, header length, padded header dict),
/// padded so that the elements start at a multiple of 64 bytes.
std::string npy_preamble(const Tensor& t);

/// Number of element bytes that follow npy_preamble for a contiguous `t`.
inline size_t npy_data_size(const Tensor& t) { return static_cast<size_t>(t.numel()) * t.element_size(); }

}  // namespace nabla::io::detail
