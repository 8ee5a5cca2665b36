#pragma once
// Contiguous batches for truncated backpropagation through time (PyTorch's word_language_model
// batchify / get_batch): a token stream cut into B parallel rows, read T tokens at a time, so
// that row b of chunk i + 1 continues row b of chunk i and a recurrent model can carry its state
// from one chunk to the next.
#include <cstdint>
#include <vector>

#include "nabla/data/dataset.h"

namespace nabla::data {

/// The stream ids[0, B·L) (the remainder dropped) as B rows of L = ⌊n/B⌋ consecutive tokens:
/// row b is ids[b·L, (b + 1)·L). Sample i is chunk i: input rows[:, i·T, i·T + t) and target
/// rows[:, i·T + 1, i·T + t + 1), both (B, t) int64 with t = min(T, L − 1 − i·T) (the last chunk
/// may be shorter). Read the chunks in order (no shuffling) to carry a state between them.
class BpttStream : public Dataset {
 public:
  /// Error unless batch_size and seq_len are positive and every row holds at least 2 tokens.
  BpttStream(const std::vector<int64_t>& ids, int64_t batch_size, int64_t seq_len);
  /// Number of chunks, ⌈(L − 1)/T⌉.
  int64_t size() const override { return count_; }
  /// Chunk `index`: input and target (B, t).
  Example get(int64_t index) const override;
  /// The chunk of a single index as the batch (a DataLoader with batch_size 1 yields chunks
  /// unchanged); Error for more than one index, as chunks of different lengths do not stack.
  bool get_batch(const std::vector<int64_t>& indices, Batch& out) const override;

  int64_t batch_size() const { return rows_.size(0); }
  int64_t seq_len() const { return seq_len_; }
  /// Tokens predicted in one pass over the chunks: B·(L − 1).
  int64_t num_targets() const { return rows_.size(0) * (rows_.size(1) - 1); }

 private:
  Tensor rows_;  // (B, L) int64
  int64_t seq_len_, count_;
};

}  // namespace nabla::data
