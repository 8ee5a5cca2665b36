#include "nabla/classic/decomposition.h"

#include <lapacke.h>

#include <cmath>
#include <vector>

#include "classic/check.h"
#include "nabla/autograd.h"
#include "nabla/ops.h"

namespace nabla::classic {

namespace {

lapack_int gesdd(lapack_int m, lapack_int n, float* a, float* s, float* u, float* vt) {
  return LAPACKE_sgesdd(LAPACK_COL_MAJOR, 'S', m, n, a, m, s, u, m, vt, std::min(m, n));
}
lapack_int gesdd(lapack_int m, lapack_int n, double* a, double* s, double* u, double* vt) {
  return LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'S', m, n, a, m, s, u, m, vt, std::min(m, n));
}

// Thin SVD of the row-major (rows, cols) matrix `a` (overwritten). A row-major matrix is, read
// column-major, its own transpose, so LAPACK factors Aᵀ = U' S V'ᵀ and, read row-major again,
// V'ᵀ is A's U and U' is A's Vh: no transposing copies are needed.
template <class T>
SVDResult svd_rowmajor(Tensor a, int64_t rows, int64_t cols) {
  const int64_t k = std::min(rows, cols);
  Tensor u = empty({rows, k}, a.dtype()), s = empty({k}, a.dtype()), vh = empty({k, cols}, a.dtype());
  const lapack_int info = gesdd(static_cast<lapack_int>(cols), static_cast<lapack_int>(rows), a.data_ptr<T>(),
                                s.data_ptr<T>(), vh.data_ptr<T>(), u.data_ptr<T>());
  NABLA_CHECK(info == 0, "svd: LAPACK ?gesdd failed (info = ", info, ") on a matrix of shape [", rows, ", ", cols,
              "]", info > 0 ? " (did not converge; does it contain NaN or Inf?)" : "");
  // svd_flip (u-based): make the largest-magnitude entry of each column of U positive.
  T* up = u.data_ptr<T>();
  T* vp = vh.data_ptr<T>();
  for (int64_t j = 0; j < k; ++j) {
    int64_t best = 0;
    for (int64_t i = 1; i < rows; ++i)
      if (std::abs(up[i * k + j]) > std::abs(up[best * k + j])) best = i;
    if (up[best * k + j] >= 0) continue;
    for (int64_t i = 0; i < rows; ++i) up[i * k + j] = -up[i * k + j];
    for (int64_t c = 0; c < cols; ++c) vp[j * cols + c] = -vp[j * cols + c];
  }
  return {u, s, vh};
}

void check_fitted(bool fitted, const char* fn) {
  NABLA_CHECK(fitted, fn, ": not fitted (call fit first)");
}

void check_features(const Tensor& x, int64_t d, const char* fn, const char* what) {
  detail::check_matrix(x, fn, what);
  NABLA_CHECK(x.size(1) == d, fn, ": expected ", what, " with ", d, " columns, got shape ", x.shape());
}

}  // namespace

SVDResult svd(const Tensor& a) {
  detail::check_matrix(a, "svd", "a");
  NoGradGuard no_grad;
  Tensor work = a.detach().contiguous().clone();
  NABLA_CHECK(isfinite(work).to(DType::Int64).sum().item<int64_t>() == work.numel(),
              "svd: the matrix of shape ", a.shape(), " contains NaN or Inf");
  if (work.dtype() == DType::Float32) return svd_rowmajor<float>(work, a.size(0), a.size(1));
  return svd_rowmajor<double>(work, a.size(0), a.size(1));
}

SVDResult truncated_svd(const Tensor& a, int64_t k) {
  detail::check_matrix(a, "truncated_svd", "a");
  const int64_t kmax = std::min(a.size(0), a.size(1));
  NABLA_CHECK(k >= 1 && k <= kmax, "truncated_svd: k must be in [1, ", kmax, "] for a matrix of shape ", a.shape(),
              ", got ", k);
  SVDResult r = svd(a);
  return {r.U.narrow(1, 0, k).contiguous(), r.S.narrow(0, 0, k).contiguous(), r.Vh.narrow(0, 0, k).contiguous()};
}

// ---- PCA -------------------------------------------------------------------------------------------

PCA::PCA(PCAOptions options) : options_(options) {
  NABLA_CHECK(options_.n_components >= 0, "PCA: n_components must be >= 0 (0 = all), got ", options_.n_components);
}

PCA& PCA::fit(const Tensor& x) {
  const char* fn = "PCA::fit";
  detail::check_matrix(x, fn);
  const int64_t n = x.size(0), d = x.size(1), kmax = std::min(n, d);
  NABLA_CHECK(n >= 2, fn, ": need at least 2 samples, got ", n);
  const int64_t k = options_.n_components == 0 ? kmax : options_.n_components;
  NABLA_CHECK(k <= kmax, fn, ": n_components = ", k, " exceeds min(n_samples, n_features) = ", kmax,
              " for x of shape ", x.shape());
  NoGradGuard no_grad;
  const Tensor xs = x.detach();
  mean_ = xs.mean({0});
  SVDResult r = svd(xs - mean_);
  const Tensor variance = r.S * r.S / static_cast<double>(n - 1);
  const double total = variance.sum().item();
  components_ = r.Vh.narrow(0, 0, k).contiguous();
  singular_values_ = r.S.narrow(0, 0, k).contiguous();
  explained_variance_ = variance.narrow(0, 0, k).contiguous();
  explained_variance_ratio_ = total > 0 ? explained_variance_ / total : zeros_like(explained_variance_);
  return *this;
}

Tensor PCA::transform(const Tensor& x) const {
  check_fitted(fitted(), "PCA::transform");
  check_features(x, mean_.size(0), "PCA::transform", "x");
  NoGradGuard no_grad;
  Tensor z = matmul(x.detach().to(mean_.dtype()) - mean_, components_.t());
  if (options_.whiten) z = z / sqrt(explained_variance_);
  return z;
}

Tensor PCA::fit_transform(const Tensor& x) { return fit(x).transform(x); }

Tensor PCA::inverse_transform(const Tensor& z) const {
  check_fitted(fitted(), "PCA::inverse_transform");
  check_features(z, components_.size(0), "PCA::inverse_transform", "z");
  NoGradGuard no_grad;
  Tensor zz = z.detach().to(mean_.dtype());
  if (options_.whiten) zz = zz * sqrt(explained_variance_);
  return matmul(zz, components_) + mean_;
}

const Tensor& PCA::components() const { return check_fitted(fitted(), "PCA::components"), components_; }
const Tensor& PCA::explained_variance() const {
  return check_fitted(fitted(), "PCA::explained_variance"), explained_variance_;
}
const Tensor& PCA::explained_variance_ratio() const {
  return check_fitted(fitted(), "PCA::explained_variance_ratio"), explained_variance_ratio_;
}
const Tensor& PCA::singular_values() const { return check_fitted(fitted(), "PCA::singular_values"), singular_values_; }
const Tensor& PCA::mean() const { return check_fitted(fitted(), "PCA::mean"), mean_; }
int64_t PCA::n_components() const { return components().size(0); }

// ---- TruncatedSVD ----------------------------------------------------------------------------------

TruncatedSVD::TruncatedSVD(int64_t n_components) : n_components_(n_components) {
  NABLA_CHECK(n_components >= 1, "TruncatedSVD: n_components must be >= 1, got ", n_components);
}

TruncatedSVD& TruncatedSVD::fit(const Tensor& x) {
  detail::check_matrix(x, "TruncatedSVD::fit");
  NoGradGuard no_grad;
  const Tensor xs = x.detach();
  SVDResult r = truncated_svd(xs, std::min(n_components_, std::min(x.size(0), x.size(1))));
  NABLA_CHECK(r.S.size(0) == n_components_, "TruncatedSVD::fit: n_components = ", n_components_,
              " exceeds min(n_samples, n_features) for x of shape ", x.shape());
  components_ = r.Vh;
  singular_values_ = r.S;
  const double total = var(xs, {0}, 0).sum().item();
  const Tensor projected_var = var(r.U * r.S, {0}, 0);
  explained_variance_ratio_ = total > 0 ? projected_var / total : zeros_like(projected_var);
  return *this;
}

Tensor TruncatedSVD::transform(const Tensor& x) const {
  check_fitted(fitted(), "TruncatedSVD::transform");
  check_features(x, components_.size(1), "TruncatedSVD::transform", "x");
  NoGradGuard no_grad;
  return matmul(x.detach().to(components_.dtype()), components_.t());
}

Tensor TruncatedSVD::fit_transform(const Tensor& x) { return fit(x).transform(x); }

Tensor TruncatedSVD::inverse_transform(const Tensor& z) const {
  check_fitted(fitted(), "TruncatedSVD::inverse_transform");
  check_features(z, components_.size(0), "TruncatedSVD::inverse_transform", "z");
  NoGradGuard no_grad;
  return matmul(z.detach().to(components_.dtype()), components_);
}

const Tensor& TruncatedSVD::components() const {
  return check_fitted(fitted(), "TruncatedSVD::components"), components_;
}
const Tensor& TruncatedSVD::singular_values() const {
  return check_fitted(fitted(), "TruncatedSVD::singular_values"), singular_values_;
}
const Tensor& TruncatedSVD::explained_variance_ratio() const {
  return check_fitted(fitted(), "TruncatedSVD::explained_variance_ratio"), explained_variance_ratio_;
}

}  // namespace nabla::classic
