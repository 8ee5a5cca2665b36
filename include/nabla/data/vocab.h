#pragma once
// Token vocabularies: token <-> id maps built from tokenized text, saved as plain text files.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace nabla::data {

/// How Vocab::build chooses and orders its tokens.
struct VocabOptions {
  /// Reserved tokens, given the first ids in this order (e.g. {"<pad>", "<unk>", "<bos>", "<eos>"}).
  std::vector<std::string> specials;
  /// The token unknown tokens map to; must be one of `specials`. Empty: unknown tokens are an error.
  std::string unk;
  /// Tokens seen fewer times than this are left out.
  int64_t min_freq = 1;
  /// Largest vocabulary size, specials included (as torchtext's max_tokens); -1: no limit.
  int64_t max_size = -1;
};

/// An ordered list of distinct tokens; a token's id is its position. Built vocabularies list the
/// specials first, then the other tokens by frequency (descending), ties by token (bytewise).
class Vocab {
 public:
  Vocab() = default;
  /// A vocabulary of exactly `tokens` (distinct, non-empty, no '\n'); the first `num_specials`
  /// are the specials; `unk_id` is the unknown token's id or -1 for none.
  Vocab(std::vector<std::string> tokens, int64_t num_specials, int64_t unk_id);
  /// Counts the tokens of `docs` and keeps those chosen by `options`.
  static Vocab build(const std::vector<std::vector<std::string>>& docs, const VocabOptions& options = {});

  /// Number of tokens, specials included.
  int64_t size() const { return static_cast<int64_t>(tokens_.size()); }
  int64_t num_specials() const { return num_specials_; }
  /// The unknown token's id, or -1 when there is none.
  int64_t unk_id() const { return unk_id_; }
  /// Whether `token` is in the vocabulary.
  bool contains(const std::string& token) const { return ids_.count(token) != 0; }
  /// The id of `token`: unk_id() for an unknown token, or Error naming it when there is no unk.
  int64_t token_to_id(const std::string& token) const;
  /// The token of `id`; Error for an id outside [0, size()).
  const std::string& id_to_token(int64_t id) const;
  /// token_to_id of every token.
  std::vector<int64_t> encode(const std::vector<std::string>& tokens) const;
  /// id_to_token of every id.
  std::vector<std::string> decode(const std::vector<int64_t>& ids) const;
  const std::vector<std::string>& tokens() const { return tokens_; }

  /// Writes the vocabulary as text: a header line "nabla-vocab 1 <num_specials> <unk_id>", then
  /// one token per line in id order. The file is replaced atomically.
  void save(const std::string& path) const;
  /// Reads a file written by save(); Error naming the file and line for a malformed one.
  static Vocab load(const std::string& path);
  /// Parses the contents of a vocabulary file (`name` is used in error messages).
  static Vocab parse(const std::string& text, const std::string& name = "<memory>");

 private:
  std::vector<std::string> tokens_;
  std::unordered_map<std::string, int64_t> ids_;
  int64_t num_specials_ = 0, unk_id_ = -1;
};

}  // namespace nabla::data
