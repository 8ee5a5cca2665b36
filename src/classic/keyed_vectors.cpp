#include "nabla/classic/keyed_vectors.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "io/io_util.h"
#include "nabla/error.h"

namespace nabla::classic {

namespace {

bool valid_word(const std::string& w) {
  if (w.empty()) return false;
  for (char c : w)
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') return false;
  return true;
}

// Euclidean norm of a row, in double.
double row_norm(const float* v, int64_t d) {
  double s = 0;
  for (int64_t i = 0; i < d; ++i) s += static_cast<double>(v[i]) * v[i];
  return std::sqrt(s);
}

}  // namespace

KeyedVectors::KeyedVectors(std::vector<std::string> words, std::vector<float> data, int64_t dim, const char* op)
    : words_(std::move(words)), data_(std::move(data)), dim_(dim) {
  NABLA_CHECK(dim_ >= 1, op, ": vectors need at least one dimension, got ", dim_);
  NABLA_CHECK(static_cast<int64_t>(data_.size()) == size() * dim_, op, ": ", size(), " words but ",
              data_.size() / static_cast<size_t>(dim_), " vectors");
  index_.reserve(words_.size());
  for (size_t i = 0; i < words_.size(); ++i) {
    NABLA_CHECK(valid_word(words_[i]), op, ": word ", i, " ('", words_[i], "') is empty or contains whitespace");
    NABLA_CHECK(index_.emplace(words_[i], static_cast<int64_t>(i)).second, op, ": word '", words_[i],
                "' appears twice");
  }
  unit_ = data_;
  for (int64_t r = 0; r < size(); ++r) {
    float* row = unit_.data() + r * dim_;
    const double n = row_norm(row, dim_);
    NABLA_CHECK(std::isfinite(n), op, ": the vector of '", words_[r], "' is not finite");
    if (n > 0)
      for (int64_t i = 0; i < dim_; ++i) row[i] = static_cast<float>(row[i] / n);
  }
}

KeyedVectors::KeyedVectors(std::vector<std::string> words, const Tensor& vectors)
    : KeyedVectors(std::move(words),
                   [&] {
                     NABLA_CHECK(vectors.defined() && vectors.dim() == 2 &&
                                     (vectors.dtype() == DType::Float32 || vectors.dtype() == DType::Float64),
                                 "KeyedVectors: expected vectors of shape (N, D) and dtype float32 or float64, got ",
                                 vectors.defined() ? shape_str(vectors.shape()) : "an undefined tensor");
                     return vectors.contiguous().to_vector<float>();
                   }(),
                   vectors.defined() && vectors.dim() == 2 ? vectors.size(1) : 0, "KeyedVectors") {}

KeyedVectors KeyedVectors::from_vocab(const data::Vocab& vocab, const Tensor& vectors) {
  NABLA_CHECK(vectors.defined() && vectors.dim() == 2 && vectors.size(0) == vocab.size(),
              "KeyedVectors::from_vocab: expected vectors of shape (", vocab.size(), ", D) for a vocabulary of ",
              vocab.size(), " tokens, got ", vectors.defined() ? shape_str(vectors.shape()) : "an undefined tensor");
  const int64_t s = vocab.num_specials();
  std::vector<std::string> words(vocab.tokens().begin() + s, vocab.tokens().end());
  return KeyedVectors(std::move(words), vectors.slice(0, s, vocab.size()));
}

Tensor KeyedVectors::vectors() const { return from_vector(data_, Shape{size(), dim_}); }

int64_t KeyedVectors::index(const std::string& word) const {
  const auto it = index_.find(word);
  NABLA_CHECK(it != index_.end(), "KeyedVectors: word '", word, "' is not in the vocabulary (", size(), " words)");
  return it->second;
}

Tensor KeyedVectors::vector(const std::string& word) const {
  const int64_t r = index(word);
  return from_vector(std::vector<float>(data_.begin() + r * dim_, data_.begin() + (r + 1) * dim_));
}

double KeyedVectors::similarity(const std::string& a, const std::string& b) const {
  const float* u = unit_.data() + index(a) * dim_;
  const float* v = unit_.data() + index(b) * dim_;
  double s = 0;
  for (int64_t i = 0; i < dim_; ++i) s += static_cast<double>(u[i]) * v[i];
  return s;
}

std::vector<WordScore> KeyedVectors::nearest(const std::vector<double>& query, const std::vector<int64_t>& exclude,
                                             int64_t topn, const char* op) const {
  NABLA_CHECK(topn >= 1, op, ": topn must be >= 1, got ", topn);
  double qn = 0;
  for (double q : query) qn += q * q;
  qn = std::sqrt(qn);
  std::vector<std::pair<double, int64_t>> scored;
  scored.reserve(words_.size());
  for (int64_t r = 0; r < size(); ++r) {
    if (std::find(exclude.begin(), exclude.end(), r) != exclude.end()) continue;
    const float* v = unit_.data() + r * dim_;
    double s = 0;
    for (int64_t i = 0; i < dim_; ++i) s += query[i] * v[i];
    scored.emplace_back(qn > 0 ? s / qn : 0.0, r);
  }
  const size_t k = std::min(scored.size(), static_cast<size_t>(topn));
  // Highest similarity first; ties by row, so the order is deterministic.
  std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(k), scored.end(),
                    [](const auto& x, const auto& y) { return x.first > y.first || (x.first == y.first && x.second < y.second); });
  std::vector<WordScore> out;
  out.reserve(k);
  for (size_t i = 0; i < k; ++i) out.emplace_back(words_[scored[i].second], scored[i].first);
  return out;
}

std::vector<WordScore> KeyedVectors::most_similar(const std::vector<std::string>& positive,
                                                  const std::vector<std::string>& negative, int64_t topn) const {
  NABLA_CHECK(!positive.empty() || !negative.empty(), "KeyedVectors::most_similar: no query words given");
  std::vector<double> mean(static_cast<size_t>(dim_), 0.0);
  std::vector<int64_t> used;
  const auto add = [&](const std::string& w, double weight) {
    const int64_t r = index(w);
    used.push_back(r);
    for (int64_t i = 0; i < dim_; ++i) mean[i] += weight * unit_[r * dim_ + i];
  };
  for (const auto& w : positive) add(w, 1.0);
  for (const auto& w : negative) add(w, -1.0);
  // gensim averages the weighted unit vectors; the scale does not change cosines.
  return nearest(mean, used, topn, "KeyedVectors::most_similar");
}

std::vector<WordScore> KeyedVectors::most_similar(const std::string& word, int64_t topn) const {
  return most_similar(std::vector<std::string>{word}, {}, topn);
}

std::vector<WordScore> KeyedVectors::similar_by_vector(const Tensor& v, int64_t topn) const {
  NABLA_CHECK(v.defined() && v.dim() == 1 && v.size(0) == dim_, "KeyedVectors::similar_by_vector: expected a vector of shape (",
              dim_, "), got ", v.defined() ? shape_str(v.shape()) : "an undefined tensor");
  return nearest(v.contiguous().to_vector<double>(), {}, topn, "KeyedVectors::similar_by_vector");
}

std::vector<WordScore> KeyedVectors::analogy(const std::string& a, const std::string& b, const std::string& c,
                                             int64_t topn) const {
  return most_similar({b, c}, {a}, topn);
}

void KeyedVectors::save_word2vec_format(const std::string& path) const {
  io::detail::AtomicFileSink file(path, "word2vec");
  io::detail::ByteSink& sink = file;
  sink.write(str_cat(size(), " ", dim_, "\n"));
  std::string line;
  char buf[64];
  for (int64_t r = 0; r < size(); ++r) {
    line = words_[r];
    for (int64_t i = 0; i < dim_; ++i) {
      const auto res = std::to_chars(buf, buf + sizeof buf, data_[r * dim_ + i]);
      line += ' ';
      line.append(buf, res.ptr);
    }
    line += '\n';
    sink.write(line);
  }
  file.commit();
}

namespace {

// Splits a line on spaces and tabs (word2vec.c writes a trailing space; gensim does not).
std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

template <class T>
bool parse_number(std::string_view s, T* out) {
  const auto res = std::from_chars(s.data(), s.data() + s.size(), *out);
  return res.ec == std::errc() && res.ptr == s.data() + s.size();
}

}  // namespace

KeyedVectors KeyedVectors::parse_word2vec_format(const std::string& text, const std::string& name) {
  const io::detail::ErrorContext ctx{"word2vec: " + name};
  std::vector<std::string_view> lines;
  const std::string_view all(text);
  for (size_t pos = 0; pos < all.size();) {
    size_t nl = all.find('\n', pos);
    if (nl == std::string_view::npos) nl = all.size();
    std::string_view line = all.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    pos = nl + 1;
  }
  while (!lines.empty() && split_fields(lines.back()).empty()) lines.pop_back();  // trailing blank lines
  ctx.check(!lines.empty(), "the file is empty (expected a header line \"<words> <dimensions>\")");
  const auto header = split_fields(lines[0]);
  int64_t n = 0, d = 0;
  ctx.check(header.size() == 2 && parse_number(header[0], &n) && parse_number(header[1], &d) && n >= 0 && d >= 1,
            "line 1: expected a header \"<words> <dimensions>\" with words >= 0 and dimensions >= 1");
  // A vector of d numbers needs at least d bytes: a larger d (possible with 0 words) is corrupt.
  ctx.check(d <= static_cast<int64_t>(all.size()), "line 1: ", d, " dimensions is more than a file of ", all.size(),
            " bytes can hold");
  ctx.check(static_cast<int64_t>(lines.size()) - 1 == n, "the header announces ", n, " words but the file has ",
            lines.size() - 1, " lines of vectors");
  std::vector<std::string> words;
  std::vector<float> data;
  words.reserve(static_cast<size_t>(n));
  for (int64_t r = 0; r < n; ++r) {
    const auto f = split_fields(lines[r + 1]);
    ctx.check(static_cast<int64_t>(f.size()) == d + 1, "line ", r + 2, ": expected a word and ", d, " numbers, got ",
              f.size(), " fields");
    words.emplace_back(f[0]);
    for (int64_t i = 0; i < d; ++i) {
      float v = 0;
      ctx.check(parse_number(f[i + 1], &v) && std::isfinite(v), "line ", r + 2, ": value ", i + 1, " ('",
                std::string(f[i + 1]), "') is not a finite number");
      data.push_back(v);
    }
  }
  try {
    return KeyedVectors(std::move(words), std::move(data), d, "KeyedVectors");
  } catch (const Error& e) {
    ctx.fail(e.what());
  }
}

KeyedVectors KeyedVectors::load_word2vec_format(const std::string& path) {
  const std::vector<uint8_t> bytes = io::detail::read_file(path, "word2vec");
  return parse_word2vec_format(std::string(bytes.begin(), bytes.end()), path);
}

}  // namespace nabla::classic
