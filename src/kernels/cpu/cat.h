#pragma once
// Concatenation kernel: byte blocks copied side by side into the rows of the output.
#include <cstdint>
#include <vector>

namespace nabla::cpu {

/// out is (outer, Σ piece_bytes) bytes, contiguous; piece p is (outer, piece_bytes[p]) bytes,
/// contiguous, and lands in columns [Σ_{q<p} piece_bytes[q], …) of every row. Each block is one
/// memcpy; (row, piece) pairs are spread over threads when the copy is large.
void cat_rows(char* out, int64_t outer, const std::vector<const char*>& pieces, const std::vector<int64_t>& piece_bytes);

}  // namespace nabla::cpu
