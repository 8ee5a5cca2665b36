#pragma once
// word2vec (Mikolov et al. 2013): skip-gram and CBOW trained with negative sampling, as gensim's
// Word2Vec: frequent-word subsampling, a unigram^0.75 noise distribution, windows shrunk at
// random, a learning rate decaying linearly over the whole run. A dedicated loop over float
// arrays, not the autograd graph (docs/design.md, "Word vectors").
#include <cstdint>
#include <vector>

#include "nabla/classic/keyed_vectors.h"
#include "nabla/data/vocab.h"
#include "nabla/tensor.h"

namespace nabla::classic {

/// Which word2vec architecture to train.
enum class Word2VecArch {
  SkipGram,  ///< each word predicts the words of its window
  CBOW,      ///< the (mean of the) window predicts the word
};

/// Settings of Word2Vec; the defaults are gensim 4's (Word2Vec(sg=0, vector_size=100, window=5,
/// sample=1e-3, negative=5, ns_exponent=0.75, alpha=0.025, min_alpha=1e-4, epochs=5, cbow_mean=1)).
struct Word2VecOptions {
  Word2VecArch arch = Word2VecArch::CBOW;
  int64_t vector_size = 100;
  /// Largest distance between a word and a context word.
  int64_t window = 5;
  /// Draw each word's effective window uniformly from [1, window] (gensim's shrink_windows).
  bool shrink_windows = true;
  /// Noise words per positive pair.
  int64_t negative = 5;
  /// The noise distribution is count^ns_exponent, normalised.
  double ns_exponent = 0.75;
  /// Subsampling threshold t: a word of count c among T words is kept with probability
  /// (√(c / (t·T)) + 1) · t·T / c (capped at 1). 0 keeps every word.
  double sample = 1e-3;
  /// Learning rate, decayed linearly from alpha to min_alpha over all epochs' words.
  double alpha = 0.025;
  double min_alpha = 1e-4;
  int64_t epochs = 5;
  /// CBOW: average the context vectors (true) or sum them.
  bool cbow_mean = true;
  /// Record the mean loss of each epoch (costs a logarithm per dot product).
  bool compute_loss = false;
  uint64_t seed = 1;
};

/// Negative-sampling noise table: cumulative count^exponent, sampled by binary search, so each
/// word is drawn with probability count^exponent / Σ count^exponent exactly (up to 2^-32).
class NoiseDistribution {
 public:
  /// Words with count 0 are never drawn; at least one count must be positive.
  NoiseDistribution(const std::vector<int64_t>& counts, double exponent);
  /// The word whose interval of the cumulative table holds `u` (uniform 32-bit).
  int64_t sample(uint32_t u) const;
  /// Probability of drawing `word`.
  double probability(int64_t word) const;

 private:
  std::vector<uint64_t> cumulative_;  // cumulative_[w] = ⌊2^32 · Σ_{v<=w} p_v⌋
};

/// Probability of keeping each word under subsampling threshold `sample` (1 for sample == 0).
std::vector<double> keep_probabilities(const std::vector<int64_t>& counts, double sample);

/// word2vec trained on sentences of token ids of a data::Vocab.
class Word2Vec {
 public:
  explicit Word2Vec(Word2VecOptions options = {});
  /// Trains on `sentences` (ids in [0, vocab.size())). Special tokens (ids < vocab.num_specials(),
  /// <unk> among them) are removed first, as gensim skips out-of-vocabulary words; words never seen
  /// keep their random initial vectors. Windows do not cross sentence boundaries. Deterministic for
  /// a seed; one thread (the result does not depend on the thread count).
  Word2Vec& fit(const std::vector<std::vector<int64_t>>& sentences, const data::Vocab& vocab);

  /// Input ("syn0") vectors (V, D) float32, one row per vocabulary id.
  const Tensor& vectors() const;
  /// Output vectors of the negative-sampling layer ("syn1neg") (V, D) float32.
  const Tensor& context_vectors() const;
  /// The input vectors of the non-special tokens, for similarity queries.
  KeyedVectors wv() const;
  /// Occurrences of each id in the training sentences (specials count 0).
  const std::vector<int64_t>& counts() const { return counts_; }
  /// With compute_loss: the mean negative-sampling loss −log σ(u·v) − Σ log σ(−u·v_noise) per
  /// positive pair, one value per epoch; empty otherwise.
  const std::vector<double>& epoch_losses() const { return losses_; }
  /// Words trained (after subsampling), summed over epochs.
  int64_t trained_words() const { return trained_words_; }

 private:
  Word2VecOptions options_;
  data::Vocab vocab_;
  Tensor vectors_, context_;
  std::vector<int64_t> counts_;
  std::vector<double> losses_;
  int64_t trained_words_ = 0;
};

}  // namespace nabla::classic
