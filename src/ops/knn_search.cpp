// k-nearest-neighbour search at tensor level: the blocked exact search over the L1/L2 distance
// kernels. The search visits the training rows in blocks for a block of queries at a time
// (bounded memory: one distance block per thread), and every distance block feeds each query's
// partial top-k selection right away.
#include "ops/knn_search.h"

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
#include "ops/device_dispatch.h"

namespace nabla::ops {
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

// Byte rows x (rows, cols, contiguous uint8) zero-padded to a multiple of cpu::kL1BytePad.
std::vector<uint8_t> pad_rows(const Tensor& x, int64_t stride) {
  const int64_t rows = x.size(0), cols = x.size(1);
  const uint8_t* p = x.data_ptr<uint8_t>();
  std::vector<uint8_t> out(static_cast<size_t>(rows * stride), 0);
  for (int64_t r = 0; r < rows; ++r) std::copy_n(p + r * cols, cols, out.data() + r * stride);
  return out;
}

// Whether byte L2 searches use the VNNI integer kernel: the build has it and squared distances
// of `cols` features fit int32.
bool use_vnni_l2(int64_t cols) { return cpu::l2_u8_vnni_available() && cols <= cpu::kL2U8MaxCols; }

int64_t padded_stride(int64_t cols) { return (cols + cpu::kL1BytePad - 1) / cpu::kL1BytePad * cpu::kL1BytePad; }

std::vector<int64_t> exact_sq_norms(const Tensor& x) {
  const int64_t rows = x.size(0), cols = x.size(1);
  std::vector<int64_t> out(static_cast<size_t>(rows));
  for (int64_t r = 0; r < rows; ++r) {
    int64_t s = 0;
    const uint8_t* p = x.data_ptr<uint8_t>() + r * cols;
    for (int64_t c = 0; c < cols; ++c) s += static_cast<int64_t>(p[c]) * p[c];
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

// x as contiguous rows for the search: uint8 stays (byte path) unless `to_float`, anything else
// real becomes float32.
Tensor as_rows(const Tensor& x, bool to_float, const char* who) {
  NABLA_CHECK(x.defined(), who, ": expected a (N, D) tensor, got an undefined tensor");
  NABLA_CHECK(x.dim() == 2, who, ": expected a 2-d (N, D) tensor, got shape ", x.shape());
  NABLA_CHECK(x.dtype() != DType::Bool, who, ": expected real features, got a bool tensor");
  const DType dt = x.dtype() == DType::UInt8 && !to_float ? DType::UInt8 : DType::Float32;
  if (dt == DType::UInt8)
    NABLA_CHECK(x.size(1) <= kMaxByteCols, who, ": uint8 rows of ", x.size(1), " features exceed the limit of ", kMaxByteCols);
  return x.detach().to(dt).contiguous();
}

// Float rows q (M, D) against float rows: L1 with the float kernel, L2 with SGEMM and norms.
void search_float(const KnnIndex& ix, const Tensor& q, int64_t k, double* out_d, int64_t* out_i) {
  const int64_t m = q.size(0), d = ix.cols;
  const float* qp = q.data_ptr<float>();
  const float* xp = ix.x_float.data_ptr<float>();
  if (ix.metric == KnnMetric::L1) {
    const BlockSizes bs{16, std::max<int64_t>(16, 65536 / std::max<int64_t>(d, 1))};
    blocked_search<double>(m, ix.rows, k, bs, [&](int64_t q0, int64_t q1, int64_t t0, int64_t t1, double* dist) {
      std::vector<float> buf(static_cast<size_t>((q1 - q0) * (t1 - t0)));
      cpu::l1_distances_f32(qp + q0 * d, q1 - q0, d, xp + t0 * d, t1 - t0, d, d, buf.data(), t1 - t0);
      for (int64_t i = 0; i < q1 - q0; ++i)
        for (int64_t j = 0; j < t1 - t0; ++j) dist[i * bs.train + j] = buf[i * (t1 - t0) + j];
    }, out_d, out_i);
  } else {
    std::vector<float> qn = float_sq_norms(q);
    const BlockSizes bs{256, 2048};
    blocked_search<double>(m, ix.rows, k, bs, [&](int64_t q0, int64_t q1, int64_t t0, int64_t t1, double* dist) {
      thread_local std::vector<float> dot;
      dot.resize(static_cast<size_t>(bs.queries * bs.train));
      const int64_t w = t1 - t0;
      cpu::gemm<float>(false, true, q1 - q0, w, d, qp + q0 * d, d, xp + t0 * d, d, dot.data(), w);
      for (int64_t i = 0; i < q1 - q0; ++i)
        for (int64_t j = 0; j < w; ++j) {
          // ‖a‖² + ‖b‖² − 2a·b can round below 0 for (nearly) equal rows: clamp.
          const float s = qn[q0 + i] + ix.sq_norms[t0 + j] - 2.0f * dot[i * w + j];
          dist[i * bs.train + j] = std::max(s, 0.0f);
        }
    }, out_d, out_i);
    for (int64_t i = 0; i < m * k; ++i) out_d[i] = std::sqrt(out_d[i]);
  }
}

// Byte rows x (M, D) against byte rows: exact integer L1, VNNI L2 or sliced-SGEMM L2.
void search_bytes(const KnnIndex& ix, const Tensor& x, int64_t k, double* out_d, int64_t* out_i) {
  const int64_t m = x.size(0), d = ix.cols;
  if (ix.metric == KnnMetric::L1) {
    const int64_t stride = ix.u8_stride;
    const std::vector<uint8_t> q = pad_rows(x, stride);
    const BlockSizes bs{32, std::max<int64_t>(16, (256 * 1024) / stride)};
    // The int32 sums (exact: 255 · D < 2^31) feed the selection directly, with no copy to double.
    blocked_search<int32_t>(m, ix.rows, k, bs, [&](int64_t q0, int64_t q1, int64_t t0, int64_t t1, int32_t* dist) {
      cpu::l1_distances_u8(q.data() + q0 * stride, q1 - q0, ix.x_u8.data() + t0 * stride, t1 - t0, stride, dist,
                           bs.train);
    }, out_d, out_i);
  } else if (use_vnni_l2(d)) {
    // Exact int32 squared distances from the packed training rows (see l2_distance_u8.h).
    const int64_t dp = cpu::l2_u8_padded_cols(d);
    std::vector<int8_t> qp(static_cast<size_t>(m * dp));
    std::vector<int32_t> qn(static_cast<size_t>(m));
    cpu::l2_u8_pack_queries(x.data_ptr<uint8_t>(), m, d, d, qp.data(), qn.data());
    // A training block of ~256 KiB (whole panels) stays in L2 while a query block sweeps it.
    const int64_t train_rows =
        std::max<int64_t>(1, (256 * 1024) / (dp * cpu::kL2U8PanelRows)) * cpu::kL2U8PanelRows;
    const BlockSizes bs{16 * cpu::kL2U8TileQueries, train_rows};
    const uint8_t* xp = ix.x_u8.data();
    const int64_t panel_bytes = cpu::l2_u8_packed_bytes(cpu::kL2U8PanelRows, d);
    blocked_search<int32_t>(m, ix.rows, k, bs, [&](int64_t q0, int64_t q1, int64_t t0, int64_t t1, int32_t* dist) {
      cpu::l2_u8_sq_distances(qp.data() + q0 * dp, qn.data() + q0, q1 - q0,
                              xp + (t0 / cpu::kL2U8PanelRows) * panel_bytes, ix.l2_terms.data() + t0, t1 - t0, d, dist,
                              bs.train);
    }, out_d, out_i);
    for (int64_t i = 0; i < m * k; ++i) out_d[i] = std::sqrt(out_d[i]);
  } else {
    const Tensor qf = x.to(DType::Float32);
    const std::vector<int64_t> qn = exact_sq_norms(x);
    const float* qp = qf.data_ptr<float>();
    const float* xp = ix.x_float.data_ptr<float>();
    const BlockSizes bs{256, 2048};
    blocked_search<double>(m, ix.rows, k, bs, [&](int64_t q0, int64_t q1, int64_t t0, int64_t t1, double* dist) {
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
              row[j] = qi + static_cast<double>(ix.sq_norms_int[t0 + j]) - 2.0 * static_cast<double>(pr[j]);
          } else {
            for (int64_t j = 0; j < w; ++j) row[j] -= 2.0 * static_cast<double>(pr[j]);
          }
        }
      }
    }, out_d, out_i);
    for (int64_t i = 0; i < m * k; ++i) out_d[i] = std::sqrt(out_d[i]);
  }
}

}  // namespace

KnnIndex knn_prepare(const Tensor& x_in, KnnMetric metric, const char* who) {
  const Tensor x = as_rows(x_in, /*to_float=*/false, who);
  KnnIndex ix;
  ix.metric = metric;
  ix.rows = x.size(0);
  ix.cols = x.size(1);
  ix.bytes = x.dtype() == DType::UInt8;
  dispatch_device(x, who, [&] {
    if (!ix.bytes) {
      ix.x_float = x;
      if (metric == KnnMetric::L2) ix.sq_norms = float_sq_norms(x);
    } else if (metric == KnnMetric::L1) {
      ix.u8_stride = padded_stride(ix.cols);
      ix.x_u8 = pad_rows(x, ix.u8_stride);
    } else if (use_vnni_l2(ix.cols)) {
      ix.x_u8.resize(static_cast<size_t>(cpu::l2_u8_packed_bytes(ix.rows, ix.cols)));  // zeroed by the packing
      ix.l2_terms.assign(static_cast<size_t>(ix.rows), 0);
      cpu::l2_u8_pack_train(x.data_ptr<uint8_t>(), ix.rows, ix.cols, ix.cols, ix.x_u8.data(), ix.l2_terms.data());
    } else {
      ix.x_float = x.to(DType::Float32);
      ix.sq_norms_int = exact_sq_norms(x);
    }
  });
  return ix;
}

std::pair<Tensor, Tensor> knn_search(const KnnIndex& ix, const Tensor& q_in, int64_t k, const char* who) {
  NABLA_CHECK(ix.rows > 0, who, ": call fit() first");
  NABLA_CHECK(!ix.bytes || (q_in.defined() && q_in.dtype() == DType::UInt8), who,
              ": the model was fitted on uint8 rows; pass the queries as uint8 too, got ",
              q_in.defined() ? dtype_name(q_in.dtype()) : std::string("an undefined tensor"));
  const Tensor q = as_rows(q_in, /*to_float=*/!ix.bytes, who);
  NABLA_CHECK(q.size(1) == ix.cols, who, ": expected queries with ", ix.cols, " features (as the training rows), got ",
              q.size(1));
  NABLA_CHECK(k >= 1 && k <= ix.rows, who, ": expected 1 <= k <= ", ix.rows, " (training rows), got ", k);
  const int64_t m = q.size(0);
  Tensor distances = empty({m, k}, DType::Float64), indices = empty({m, k}, DType::Int64);
  dispatch_device(q, who, [&] {
    if (ix.bytes)
      search_bytes(ix, q, k, distances.data_ptr<double>(), indices.data_ptr<int64_t>());
    else
      search_float(ix, q, k, distances.data_ptr<double>(), indices.data_ptr<int64_t>());
  });
  return {distances, indices};
}

}  // namespace nabla::ops
