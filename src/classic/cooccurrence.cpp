#include "nabla/classic/cooccurrence.h"

#include <cmath>

#include "classic/check.h"
#include "nabla/classic/decomposition.h"
#include "nabla/error.h"
#include "nabla/ops.h"

namespace nabla::classic {

Tensor cooccurrence_matrix(const std::vector<std::vector<int64_t>>& sentences, int64_t vocab_size,
                           const CooccurrenceOptions& options) {
  const int64_t V = vocab_size;
  NABLA_CHECK(V >= 1, "cooccurrence_matrix: vocab_size must be >= 1, got ", V);
  NABLA_CHECK(options.window >= 1, "cooccurrence_matrix: window must be >= 1, got ", options.window);
  std::vector<double> x(static_cast<size_t>(V * V), 0.0);
  std::vector<int64_t> s;
  for (size_t si = 0; si < sentences.size(); ++si) {
    s.clear();
    for (size_t k = 0; k < sentences[si].size(); ++k) {
      const int64_t id = sentences[si][k];
      NABLA_CHECK(id >= 0 && id < V, "cooccurrence_matrix: sentence ", si, " position ", k, " has id ", id,
                  ", outside the vocabulary [0, ", V, ")");
      if (id >= options.skip_below) s.push_back(id);
    }
    const auto n = static_cast<int64_t>(s.size());
    // Each unordered pair at distance d adds its weight to both X[a][b] and X[b][a].
    for (int64_t i = 0; i < n; ++i)
      for (int64_t d = 1; d <= options.window && i + d < n; ++d) {
        const double w = options.distance_weighting ? 1.0 / static_cast<double>(d) : 1.0;
        x[s[i] * V + s[i + d]] += w;
        x[s[i + d] * V + s[i]] += w;
      }
  }
  return from_vector(x, Shape{V, V});
}

Tensor ppmi(const Tensor& counts, double context_alpha) {
  detail::check_matrix(counts, "ppmi", "counts");
  NABLA_CHECK(context_alpha > 0 && std::isfinite(context_alpha), "ppmi: context_alpha must be finite and > 0, got ",
              context_alpha);
  const int64_t R = counts.size(0), C = counts.size(1);
  std::vector<double> x = detail::to_doubles(counts);
  std::vector<double> row(static_cast<size_t>(R), 0.0), col(static_cast<size_t>(C), 0.0);
  double total = 0;
  for (int64_t i = 0; i < R; ++i)
    for (int64_t j = 0; j < C; ++j) {
      const double v = x[i * C + j];
      NABLA_CHECK(v >= 0 && std::isfinite(v), "ppmi: counts must be finite and >= 0, got ", v, " at [", i, ", ", j, "]");
      row[i] += v;
      col[j] += v;
      total += v;
    }
  NABLA_CHECK(total > 0, "ppmi: every count is 0 (shape ", counts.shape(), ")");
  // log P_α(j) = α log c_j − log Σ c^α
  double col_alpha_total = 0;
  for (double c : col) col_alpha_total += c > 0 ? std::pow(c, context_alpha) : 0.0;
  std::vector<double> log_pc(static_cast<size_t>(C), 0.0);
  for (int64_t j = 0; j < C; ++j)
    if (col[j] > 0) log_pc[j] = context_alpha * std::log(col[j]) - std::log(col_alpha_total);
  const double log_total = std::log(total);
  for (int64_t i = 0; i < R; ++i) {
    const double log_pr = row[i] > 0 ? std::log(row[i]) - log_total : 0.0;
    for (int64_t j = 0; j < C; ++j) {
      double& v = x[i * C + j];
      v = v > 0 ? std::max(0.0, std::log(v) - log_total - log_pr - log_pc[j]) : 0.0;
    }
  }
  return from_vector(x, Shape{R, C});
}

Tensor svd_embeddings(const Tensor& matrix, int64_t dim, double eigenvalue_weight) {
  detail::check_matrix(matrix, "svd_embeddings", "matrix");
  NABLA_CHECK(dim >= 1 && dim <= std::min(matrix.size(0), matrix.size(1)), "svd_embeddings: dim must be in [1, ",
              std::min(matrix.size(0), matrix.size(1)), "] for a matrix of shape ", matrix.shape(), ", got ", dim);
  NABLA_CHECK(std::isfinite(eigenvalue_weight), "svd_embeddings: eigenvalue_weight must be finite, got ", eigenvalue_weight);
  const SVDResult r = truncated_svd(matrix, dim);
  return r.U * pow(r.S, eigenvalue_weight).unsqueeze(0);
}

}  // namespace nabla::classic
