// Bag-of-words and TF-IDF document vectors.
#include "nabla/data/text_features.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "nabla/error.h"

namespace nabla::data {
namespace {

// Row-major (N, V) counts; `who` names the caller in errors.
std::vector<double> count_matrix(const char* who, const std::vector<std::vector<int64_t>>& docs, int64_t vocab_size) {
  std::vector<double> counts(docs.size() * static_cast<size_t>(vocab_size), 0.0);
  for (size_t d = 0; d < docs.size(); ++d)
    for (size_t k = 0; k < docs[d].size(); ++k) {
      const int64_t id = docs[d][k];
      NABLA_CHECK(id >= 0 && id < vocab_size, who, ": document ", d, " position ", k, " has id ", id,
                  ", outside [0, ", vocab_size, ")");
      counts[d * vocab_size + id] += 1.0;
    }
  return counts;
}

}  // namespace

Tensor bag_of_words(const std::vector<std::vector<int64_t>>& docs, int64_t vocab_size, bool binary) {
  NABLA_CHECK(vocab_size >= 1, "bag_of_words: vocab_size must be positive, got ", vocab_size);
  std::vector<float> out;
  out.reserve(docs.size() * static_cast<size_t>(vocab_size));
  for (double c : count_matrix("bag_of_words", docs, vocab_size)) out.push_back(binary ? (c > 0 ? 1.f : 0.f) : static_cast<float>(c));
  return from_vector(out, Shape{static_cast<int64_t>(docs.size()), vocab_size});
}

void TfidfVectorizer::fit_ids(const std::vector<std::vector<int64_t>>& docs, int64_t vocab_size) {
  NABLA_CHECK(vocab_size >= 1, "TfidfVectorizer::fit: vocab_size must be positive, got ", vocab_size);
  NABLA_CHECK(!docs.empty(), "TfidfVectorizer::fit: no documents");
  NABLA_CHECK(options_.dtype == DType::Float32 || options_.dtype == DType::Float64,
              "TfidfVectorizer: dtype must be float32 or float64, got ", dtype_name(options_.dtype));
  const std::vector<double> counts = count_matrix("TfidfVectorizer::fit", docs, vocab_size);
  std::vector<double> df(vocab_size, 0.0);
  for (size_t d = 0; d < docs.size(); ++d)
    for (int64_t t = 0; t < vocab_size; ++t) df[t] += counts[d * vocab_size + t] > 0 ? 1.0 : 0.0;
  const double n = static_cast<double>(docs.size());
  idf_.assign(vocab_size, 1.0);
  if (!options_.use_idf) return;
  for (int64_t t = 0; t < vocab_size; ++t) {
    if (options_.smooth_idf) {
      idf_[t] = std::log((1.0 + n) / (1.0 + df[t])) + 1.0;
    } else {
      NABLA_CHECK(df[t] > 0, "TfidfVectorizer::fit: id ", t,
                  " occurs in no document, so its idf ln(n / df) + 1 is infinite; use smooth_idf");
      idf_[t] = std::log(n / df[t]) + 1.0;
    }
  }
}

Tensor TfidfVectorizer::transform_ids(const std::vector<std::vector<int64_t>>& docs) const {
  NABLA_CHECK(fitted(), "TfidfVectorizer::transform: call fit first");
  const int64_t v = vocab_size();
  std::vector<double> x = count_matrix("TfidfVectorizer::transform", docs, v);
  for (size_t d = 0; d < docs.size(); ++d) {
    double* row = x.data() + d * v;
    double norm = 0;
    for (int64_t t = 0; t < v; ++t) {
      if (options_.sublinear_tf && row[t] > 0) row[t] = 1.0 + std::log(row[t]);
      row[t] *= idf_[t];
      norm += options_.norm == TfidfNorm::L1 ? std::abs(row[t]) : row[t] * row[t];
    }
    if (options_.norm == TfidfNorm::L2) norm = std::sqrt(norm);
    if (options_.norm != TfidfNorm::None && norm > 0)
      for (int64_t t = 0; t < v; ++t) row[t] /= norm;
  }
  return from_vector(x, Shape{static_cast<int64_t>(docs.size()), v}).to(options_.dtype);
}

TfidfVectorizer& TfidfVectorizer::fit(const std::vector<std::vector<int64_t>>& docs, int64_t vocab_size) {
  fit_ids(docs, vocab_size);
  vocab_ = Vocab();
  on_tokens_ = false;
  return *this;
}

TfidfVectorizer& TfidfVectorizer::fit(const std::vector<std::vector<std::string>>& docs) {
  std::map<std::string, int64_t> sorted;  // bytewise order, as scikit-learn's sorted vocabulary_
  for (const auto& doc : docs)
    for (const auto& token : doc) sorted.emplace(token, 0);
  NABLA_CHECK(!sorted.empty(), "TfidfVectorizer::fit: the documents hold no tokens");
  std::vector<std::string> tokens;
  for (const auto& [token, unused] : sorted) tokens.push_back(token);
  Vocab vocab(std::move(tokens), 0, -1);
  std::vector<std::vector<int64_t>> ids;
  for (const auto& doc : docs) ids.push_back(vocab.encode(doc));
  fit_ids(ids, vocab.size());
  vocab_ = std::move(vocab);
  on_tokens_ = true;
  return *this;
}

std::vector<std::vector<int64_t>> TfidfVectorizer::to_ids(const std::vector<std::vector<std::string>>& docs) const {
  NABLA_CHECK(on_tokens_, "TfidfVectorizer::transform: token documents need a fit on token documents",
              fitted() ? " (this one was fitted on ids)" : "");
  std::vector<std::vector<int64_t>> ids(docs.size());
  for (size_t d = 0; d < docs.size(); ++d)
    for (const auto& token : docs[d])
      if (vocab_.contains(token)) ids[d].push_back(vocab_.token_to_id(token));
  return ids;
}

Tensor TfidfVectorizer::transform(const std::vector<std::vector<int64_t>>& docs) const { return transform_ids(docs); }

Tensor TfidfVectorizer::transform(const std::vector<std::vector<std::string>>& docs) const {
  return transform_ids(to_ids(docs));
}

Tensor TfidfVectorizer::fit_transform(const std::vector<std::vector<int64_t>>& docs, int64_t vocab_size) {
  return fit(docs, vocab_size).transform(docs);
}

Tensor TfidfVectorizer::fit_transform(const std::vector<std::vector<std::string>>& docs) {
  return fit(docs).transform(docs);
}

}  // namespace nabla::data
