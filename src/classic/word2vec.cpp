#include "nabla/classic/word2vec.h"

#include <algorithm>
#include <cmath>

#include "nabla/error.h"
#include "nabla/random.h"

namespace nabla::classic {

NoiseDistribution::NoiseDistribution(const std::vector<int64_t>& counts, double exponent) {
  NABLA_CHECK(exponent >= 0 && std::isfinite(exponent), "NoiseDistribution: ns_exponent must be finite and >= 0, got ",
              exponent);
  double total = 0;
  for (int64_t c : counts) {
    NABLA_CHECK(c >= 0, "NoiseDistribution: counts must be >= 0, got ", c);
    if (c > 0) total += std::pow(static_cast<double>(c), exponent);
  }
  NABLA_CHECK(total > 0, "NoiseDistribution: every count is 0 (", counts.size(), " words); nothing to sample");
  cumulative_.resize(counts.size());
  double running = 0;
  for (size_t w = 0; w < counts.size(); ++w) {
    if (counts[w] > 0) running += std::pow(static_cast<double>(counts[w]), exponent);
    cumulative_[w] = static_cast<uint64_t>(std::llround(running / total * 4294967296.0));
  }
  // The last word with a positive count closes the interval (rounding may leave it short).
  for (size_t w = counts.size(); w-- > 0;) {
    cumulative_[w] = 4294967296ULL;
    if (counts[w] > 0) break;
  }
}

int64_t NoiseDistribution::sample(uint32_t u) const {
  // The first word whose cumulative bound exceeds u: word w owns [cumulative_[w-1], cumulative_[w]).
  const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), static_cast<uint64_t>(u));
  return static_cast<int64_t>(it - cumulative_.begin());
}

double NoiseDistribution::probability(int64_t word) const {
  NABLA_CHECK(word >= 0 && word < static_cast<int64_t>(cumulative_.size()), "NoiseDistribution::probability: word ",
              word, " is outside [0, ", cumulative_.size(), ")");
  const uint64_t lo = word == 0 ? 0 : cumulative_[word - 1];
  return static_cast<double>(cumulative_[word] - lo) / 4294967296.0;
}

std::vector<double> keep_probabilities(const std::vector<int64_t>& counts, double sample) {
  NABLA_CHECK(sample >= 0 && std::isfinite(sample), "keep_probabilities: sample must be finite and >= 0, got ", sample);
  double total = 0;
  for (int64_t c : counts) total += static_cast<double>(c);
  std::vector<double> keep(counts.size(), 1.0);
  if (sample == 0) return keep;
  // Mikolov's formula as word2vec.c and gensim apply it (not the paper's 1 − √(t/f)).
  const double threshold = sample * total;
  for (size_t w = 0; w < counts.size(); ++w) {
    if (counts[w] <= 0) continue;
    const double c = static_cast<double>(counts[w]);
    keep[w] = std::min(1.0, (std::sqrt(c / threshold) + 1.0) * threshold / c);
  }
  return keep;
}

namespace {

// Dot product of two float rows with eight partial sums (so the compiler vectorises it).
float dot(const float* a, const float* b, int64_t n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; ++k) acc[k] += a[i + k] * b[i + k];
  float s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  for (; i < n; ++i) s += a[i] * b[i];
  return s;
}

// y += a·x
void axpy(float a, const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += a * x[i];
}

// The state of one training run: both embedding tables, the noise table and the random stream.
struct Trainer {
  const Word2VecOptions& opt;
  int64_t dim;
  std::vector<float>& syn0;     // (V, D) input vectors
  std::vector<float>& syn1neg;  // (V, D) output vectors
  const NoiseDistribution& noise;
  Generator& gen;
  std::vector<float> neu1, neu1e;
  double loss = 0;
  int64_t pairs = 0;

  // One positive pair (h → target) and `negative` noise words, gensim's fast_sentence_*_neg:
  // g = (label − σ(h·u)) · α; the error for h accumulates in neu1e, u is updated at once.
  void train_pair(const float* h, int64_t target, float alpha) {
    std::fill(neu1e.begin(), neu1e.end(), 0.0f);
    for (int64_t d = 0; d <= opt.negative; ++d) {
      int64_t w = target;
      float label = 1.0f;
      if (d > 0) {
        w = noise.sample(static_cast<uint32_t>(gen.next_u64() >> 32));
        if (w == target) continue;
        label = 0.0f;
      }
      float* u = syn1neg.data() + w * dim;
      const float f = dot(h, u, dim);
      // σ saturates beyond |f| = 6, as word2vec.c's exp table (MAX_EXP).
      const float s = f <= -6.0f ? 0.0f : f >= 6.0f ? 1.0f : 1.0f / (1.0f + std::exp(-f));
      if (opt.compute_loss) {
        const double fc = std::clamp(static_cast<double>(f), -30.0, 30.0);
        loss += label > 0 ? std::log1p(std::exp(-fc)) : std::log1p(std::exp(fc));
      }
      const float g = (label - s) * alpha;
      axpy(g, u, neu1e.data(), dim);
      axpy(g, h, u, dim);
    }
    ++pairs;
  }

  int64_t effective_window() {
    if (!opt.shrink_windows) return opt.window;
    return opt.window - static_cast<int64_t>(gen.next_u64() % static_cast<uint64_t>(opt.window));
  }

  void sentence_skipgram(const std::vector<int64_t>& s, float alpha) {
    const auto n = static_cast<int64_t>(s.size());
    for (int64_t i = 0; i < n; ++i) {
      const int64_t b = effective_window();
      for (int64_t j = std::max<int64_t>(0, i - b); j < std::min(n, i + b + 1); ++j) {
        if (j == i) continue;
        // As word2vec.c and gensim: the context word's input vector predicts the centre word.
        float* h = syn0.data() + s[j] * dim;
        train_pair(h, s[i], alpha);
        axpy(1.0f, neu1e.data(), h, dim);
      }
    }
  }

  void sentence_cbow(const std::vector<int64_t>& s, float alpha) {
    const auto n = static_cast<int64_t>(s.size());
    for (int64_t i = 0; i < n; ++i) {
      const int64_t b = effective_window();
      const int64_t lo = std::max<int64_t>(0, i - b), hi = std::min(n, i + b + 1);
      std::fill(neu1.begin(), neu1.end(), 0.0f);
      int64_t count = 0;
      for (int64_t j = lo; j < hi; ++j)
        if (j != i) axpy(1.0f, syn0.data() + s[j] * dim, neu1.data(), dim), ++count;
      if (count == 0) continue;
      const float inv = 1.0f / static_cast<float>(count);
      if (opt.cbow_mean)
        for (float& v : neu1) v *= inv;
      train_pair(neu1.data(), s[i], alpha);
      // With a mean the error reaches each context word whole; with a sum it is divided (gensim).
      if (!opt.cbow_mean)
        for (float& v : neu1e) v *= inv;
      for (int64_t j = lo; j < hi; ++j)
        if (j != i) axpy(1.0f, neu1e.data(), syn0.data() + s[j] * dim, dim);
    }
  }
};

void check_options(const Word2VecOptions& o) {
  NABLA_CHECK(o.vector_size >= 1, "Word2Vec: vector_size must be >= 1, got ", o.vector_size);
  NABLA_CHECK(o.window >= 1, "Word2Vec: window must be >= 1, got ", o.window);
  NABLA_CHECK(o.negative >= 1, "Word2Vec: negative must be >= 1 (training uses negative sampling), got ", o.negative);
  NABLA_CHECK(o.epochs >= 1, "Word2Vec: epochs must be >= 1, got ", o.epochs);
  NABLA_CHECK(o.alpha > 0 && o.min_alpha >= 0 && o.min_alpha <= o.alpha, "Word2Vec: expected 0 <= min_alpha <= alpha, alpha > 0, got alpha ",
              o.alpha, " min_alpha ", o.min_alpha);
  NABLA_CHECK(o.sample >= 0, "Word2Vec: sample must be >= 0, got ", o.sample);
}

}  // namespace

Word2Vec::Word2Vec(Word2VecOptions options) : options_(options) { check_options(options_); }

Word2Vec& Word2Vec::fit(const std::vector<std::vector<int64_t>>& sentences, const data::Vocab& vocab) {
  const int64_t V = vocab.size(), D = options_.vector_size, specials = vocab.num_specials();
  NABLA_CHECK(V > specials, "Word2Vec::fit: the vocabulary has no tokens besides its ", specials, " specials");
  // Count words, dropping specials; ids outside the vocabulary are an error.
  std::vector<std::vector<int64_t>> corpus;
  corpus.reserve(sentences.size());
  counts_.assign(static_cast<size_t>(V), 0);
  int64_t total = 0;
  for (size_t si = 0; si < sentences.size(); ++si) {
    std::vector<int64_t> kept;
    kept.reserve(sentences[si].size());
    for (size_t k = 0; k < sentences[si].size(); ++k) {
      const int64_t id = sentences[si][k];
      NABLA_CHECK(id >= 0 && id < V, "Word2Vec::fit: sentence ", si, " position ", k, " has id ", id,
                  ", outside the vocabulary [0, ", V, ")");
      if (id < specials) continue;
      kept.push_back(id);
      ++counts_[id];
    }
    total += static_cast<int64_t>(kept.size());
    if (kept.size() >= 2) corpus.push_back(std::move(kept));
  }
  NABLA_CHECK(total > 0, "Word2Vec::fit: the sentences hold no words besides special tokens");
  vocab_ = vocab;

  Generator gen(options_.seed);
  std::vector<float> syn0(static_cast<size_t>(V * D)), syn1neg(static_cast<size_t>(V * D), 0.0f);
  for (float& v : syn0) v = static_cast<float>((gen.next_double() - 0.5) / static_cast<double>(D));
  const NoiseDistribution noise(counts_, options_.ns_exponent);
  const std::vector<double> keep = keep_probabilities(counts_, options_.sample);

  Trainer t{options_, D, syn0, syn1neg, noise, gen, std::vector<float>(D), std::vector<float>(D)};
  double corpus_words = 0;
  for (const auto& s : corpus) corpus_words += static_cast<double>(s.size());
  const double all_words = corpus_words * static_cast<double>(options_.epochs);
  double done = 0;
  losses_.clear();
  trained_words_ = 0;
  std::vector<int64_t> sampled;
  for (int64_t epoch = 0; epoch < options_.epochs; ++epoch) {
    t.loss = 0;
    t.pairs = 0;
    for (const auto& s : corpus) {
      // Linear decay by the share of (raw) words seen so far, updated per sentence as gensim per job.
      const auto alpha = static_cast<float>(options_.alpha - (options_.alpha - options_.min_alpha) * done / all_words);
      sampled.clear();
      for (int64_t w : s)
        if (keep[w] >= 1.0 || gen.next_double() < keep[w]) sampled.push_back(w);
      done += static_cast<double>(s.size());
      trained_words_ += static_cast<int64_t>(sampled.size());
      if (options_.arch == Word2VecArch::SkipGram)
        t.sentence_skipgram(sampled, alpha);
      else
        t.sentence_cbow(sampled, alpha);
    }
    if (options_.compute_loss) losses_.push_back(t.pairs > 0 ? t.loss / static_cast<double>(t.pairs) : 0.0);
  }
  vectors_ = from_vector(syn0, Shape{V, D});
  context_ = from_vector(syn1neg, Shape{V, D});
  return *this;
}

const Tensor& Word2Vec::vectors() const {
  NABLA_CHECK(vectors_.defined(), "Word2Vec::vectors: call fit() first");
  return vectors_;
}

const Tensor& Word2Vec::context_vectors() const {
  NABLA_CHECK(context_.defined(), "Word2Vec::context_vectors: call fit() first");
  return context_;
}

KeyedVectors Word2Vec::wv() const { return KeyedVectors::from_vocab(vocab_, vectors()); }

}  // namespace nabla::classic
