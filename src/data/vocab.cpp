// Token vocabularies: building, lookup, and the plain-text file format.
#include "nabla/data/vocab.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "io/io_util.h"
#include "nabla/error.h"

namespace nabla::data {

Vocab::Vocab(std::vector<std::string> tokens, int64_t num_specials, int64_t unk_id)
    : tokens_(std::move(tokens)), num_specials_(num_specials), unk_id_(unk_id) {
  NABLA_CHECK(num_specials >= 0 && num_specials <= size(), "Vocab: num_specials ", num_specials,
              " is outside [0, ", size(), "]");
  NABLA_CHECK(unk_id >= -1 && unk_id < num_specials, "Vocab: unk_id ", unk_id,
              " must be -1 or the id of a special token (< ", num_specials, ")");
  for (int64_t i = 0; i < size(); ++i) {
    const std::string& t = tokens_[i];
    NABLA_CHECK(!t.empty(), "Vocab: token ", i, " is empty");
    NABLA_CHECK(t.find('\n') == std::string::npos, "Vocab: token ", i, " contains a newline");
    NABLA_CHECK(ids_.emplace(t, i).second, "Vocab: token '", t, "' appears twice (ids ", ids_[t], " and ", i, ")");
  }
}

Vocab Vocab::build(const std::vector<std::vector<std::string>>& docs, const VocabOptions& options) {
  NABLA_CHECK(options.min_freq >= 1, "Vocab::build: min_freq must be >= 1, got ", options.min_freq);
  const int64_t n_special = static_cast<int64_t>(options.specials.size());
  NABLA_CHECK(options.max_size == -1 || options.max_size >= n_special, "Vocab::build: max_size ", options.max_size,
              " is smaller than the number of specials ", n_special);
  int64_t unk_id = -1;
  if (!options.unk.empty()) {
    const auto it = std::find(options.specials.begin(), options.specials.end(), options.unk);
    NABLA_CHECK(it != options.specials.end(), "Vocab::build: unk '", options.unk, "' is not one of the specials");
    unk_id = it - options.specials.begin();
  }
  std::map<std::string, int64_t> counts;  // ordered: ties below are broken by token
  for (const auto& doc : docs)
    for (const auto& t : doc) ++counts[t];
  std::vector<std::pair<std::string, int64_t>> ranked;
  for (const auto& [t, c] : counts)
    if (c >= options.min_freq && std::find(options.specials.begin(), options.specials.end(), t) == options.specials.end())
      ranked.emplace_back(t, c);
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::vector<std::string> tokens = options.specials;
  for (const auto& [t, c] : ranked) {
    if (options.max_size != -1 && static_cast<int64_t>(tokens.size()) >= options.max_size) break;
    tokens.push_back(t);
  }
  return Vocab(std::move(tokens), n_special, unk_id);
}

int64_t Vocab::token_to_id(const std::string& token) const {
  const auto it = ids_.find(token);
  if (it != ids_.end()) return it->second;
  NABLA_CHECK(unk_id_ >= 0, "Vocab: token '", token, "' is not in the vocabulary and there is no unknown token");
  return unk_id_;
}

const std::string& Vocab::id_to_token(int64_t id) const {
  NABLA_CHECK(id >= 0 && id < size(), "Vocab: id ", id, " is outside [0, ", size(), ")");
  return tokens_[id];
}

std::vector<int64_t> Vocab::encode(const std::vector<std::string>& tokens) const {
  std::vector<int64_t> ids;
  ids.reserve(tokens.size());
  for (const auto& t : tokens) ids.push_back(token_to_id(t));
  return ids;
}

std::vector<std::string> Vocab::decode(const std::vector<int64_t>& ids) const {
  std::vector<std::string> out;
  out.reserve(ids.size());
  for (int64_t id : ids) out.push_back(id_to_token(id));
  return out;
}

void Vocab::save(const std::string& path) const {
  io::detail::AtomicFileSink file(path, "vocab");
  io::detail::ByteSink& sink = file;
  sink.write(str_cat("nabla-vocab 1 ", num_specials_, " ", unk_id_, "\n"));
  for (const auto& t : tokens_) sink.write(t + "\n");
  file.commit();
}

namespace {

// Parses a decimal integer (optionally negative) that fills all of `s`.
bool parse_int(const std::string& s, int64_t* out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}

}  // namespace

Vocab Vocab::parse(const std::string& text, const std::string& name) {
  const io::detail::ErrorContext ctx{"vocab: " + name};
  ctx.check(!text.empty() && text.back() == '\n', "the file is empty or does not end with a newline");
  std::vector<std::string> lines;
  for (size_t pos = 0; pos < text.size();) {
    const size_t nl = text.find('\n', pos);
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  const std::string& header = lines[0];
  const std::string magic = "nabla-vocab 1 ";
  ctx.check(header.rfind(magic, 0) == 0, "line 1: expected a header \"nabla-vocab 1 <num_specials> <unk_id>\"");
  const std::string rest = header.substr(magic.size());
  const size_t sp = rest.find(' ');
  int64_t n_special = 0, unk = 0;
  ctx.check(sp != std::string::npos && parse_int(rest.substr(0, sp), &n_special) &&
                parse_int(rest.substr(sp + 1), &unk),
            "line 1: expected two integers after \"nabla-vocab 1\"");
  std::vector<std::string> tokens(lines.begin() + 1, lines.end());
  try {
    return Vocab(std::move(tokens), n_special, unk);
  } catch (const Error& e) {
    ctx.fail(e.what());
  }
}

Vocab Vocab::load(const std::string& path) {
  const std::vector<uint8_t> bytes = io::detail::read_file(path, "vocab");
  return parse(std::string(bytes.begin(), bytes.end()), path);
}

}  // namespace nabla::data
