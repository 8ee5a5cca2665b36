#pragma once
// Exact squared L2 distances between byte rows with AVX-512 VNNI integer dot products.
//
// d²(q, x) = ‖q‖² + ‖x‖² − 2 q·x. `vpdpbusd` multiplies unsigned by signed bytes, so queries are
// shifted to signed, q' = q − 128, and q·x = q'·x + 128·Σx: with the per-training-row term
// t(x) = ‖x‖² − 256·Σx, d² = ‖q‖² + t(x) − 2 q'·x, every term an exact integer.
//
// Layout: training rows are packed once into panels of kL2U8PanelRows rows; within a panel, for
// each group of 4 features, the 4 bytes of row 0, then of row 1, … (64 bytes feed 16 rows). A query
// row is its bytes − 128 as int8, zero-padded to a multiple of 4 features. The kernel broadcasts 4
// query bytes and issues one `vpdpbusd` per 16 training rows, for a tile of queries at a time.
#include <cstdint>

namespace nabla::cpu {

/// True when the library was built for AVX-512 VNNI (the kernel below then uses `vpdpbusd`);
/// otherwise the same functions run a plain C++ loop, correct but slow, and k-NN uses SGEMM.
bool l2_u8_vnni_available();

/// Training rows per packed panel.
constexpr int64_t kL2U8PanelRows = 32;
/// Queries per micro-kernel tile; query blocks that are a multiple of it waste no work.
constexpr int64_t kL2U8TileQueries = 6;
/// Largest feature count whose squared distances (≤ 255² · cols) fit int32.
constexpr int64_t kL2U8MaxCols = 33025;

/// Feature count rounded up to a multiple of 4 (the packed row length).
inline int64_t l2_u8_padded_cols(int64_t cols) { return (cols + 3) / 4 * 4; }
/// Bytes needed to pack `rows` training rows of `cols` features (rows rounded up to whole panels).
inline int64_t l2_u8_packed_bytes(int64_t rows, int64_t cols) {
  return (rows + kL2U8PanelRows - 1) / kL2U8PanelRows * kL2U8PanelRows * l2_u8_padded_cols(cols);
}

/// Packs training rows x (nx, d) with row stride ldx into `packed` (l2_u8_packed_bytes(nx, d)
/// bytes; rows past nx in the last panel are zero) and writes terms[j] = ‖x_j‖² − 256·Σx_j.
/// Requires d ≤ kL2U8MaxCols.
void l2_u8_pack_train(const uint8_t* x, int64_t nx, int64_t ldx, int64_t d, uint8_t* packed, int32_t* terms);

/// Writes queries q (nq, d) with row stride ldq as int8 rows q − 128 of l2_u8_padded_cols(d)
/// bytes (zero padding) into `packed`, and norms[i] = ‖q_i‖².
void l2_u8_pack_queries(const uint8_t* q, int64_t nq, int64_t ldq, int64_t d, int8_t* packed, int32_t* norms);

/// out[i·ldo + j] = ‖q_i‖² + t(x_j) − 2 q'_i·x_j = squared L2 distance, for i < nq, j < nx.
/// q_packed/q_norms come from l2_u8_pack_queries, x_packed/x_terms from l2_u8_pack_train and
/// must start at a panel boundary. Exact for d ≤ kL2U8MaxCols.
void l2_u8_sq_distances(const int8_t* q_packed, const int32_t* q_norms, int64_t nq, const uint8_t* x_packed,
                        const int32_t* x_terms, int64_t nx, int64_t d, int32_t* out, int64_t ldo);

}  // namespace nabla::cpu
