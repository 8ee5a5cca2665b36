#pragma once
// L1 (Manhattan) distance blocks for nearest-neighbour search.
#include <cstdint>

namespace nabla::cpu {

/// Row length, in bytes, that byte rows must be zero-padded to for l1_distances_u8 (the widest
/// vector the build uses: 64 bytes).
constexpr int64_t kL1BytePad = 64;

/// out[i·ldo + j] = Σ_c |q[i·stride + c] − x[j·stride + c]| for i < nq, j < nx.
/// q is (nq, stride) and x is (nx, stride) bytes, stride a multiple of kL1BytePad, rows
/// zero-padded past the feature count (padding adds 0). Exact integer sums; uses
/// AVX-512BW or AVX2 `sad` when the build targets them, plain C++ otherwise.
void l1_distances_u8(const uint8_t* q, int64_t nq, const uint8_t* x, int64_t nx, int64_t stride, int32_t* out,
                     int64_t ldo);

/// out[i·ldo + j] = Σ_{c<d} |q[i·ldq + c] − x[j·ldx + c]| for i < nq, j < nx (float32 sums).
void l1_distances_f32(const float* q, int64_t nq, int64_t ldq, const float* x, int64_t nx, int64_t ldx, int64_t d,
                      float* out, int64_t ldo);

/// Which byte kernel this build uses: "avx512bw", "avx2" or "scalar".
const char* l1_u8_kernel_name();

}  // namespace nabla::cpu
