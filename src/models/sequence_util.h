#pragma once
// Private helpers of the sequence models: checking token batches and their lengths, padding masks.
#include <cstdint>
#include <vector>

#include "nabla/error.h"
#include "nabla/ops.h"

namespace nabla::models::detail {

/// The lengths of a batch of ids `tokens` (B, T) int64: `lengths` itself when it has B entries in
/// [1, T], T for every row when empty; Error naming `who` otherwise.
inline std::vector<int64_t> checked_lengths(const char* who, const Tensor& tokens, const std::vector<int64_t>& lengths,
                                            int64_t vocab) {
  NABLA_CHECK(tokens.dim() == 2 && tokens.dtype() == DType::Int64 && tokens.size(1) > 0,
              who, ": expected ids (B, T) int64 with T > 0 (vocabulary of ", vocab, "), got ", tokens.shape(), " ",
              dtype_name(tokens.dtype()));
  const int64_t b = tokens.size(0), t = tokens.size(1);
  if (lengths.empty()) return std::vector<int64_t>(static_cast<size_t>(b), t);
  NABLA_CHECK(static_cast<int64_t>(lengths.size()) == b, who, ": expected ", b, " lengths, got ", lengths.size());
  for (int64_t n : lengths) NABLA_CHECK(n >= 1 && n <= t, who, ": lengths must be in [1, ", t, "], got ", n);
  return lengths;
}

/// (B, T) bool, true at the steps past each row's length.
inline Tensor padding_mask(const std::vector<int64_t>& lengths, int64_t t) {
  const int64_t b = static_cast<int64_t>(lengths.size());
  return ge(arange(0, static_cast<double>(t), 1, DType::Int64).unsqueeze(0), from_vector(lengths, Shape{b, 1}));
}

}  // namespace nabla::models::detail
