#pragma once
// The .npz reader and writer over any byte source or sink (used by npz.cpp and the tests).
#include <map>
#include <string>

#include "io/io_util.h"
#include "nabla/tensor.h"

namespace nabla::io::detail {

/// Parses a whole .npz image; every problem fails through `ctx`.
StateDict parse_npz(const uint8_t* data, size_t size, const ErrorContext& ctx);

/// Writes `tensors` as a stored ZIP of .npy members; `force_zip64` writes ZIP64 records for
/// every member (normally only used when sizes need them; tests use it to cover that path).
void write_npz(ByteSink& sink, const StateDict& tensors, bool force_zip64);

}  // namespace nabla::io::detail
