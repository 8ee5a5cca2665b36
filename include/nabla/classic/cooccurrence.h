#pragma once
// Count-based word vectors: a word–context co-occurrence matrix, positive pointwise mutual
// information (PPMI) and truncated SVD embeddings (Levy, Goldberg & Dagan 2015).
#include <cstdint>
#include <vector>

#include "nabla/tensor.h"

namespace nabla::classic {

/// Settings of cooccurrence_matrix.
struct CooccurrenceOptions {
  /// Largest distance between a word and a context word (same sentence).
  int64_t window = 5;
  /// Weight a pair at distance d by 1/d (GloVe's weighting) instead of 1.
  bool distance_weighting = false;
  /// Ids below this (a vocabulary's specials) are skipped and take no window positions.
  int64_t skip_below = 0;
};

/// The symmetric (V, V) float64 matrix X where X[i][j] sums, over every occurrence of word i, the
/// weights of the occurrences of word j at distance 1..window in the same sentence. Ids in [0, V).
/// Dense: V² doubles (V = 5,000 takes 200 MB).
Tensor cooccurrence_matrix(const std::vector<std::vector<int64_t>>& sentences, int64_t vocab_size,
                           const CooccurrenceOptions& options = {});

/// Positive PMI of a (V, C) count matrix X: = max(0, log P(i,j) / (P(i) · P_α(j))) with the context distribution smoothed
/// as P_α(j) = (Σ_i X_ij)^α / Σ_j (Σ_i X_ij)^α (α = 1: plain PMI; Levy et al. use 0.75).
/// Zero counts give 0. float64, same shape.
Tensor ppmi(const Tensor& counts, double context_alpha = 1.0);

/// Embeddings from the truncated SVD M ≈ U_k S_k V_kᵀ of a (V, C) matrix: U_k · S_k^p (V, k),
/// where p = eigenvalue_weight (0: U alone, 0.5: symmetric split, 1: the classic LSA projection).
Tensor svd_embeddings(const Tensor& matrix, int64_t dim, double eigenvalue_weight = 0.5);

}  // namespace nabla::classic
