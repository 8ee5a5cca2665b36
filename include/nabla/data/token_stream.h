#pragma once
// Language-model data over one stream of token ids: fixed-length blocks and a train/validation
// split.
#include <cstdint>
#include <utility>
#include <vector>

#include "nabla/data/dataset.h"
#include "nabla/random.h"

namespace nabla::data {

/// Next-token prediction over a stream of ids (e.g. BpeTokenizer::encode or CharVocab::encode of
/// a corpus): sample i has input ids[i·stride, i·stride + L) and target ids[i·stride + 1,
/// i·stride + L + 1), both int64 of length L = block_size. The positions depend only on the
/// index; shuffle with a seeded sampler, or draw nanoGPT-style batches with random_batch.
class TokenStream : public Dataset {
 public:
  /// `stride` defaults to block_size (non-overlapping blocks). Error when the stream is shorter
  /// than block_size + 1 or block_size, stride are not positive.
  TokenStream(std::vector<int64_t> ids, int64_t block_size, int64_t stride = 0);
  int64_t size() const override { return count_; }
  Example get(int64_t index) const override;
  /// Stacks the blocks of `indices` into (B, L) input and target tensors.
  bool get_batch(const std::vector<int64_t>& indices, Batch& out) const override;
  /// `batch_size` blocks starting at offsets drawn uniformly from [0, ids.size() − L − 1] with
  /// randint(…, gen), any offset, not only multiples of the stride (nanoGPT's get_batch):
  /// input and target (batch_size, L). The same generator state gives the same batch.
  Batch random_batch(int64_t batch_size, Generator& gen) const;

  const std::vector<int64_t>& ids() const { return ids_; }
  int64_t block_size() const { return block_size_; }
  int64_t stride() const { return stride_; }

 private:
  Batch blocks_at(const std::vector<int64_t>& starts) const;

  std::vector<int64_t> ids_;
  int64_t block_size_, stride_, count_;
};

/// Splits a token stream into (train, validation): the validation part is the contiguous tail,
/// train is ids[0, ⌊n·(1 − val_fraction)⌋) as nanoGPT's split, validation the rest. Deterministic,
/// and no block of one part overlaps the other (docs/text.md says why a tail and not documents).
/// Error unless 0 ≤ val_fraction < 1.
std::pair<std::vector<int64_t>, std::vector<int64_t>> split_tokens(const std::vector<int64_t>& ids,
                                                                   double val_fraction);

}  // namespace nabla::data
