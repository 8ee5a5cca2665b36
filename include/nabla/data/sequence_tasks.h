#pragma once
// Generated sequence tasks for the sequence models of nabla::models (docs/sequence-models.md):
// digit-string reversal (seq2seq), contiguous-pattern detection (many-to-one classification),
// counting sequences (masked LM with a sequence label) and captions of image grids. Every
// generator is deterministic given its Generator.
#include <cstdint>
#include <vector>

#include "nabla/random.h"
#include "nabla/tensor.h"

namespace nabla::data {

/// Token ids shared by the generated tasks: padding 0, begin 1, end 2; the task's own symbols
/// start at kFirstSymbol.
inline constexpr int64_t kPadId = 0;
inline constexpr int64_t kBosId = 1;
inline constexpr int64_t kEosId = 2;
inline constexpr int64_t kFirstSymbol = 3;

/// A padded batch of source/target pairs for an encoder–decoder, batch-first, int64:
/// src (B, S) padded with kPadId, src_lengths, tgt_in = kBosId + target (B, T) and
/// tgt_out = target + kEosId (B, T), both padded with kPadId.
struct Seq2SeqBatch {
  Tensor src, tgt_in, tgt_out;
  std::vector<int64_t> src_lengths;
};

/// Pads token sequences (each non-empty) into a Seq2SeqBatch; targets[i] answers sources[i].
/// Raises Error naming the sizes when the two lists differ in length or are empty.
Seq2SeqBatch make_seq2seq_batch(const std::vector<std::vector<int64_t>>& sources,
                                const std::vector<std::vector<int64_t>>& targets);

/// Whether a digit string (values 0–9) belongs to the held-out split of the digit tasks: a fixed
/// hash of the string picks about one string in ten, so training and held-out strings never meet.
bool is_held_out_digits(const std::vector<int64_t>& digits);

/// `count` random digit strings with lengths uniform in [min_len, max_len], all from the training
/// split (held_out false) or all from the held-out split (is_held_out_digits). Digits are 0–9.
std::vector<std::vector<int64_t>> random_digit_strings(int64_t count, int64_t min_len, int64_t max_len,
                                                       bool held_out, Generator& gen);

/// The reversal task: each string becomes source tokens (digit + kFirstSymbol) and the same tokens
/// reversed as the target. Vocabulary: kFirstSymbol + 10 ids.
Seq2SeqBatch reversal_batch(const std::vector<std::vector<int64_t>>& digit_strings);

/// A padded batch of sequences with one class label each: tokens (B, T) int64 padded with kPadId,
/// labels (B) int64, lengths.
struct LabelledBatch {
  Tensor tokens, labels;
  std::vector<int64_t> lengths;
};

/// Pattern detection: sequences of symbols 1…num_symbols (ids kPadId + 1 …), lengths uniform in
/// [min_len, max_len], labelled 1 when `pattern` (symbol ids) occurs contiguously and 0 otherwise;
/// half of each batch (in random order) is positive. Error when the pattern is longer than min_len
/// or holds an id outside 1…num_symbols.
LabelledBatch pattern_batch(int64_t batch_size, int64_t min_len, int64_t max_len, int64_t num_symbols,
                            const std::vector<int64_t>& pattern, Generator& gen);

/// Counting sequences for a masked LM: `length` symbols s_t = (s_0 + t·d) mod num_symbols with a
/// random start and a step d of ±1, ±2 or ±3, as ids first_id + s_t; label 0 for an ascending
/// sequence (d > 0), 1 for a descending one. tokens (B, length) int64, every length equal.
/// There are 6·num_symbols sequences; about one in six (start, d) pairs, some of every d, form
/// the held-out split: all drawn sequences come from it (held_out true) or none (false).
LabelledBatch counting_batch(int64_t batch_size, int64_t length, int64_t num_symbols, int64_t first_id,
                             Generator& gen, bool held_out = false);

/// Image grids with captions: each of batch_size images is a rows × cols grid of random items of
/// `images` (N, H, W) — (B, 1, rows·H, cols·W) float32, pixels as given — and its caption is the
/// items' labels read row by row, (B, rows·cols) int64. `labels` (N) int64.
struct ItemGridBatch {
  Tensor images, labels;
};
/// See ItemGridBatch. Draws items with replacement from indices [first, first + count) of
/// `images`, so disjoint ranges make disjoint training and held-out items. Pass images as float32
/// and labels as int64 to avoid a conversion of the whole set at every call.
ItemGridBatch item_grid_batch(const Tensor& images, const Tensor& labels, int64_t first, int64_t count,
                              int64_t batch_size, int64_t rows, int64_t cols, Generator& gen);

/// The captions of an ItemGridBatch as a decoder batch: class k becomes token kFirstSymbol + k,
/// tgt_in = kBosId + caption, tgt_out = caption + kEosId (src holds the caption too, unused by a
/// captioner). `labels` (B, items) int64.
Seq2SeqBatch caption_batch(const Tensor& labels);

/// How decoded sequences compare with their targets: pred (B, L) and target (B, T) int64, the
/// target's kPadId positions ignored, a target position beyond L counted as wrong.
struct SequenceMatch {
  double exact = 0;  ///< fraction of rows right at every target position
  double token = 0;  ///< fraction of target positions right
};
/// See SequenceMatch. Error naming the shapes when the batch sizes differ.
SequenceMatch sequence_match(const Tensor& pred, const Tensor& target);

}  // namespace nabla::data
