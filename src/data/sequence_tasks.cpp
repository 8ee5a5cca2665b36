#include "nabla/data/sequence_tasks.h"

#include <algorithm>

#include "nabla/error.h"
#include "nabla/ops.h"
#include "random_util.h"

namespace nabla::data {

namespace {

// Pads rows into a (B, width) int64 tensor filled with kPadId.
std::vector<int64_t> padded(const std::vector<std::vector<int64_t>>& rows, int64_t width, int64_t prefix,
                            int64_t suffix) {
  std::vector<int64_t> out(rows.size() * static_cast<size_t>(width), kPadId);
  for (size_t i = 0; i < rows.size(); ++i) {
    int64_t* row = out.data() + i * static_cast<size_t>(width);
    int64_t j = 0;
    if (prefix >= 0) row[j++] = prefix;
    for (int64_t v : rows[i]) row[j++] = v;
    if (suffix >= 0) row[j++] = suffix;
  }
  return out;
}

bool contains(const std::vector<int64_t>& seq, const std::vector<int64_t>& pattern) {
  return std::search(seq.begin(), seq.end(), pattern.begin(), pattern.end()) != seq.end();
}

}  // namespace

Seq2SeqBatch make_seq2seq_batch(const std::vector<std::vector<int64_t>>& sources,
                                const std::vector<std::vector<int64_t>>& targets) {
  NABLA_CHECK(!sources.empty() && sources.size() == targets.size(), "make_seq2seq_batch: expected as many targets as ",
              "sources (at least one), got ", sources.size(), " sources and ", targets.size(), " targets");
  const int64_t b = static_cast<int64_t>(sources.size());
  int64_t s = 0, t = 0;
  Seq2SeqBatch out;
  for (size_t i = 0; i < sources.size(); ++i) {
    NABLA_CHECK(!sources[i].empty(), "make_seq2seq_batch: source ", i, " is empty");
    s = std::max(s, static_cast<int64_t>(sources[i].size()));
    t = std::max(t, static_cast<int64_t>(targets[i].size()) + 1);
    out.src_lengths.push_back(static_cast<int64_t>(sources[i].size()));
  }
  out.src = from_vector(padded(sources, s, -1, -1), Shape{b, s});
  out.tgt_in = from_vector(padded(targets, t, kBosId, -1), Shape{b, t});
  out.tgt_out = from_vector(padded(targets, t, -1, kEosId), Shape{b, t});
  return out;
}

bool is_held_out_digits(const std::vector<int64_t>& digits) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a over the digits, then the length
  for (int64_t d : digits) h = (h ^ static_cast<uint64_t>(d)) * 1099511628211ull;
  h = (h ^ digits.size()) * 1099511628211ull;
  return (h >> 32) % 10 == 0;
}

std::vector<std::vector<int64_t>> random_digit_strings(int64_t count, int64_t min_len, int64_t max_len,
                                                       bool held_out, Generator& gen) {
  NABLA_CHECK(count >= 0 && min_len >= 1 && max_len >= min_len, "random_digit_strings: expected count >= 0 and ",
              "1 <= min_len <= max_len, got count ", count, ", lengths [", min_len, ", ", max_len, "]");
  std::vector<std::vector<int64_t>> out;
  while (static_cast<int64_t>(out.size()) < count) {
    std::vector<int64_t> s(static_cast<size_t>(detail::uniform_int(gen, min_len, max_len + 1)));
    for (auto& d : s) d = detail::uniform_int(gen, 0, 10);
    if (is_held_out_digits(s) == held_out) out.push_back(std::move(s));
  }
  return out;
}

Seq2SeqBatch reversal_batch(const std::vector<std::vector<int64_t>>& digit_strings) {
  std::vector<std::vector<int64_t>> src, tgt;
  for (const auto& s : digit_strings) {
    std::vector<int64_t> tokens;
    for (int64_t d : s) {
      NABLA_CHECK(d >= 0 && d <= 9, "reversal_batch: digits must be 0-9, got ", d);
      tokens.push_back(d + kFirstSymbol);
    }
    src.push_back(tokens);
    std::reverse(tokens.begin(), tokens.end());
    tgt.push_back(std::move(tokens));
  }
  return make_seq2seq_batch(src, tgt);
}

LabelledBatch pattern_batch(int64_t batch_size, int64_t min_len, int64_t max_len, int64_t num_symbols,
                            const std::vector<int64_t>& pattern, Generator& gen) {
  const int64_t p = static_cast<int64_t>(pattern.size());
  NABLA_CHECK(batch_size > 0 && num_symbols >= 2 && p >= 1 && p <= min_len && min_len <= max_len,
              "pattern_batch: expected batch_size > 0, num_symbols >= 2 and 1 <= pattern length <= min_len <= max_len, ",
              "got batch_size ", batch_size, ", num_symbols ", num_symbols, ", pattern length ", p, ", lengths [",
              min_len, ", ", max_len, "]");
  for (int64_t v : pattern)
    NABLA_CHECK(v >= 1 && v <= num_symbols, "pattern_batch: pattern ids must be in [1, ", num_symbols, "], got ", v);
  std::vector<std::vector<int64_t>> rows;
  std::vector<int64_t> labels;
  for (int64_t i = 0; i < batch_size; ++i) {
    const bool positive = detail::uniform_int(gen, 0, 2) == 1;
    std::vector<int64_t> s(static_cast<size_t>(detail::uniform_int(gen, min_len, max_len + 1)));
    do {
      for (auto& v : s) v = detail::uniform_int(gen, 1, num_symbols + 1);
      if (positive) {
        const int64_t at = detail::uniform_int(gen, 0, static_cast<int64_t>(s.size()) - p + 1);
        std::copy(pattern.begin(), pattern.end(), s.begin() + at);
      }
    } while (contains(s, pattern) != positive);
    rows.push_back(std::move(s));
    labels.push_back(positive ? 1 : 0);
  }
  LabelledBatch out;
  int64_t t = 0;
  for (const auto& r : rows) {
    out.lengths.push_back(static_cast<int64_t>(r.size()));
    t = std::max(t, static_cast<int64_t>(r.size()));
  }
  out.tokens = from_vector(padded(rows, t, -1, -1), Shape{batch_size, t});
  out.labels = from_vector(labels, Shape{batch_size});
  return out;
}

LabelledBatch counting_batch(int64_t batch_size, int64_t length, int64_t num_symbols, int64_t first_id,
                             Generator& gen, bool held_out) {
  NABLA_CHECK(batch_size > 0 && length > 0 && num_symbols > 6 && first_id >= 0, "counting_batch: expected ",
              "batch_size > 0, length > 0, num_symbols > 6 and first_id >= 0, got ", batch_size, ", ", length, ", ",
              num_symbols, ", ", first_id);
  std::vector<int64_t> tokens(static_cast<size_t>(batch_size * length)), labels(static_cast<size_t>(batch_size));
  for (int64_t i = 0; i < batch_size; ++i) {
    int64_t start = 0, step = 0;
    bool descending = false;
    do {
      start = detail::uniform_int(gen, 0, num_symbols);
      step = detail::uniform_int(gen, 1, 4);
      descending = detail::uniform_int(gen, 0, 2) == 1;
      // The split depends on the middle symbol and |d| only, so a sequence and its reverse (same
      // symbols, opposite label) always fall in the same split.
    } while ((((start + (length / 2) * (descending ? num_symbols - step : step)) % num_symbols + step) % 6 == 0) !=
             held_out);
    const int64_t d = descending ? num_symbols - step : step;  // -step mod num_symbols
    for (int64_t t = 0; t < length; ++t) tokens[static_cast<size_t>(i * length + t)] = first_id + (start + t * d) % num_symbols;
    labels[static_cast<size_t>(i)] = descending ? 1 : 0;
  }
  LabelledBatch out;
  out.tokens = from_vector(tokens, Shape{batch_size, length});
  out.labels = from_vector(labels, Shape{batch_size});
  out.lengths.assign(static_cast<size_t>(batch_size), length);
  return out;
}

ItemGridBatch item_grid_batch(const Tensor& images, const Tensor& labels, int64_t first, int64_t count,
                              int64_t batch_size, int64_t rows, int64_t cols, Generator& gen) {
  NABLA_CHECK(images.dim() == 3 && labels.dim() == 1 && labels.size(0) == images.size(0),
              "item_grid_batch: expected images (N, H, W) and labels (N), got ", images.shape(), " and ",
              labels.shape());
  NABLA_CHECK(first >= 0 && count > 0 && first + count <= images.size(0) && batch_size > 0 && rows > 0 && cols > 0,
              "item_grid_batch: items [", first, ", ", first + count, ") must lie in [0, ", images.size(0),
              ") and batch_size, rows, cols be positive");
  const int64_t h = images.size(1), w = images.size(2), n = rows * cols;
  std::vector<int64_t> items(static_cast<size_t>(batch_size * n));
  for (auto& item : items) item = first + detail::uniform_int(gen, 0, count);
  const Tensor index = from_vector(items, Shape{batch_size * n});
  // (B·n, H, W) items → (B, rows, cols, H, W) → (B, rows, H, cols, W): cell k sits at row k / cols.
  const Tensor grid = index_select(images.to(DType::Float32), 0, index)
                          .reshape({batch_size, rows, cols, h, w})
                          .permute({0, 1, 3, 2, 4})
                          .reshape({batch_size, 1, rows * h, cols * w});
  return {grid, index_select(labels.to(DType::Int64), 0, index).reshape({batch_size, n})};
}

Seq2SeqBatch caption_batch(const Tensor& labels) {
  NABLA_CHECK(labels.dim() == 2 && labels.dtype() == DType::Int64,
              "data::caption_batch: labels must be (B, items) int64, got ", shape_str(labels.shape()), " ",
              dtype_name(labels.dtype()));
  const std::vector<int64_t> l = labels.to_vector<int64_t>();
  const int64_t n = labels.size(1);
  std::vector<std::vector<int64_t>> rows;
  for (int64_t i = 0; i < labels.size(0); ++i) {
    std::vector<int64_t> row;
    for (int64_t k = 0; k < n; ++k) row.push_back(kFirstSymbol + l[static_cast<size_t>(i * n + k)]);
    rows.push_back(std::move(row));
  }
  return make_seq2seq_batch(rows, rows);
}

SequenceMatch sequence_match(const Tensor& pred, const Tensor& target) {
  NABLA_CHECK(pred.dim() == 2 && target.dim() == 2 && pred.size(0) == target.size(0),
              "sequence_match: expected pred (B, L) and target (B, T), got ", pred.shape(), " and ", target.shape());
  const std::vector<int64_t> pp = pred.to_vector<int64_t>(), tp = target.to_vector<int64_t>();
  const int64_t b = target.size(0), tl = target.size(1), pl = pred.size(1);
  int64_t rows_right = 0, right = 0, total = 0;
  for (int64_t i = 0; i < b; ++i) {
    bool all = true;
    for (int64_t j = 0; j < tl; ++j) {
      const int64_t want = tp[i * tl + j];
      if (want == kPadId) continue;
      const bool ok = j < pl && pp[i * pl + j] == want;
      right += ok, ++total, all = all && ok;
    }
    rows_right += all;
  }
  return {b ? static_cast<double>(rows_right) / static_cast<double>(b) : 0.0,
          total ? static_cast<double>(right) / static_cast<double>(total) : 0.0};
}

}  // namespace nabla::data
