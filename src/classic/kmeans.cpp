#include "nabla/classic/kmeans.h"

#include <cblas.h>

#include <cmath>
#include <limits>
#include <vector>

#include "classic/check.h"
#include "nabla/ops.h"
#include "nabla/random.h"

namespace nabla::classic {

namespace {

// Points (n, d) row-major with their squared norms.
struct Points {
  const std::vector<double>& x;
  std::vector<double> sq;
  int64_t n, d;
};

// dist (n, k) = ‖x_i‖² − 2 x_i·c_j + ‖c_j‖², clamped at 0 (cancellation can go slightly negative).
void squared_distances(const Points& p, const std::vector<double>& c, int64_t k, std::vector<double>& dist) {
  dist.resize(static_cast<size_t>(p.n * k));
  std::vector<double> csq(static_cast<size_t>(k), 0.0);
  for (int64_t j = 0; j < k; ++j)
    for (int64_t f = 0; f < p.d; ++f) csq[j] += c[j * p.d + f] * c[j * p.d + f];
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(p.n), static_cast<int>(k),
              static_cast<int>(p.d), -2.0, p.x.data(), static_cast<int>(p.d), c.data(), static_cast<int>(p.d), 0.0,
              dist.data(), static_cast<int>(k));
  for (int64_t i = 0; i < p.n; ++i)
    for (int64_t j = 0; j < k; ++j) dist[i * k + j] = std::max(0.0, dist[i * k + j] + p.sq[i] + csq[j]);
}

// Nearest centre of each point; returns the inertia.
double assign(const Points& p, const std::vector<double>& c, int64_t k, std::vector<double>& dist,
              std::vector<int64_t>& labels, std::vector<double>& nearest) {
  squared_distances(p, c, k, dist);
  labels.assign(static_cast<size_t>(p.n), 0);
  nearest.assign(static_cast<size_t>(p.n), 0.0);
  double inertia = 0;
  for (int64_t i = 0; i < p.n; ++i) {
    int64_t best = 0;
    for (int64_t j = 1; j < k; ++j)
      if (dist[i * k + j] < dist[i * k + best]) best = j;
    labels[i] = best;
    nearest[i] = dist[i * k + best];
    inertia += nearest[i];
  }
  return inertia;
}

// Samples an index with probability proportional to weights (sum > 0).
int64_t sample_weighted(const std::vector<double>& w, double total, Generator& gen) {
  double r = gen.next_double() * total;
  for (size_t i = 0; i < w.size(); ++i) {
    r -= w[i];
    if (r < 0) return static_cast<int64_t>(i);
  }
  for (size_t i = w.size(); i-- > 0;)
    if (w[i] > 0) return static_cast<int64_t>(i);
  return 0;
}

// Greedy k-means++ (as scikit-learn): each new centre is the best of 2 + ⌊ln k⌋ candidates drawn
// with probability ∝ D(x)², the one that lowers the potential Σ D(x)² most.
std::vector<double> kmeans_plus_plus(const Points& p, int64_t k, Generator& gen) {
  std::vector<double> centers(static_cast<size_t>(k * p.d));
  const int64_t trials = 2 + static_cast<int64_t>(std::log(static_cast<double>(k)));
  const auto first = static_cast<int64_t>(gen.next_u64() % static_cast<uint64_t>(p.n));
  std::copy_n(p.x.begin() + first * p.d, p.d, centers.begin());
  std::vector<double> closest(static_cast<size_t>(p.n)), dist;
  std::vector<double> c0(p.x.begin() + first * p.d, p.x.begin() + (first + 1) * p.d);
  squared_distances(p, c0, 1, closest);
  for (int64_t j = 1; j < k; ++j) {
    double potential = 0;
    for (double v : closest) potential += v;
    std::vector<double> candidates(static_cast<size_t>(trials * p.d));
    for (int64_t t = 0; t < trials; ++t) {
      const int64_t idx = potential > 0 ? sample_weighted(closest, potential, gen)
                                        : static_cast<int64_t>(gen.next_u64() % static_cast<uint64_t>(p.n));
      std::copy_n(p.x.begin() + idx * p.d, p.d, candidates.begin() + t * p.d);
    }
    squared_distances(p, candidates, trials, dist);
    int64_t best = 0;
    double best_potential = std::numeric_limits<double>::infinity();
    for (int64_t t = 0; t < trials; ++t) {
      double pot = 0;
      for (int64_t i = 0; i < p.n; ++i) pot += std::min(closest[i], dist[i * trials + t]);
      if (pot < best_potential) best_potential = pot, best = t;
    }
    std::copy_n(candidates.begin() + best * p.d, p.d, centers.begin() + j * p.d);
    for (int64_t i = 0; i < p.n; ++i) closest[i] = std::min(closest[i], dist[i * trials + best]);
  }
  return centers;
}

struct Run {
  std::vector<double> centers;
  std::vector<int64_t> labels;
  double inertia = 0;
  int64_t iterations = 0;
  std::vector<double> history;
};

Run lloyd(const Points& p, std::vector<double> centers, int64_t k, int64_t max_iter, double tol) {
  Run run;
  std::vector<double> dist, nearest, sums(static_cast<size_t>(k * p.d));
  std::vector<int64_t> counts(static_cast<size_t>(k));
  for (int64_t it = 0; it < max_iter; ++it) {
    run.history.push_back(assign(p, centers, k, dist, run.labels, nearest));
    run.iterations = it + 1;
    std::fill(sums.begin(), sums.end(), 0.0);
    std::fill(counts.begin(), counts.end(), 0);
    for (int64_t i = 0; i < p.n; ++i) {
      ++counts[run.labels[i]];
      for (int64_t f = 0; f < p.d; ++f) sums[run.labels[i] * p.d + f] += p.x[i * p.d + f];
    }
    double shift = 0;
    for (int64_t j = 0; j < k; ++j) {
      if (counts[j] == 0) {
        // An empty cluster takes the point farthest from its centre (as scikit-learn).
        int64_t far = 0;
        for (int64_t i = 1; i < p.n; ++i)
          if (nearest[i] > nearest[far]) far = i;
        nearest[far] = 0;
        for (int64_t f = 0; f < p.d; ++f) sums[j * p.d + f] = p.x[far * p.d + f];
        counts[j] = 1;
      }
      for (int64_t f = 0; f < p.d; ++f) {
        const double v = sums[j * p.d + f] / static_cast<double>(counts[j]);
        shift += (v - centers[j * p.d + f]) * (v - centers[j * p.d + f]);
        centers[j * p.d + f] = v;
      }
    }
    if (shift <= tol) break;
  }
  // Final assignment so that labels and inertia belong to the returned centres.
  run.inertia = assign(p, centers, k, dist, run.labels, nearest);
  run.history.push_back(run.inertia);
  run.centers = std::move(centers);
  return run;
}

}  // namespace

KMeans::KMeans(KMeansOptions options) : options_(options) {
  NABLA_CHECK(options_.n_clusters >= 1, "KMeans: n_clusters must be >= 1, got ", options_.n_clusters);
  NABLA_CHECK(options_.n_init >= 1, "KMeans: n_init must be >= 1, got ", options_.n_init);
  NABLA_CHECK(options_.max_iter >= 1, "KMeans: max_iter must be >= 1, got ", options_.max_iter);
  NABLA_CHECK(options_.tol >= 0, "KMeans: tol must be >= 0, got ", options_.tol);
}

KMeans& KMeans::fit(const Tensor& x) {
  detail::check_matrix(x, "KMeans::fit");
  const int64_t n = x.size(0), d = x.size(1), k = options_.n_clusters;
  NABLA_CHECK(n >= k, "KMeans::fit: n_samples = ", n, " must be >= n_clusters = ", k);
  const std::vector<double> xs = detail::to_doubles(x);
  Points p{xs, std::vector<double>(static_cast<size_t>(n), 0.0), n, d};
  std::vector<double> mean(static_cast<size_t>(d), 0.0), var(static_cast<size_t>(d), 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t f = 0; f < d; ++f) {
      const double v = xs[i * d + f];
      NABLA_CHECK(std::isfinite(v), "KMeans::fit: x[", i, ", ", f, "] is not finite");
      p.sq[i] += v * v;
      mean[f] += v;
    }
  for (int64_t f = 0; f < d; ++f) mean[f] /= static_cast<double>(n);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t f = 0; f < d; ++f) var[f] += (xs[i * d + f] - mean[f]) * (xs[i * d + f] - mean[f]);
  double mean_var = 0;
  for (double v : var) mean_var += v / static_cast<double>(n);
  const double tol = options_.tol * mean_var / static_cast<double>(d);

  Generator gen(options_.seed);
  Run best;
  best.inertia = std::numeric_limits<double>::infinity();
  for (int64_t r = 0; r < options_.n_init; ++r) {
    Run run = lloyd(p, kmeans_plus_plus(p, k, gen), k, options_.max_iter, tol);
    if (run.inertia < best.inertia) best = std::move(run);
  }
  centers_ = from_vector(best.centers, Shape{k, d}).to(x.dtype());
  labels_ = from_vector(best.labels, Shape{n});
  inertia_ = best.inertia;
  n_iter_ = best.iterations;
  history_ = best.history;
  return *this;
}

Tensor KMeans::transform(const Tensor& x) const {
  NABLA_CHECK(fitted(), "KMeans::transform: not fitted (call fit first)");
  detail::check_matrix(x, "KMeans::transform");
  NABLA_CHECK(x.size(1) == centers_.size(1), "KMeans::transform: expected x with ", centers_.size(1),
              " columns, got shape ", x.shape());
  const std::vector<double> xs = detail::to_doubles(x);
  Points p{xs, std::vector<double>(static_cast<size_t>(x.size(0)), 0.0), x.size(0), x.size(1)};
  for (int64_t i = 0; i < p.n; ++i)
    for (int64_t f = 0; f < p.d; ++f) p.sq[i] += xs[i * p.d + f] * xs[i * p.d + f];
  std::vector<double> dist;
  squared_distances(p, detail::to_doubles(centers_), centers_.size(0), dist);
  return from_vector(dist, Shape{p.n, centers_.size(0)}).to(x.dtype());
}

Tensor KMeans::predict(const Tensor& x) const { return argmin(transform(x), 1); }

Tensor KMeans::fit_predict(const Tensor& x) { return fit(x).labels(); }

const Tensor& KMeans::cluster_centers() const {
  NABLA_CHECK(fitted(), "KMeans::cluster_centers: not fitted (call fit first)");
  return centers_;
}
const Tensor& KMeans::labels() const {
  NABLA_CHECK(fitted(), "KMeans::labels: not fitted (call fit first)");
  return labels_;
}
double KMeans::inertia() const {
  NABLA_CHECK(fitted(), "KMeans::inertia: not fitted (call fit first)");
  return inertia_;
}

}  // namespace nabla::classic
