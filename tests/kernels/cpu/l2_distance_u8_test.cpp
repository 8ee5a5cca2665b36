// The VNNI squared-distance kernel against a plain integer loop: partial tiles (queries not a
// multiple of 6), partial panels (training rows not a multiple of 32), feature counts not a
// multiple of 4, and an output stride wider than the row so that stray writes would show. Builds
// without VNNI check the plain loop over the same packed layout.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <vector>

#include "kernels/cpu/l2_distance_u8.h"

namespace nabla::cpu {
namespace {

std::vector<uint8_t> random_bytes(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> value(0, 255);
  std::vector<uint8_t> out(static_cast<size_t>(n));
  for (auto& b : out) b = static_cast<uint8_t>(value(rng));
  return out;
}

TEST(L2DistanceU8, MatchesIntegerLoopWithPartialTilesAndPanels) {
  std::printf("l2_u8_sq_distances: %s\n", l2_u8_vnni_available() ? "AVX-512 VNNI" : "plain C++");
  struct Case {
    int64_t nq, nx, d;
  };
  for (const Case c : {Case{1, 1, 1}, Case{7, 33, 5}, Case{13, 70, 131}, Case{6, 64, 784}, Case{11, 31, 2}}) {
    SCOPED_TRACE(testing::Message() << c.nq << " × " << c.nx << " rows, d = " << c.d);
    const std::vector<uint8_t> q = random_bytes(c.nq * c.d, 1), x = random_bytes(c.nx * c.d, 2);
    const int64_t dp = l2_u8_padded_cols(c.d), ldo = c.nx + 5;
    std::vector<uint8_t> packed(static_cast<size_t>(l2_u8_packed_bytes(c.nx, c.d)));
    std::vector<int32_t> terms(static_cast<size_t>(c.nx)), norms(static_cast<size_t>(c.nq));
    std::vector<int8_t> qp(static_cast<size_t>(c.nq * dp));
    l2_u8_pack_train(x.data(), c.nx, c.d, c.d, packed.data(), terms.data());
    l2_u8_pack_queries(q.data(), c.nq, c.d, c.d, qp.data(), norms.data());
    constexpr int32_t kSentinel = -7;
    std::vector<int32_t> out(static_cast<size_t>(c.nq * ldo), kSentinel);
    l2_u8_sq_distances(qp.data(), norms.data(), c.nq, packed.data(), terms.data(), c.nx, c.d, out.data(), ldo);
    for (int64_t i = 0; i < c.nq; ++i) {
      for (int64_t j = 0; j < c.nx; ++j) {
        int64_t s = 0;
        for (int64_t f = 0; f < c.d; ++f) {
          const int64_t diff = static_cast<int64_t>(q[i * c.d + f]) - x[j * c.d + f];
          s += diff * diff;
        }
        ASSERT_EQ(out[i * ldo + j], s) << "query " << i << ", row " << j;
      }
      for (int64_t j = c.nx; j < ldo; ++j) ASSERT_EQ(out[i * ldo + j], kSentinel) << "write past row " << i;
    }
  }
}

}  // namespace
}  // namespace nabla::cpu
