#include "nabla/classic/tsne.h"

#include <cblas.h>

#include <cmath>
#include <cstdio>
#include <limits>

#include "classic/check.h"
#include "nabla/classic/decomposition.h"
#include "nabla/random.h"
#include "nabla/viz.h"

namespace nabla::classic {

namespace {

// Row i of the calibration: fills p[0..n) (p[i] = 0) and returns β and the entropy reached.
// Distances are shifted by the row's smallest off-diagonal one, which leaves p unchanged but keeps
// exp() from underflowing for far-away points.
std::pair<double, double> calibrate_row(const double* d, int64_t n, int64_t i, double target, double tol,
                                        int64_t max_steps, double* p) {
  double dmin = std::numeric_limits<double>::infinity();
  for (int64_t j = 0; j < n; ++j)
    if (j != i) dmin = std::min(dmin, d[j]);
  double beta = 1.0, lo = 0.0, hi = std::numeric_limits<double>::infinity(), entropy = 0;
  for (int64_t step = 0; step < max_steps; ++step) {
    double sum = 0, weighted = 0;
    for (int64_t j = 0; j < n; ++j) {
      p[j] = j == i ? 0.0 : std::exp(-(d[j] - dmin) * beta);
      sum += p[j];
      weighted += (d[j] - dmin) * p[j];
    }
    // H = ln Σ_j e^{−β d_j} + β Σ_j d_j p_j, with p normalised.
    entropy = std::log(sum) + beta * weighted / sum;
    for (int64_t j = 0; j < n; ++j) p[j] /= sum;
    const double diff = entropy - target;
    if (std::abs(diff) <= tol) break;
    if (diff > 0) {  // too flat: sharpen
      lo = beta;
      beta = std::isinf(hi) ? beta * 2.0 : 0.5 * (beta + hi);
    } else {
      hi = beta;
      beta = 0.5 * (beta + lo);
    }
  }
  return {beta, entropy};
}

std::vector<double> pairwise_sq_distances(const std::vector<double>& x, int64_t n, int64_t d) {
  std::vector<double> dist(static_cast<size_t>(n * n)), sq(static_cast<size_t>(n), 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t f = 0; f < d; ++f) sq[i] += x[i * d + f] * x[i * d + f];
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(n), static_cast<int>(n), static_cast<int>(d),
              -2.0, x.data(), static_cast<int>(d), x.data(), static_cast<int>(d), 0.0, dist.data(), static_cast<int>(n));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) dist[i * n + j] = i == j ? 0.0 : std::max(0.0, dist[i * n + j] + sq[i] + sq[j]);
  return dist;
}

// Fills grad (n, c) with ∂KL/∂y = 4 Σ_j (e·p_ij − q_ij)(y_i − y_j)/(1 + ‖y_i − y_j‖²) and returns
// KL(e·P ‖ Q) (with e the exaggeration).
double kl_gradient(const std::vector<double>& P, const std::vector<double>& y, int64_t n, int64_t c, double exaggeration,
                   std::vector<double>& num, std::vector<double>& grad) {
  // Sums go through per-row partials added in row order, so the result does not depend on the
  // thread count (an OpenMP reduction's order does, and t-SNE amplifies the difference).
  std::vector<double> row(static_cast<size_t>(n));
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    double zi = 0;
    for (int64_t j = 0; j < n; ++j) {
      double s = 0;
      for (int64_t a = 0; a < c; ++a) s += (y[i * c + a] - y[j * c + a]) * (y[i * c + a] - y[j * c + a]);
      num[i * n + j] = i == j ? 0.0 : 1.0 / (1.0 + s);
      zi += num[i * n + j];
    }
    row[i] = zi;
  }
  double z = 0;
  for (double v : row) z += v;
  constexpr double eps = 1e-12;
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    double kl = 0;
    for (int64_t a = 0; a < c; ++a) grad[i * c + a] = 0;
    for (int64_t j = 0; j < n; ++j) {
      if (i == j) continue;
      const double p = exaggeration * P[i * n + j], q = num[i * n + j] / z;
      const double m = 4.0 * (p - q) * num[i * n + j];
      for (int64_t a = 0; a < c; ++a) grad[i * c + a] += m * (y[i * c + a] - y[j * c + a]);
      if (p > 0) kl += p * std::log(std::max(p, eps) / std::max(q, eps));
    }
    row[i] = kl;
  }
  double kl = 0;
  for (double v : row) kl += v;
  return kl;
}

}  // namespace

PerplexityResult perplexity_calibration(const Tensor& sq_distances, double perplexity, double tol, int64_t max_steps) {
  const char* fn = "perplexity_calibration";
  detail::check_matrix(sq_distances, fn, "sq_distances");
  const int64_t n = sq_distances.size(0);
  NABLA_CHECK(sq_distances.size(1) == n, fn, ": expected a square (N, N) matrix, got shape ", sq_distances.shape());
  NABLA_CHECK(n >= 2, fn, ": need at least 2 points, got ", n);
  NABLA_CHECK(perplexity > 0 && perplexity < static_cast<double>(n), fn, ": perplexity must be in (0, N = ", n,
              "), got ", perplexity);
  NABLA_CHECK(tol > 0 && max_steps > 0, fn, ": tol and max_steps must be positive, got ", tol, " and ", max_steps);
  const std::vector<double> d = detail::to_doubles(sq_distances);
  for (size_t i = 0; i < d.size(); ++i)
    NABLA_CHECK(std::isfinite(d[i]) && d[i] >= 0, fn, ": distance at flat index ", i, " is ", d[i],
                " (expected finite and >= 0)");
  Tensor P = empty({n, n}, DType::Float64), beta = empty({n}, DType::Float64), entropy = empty({n}, DType::Float64);
  double* pp = P.data_ptr<double>();
  const double target = std::log(perplexity);
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    const auto [b, h] = calibrate_row(d.data() + i * n, n, i, target, tol, max_steps, pp + i * n);
    beta.data_ptr<double>()[i] = b;
    entropy.data_ptr<double>()[i] = h;
  }
  return {P, beta, entropy};
}

TSNE::TSNE(TSNEOptions options) : options_(options) {
  const char* fn = "TSNE";
  NABLA_CHECK(options_.n_components >= 1, fn, ": n_components must be >= 1, got ", options_.n_components);
  NABLA_CHECK(options_.perplexity > 0, fn, ": perplexity must be > 0, got ", options_.perplexity);
  NABLA_CHECK(options_.early_exaggeration >= 1, fn, ": early_exaggeration must be >= 1, got ",
              options_.early_exaggeration);
  NABLA_CHECK(options_.learning_rate >= 0, fn, ": learning_rate must be >= 0 (0 = auto), got ", options_.learning_rate);
  NABLA_CHECK(options_.max_iter >= 1 && options_.exaggeration_iters >= 0, fn,
              ": max_iter must be >= 1 and exaggeration_iters >= 0, got ", options_.max_iter, " and ",
              options_.exaggeration_iters);
  NABLA_CHECK(options_.min_gain > 0, fn, ": min_gain must be > 0, got ", options_.min_gain);
}

Tensor TSNE::fit_transform(const Tensor& x) {
  const char* fn = "TSNE::fit_transform";
  detail::check_matrix(x, fn);
  const int64_t n = x.size(0), d = x.size(1), c = options_.n_components;
  NABLA_CHECK(static_cast<double>(n) > options_.perplexity + 1, fn, ": need more than perplexity + 1 = ",
              options_.perplexity + 1, " points, got ", n);
  const std::vector<double> xs = detail::to_doubles(x);
  for (size_t i = 0; i < xs.size(); ++i) NABLA_CHECK(std::isfinite(xs[i]), fn, ": x contains NaN or Inf");

  // Joint probabilities p_ij = (p_{j|i} + p_{i|j}) / 2N.
  const std::vector<double> dist = pairwise_sq_distances(xs, n, d);
  const PerplexityResult cond = perplexity_calibration(from_vector(dist, Shape{n, n}), options_.perplexity);
  const double* pc = cond.P.data_ptr<double>();
  std::vector<double> P(static_cast<size_t>(n * n));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      P[i * n + j] = std::max((pc[i * n + j] + pc[j * n + i]) / (2.0 * static_cast<double>(n)), 1e-300);
  for (int64_t i = 0; i < n; ++i) P[i * n + i] = 0;

  std::vector<double> y(static_cast<size_t>(n * c));
  if (options_.init == TSNEInit::PCA && c <= std::min(n, d)) {
    std::vector<double> z = PCA({.n_components = c}).fit_transform(from_vector(xs, Shape{n, d})).to_vector<double>();
    double m = 0, s = 0;
    for (int64_t i = 0; i < n; ++i) m += z[i * c];
    m /= static_cast<double>(n);
    for (int64_t i = 0; i < n; ++i) s += (z[i * c] - m) * (z[i * c] - m);
    s = std::sqrt(s / static_cast<double>(n));
    for (size_t i = 0; i < y.size(); ++i) y[i] = s > 0 ? z[i] / s * 1e-4 : 0.0;
  } else {
    Generator gen(options_.seed);
    for (double& v : y) v = 1e-4 * gen.next_normal();
  }

  const double lr = options_.learning_rate > 0
                        ? options_.learning_rate
                        : std::max(static_cast<double>(n) / options_.early_exaggeration / 4.0, 50.0);
  std::vector<double> num(static_cast<size_t>(n * n)), grad(y.size()), update(y.size(), 0.0), gains(y.size(), 1.0);
  history_.clear();
  for (int64_t it = 0; it < options_.max_iter; ++it) {
    const bool early = it < options_.exaggeration_iters;
    const double exaggeration = early ? options_.early_exaggeration : 1.0;
    const double momentum = early ? options_.initial_momentum : options_.final_momentum;
    const double kl = kl_gradient(P, y, n, c, exaggeration, num, grad);
    // Gains (Jacobs 1988): grow where the gradient keeps its direction against the last step.
    for (size_t k = 0; k < y.size(); ++k) {
      const bool same_sign = (grad[k] > 0) == (update[k] > 0);
      gains[k] = std::max(same_sign ? gains[k] * 0.8 : gains[k] + 0.2, options_.min_gain);
      update[k] = momentum * update[k] - lr * gains[k] * grad[k];
      y[k] += update[k];
    }
    if (it % 50 == 49 || it + 1 == options_.max_iter) {
      history_.push_back(kl);
      if (options_.verbose && it % 100 == 99) std::printf("t-SNE iteration %lld: KL %.4f\n", (long long)(it + 1), kl);
    }
  }
  kl_ = kl_gradient(P, y, n, c, 1.0, num, grad);
  if (!history_.empty()) history_.back() = kl_;
  return from_vector(y, Shape{n, c});
}

std::string embedding_scatter_svg(const Tensor& embedding, const Tensor& labels,
                                  const std::vector<std::string>& class_names, const std::string& title) {
  const char* fn = "embedding_scatter_svg";
  detail::check_matrix(embedding, fn, "embedding");
  NABLA_CHECK(embedding.size(1) == 2, fn, ": expected a 2-d embedding (N, 2), got shape ", embedding.shape());
  detail::check_labels(labels, embedding.size(0), 0, fn);
  const std::vector<double> e = detail::to_doubles(embedding);
  std::vector<double> xs(e.size() / 2), ys(e.size() / 2);
  for (size_t i = 0; i < xs.size(); ++i) xs[i] = e[2 * i], ys[i] = e[2 * i + 1];
  return viz::scatter_plot_svg(xs, ys, labels.contiguous().to_vector<int64_t>(), class_names,
                               {.title = title, .x_label = "t-SNE 1", .y_label = "t-SNE 2"});
}

}  // namespace nabla::classic
