#pragma once
// t-SNE (van der Maaten & Hinton, 2008), exact O(N²) gradient: for embeddings of up to a few
// thousand points.
#include <cstdint>
#include <string>
#include <vector>

#include "nabla/tensor.h"

namespace nabla::classic {

/// Conditional probabilities p_{j|i} ∝ exp(−β_i d_ij) (rows sum to 1, p_{i|i} = 0) with each β_i
/// found by binary search so that the row's entropy is ln(perplexity) nats.
struct PerplexityResult {
  Tensor P;        ///< (N, N) float64, conditional probabilities, row i = p_{·|i}
  Tensor beta;     ///< (N,) float64, precisions β_i = 1 / (2σ_i²)
  Tensor entropy;  ///< (N,) float64, achieved entropies in nats
};
/// Calibrates the Gaussian of every row of squared distances d (N, N) to `perplexity`
/// (0 < perplexity < N). Binary search until |H − ln perplexity| <= tol or max_steps steps.
PerplexityResult perplexity_calibration(const Tensor& sq_distances, double perplexity, double tol = 1e-5,
                                        int64_t max_steps = 200);

/// How the embedding starts.
enum class TSNEInit {
  PCA,     ///< first n_components principal components, scaled to std 1e-4 (sklearn's default)
  Random,  ///< N(0, 1e-4²)
};

/// Settings of TSNE; defaults as sklearn.manifold.TSNE (1.2) with method="exact".
struct TSNEOptions {
  int64_t n_components = 2;
  double perplexity = 30.0;
  double early_exaggeration = 12.0;
  int64_t exaggeration_iters = 250;  ///< iterations with exaggerated P and momentum 0.5
  double learning_rate = 0.0;        ///< 0 = "auto": max(N / early_exaggeration / 4, 50)
  int64_t max_iter = 1000;
  double initial_momentum = 0.5;
  double final_momentum = 0.8;
  double min_gain = 0.01;
  TSNEInit init = TSNEInit::PCA;
  uint64_t seed = 0;
  bool verbose = false;  ///< print the KL divergence every 100 iterations
};

/// t-distributed stochastic neighbour embedding with the gains/momentum optimiser of the paper.
class TSNE {
 public:
  explicit TSNE(TSNEOptions options = {});
  /// Embeds x (N, D) float32/float64 into (N, n_components), float64. Needs N > perplexity + 1.
  Tensor fit_transform(const Tensor& x);
  /// KL(P‖Q) of the final embedding.
  double kl_divergence() const { return kl_; }
  /// KL(P‖Q) every 50 iterations (exaggerated P during early exaggeration).
  const std::vector<double>& kl_history() const { return history_; }

 private:
  TSNEOptions options_;
  double kl_ = 0;
  std::vector<double> history_;
};

/// SVG scatter plot of a 2-d embedding (N, 2) coloured by labels (N,) int64 (nabla::viz).
std::string embedding_scatter_svg(const Tensor& embedding, const Tensor& labels,
                                  const std::vector<std::string>& class_names, const std::string& title);

}  // namespace nabla::classic
