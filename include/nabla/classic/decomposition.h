#pragma once
// PCA and truncated SVD through LAPACK's divide-and-conquer SVD (?gesdd), with scikit-learn's
// sign convention (svd_flip: in each singular pair the entry of u with the largest magnitude is
// positive) so that components can be compared with sklearn.decomposition.
#include <cstdint>

#include "nabla/tensor.h"

namespace nabla::classic {

/// Thin SVD a = U diag(S) Vh of a (M, N) float32/float64 matrix: U (M, K), S (K,), Vh (K, N),
/// K = min(M, N), S descending, signs fixed by svd_flip. Not differentiable.
struct SVDResult {
  Tensor U, S, Vh;
};
/// Thin SVD of a 2-d float matrix (LAPACK ?gesdd), signs as scikit-learn's svd_flip.
SVDResult svd(const Tensor& a);
/// The leading k singular triplets of `a` (1 <= k <= min(M, N)).
SVDResult truncated_svd(const Tensor& a, int64_t k);

/// Settings of PCA. n_components = 0 keeps min(N, D) components.
struct PCAOptions {
  int64_t n_components = 0;
  bool whiten = false;  ///< scale each projected component to unit variance
};

/// Principal component analysis (sklearn.decomposition.PCA with svd_solver="full").
/// The data are centred by their mean and decomposed as X − μ = U S Vᵀ; components are the rows of Vᵀ.
class PCA {
 public:
  explicit PCA(PCAOptions options = {});
  /// Learns mean, components and variances from x (N, D), N >= 2.
  PCA& fit(const Tensor& x);
  /// Projects x (M, D) onto the components: (x − μ) Vᵀ, divided by √variance when whitening. (M, k)
  Tensor transform(const Tensor& x) const;
  /// fit(x) then transform(x).
  Tensor fit_transform(const Tensor& x);
  /// Maps projections z (M, k) back to the input space (M, D).
  Tensor inverse_transform(const Tensor& z) const;

  /// Principal axes (k, D), unit rows, by decreasing variance.
  const Tensor& components() const;
  /// Variance along each component, S²/(N − 1) (k,).
  const Tensor& explained_variance() const;
  /// explained_variance / total variance of the data (k,).
  const Tensor& explained_variance_ratio() const;
  /// Singular values of the centred data (k,).
  const Tensor& singular_values() const;
  /// Per-feature mean (D,).
  const Tensor& mean() const;
  int64_t n_components() const;
  bool fitted() const { return components_.defined(); }

 private:
  PCAOptions options_;
  Tensor components_, explained_variance_, explained_variance_ratio_, singular_values_, mean_;
};

/// Truncated SVD without centring (sklearn.decomposition.TruncatedSVD computed exactly):
/// transform(x) = x Vᵀ, the rank-k latent semantic analysis of x.
class TruncatedSVD {
 public:
  /// Keeps n_components >= 1 singular triplets.
  explicit TruncatedSVD(int64_t n_components);
  /// Learns the components from x (N, D).
  TruncatedSVD& fit(const Tensor& x);
  /// x (M, D) → x Vᵀ (M, k).
  Tensor transform(const Tensor& x) const;
  /// fit(x) then transform(x).
  Tensor fit_transform(const Tensor& x);
  /// z (M, k) → z V (M, D).
  Tensor inverse_transform(const Tensor& z) const;
  /// Right singular vectors (k, D).
  const Tensor& components() const;
  const Tensor& singular_values() const;
  /// Variance of each transformed column / total variance of x's columns (as sklearn).
  const Tensor& explained_variance_ratio() const;
  bool fitted() const { return components_.defined(); }

 private:
  int64_t n_components_;
  Tensor components_, singular_values_, explained_variance_ratio_;
};

}  // namespace nabla::classic
