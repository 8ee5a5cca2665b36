// Byte-level byte-pair encoding: training, encoding, decoding and the merges file.
#include "nabla/data/bpe.h"

#include <charconv>
#include <limits>
#include <map>

#include "io/io_util.h"
#include "nabla/error.h"

namespace nabla::data {

namespace {

uint64_t pair_key(int64_t a, int64_t b) { return (static_cast<uint64_t>(a) << 32) | static_cast<uint64_t>(b); }

bool is_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// Cuts `text` into maximal runs of whitespace bytes and of other bytes; calls fn(word) for each.
template <class Fn>
void for_each_word(const std::string& text, Fn&& fn) {
  for (size_t i = 0; i < text.size();) {
    const bool space = is_space(static_cast<unsigned char>(text[i]));
    size_t j = i + 1;
    while (j < text.size() && is_space(static_cast<unsigned char>(text[j])) == space) ++j;
    fn(text.substr(i, j - i));
    i = j;
  }
}

// Replaces every non-overlapping occurrence of (a, b), left to right, by `id`.
void merge_pair(std::vector<int64_t>& ids, int64_t a, int64_t b, int64_t id) {
  size_t w = 0;
  for (size_t r = 0; r < ids.size(); ++r) {
    if (r + 1 < ids.size() && ids[r] == a && ids[r + 1] == b) {
      ids[w++] = id;
      ++r;
    } else {
      ids[w++] = ids[r];
    }
  }
  ids.resize(w);
}

}  // namespace

BpeTokenizer::BpeTokenizer(std::vector<std::pair<int64_t, int64_t>> merges) : merges_(std::move(merges)) {
  NABLA_CHECK(merges_.size() < (uint64_t{1} << 31), "BpeTokenizer: too many merges (", merges_.size(), ")");
  bytes_.reserve(256 + merges_.size());
  for (int c = 0; c < 256; ++c) bytes_.emplace_back(1, static_cast<char>(c));
  for (size_t k = 0; k < merges_.size(); ++k) {
    const auto [a, b] = merges_[k];
    const int64_t next = 256 + static_cast<int64_t>(k);
    NABLA_CHECK(a >= 0 && a < next && b >= 0 && b < next, "BpeTokenizer: merge ", k, " (", a, ", ", b,
                ") uses an id outside [0, ", next, ")");
    NABLA_CHECK(rank_.emplace(pair_key(a, b), static_cast<int64_t>(k)).second, "BpeTokenizer: merge ", k, " (", a,
                ", ", b, ") repeats merge ", rank_[pair_key(a, b)]);
    bytes_.push_back(bytes_[a] + bytes_[b]);
  }
}

BpeTokenizer BpeTokenizer::train(const std::string& text, int64_t vocab_size) {
  NABLA_CHECK(vocab_size >= 256, "BpeTokenizer::train: vocab_size must be >= 256 (the bytes), got ", vocab_size);
  std::map<std::string, int64_t> counts;  // ordered, so that training does not depend on hashing
  for_each_word(text, [&](std::string w) { ++counts[std::move(w)]; });
  std::vector<std::vector<int64_t>> words;
  std::vector<int64_t> freq;
  for (const auto& [w, c] : counts) {
    if (w.size() < 2) continue;  // no pair to merge
    words.emplace_back(w.begin(), w.end());
    for (auto& id : words.back()) id = static_cast<unsigned char>(id);
    freq.push_back(c);
  }
  std::vector<std::pair<int64_t, int64_t>> merges;
  std::unordered_map<uint64_t, int64_t> pair_counts;
  for (int64_t id = 256; id < vocab_size; ++id) {
    pair_counts.clear();
    for (size_t w = 0; w < words.size(); ++w)
      for (size_t k = 0; k + 1 < words[w].size(); ++k) pair_counts[pair_key(words[w][k], words[w][k + 1])] += freq[w];
    uint64_t best = 0;
    int64_t best_count = 0;
    for (const auto& [key, c] : pair_counts)
      if (c > best_count || (c == best_count && key < best)) best = key, best_count = c;
    if (best_count == 0) break;
    const int64_t a = static_cast<int64_t>(best >> 32), b = static_cast<int64_t>(best & 0xffffffffu);
    merges.emplace_back(a, b);
    for (auto& w : words)
      if (w.size() >= 2) merge_pair(w, a, b, id);
  }
  return BpeTokenizer(std::move(merges));
}

const std::string& BpeTokenizer::token_bytes(int64_t id) const {
  NABLA_CHECK(id >= 0 && id < vocab_size(), "BpeTokenizer: id ", id, " is outside [0, ", vocab_size(), ")");
  return bytes_[id];
}

void BpeTokenizer::encode_word(const std::string& word, std::vector<int64_t>& out) const {
  std::vector<int64_t> ids(word.begin(), word.end());
  for (auto& id : ids) id = static_cast<unsigned char>(id);
  while (ids.size() >= 2) {
    int64_t best = std::numeric_limits<int64_t>::max();
    for (size_t k = 0; k + 1 < ids.size(); ++k) {
      const auto it = rank_.find(pair_key(ids[k], ids[k + 1]));
      if (it != rank_.end() && it->second < best) best = it->second;
    }
    if (best == std::numeric_limits<int64_t>::max()) break;
    merge_pair(ids, merges_[best].first, merges_[best].second, 256 + best);
  }
  out.insert(out.end(), ids.begin(), ids.end());
}

std::vector<int64_t> BpeTokenizer::encode(const std::string& text) const {
  std::vector<int64_t> out;
  for_each_word(text, [&](const std::string& w) { encode_word(w, out); });
  return out;
}

std::string BpeTokenizer::decode(const std::vector<int64_t>& ids) const {
  std::string out;
  for (int64_t id : ids) out += token_bytes(id);
  return out;
}

void BpeTokenizer::save(const std::string& path) const {
  io::detail::AtomicFileSink file(path, "bpe");
  io::detail::ByteSink& sink = file;
  sink.write(str_cat("nabla-bpe 1 ", merges_.size(), "\n"));
  for (const auto& [a, b] : merges_) sink.write(str_cat(a, " ", b, "\n"));
  file.commit();
}

namespace {

// Parses "<int> <int>" (non-negative decimals, one space) filling all of `line`.
bool parse_pair(const std::string& line, int64_t* a, int64_t* b) {
  const char* end = line.data() + line.size();
  auto r1 = std::from_chars(line.data(), end, *a);
  if (r1.ec != std::errc() || r1.ptr == line.data() || r1.ptr == end || *r1.ptr != ' ' || line[0] == '-') return false;
  const char* second = r1.ptr + 1;
  if (second == end || *second == '-') return false;
  auto r2 = std::from_chars(second, end, *b);
  return r2.ec == std::errc() && r2.ptr == end;
}

}  // namespace

BpeTokenizer BpeTokenizer::parse(const std::string& text, const std::string& name) {
  const io::detail::ErrorContext ctx{"bpe: " + name};
  ctx.check(!text.empty() && text.back() == '\n', "the file is empty or does not end with a newline");
  size_t pos = text.find('\n');
  const std::string header = text.substr(0, pos);
  const std::string magic = "nabla-bpe 1 ";
  int64_t count = -1;
  const bool header_ok = header.rfind(magic, 0) == 0 && header.size() > magic.size() && header[magic.size()] != '-' &&
                         std::from_chars(header.data() + magic.size(), header.data() + header.size(), count).ptr ==
                             header.data() + header.size();
  ctx.check(header_ok && count >= 0, "line 1: expected a header \"nabla-bpe 1 <count>\"");
  std::vector<std::pair<int64_t, int64_t>> merges;
  for (++pos; pos < text.size();) {
    const size_t nl = text.find('\n', pos);
    const std::string line = text.substr(pos, nl - pos);
    const int64_t line_no = static_cast<int64_t>(merges.size()) + 2;
    ctx.check(static_cast<int64_t>(merges.size()) < count, "line ", line_no, ": more merges than the header's ",
              count);
    int64_t a = 0, b = 0;
    ctx.check(parse_pair(line, &a, &b), "line ", line_no, ": expected \"<left id> <right id>\"");
    const int64_t next = 256 + static_cast<int64_t>(merges.size());
    ctx.check(a < next && b < next, "line ", line_no, ": id outside [0, ", next, ")");
    merges.emplace_back(a, b);
    pos = nl + 1;
  }
  ctx.check(static_cast<int64_t>(merges.size()) == count, "the header announces ", count, " merges, the file has ",
            merges.size());
  try {
    return BpeTokenizer(std::move(merges));
  } catch (const Error& e) {
    ctx.fail(e.what());
  }
}

BpeTokenizer BpeTokenizer::load(const std::string& path) {
  const std::vector<uint8_t> bytes = io::detail::read_file(path, "bpe");
  return parse(std::string(bytes.begin(), bytes.end()), path);
}

}  // namespace nabla::data
