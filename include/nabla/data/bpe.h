#pragma once
// Byte-level byte-pair encoding (as GPT-2's, without its regex pre-tokenizer).
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace nabla::data {

/// Ids 0..255 are the bytes; id 256 + k is the concatenation of the pair of merge k. Merges never
/// cross the boundary between a run of whitespace bytes and a run of other bytes, so text is cut
/// into such runs ("words") first. encode/decode round-trip any byte string exactly.
class BpeTokenizer {
 public:
  /// No merges: one id per byte.
  BpeTokenizer() : BpeTokenizer(std::vector<std::pair<int64_t, int64_t>>{}) {}
  /// A tokenizer with these merges; each pair must consist of ids defined before it.
  explicit BpeTokenizer(std::vector<std::pair<int64_t, int64_t>> merges);
  /// Learns vocab_size - 256 merges (fewer when no pair is left) from `text`: each step merges the
  /// most frequent adjacent pair (ties: the smallest pair of ids), left to right, in every word.
  static BpeTokenizer train(const std::string& text, int64_t vocab_size);

  /// 256 + the number of merges.
  int64_t vocab_size() const { return 256 + static_cast<int64_t>(merges_.size()); }
  const std::vector<std::pair<int64_t, int64_t>>& merges() const { return merges_; }
  /// The bytes of token `id`; Error for an id outside [0, vocab_size()).
  const std::string& token_bytes(int64_t id) const;
  /// The ids of `text`: each word's bytes, merged by applying the earliest-learned merge first.
  std::vector<int64_t> encode(const std::string& text) const;
  /// The bytes of `ids`; Error for an id outside [0, vocab_size()).
  std::string decode(const std::vector<int64_t>& ids) const;

  /// Writes the merges as text: a header line "nabla-bpe 1 <count>", then one "<left> <right>"
  /// line per merge. The file is replaced atomically.
  void save(const std::string& path) const;
  /// Reads a file written by save(); Error naming the file and line for a malformed one.
  static BpeTokenizer load(const std::string& path);
  /// Parses the contents of a merges file (`name` is used in error messages).
  static BpeTokenizer parse(const std::string& text, const std::string& name = "<memory>");

 private:
  void encode_word(const std::string& word, std::vector<int64_t>& out) const;

  std::vector<std::pair<int64_t, int64_t>> merges_;
  std::vector<std::string> bytes_;              // token bytes by id
  std::unordered_map<uint64_t, int64_t> rank_;  // pair key -> merge index
};

}  // namespace nabla::data
