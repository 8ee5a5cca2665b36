// classic::hog and color_histogram: small cases computed by hand (edges of known orientation,
// L2-Hys clipping, colour channel choice), feature sizes, and errors.
#include <gtest/gtest.h>

#include "nabla/classic/features.h"
#include "nabla/nabla.h"

using namespace nabla;
using namespace nabla::classic;

namespace {

// 8 × 8 image, 0 left of column 4 and 1 from it (vertical edge) or the same along rows.
Tensor edge(bool vertical) {
  Tensor img = zeros({8, 8});
  float* p = img.data_ptr<float>();
  for (int r = 0; r < 8; ++r)
    for (int c = 0; c < 8; ++c) p[r * 8 + c] = (vertical ? c : r) >= 4 ? 1.0f : 0.0f;
  return img;
}

}  // namespace

TEST(HOG, VerticalAndHorizontalEdgesByHand) {
  // Vertical edge: columns 3 and 4 have g_col = 1 − 0 = 1, g_row = 0 → θ = 0°, bin 0. Each of the
  // 2 × 2 cells (4 × 4 pixels) holds 4 such pixels: histogram bin 0 = 4/16 = 0.25. The single
  // block (0.25 ×4) normalises to 0.5 each, clips to 0.2, and renormalises to 0.5.
  const std::vector<float> v = hog(edge(true)).to_vector<float>();
  ASSERT_EQ(v.size(), 36u);
  for (size_t i = 0; i < v.size(); ++i) EXPECT_NEAR(v[i], i % 9 == 0 ? 0.5f : 0.0f, 1e-6) << i;
  // Horizontal edge: g_row = 1, g_col = 0 → θ = 90°, bin ⌊90/20⌋ = 4.
  const std::vector<float> h = hog(edge(false)).to_vector<float>();
  for (size_t i = 0; i < h.size(); ++i) EXPECT_NEAR(h[i], i % 9 == 4 ? 0.5f : 0.0f, 1e-6) << i;
}

TEST(HOG, ClippingDiagonalAndConstantImages) {
  // One bright pixel at (1, 1). Only two pixels get a gradient: (1, 2) with g_col = 0 − 1 = −1
  // (θ = 180° ≡ 0°, bin 0) and (2, 1) with g_row = 0 − 1 = −1 (θ = −90° ≡ 90°, bin 4); (0, 1) and
  // (1, 0) lie on the border, where the derivative across it is 0. Cell (0, 0): bins 0 and 4 = 1/16.
  // Block: (1/16, 1/16)/√(2/256) = 0.7071 each, clipped to 0.2, renormalised to 0.7071.
  Tensor img = zeros({8, 8});
  img.data_ptr<float>()[1 * 8 + 1] = 1;
  const std::vector<float> v = hog(img).to_vector<float>();
  for (size_t i = 0; i < v.size(); ++i) EXPECT_NEAR(v[i], (i == 0 || i == 4) ? 0.70710678f : 0.0f, 1e-5) << i;
  // A 45° ramp img[r][c] = r + c: g_row = g_col inside → θ = 45°, bin 2. On the border rows and
  // columns only one derivative is non-zero (θ = 0° or 90°, bins 0 and 4), with half the magnitude.
  Tensor ramp = zeros({8, 8});
  for (int r = 0; r < 8; ++r)
    for (int c = 0; c < 8; ++c) ramp.data_ptr<float>()[r * 8 + c] = float(r + c) / 14.0f;
  const std::vector<float> d = hog(ramp).to_vector<float>();
  for (size_t cell = 0; cell < d.size() / 9; ++cell)
    for (size_t b = 0; b < 9; ++b) {
      if (b != 0 && b != 2 && b != 4) EXPECT_EQ(d[cell * 9 + b], 0.0f) << cell << " " << b;
      if (b != 2) EXPECT_LT(d[cell * 9 + b], d[cell * 9 + 2]) << cell << " " << b;
    }
  for (float e : hog(full({8, 8}, 0.3)).to_vector<float>()) EXPECT_EQ(e, 0.0f);
}

TEST(HOG, ColourTakesTheStrongestChannelAndBatchesMatch) {
  Tensor rgb = zeros({3, 8, 8});
  rgb.select(0, 1).copy_(edge(true));
  rgb.select(0, 2).copy_(edge(false) * 0.5);  // weaker horizontal edge in blue
  const std::vector<float> c = hog(rgb).to_vector<float>();
  // Where both edges have gradient (e.g. (3,3)), green's is stronger; elsewhere each edge's own
  // pixels count, so bins 0 and 4 are both present and nothing else.
  for (size_t i = 0; i < c.size(); ++i)
    if (i % 9 != 0 && i % 9 != 4) EXPECT_EQ(c[i], 0.0f);
  EXPECT_GT(c[0], c[4]);
  Tensor batch = stack({edge(true), edge(false)}, 0);
  const Tensor hb = hog_batch(batch);
  EXPECT_EQ(hb.shape(), (Shape{2, 36}));
  EXPECT_EQ(hb[1].to_vector<float>(), hog(edge(false)).to_vector<float>());
  EXPECT_EQ(hog_feature_size(28, 28), 6 * 6 * 2 * 2 * 9);
  EXPECT_EQ(hog_feature_size(28, 28, {.orientations = 12, .cell_size = 7, .block_size = 3}), 2 * 2 * 3 * 3 * 12);
  EXPECT_EQ(hog(zeros({28, 28}), {.cell_size = 7, .block_size = 1}).numel(), 4 * 4 * 9);
}

TEST(HOG, ErrorsNameTheProblem) {
  try {
    hog(zeros({6, 6}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("fewer than one block"), std::string::npos) << e.what();
  }
  EXPECT_THROW(hog(zeros({8})), Error);
  EXPECT_THROW(hog(zeros({8, 8}, DType::Int64)), Error);
  EXPECT_THROW(hog(zeros({8, 8}), {.orientations = 0}), Error);
  EXPECT_THROW(hog(full({8, 8}, -1.0), {.transform_sqrt = true}), Error);
}

TEST(ColorHistogram, PerChannelAndJointByHand) {
  // Two pixels: (R, G) = (0.1, 0.9) and (0.6, 0.95); 2 bins over [0, 1].
  const Tensor img = from_vector<float>({0.1f, 0.6f, 0.9f, 0.95f}, Shape{2, 1, 2});
  EXPECT_EQ(color_histogram(img, {.bins = 2}).to_vector<float>(), (std::vector<float>{0.5, 0.5, 0, 1}));
  // Joint cells (R bin, G bin): (0, 1) and (1, 1) → indices 1 and 3.
  EXPECT_EQ(color_histogram(img, {.bins = 2, .mode = HistogramMode::Joint, .normalize = false}).to_vector<float>(),
            (std::vector<float>{0, 1, 0, 1}));
  // Values at range_max and beyond fall in the last bin, below range_min in the first.
  const Tensor gray = from_vector<float>({1.0f, 2.0f, -1.0f, 0.25f}, Shape{2, 2});
  EXPECT_EQ(color_histogram(gray, {.bins = 4, .normalize = false}).to_vector<float>(),
            (std::vector<float>{1, 1, 0, 2}));
  EXPECT_EQ(color_histogram_batch(stack({img, img}, 0), {.bins = 3}).shape(), (Shape{2, 6}));
  EXPECT_THROW(color_histogram(img, {.bins = 0}), Error);
  EXPECT_THROW(color_histogram(img, {.range_min = 1, .range_max = 1}), Error);
  EXPECT_THROW(color_histogram_batch(img), Error);
  EXPECT_THROW(color_histogram(zeros({3, 2, 2}), {.bins = 1024, .mode = HistogramMode::Joint}), Error);
}
