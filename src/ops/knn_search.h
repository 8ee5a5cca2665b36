#pragma once
// Tensor-level k-nearest-neighbour search, the ops that classic::KNearestNeighbors calls instead
// of kernels/cpu. knn_prepare turns training rows into an index once (padded or VNNI-packed
// bytes for uint8 rows, float32 rows and squared norms otherwise); knn_search runs the blocked
// exact search of queries against it and keeps the k nearest per query. Distances are exact for
// uint8 rows (integer L1 sums; integer or sliced-SGEMM L2) and float32 for other rows.
#include <cstdint>
#include <vector>

#include "nabla/tensor.h"

namespace nabla::ops {

/// L1 = Σ|a−b|; L2 = √Σ(a−b)².
enum class KnnMetric { L1, L2 };

/// Training rows prepared for searching. Built by knn_prepare; callers only keep it.
struct KnnIndex {
  KnnMetric metric = KnnMetric::L2;
  bool bytes = false;  // uint8 rows (exact byte kernels) rather than float32 rows
  int64_t rows = 0, cols = 0;
  Tensor x_float;                     // (N, D) float32: float rows, or byte rows on the sliced-GEMM L2 path
  std::vector<uint8_t> x_u8;          // byte rows: L1 padded to a multiple of 64 bytes; L2 packed panels (VNNI)
  int64_t u8_stride = 0;              // padded row length of x_u8 (L1)
  std::vector<int32_t> l2_terms;      // ‖x_i‖² − 256·Σx_i per byte row (L2, VNNI)
  std::vector<float> sq_norms;        // ‖x_i‖² (float rows, L2)
  std::vector<int64_t> sq_norms_int;  // ‖x_i‖² (byte rows, L2, sliced GEMM; exact)
};

/// Prepares training rows x (N, D): uint8 takes the exact byte path, any other real dtype is
/// converted to float32. Raises Error naming `who` for a non-2-d or bool x, or byte rows too long
/// for exact int32 sums.
KnnIndex knn_prepare(const Tensor& x, KnnMetric metric, const char* who);

/// The k nearest training rows of every query row of q (M, D), ordered by (distance, index):
/// {distances (M, k) float64, indices (M, k) int64}. uint8 queries against float rows are
/// converted; non-uint8 queries against byte rows raise Error, as do a D that differs from the
/// index's and k outside [1, N]; `who` names the caller in errors.
std::pair<Tensor, Tensor> knn_search(const KnnIndex& index, const Tensor& q, int64_t k, const char* who);

}  // namespace nabla::ops
