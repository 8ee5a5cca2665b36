// Character vocabularies and corpora.
#include "nabla/data/text.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "nabla/error.h"

namespace nabla::data {

CharVocab::CharVocab(const std::string& text) {
  bool seen[256] = {};
  for (unsigned char c : text) seen[c] = true;
  std::fill(std::begin(id_of_), std::end(id_of_), -1);
  for (int c = 0; c < 256; ++c)
    if (seen[c]) {
      id_of_[c] = static_cast<int32_t>(chars_.size());
      chars_.push_back(static_cast<char>(c));
    }
}

std::vector<int64_t> CharVocab::encode(const std::string& text) const {
  std::vector<int64_t> ids(text.size());
  for (size_t k = 0; k < text.size(); ++k) {
    const unsigned char c = static_cast<unsigned char>(text[k]);
    NABLA_CHECK(!chars_.empty() && id_of_[c] >= 0, "CharVocab::encode: byte ", static_cast<int>(c), " at position ", k,
                " is not in the vocabulary");
    ids[k] = id_of_[c];
  }
  return ids;
}

std::string CharVocab::decode(const std::vector<int64_t>& ids) const {
  std::string out;
  out.reserve(ids.size());
  for (int64_t id : ids) {
    NABLA_CHECK(id >= 0 && id < size(), "CharVocab::decode: id ", id, " is outside [0, ", size(), ")");
    out.push_back(chars_[id]);
  }
  return out;
}

CharCorpus::CharCorpus(std::string text, int64_t seq_len, int64_t stride)
    : text_(std::move(text)), vocab_(text_), seq_len_(seq_len), stride_(stride == 0 ? seq_len : stride) {
  NABLA_CHECK(seq_len >= 1 && stride_ >= 1, "CharCorpus: seq_len and stride must be positive, got ", seq_len, " and ",
              stride);
  const int64_t n = static_cast<int64_t>(text_.size());
  NABLA_CHECK(n >= seq_len + 1, "CharCorpus: the text has ", n, " characters, fewer than seq_len + 1 = ", seq_len + 1);
  ids_ = vocab_.encode(text_);
  count_ = (n - seq_len - 1) / stride_ + 1;
}

Example CharCorpus::get(int64_t index) const {
  check_index("CharCorpus::get", index, count_);
  const auto start = ids_.begin() + index * stride_;
  std::vector<int64_t> input(start, start + seq_len_), target(start + 1, start + seq_len_ + 1);
  return {from_vector(input), from_vector(target)};
}

std::string read_text_corpus(const std::string& path, bool fortune_format) {
  std::vector<std::filesystem::path> files;
  if (std::filesystem::is_directory(path)) {
    for (const auto& entry : std::filesystem::directory_iterator(path)) {
      const std::string ext = entry.path().extension().string();
      if (entry.is_regular_file() && !entry.is_symlink() && ext != ".dat" && ext != ".u8") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    NABLA_CHECK(!files.empty(), "read_text_corpus: ", path, " holds no text files");
  } else {
    NABLA_CHECK(std::filesystem::is_regular_file(path), "read_text_corpus: ", path,
                " does not exist (for the default corpus install the Debian package fortunes)");
    files.push_back(path);
  }
  std::string out;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    NABLA_CHECK(in.good(), "read_text_corpus: ", f.string(), ": cannot open the file");
    if (!fortune_format) {
      std::ostringstream ss;
      ss << in.rdbuf();
      out += ss.str();
      continue;
    }
    std::string line;
    while (std::getline(in, line)) out += (line == "%" ? std::string() : line) + "\n";
  }
  return out;
}

}  // namespace nabla::data
