// The channel-blocked BatchNorm kernels against plain loops over the same index map, for both
// blocks (8: what oneDNN writes with AVX2, 16: with AVX-512), whichever the machine's
// convolutions use: sizes S that are not a multiple of the block (partial transposed tiles) and
// S a multiple of it (only full tiles).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/cpu/batch_norm_blocked.h"
#include "nabla/error.h"
#include "random_floats.h"

namespace nabla::cpu {
namespace {

struct Sizes {
  int64_t N, C, S, B;
  // Offset of (n, c, s) in the blocked layout (N, C/B, S, B) and in the plain one (N, C, S).
  int64_t blocked(int64_t n, int64_t c, int64_t s) const { return ((n * (C / B) + c / B) * S + s) * B + c % B; }
  int64_t plain(int64_t n, int64_t c, int64_t s) const { return (n * C + c) * S + s; }
};

TEST(BatchNormBlocked, MatchesPlainLoopsForBothBlocks) {
  for (const FusedActivation act : {FusedActivation::None, FusedActivation::Relu, FusedActivation::Relu6})
  for (const int64_t B : {int64_t{8}, int64_t{16}})
    for (const int64_t S : {B * 2, int64_t{37}}) {
      const Sizes z{3, 2 * B, S, B};
      SCOPED_TRACE(testing::Message() << "block " << B << ", S = " << S << ", activation " << int(act));
      const int64_t total = z.N * z.C * z.S;
      const std::vector<float> x = random_floats(total, 1, 0.5f), g = random_floats(total, 2, 0.5f);
      // ReLU6: scales up to 10, so that some outputs pass 6.
      const float amplitude = act == FusedActivation::Relu6 ? 10.0f : 0.5f;
      const std::vector<float> center = random_floats(z.C, 3, 0.5f), scale = random_floats(z.C, 4, amplitude),
                               shift = random_floats(z.C, 5, 0.5f), a = random_floats(z.C, 6, 0.5f),
                               b = random_floats(z.C, 7, 0.5f), k = random_floats(z.C, 8, 0.5f);

      std::vector<double> su(z.C), suu(z.C);
      batch_norm_sums_blocked<float>(x.data(), center.data(), z.N, z.C, z.S, B, su.data(), suu.data());
      std::vector<float> y(total);
      batch_norm_apply_blocked<float>(x.data(), y.data(), z.N, z.C, z.S, B, center.data(), scale.data(), shift.data(),
                                      act);
      std::vector<float> gb(total);
      std::vector<double> G(z.C), P(z.C);
      batch_norm_grad_sums_blocked<float>(g.data(), x.data(), gb.data(), z.N, z.C, z.S, B, center.data(), act,
                                          scale.data(), shift.data(), G.data(), P.data());
      std::vector<float> gi = gb;
      batch_norm_input_grad_blocked<float>(gi.data(), x.data(), z.N, z.C, z.S, B, center.data(), a.data(), b.data(),
                                           k.data());

      for (int64_t c = 0; c < z.C; ++c) {
        double eu = 0, euu = 0, eG = 0, eP = 0;
        for (int64_t n = 0; n < z.N; ++n)
          for (int64_t s = 0; s < z.S; ++s) {
            const float xv = x[z.blocked(n, c, s)], u = xv - center[c];
            eu += u;
            euu += double(u) * u;
            const float v = std::fma(u, scale[c], shift[c]);
            const float want = act == FusedActivation::None   ? v
                               : act == FusedActivation::Relu ? std::max(v, 0.0f)
                                                              : std::min(std::max(v, 0.0f), 6.0f);
            ASSERT_EQ(y[z.plain(n, c, s)], want)
                << "apply at n " << n << " c " << c << " s " << s;
            const bool passes = act == FusedActivation::None || (v > 0 && (act == FusedActivation::Relu || v < 6));
            const float gm = passes ? g[z.plain(n, c, s)] : 0.0f;
            ASSERT_EQ(gb[z.blocked(n, c, s)], gm) << "grad_sums at n " << n << " c " << c << " s " << s;
            eG += gm;
            eP += double(gm) * u;
            const float expected = a[c] * gm + b[c] * u + k[c];
            ASSERT_NEAR(gi[z.blocked(n, c, s)], expected, 1e-5f * (1 + std::fabs(expected)));
          }
        EXPECT_NEAR(su[c], eu, 1e-4 * (1 + std::fabs(eu))) << "channel " << c;
        EXPECT_NEAR(suu[c], euu, 1e-4 * (1 + euu)) << "channel " << c;
        EXPECT_NEAR(G[c], eG, 1e-4 * (1 + std::fabs(eG))) << "channel " << c;
        EXPECT_NEAR(P[c], eP, 1e-4 * (1 + std::fabs(eP))) << "channel " << c;
      }
    }
}

TEST(BatchNormBlocked, OtherBlocksAreAnError) {
  std::vector<float> x(64), y(64), c(8);
  EXPECT_THROW(batch_norm_apply_blocked<float>(x.data(), y.data(), 1, 8, 8, 4, c.data(), c.data(), c.data()), Error);
}

}  // namespace
}  // namespace nabla::cpu
