// nabla::viz: SVG plots are well-formed and place points where the data says; PNGs decode to
// the pixels written; grids tile images in order.
#include <gtest/gtest.h>
#include <stb/stb_image.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "nabla/nabla.h"
#include "nabla/viz.h"

using namespace nabla;

namespace {
int count(const std::string& s, const std::string& what) {
  int n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}
}  // namespace

TEST(Viz, LinePlotHasOnePolylinePerSeriesAndEscapesText) {
  viz::Series a{"train <loss>", {1, 2, 3}, {2.3, 1.0, 0.5}}, b{"val", {1, 2, 3}, {2.2, 1.2, 0.8}};
  std::string svg = viz::line_plot_svg({a, b}, {.title = "loss & acc", .x_label = "epoch"});
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_EQ(count(svg, "<polyline"), 2);
  EXPECT_NE(svg.find("train &lt;loss&gt;"), std::string::npos);
  EXPECT_NE(svg.find("loss &amp; acc"), std::string::npos);
}

TEST(Viz, NonFiniteValuesBreakTheLine) {
  viz::Series s{"x", {1, 2, 3, 4}, {1, std::nan(""), 3, 4}};
  EXPECT_EQ(count(viz::line_plot_svg({s}), "<polyline"), 2);
}

TEST(Viz, BadInputIsNamed) {
  viz::Series s{"bad", {1, 2}, {1}};
  EXPECT_THROW(viz::line_plot_svg({s}), Error);
  viz::Series neg{"neg", {1, 2}, {-1, 1}};
  EXPECT_THROW(viz::line_plot_svg({neg}, {.log_y = true}), Error);
  EXPECT_THROW(viz::scatter_plot_svg({1, 2}, {1, 2}, {0, 3}, {"a", "b"}), Error);
  EXPECT_THROW(viz::heatmap_svg({1, 2, 3}, 2, 2, {}, {}), Error);
}

TEST(Viz, ScatterDrawsEveryPointAndHeatmapEveryCell) {
  std::string svg = viz::scatter_plot_svg({0, 1, 2}, {0, 1, 4}, {0, 1, 1}, {"cat", "dog"});
  EXPECT_EQ(count(svg, "<circle"), 3);
  EXPECT_NE(svg.find(">dog<"), std::string::npos);
  std::string hm = viz::heatmap_svg({5, 1, 0, 7}, 2, 2, {"a", "b"}, {"a", "b"}, {.width = 300, .height = 300});
  EXPECT_EQ(count(hm, "<rect x="), 4);
  EXPECT_NE(hm.find(">7<"), std::string::npos);
}

TEST(Viz, PngRoundTripsPixels) {
  Tensor img = tensor({{0.0, 0.5, 1.0}, {1.0, 2.0, -1.0}});  // clamped to [0, 1]
  std::vector<uint8_t> png = viz::encode_png(img);
  int w = 0, h = 0, c = 0;
  unsigned char* px = stbi_load_from_memory(png.data(), static_cast<int>(png.size()), &w, &h, &c, 0);
  ASSERT_NE(px, nullptr);
  EXPECT_EQ(w, 3);
  EXPECT_EQ(h, 2);
  EXPECT_EQ(c, 1);
  std::vector<int> got(px, px + 6);
  stbi_image_free(px);
  EXPECT_EQ(got, (std::vector<int>{0, 128, 255, 255, 255, 0}));
  EXPECT_THROW(viz::encode_png(zeros({2, 4, 4})), Error);
  EXPECT_THROW(viz::encode_png(zeros({4}, DType::Float32)), Error);
}

TEST(Viz, MakeGridTilesInOrderAndNormalizes) {
  Tensor imgs = arange(0, 4, 1, DType::Float32).view({4, 1, 1, 1}).expand({4, 1, 2, 2}).contiguous();
  Tensor g = viz::make_grid(imgs, 2, 1);
  ASSERT_EQ(g.shape(), (Shape{1, 7, 7}));
  EXPECT_EQ(g[0][1][1].item(), 0);
  EXPECT_EQ(g[0][1][4].item(), 1);
  EXPECT_EQ(g[0][4][1].item(), 2);
  EXPECT_EQ(g[0][5][5].item(), 3);
  EXPECT_EQ(g[0][0][0].item(), 0);
  Tensor r = randn({3, 3, 4, 4});
  Tensor n = viz::make_grid(r, 3, 0, true);
  EXPECT_NEAR(n.min().item(), 0.0, 1e-6);
  EXPECT_NEAR(n.max().item(), 1.0, 1e-6);
}

TEST(Viz, WritesFilesAtomically) {
  std::string dir = testing::TempDir();
  viz::write_text_atomic(dir + "/plot.svg", "<svg/>");
  std::ifstream in(dir + "/plot.svg");
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "<svg/>");
  viz::write_png(dir + "/img.png", zeros({3, 2, 2}));
  std::ifstream png(dir + "/img.png", std::ios::binary);
  char sig[4] = {};
  png.read(sig, 4);
  EXPECT_EQ(std::string(sig + 1, 3), "PNG");
  EXPECT_THROW(viz::write_text_atomic("/nonexistent-dir/x.svg", "x"), Error);
}
