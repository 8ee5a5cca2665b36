// k-nearest-neighbour search and voting. The search visits the training rows in blocks for a
// block of queries at a time (bounded memory: one distance block per thread), and every
// distance block feeds each query's partial top-k selection right away.
#include "nabla/classic/knn.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "kernels/cpu/gemm.h"
#include "kernels/cpu/knn_select.h"
#include "kernels/cpu/l1_distance.h"
#include "kernels/cpu/l2_distance_u8.h"
#include "kernels/cpu/loops.h"
#include "nabla/error.h"

namespace nabla::classic {
namespace {

// Byte rows longer than this could overflow the int32 L1 sums (255 · D < 2^31).
constexpr int64_t kMaxByteCols = 8'000'000;
// The exact byte L2 path splits the features into slices this long: every partial dot product
// is an integer ≤ 256 · 255² < 2^24, hence exact in float32 whatever the summation order.
constexpr int64_t kExactSlice = 256;

// Query and training block sizes: a training block of ~256 KiB stays in L2 while a query block
// sweeps it; GEMM blocks are larger because SGEMM needs room to reach its speed.
struct BlockSizes {
  int64_t queries, train;
};

// The selector's threshold as a block element: doubles as they are; int32 distances (exact
// integers below 2^31 − 1) compare against an integer, +inf becoming INT32_MAX, which no
// distance reaches.
template <class T>
T threshold_as(const cpu::TopKSelector& s) {
  const double t = s.threshold();
  if constexpr (std::is_same_v<T, double>) {
    return t;
  } else {
    static_assert(std::is_same_v<T, int32_t>);
    return std::isinf(t) ? std::numeric_limits<int32_t>::max() : static_cast<int32_t>(t);
  }
}

// Runs the blocked search: block(q0, q1, t0, t1, dist) fills dist[(i − q0)·bt + (j − t0)] with
// distances of type T (double, or exact int32; squared for L2), which feed the per-query selectors.
template <class T, class BlockFn>
void blocked_search(int64_t nq, int64_t nt, int64_t k, BlockSizes bs, BlockFn&& block, double* out_d,
                    int64_t* out_i) {
  const int64_t nblocks = (nq + bs.queries - 1) / bs.queries;
  cpu::parallel_for(nblocks, 0, [&](int64_t b0, int64_t b1) {
    std::vector<T> dist(static_cast<size_t>(bs.queries * bs.train));
    std::vector<cpu::TopKSelector> sel(static_cast<size_t>(bs.queries));
    for (int64_t b = b0; b < b1; ++b) {
      const int64_t q0 = b * bs.queries, q1 = std::min(nq, q0 + bs.queries);
      for (int64_t i = q0; i < q1; ++i) sel[i - q0].reset(k);
      for (int64_t t0 = 0; t0 < nt; t0 += bs.train) {
        const int64_t t1 = std::min(nt, t0 + bs.train);
        block(q0, q1, t0, t1, dist.data());
        for (int64_t i = q0; i < q1; ++i) {
          cpu::TopKSelector& s = sel[i - q0];
          const T* row = dist.data() + (i - q0) * bs.train;
          T worst = threshold_as<T>(s);
          for (int64_t j = 0; j < t1 - t0; ++j)
            if (row[j] < worst) {
              s.offer(static_cast<double>(row[j]), t0 + j);
              worst = threshold_as<T>(s);
            }
        }
      }
      for (int64_t i = q0; i < q1; ++i) sel[i - q0].finish(out_d + i * k, out_i + i * k);
    }
  });
}

Tensor as_float_rows(const Tensor& x, const char* who) {
  NABLA_CHECK(x.defined(), who, ": expected a (N, D) tensor, got an undefined tensor");
  NABLA_CHECK(x.dim() == 2, who, ": expected a 2-d (N, D) tensor, got shape ", x.shape());
  NABLA_CHECK(x.dtype() != DType::Bool, who, ": expected real features, got a bool tensor");
  return x.detach().to(DType::Float32).contiguous();
}

// Byte rows zero-padded to a multiple of cpu::kL1BytePad.
std::vector<uint8_t> pad_rows(const ByteMatrix& x, int64_t stride) {
  std::vector<uint8_t> out(static_cast<size_t>(x.rows * stride), 0);
  for (int64_t r = 0; r < x.rows; ++r)
    std::copy_n(x.data.data() + r * x.cols, x.cols, out.data() + r * stride);
  return out;
}

// Whether byte L2 searches use the VNNI integer kernel: the build has it and squared distances
// of `cols` features fit int32.
bool use_vnni_l2(int64_t cols) { return cpu::l2_u8_vnni_available() && cols <= cpu::kL2U8MaxCols; }

int64_t padded_stride(int64_t cols) { return (cols + cpu::kL1BytePad - 1) / cpu::kL1BytePad * cpu::kL1BytePad; }

std::vector<int64_t> exact_sq_norms(const ByteMatrix& x) {
  std::vector<int64_t> out(static_cast<size_t>(x.rows));
  for (int64_t r = 0; r < x.rows; ++r) {
    int64_t s = 0;
    const uint8_t* p = x.data.data() + r * x.cols;
    for (int64_t c = 0; c < x.cols; ++c) s += static_cast<int64_t>(p[c]) * p[c];
    out[r] = s;
  }
  return out;
}

std::vector<float> float_sq_norms(const Tensor& x) {
  const int64_t n = x.size(0), d = x.size(1);
  const float* p = x.data_ptr<float>();
  std::vector<float> out(static_cast<size_t>(n));
  for (int64_t r = 0; r < n; ++r) {
    double s = 0;
    for (int64_t c = 0; c < d; ++c) s += static_cast<double>(p[r * d + c]) * p[r * d + c];
    out[r] = static_cast<float>(s);
  }
  return out;
}

void check_byte_matrix(const ByteMatrix& x, const char* who) {
  NABLA_CHECK(x.rows >= 0 && x.cols >= 0 && static_cast<int64_t>(x.data.size()) == x.rows * x.cols, who,
              ": ByteMatrix holds ", x.data.size(), " bytes, expected rows * cols = ", x.rows, " * ", x.cols);
  NABLA_CHECK(x.cols <= kMaxByteCols, who, ": byte rows of ", x.cols, " features exceed the limit of ", kMaxByteCols);
}

Neighbors make_neighbors(int64_t m, int64_t k) {
  return {empty({m, k}, DType::Float64), empty({m, k}, DType::Int64)};
}

}  // namespace

Metric parse_metric(const std::string& name) {
  if (name == "l1" || name == "manhattan") return Metric::L1;
  if (name == "l2" || name == "euclidean") return Metric::L2;
  throw Error(str_cat("parse_metric: expected \"l1\", \"manhattan\", \"l2\" or \"euclidean\", got \"", name, "\""));
}

std::string metric_name(Metric metric) { return metric == Metric::L1 ? "l1" : "l2"; }

ByteMatrix make_byte_matrix(std::vector<uint8_t> data, int64_t rows, int64_t cols) {
  NABLA_CHECK(rows >= 0 && cols >= 0 && static_cast<int64_t>(data.size()) == rows * cols,
              "make_byte_matrix: expected rows * cols = ", rows, " * ", cols, " bytes, got ", data.size());
  return ByteMatrix{std::move(data), rows, cols};
}

ByteMatrix ByteMatrix::slice_rows(int64_t begin, int64_t end) const {
  NABLA_CHECK(0 <= begin && begin <= end && end <= rows, "ByteMatrix::slice_rows: expected 0 <= begin <= end <= ",
              rows, ", got [", begin, ", ", end, ")");
  return ByteMatrix{std::vector<uint8_t>(data.begin() + begin * cols, data.begin() + end * cols), end - begin, cols};
}

ByteMatrix ByteMatrix::select_rows(const std::vector<int64_t>& indices) const {
  ByteMatrix out{std::vector<uint8_t>(indices.size() * static_cast<size_t>(cols)),
                 static_cast<int64_t>(indices.size()), cols};
  for (size_t i = 0; i < indices.size(); ++i) {
    NABLA_CHECK(indices[i] >= 0 && indices[i] < rows, "ByteMatrix::select_rows: index ", indices[i],
                " out of range for ", rows, " rows");
    std::copy_n(data.data() + indices[i] * cols, cols, out.data.data() + i * cols);
  }
  return out;
}

Tensor ByteMatrix::to_float() const {
  Tensor t = empty({rows, cols});
  float* p = t.data_ptr<float>();
  for (size_t i = 0; i < data.size(); ++i) p[i] = data[i];
  return t;
}

KNearestNeighbors::KNearestNeighbors(int64_t n_neighbors, Metric metric, Weights weights)
    : k_(n_neighbors), metric_(metric), weights_(weights) {
  NABLA_CHECK(n_neighbors >= 1, "KNearestNeighbors: expected n_neighbors >= 1, got ", n_neighbors);
}

void KNearestNeighbors::fit_labels(const Tensor& y, int64_t n, const char* who) {
  NABLA_CHECK(y.defined() && y.dim() == 1 && y.dtype() == DType::Int64, who,
              ": expected labels as a 1-d int64 tensor, got ",
              y.defined() ? str_cat("shape ", y.shape(), " dtype ", dtype_name(y.dtype())) : std::string("undefined"));
  NABLA_CHECK(y.size(0) == n, who, ": expected ", n, " labels (one per training row), got ", y.size(0));
  NABLA_CHECK(n >= 1, who, ": expected at least one training row, got 0");
  Tensor yc = y.contiguous();
  const int64_t* p = yc.data_ptr<int64_t>();
  labels_.assign(p, p + n);
  int64_t max_label = 0;
  for (int64_t i = 0; i < n; ++i) {
    NABLA_CHECK(p[i] >= 0, who, ": expected labels >= 0, got ", p[i], " at row ", i);
    max_label = std::max(max_label, p[i]);
  }
  num_classes_ = max_label + 1;
}

KNearestNeighbors& KNearestNeighbors::fit(const Tensor& x, const Tensor& y) {
  Tensor xf = as_float_rows(x, "KNearestNeighbors::fit");
  fit_labels(y, xf.size(0), "KNearestNeighbors::fit");
  n_ = xf.size(0);
  d_ = xf.size(1);
  bytes_ = false;
  x_float_ = xf;
  x_u8_.clear();
  sq_norms_int_.clear();
  sq_norms_ = metric_ == Metric::L2 ? float_sq_norms(xf) : std::vector<float>{};
  return *this;
}

KNearestNeighbors& KNearestNeighbors::fit(const ByteMatrix& x, const Tensor& y) {
  check_byte_matrix(x, "KNearestNeighbors::fit");
  fit_labels(y, x.rows, "KNearestNeighbors::fit");
  n_ = x.rows;
  d_ = x.cols;
  bytes_ = true;
  sq_norms_.clear();
  if (metric_ == Metric::L1) {
    u8_stride_ = padded_stride(d_);
    x_u8_ = pad_rows(x, u8_stride_);
    x_float_ = Tensor();
    sq_norms_int_.clear();
    l2_terms_.clear();
  } else if (use_vnni_l2(d_)) {
    x_u8_.resize(static_cast<size_t>(cpu::l2_u8_packed_bytes(n_, d_)));  // zeroed by the packing
    l2_terms_.assign(static_cast<size_t>(n_), 0);
    cpu::l2_u8_pack_train(x.data.data(), n_, d_, d_, x_u8_.data(), l2_terms_.data());
    x_float_ = Tensor();
    sq_norms_int_.clear();
  } else {
    x_u8_.clear();
    l2_terms_.clear();
    x_float_ = x.to_float();
    sq_norms_int_ = exact_sq_norms(x);
  }
  return *this;
}

Neighbors KNearestNeighbors::kneighbors(const Tensor& x, int64_t k) const {
  constexpr const char* who = "KNearestNeighbors::kneighbors";
  NABLA_CHECK(n_ > 0, who, ": call fit() first");
  NABLA_CHECK(!bytes_, who, ": the model was fitted on a ByteMatrix; pass the queries as a ByteMatrix too");
  Tensor q = as_float_rows(x, who);
  NABLA_CHECK(q.size(1) == d_, who, ": expected queries with ", d_, " features (as the training rows), got ",
              q.size(1));
  if (k == 0) k = k_;
  NABLA_CHECK(k >= 1 && k <= n_, who, ": expected 1 <= k <= ", n_, " (training rows), got ", k);
  const int64_t m = q.size(0), d = d_;
  Neighbors nb = make_neighbors(m, k);
  double* out_d = nb.distances.data_ptr<double>();
  int64_t* out_i = nb.indices.data_ptr<int64_t>();
  const float* qp = q.data_ptr<float>();
  const float* xp = x_float_.data_ptr<float>();
  if (metric_ == Metric::L1) {
    const BlockSizes bs{16, std::max<int64_t>(16, 65536 / std::max<int64_t>(d, 1))};
    blocked_search<double>(m, n_, k, bs, [&](int64_t q0, int64_t q1, int64_t t0, int64_t t1, double* dist) {
      std::vector<float> buf(static_cast<size_t>((q1 - q0) * (t1 - t0)));
      cpu::l1_distances_f32(qp + q0 * d, q1 - q0, d, xp + t0 * d, t1 - t0, d, d, buf.data(), t1 - t0);
      for (int64_t i = 0; i < q1 - q0; ++i)
        for (int64_t j = 0; j < t1 - t0; ++j) dist[i * bs.train + j] = buf[i * (t1 - t0) + j];
    }, out_d, out_i);
  } else {
    std::vector<float> qn = float_sq_norms(q);
    const BlockSizes bs{256, 2048};
    blocked_search<double>(m, n_, k, bs, [&](int64_t q0, int64_t q1, int64_t t0, int64_t t1, double* dist) {
      thread_local std::vector<float> dot;
      dot.resize(static_cast<size_t>(bs.queries * bs.train));
      const int64_t w = t1 - t0;
      cpu::gemm<float>(false, true, q1 - q0, w, d, qp + q0 * d, d, xp + t0 * d, d, dot.data(), w);
      for (int64_t i = 0; i < q1 - q0; ++i)
        for (int64_t j = 0; j < w; ++j) {
          // ‖a‖² + ‖b‖² − 2a·b can round below 0 for (nearly) equal rows: clamp.
          const float s = qn[q0 + i] + sq_norms_[t0 + j] - 2.0f * dot[i * w + j];
          dist[i * bs.train + j] = std::max(s, 0.0f);
        }
    }, out_d, out_i);
    for (int64_t i = 0; i < m * k; ++i) out_d[i] = std::sqrt(out_d[i]);
  }
  return nb;
}

Neighbors KNearestNeighbors::kneighbors(const ByteMatrix& x, int64_t k) const {
  constexpr const char* who = "KNearestNeighbors::kneighbors";
  NABLA_CHECK(n_ > 0, who, ": call fit() first");
  check_byte_matrix(x, who);
  if (!bytes_) return kneighbors(x.to_float(), k);
  NABLA_CHECK(x.cols == d_, who, ": expected queries with ", d_, " features (as the training rows), got ", x.cols);
  if (k == 0) k = k_;
  NABLA_CHECK(k >= 1 && k <= n_, who, ": expected 1 <= k <= ", n_, " (training rows), got ", k);
  const int64_t m = x.rows, d = d_;
  Neighbors nb = make_neighbors(m, k);
  double* out_d = nb.distances.data_ptr<double>();
  int64_t* out_i = nb.indices.data_ptr<int64_t>();
  if (metric_ == Metric::L1) {
    const int64_t stride = u8_stride_;
    const std::vector<uint8_t> q = pad_rows(x, stride);
    const BlockSizes bs{32, std::max<int64_t>(16, (256 * 1024) / stride)};
    blocked_search<double>(m, n_, k, bs, [&](int64_t q0, int64_t q1, int64_t t0, int64_t t1, double* dist) {
      thread_local std::vector<int32_t> buf;
      buf.resize(static_cast<size_t>(bs.queries * bs.train));
      cpu::l1_distances_u8(q.data() + q0 * stride, q1 - q0, x_u8_.data() + t0 * stride, t1 - t0, stride, buf.data(),
                           bs.train);
      for (int64_t i = 0; i < q1 - q0; ++i)
        for (int64_t j = 0; j < t1 - t0; ++j) dist[i * bs.train + j] = buf[i * bs.train + j];
    }, out_d, out_i);
  } else if (use_vnni_l2(d)) {
    // Exact int32 squared distances from the packed training rows (see l2_distance_u8.h).
    const int64_t dp = cpu::l2_u8_padded_cols(d);
    std::vector<int8_t> qp(static_cast<size_t>(m * dp));
    std::vector<int32_t> qn(static_cast<size_t>(m));
    cpu::l2_u8_pack_queries(x.data.data(), m, d, d, qp.data(), qn.data());
    // A training block of ~256 KiB (whole panels) stays in L2 while a query block sweeps it.
    const int64_t train_rows =
        std::max<int64_t>(1, (256 * 1024) / (dp * cpu::kL2U8PanelRows)) * cpu::kL2U8PanelRows;
    const BlockSizes bs{16 * cpu::kL2U8TileQueries, train_rows};
    const uint8_t* xp = x_u8_.data();
    const int64_t panel_bytes = cpu::l2_u8_packed_bytes(cpu::kL2U8PanelRows, d);
    blocked_search<int32_t>(m, n_, k, bs, [&](int64_t q0, int64_t q1, int64_t t0, int64_t t1, int32_t* dist) {
      cpu::l2_u8_sq_distances(qp.data() + q0 * dp, qn.data() + q0, q1 - q0,
                              xp + (t0 / cpu::kL2U8PanelRows) * panel_bytes, l2_terms_.data() + t0, t1 - t0, d, dist,
                              bs.train);
    }, out_d, out_i);
    for (int64_t i = 0; i < m * k; ++i) out_d[i] = std::sqrt(out_d[i]);
  } else {
    const Tensor qf = x.to_float();
    const std::vector<int64_t> qn = exact_sq_norms(x);
    const float* qp = qf.data_ptr<float>();
    const float* xp = x_float_.data_ptr<float>();
    const BlockSizes bs{256, 2048};
    blocked_search<double>(m, n_, k, bs, [&](int64_t q0, int64_t q1, int64_t t0, int64_t t1, double* dist) {
      thread_local std::vector<float> part;
      const int64_t h = q1 - q0, w = t1 - t0;
      part.resize(static_cast<size_t>(h * w));
      // dist = ‖a‖² + ‖b‖² − 2 Σ_slices a·b, accumulated in double: every term is an integer
      // below 2^53, so the sum is exact.
      for (int64_t c0 = 0; c0 < d; c0 += kExactSlice) {
        const int64_t len = std::min(kExactSlice, d - c0);
        cpu::gemm<float>(false, true, h, w, len, qp + q0 * d + c0, d, xp + t0 * d + c0, d, part.data(), w);
        for (int64_t i = 0; i < h; ++i) {
          double* row = dist + i * bs.train;
          const float* pr = part.data() + i * w;
          if (c0 == 0) {
            const double qi = static_cast<double>(qn[q0 + i]);
            for (int64_t j = 0; j < w; ++j)
              row[j] = qi + static_cast<double>(sq_norms_int_[t0 + j]) - 2.0 * static_cast<double>(pr[j]);
          } else {
            for (int64_t j = 0; j < w; ++j) row[j] -= 2.0 * static_cast<double>(pr[j]);
          }
        }
      }
    }, out_d, out_i);
    for (int64_t i = 0; i < m * k; ++i) out_d[i] = std::sqrt(out_d[i]);
  }
  return nb;
}

Tensor KNearestNeighbors::vote_table(const Neighbors& nb, int64_t k) const {
  constexpr const char* who = "KNearestNeighbors::predict_from_neighbors";
  NABLA_CHECK(n_ > 0, who, ": call fit() first");
  NABLA_CHECK(nb.indices.defined() && nb.distances.defined() && nb.indices.dim() == 2 &&
                  nb.indices.dtype() == DType::Int64 && nb.distances.shape() == nb.indices.shape(),
              who, ": expected indices (M, k) int64 and distances of the same shape");
  if (k == 0) k = k_;
  NABLA_CHECK(k >= 1 && k <= nb.indices.size(1), who, ": expected 1 <= k <= ", nb.indices.size(1), ", got ", k);
  const int64_t m = nb.indices.size(0), kk = nb.indices.size(1), c = num_classes_;
  Tensor idx = nb.indices.contiguous();
  Tensor dst = nb.distances.to(DType::Float64).contiguous();
  const int64_t* ip = idx.data_ptr<int64_t>();
  const double* dp = dst.data_ptr<double>();
  // Columns: c votes, then c summed distances, then c first positions (for the tie rule).
  Tensor out = zeros({m, 3 * c}, DType::Float64);
  double* op = out.data_ptr<double>();
  for (int64_t r = 0; r < m; ++r) {
    double* votes = op + r * 3 * c;
    double* dsum = votes + c;
    double* first = dsum + c;
    std::fill(first, first + c, std::numeric_limits<double>::infinity());
    bool any_zero = false;
    if (weights_ == Weights::Distance)
      for (int64_t j = 0; j < k; ++j) any_zero = any_zero || dp[r * kk + j] == 0.0;
    for (int64_t j = 0; j < k; ++j) {
      const int64_t t = ip[r * kk + j];
      NABLA_CHECK(t >= 0 && t < n_, who, ": neighbour index ", t, " out of range for ", n_, " training rows");
      const int64_t cls = labels_[t];
      const double dist = dp[r * kk + j];
      double w = 1.0;
      if (weights_ == Weights::Distance) w = any_zero ? (dist == 0.0 ? 1.0 : 0.0) : 1.0 / dist;
      votes[cls] += w;
      dsum[cls] += dist;
      first[cls] = std::min(first[cls], static_cast<double>(j));
    }
  }
  return out;
}

Tensor KNearestNeighbors::predict_proba_from_neighbors(const Neighbors& nb, int64_t k) const {
  Tensor stats = vote_table(nb, k);
  const int64_t m = stats.size(0), c = num_classes_;
  const double* sp = stats.data_ptr<double>();
  Tensor out = empty({m, c});
  float* op = out.data_ptr<float>();
  for (int64_t r = 0; r < m; ++r) {
    const double* votes = sp + r * 3 * c;
    double total = 0;
    for (int64_t cls = 0; cls < c; ++cls) total += votes[cls];
    for (int64_t cls = 0; cls < c; ++cls) op[r * c + cls] = static_cast<float>(votes[cls] / total);
  }
  return out;
}

Tensor KNearestNeighbors::predict_from_neighbors(const Neighbors& nb, int64_t k) const {
  Tensor stats = vote_table(nb, k);
  const int64_t m = stats.size(0), c = num_classes_;
  const double* sp = stats.data_ptr<double>();
  Tensor out = empty({m}, DType::Int64);
  int64_t* op = out.data_ptr<int64_t>();
  for (int64_t r = 0; r < m; ++r) {
    const double* votes = sp + r * 3 * c;
    const double* dsum = votes + c;
    const double* first = dsum + c;
    int64_t best = -1;
    for (int64_t cls = 0; cls < c; ++cls) {
      if (std::isinf(first[cls])) continue;  // no neighbour of this class
      if (best < 0 || votes[cls] > votes[best] ||
          (votes[cls] == votes[best] &&
           (dsum[cls] < dsum[best] || (dsum[cls] == dsum[best] && first[cls] < first[best]))))
        best = cls;
    }
    op[r] = best;
  }
  return out;
}

Tensor KNearestNeighbors::predict(const Tensor& x) const { return predict_from_neighbors(kneighbors(x)); }
Tensor KNearestNeighbors::predict(const ByteMatrix& x) const { return predict_from_neighbors(kneighbors(x)); }

Tensor KNearestNeighbors::predict_proba(const Tensor& x) const { return predict_proba_from_neighbors(kneighbors(x)); }
Tensor KNearestNeighbors::predict_proba(const ByteMatrix& x) const {
  return predict_proba_from_neighbors(kneighbors(x));
}

}  // namespace nabla::classic
