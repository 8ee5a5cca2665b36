#pragma once
// Document vectors from token ids or tokens: bag-of-words counts and TF-IDF (scikit-learn's
// TfidfVectorizer). A one-hot of an id list is nabla::one_hot (docs/text.md).
#include <cstdint>
#include <string>
#include <vector>

#include "nabla/data/vocab.h"
#include "nabla/tensor.h"

namespace nabla::data {

/// (N, vocab_size) float32: entry (d, t) counts the occurrences of id t in document d (1 or 0
/// when `binary`). Raises Error for an id outside [0, vocab_size).
Tensor bag_of_words(const std::vector<std::vector<int64_t>>& docs, int64_t vocab_size, bool binary = false);

/// How TfidfVectorizer normalises each document's row.
enum class TfidfNorm { None, L1, L2 };

/// scikit-learn's TfidfVectorizer options, with its defaults.
struct TfidfOptions {
  TfidfNorm norm = TfidfNorm::L2;
  /// Multiply the counts by idf; false: the rows are (normalised) counts.
  bool use_idf = true;
  /// idf = ln((1 + n) / (1 + df)) + 1; false: ln(n / df) + 1 (every term must then occur in fit).
  bool smooth_idf = true;
  /// tf = 1 + ln(count) for count > 0 instead of the count.
  bool sublinear_tf = false;
  /// Float32 or Float64 result (computed in float64 either way).
  DType dtype = DType::Float32;
};

/// TF-IDF document vectors (sklearn.feature_extraction.text.TfidfVectorizer over pre-tokenised
/// documents): row d is tf(d, t)·idf(t), then normalised. Fit on id lists (columns are the ids)
/// or on token lists (columns are the distinct tokens sorted bytewise, as scikit-learn's
/// vocabulary_; tokens unknown at transform are ignored).
class TfidfVectorizer {
 public:
  explicit TfidfVectorizer(TfidfOptions options = {}) : options_(options) {}
  /// Learns the document frequencies of ids in [0, vocab_size).
  TfidfVectorizer& fit(const std::vector<std::vector<int64_t>>& docs, int64_t vocab_size);
  /// Builds the vocabulary of `docs` and learns the document frequencies of its tokens.
  TfidfVectorizer& fit(const std::vector<std::vector<std::string>>& docs);
  /// (N, vocab_size()) TF-IDF rows of id documents; Error before fit or for an id out of range.
  Tensor transform(const std::vector<std::vector<int64_t>>& docs) const;
  /// (N, vocab_size()) TF-IDF rows of token documents; Error unless fitted on tokens.
  Tensor transform(const std::vector<std::vector<std::string>>& docs) const;
  /// fit then transform on the same documents.
  Tensor fit_transform(const std::vector<std::vector<int64_t>>& docs, int64_t vocab_size);
  Tensor fit_transform(const std::vector<std::vector<std::string>>& docs);

  /// Whether fit has run.
  bool fitted() const { return !idf_.empty(); }
  /// Number of columns (0 before fit).
  int64_t vocab_size() const { return static_cast<int64_t>(idf_.size()); }
  /// The idf of each column (scikit-learn's idf_).
  const std::vector<double>& idf() const { return idf_; }
  /// The token vocabulary of a fit on tokens (empty after a fit on ids).
  const Vocab& vocabulary() const { return vocab_; }
  const TfidfOptions& options() const { return options_; }

 private:
  void fit_ids(const std::vector<std::vector<int64_t>>& docs, int64_t vocab_size);
  Tensor transform_ids(const std::vector<std::vector<int64_t>>& docs) const;
  std::vector<std::vector<int64_t>> to_ids(const std::vector<std::vector<std::string>>& docs) const;

  TfidfOptions options_;
  std::vector<double> idf_;
  Vocab vocab_;
  bool on_tokens_ = false;
};

}  // namespace nabla::data
