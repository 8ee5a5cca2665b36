#pragma once
// Character-level text corpora for language models: a byte vocabulary and fixed-length sequences.
#include <cstdint>
#include <string>
#include <vector>

#include "nabla/data/dataset.h"

namespace nabla::data {

/// The sorted set of distinct bytes of a text, with encode/decode.
class CharVocab {
 public:
  CharVocab() = default;
  /// Every byte that occurs in `text`.
  explicit CharVocab(const std::string& text);
  int64_t size() const { return static_cast<int64_t>(chars_.size()); }
  /// Ids of the bytes of `text`; raises Error for a byte outside the vocabulary.
  std::vector<int64_t> encode(const std::string& text) const;
  /// The text of `ids`; raises Error for an id outside [0, size()).
  std::string decode(const std::vector<int64_t>& ids) const;
  const std::string& chars() const { return chars_; }

 private:
  std::string chars_;
  int32_t id_of_[256];
};

/// Next-character prediction over a text: sample i has input ids[i·stride, i·stride + L) and
/// target ids[i·stride + 1, i·stride + L + 1) (int64, length L = seq_len each).
class CharCorpus : public Dataset {
 public:
  /// `stride` defaults to seq_len (non-overlapping sequences).
  CharCorpus(std::string text, int64_t seq_len, int64_t stride = 0);
  int64_t size() const override { return count_; }
  Example get(int64_t index) const override;
  const CharVocab& vocab() const { return vocab_; }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  CharVocab vocab_;
  std::vector<int64_t> ids_;
  int64_t seq_len_, stride_, count_;
};

/// The text of one file, or of every regular file of a directory in sorted name order,
/// concatenated. Files named *.dat or *.u8 (fortune's index files and UTF-8 links) are skipped,
/// and, with `fortune_format`, the "%" lines separating fortunes become blank lines.
std::string read_text_corpus(const std::string& path, bool fortune_format = false);

/// Default English text: Debian's `fortunes` package.
inline constexpr const char* kFortunesDir = "/usr/share/games/fortunes";

}  // namespace nabla::data
