#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

#include "nabla/error.h"
#include "search_space.h"
#include "error_of.h"

using namespace nabla;
using namespace nabla::cli;

namespace {
using nabla::testing::error_of;


SearchDim log_dim(double lo, double hi) {
  SearchDim d;
  d.key = "optimizer.lr";
  d.kind = DimKind::LogUniform;
  d.lo = lo;
  d.hi = hi;
  return d;
}

SearchDim grid_dim(const std::string& key, std::vector<std::string> values) {
  SearchDim d;
  d.key = key;
  d.kind = DimKind::Grid;
  d.values = std::move(values);
  return d;
}

}  // namespace

TEST(Search, LogUniformStaysInRangeAndIsUniformInLogSpace) {
  const SearchDim d = log_dim(1e-4, 1e-1);
  Generator gen(7);
  const int n = 20000;
  int per_decade[3] = {0, 0, 0};
  for (int i = 0; i < n; ++i) {
    const double v = sample_range(d, gen);
    ASSERT_GE(v, 1e-4);
    ASSERT_LT(v, 1e-1);
    per_decade[std::min(2, static_cast<int>(std::floor(std::log10(v) + 4)))]++;
  }
  // Each decade holds a third of the draws; a uniform (not log) sampler would put 90 % in the last.
  // Binomial sd of a count is sqrt(n·1/3·2/3) ≈ 67: allow 5 sd.
  for (int c : per_decade) EXPECT_NEAR(c, n / 3.0, 5 * 67);
}

TEST(Search, UniformAndIntegerDims) {
  SearchDim d;
  d.key = "train.batch_size";
  d.kind = DimKind::Uniform;
  d.lo = 16;
  d.hi = 256;
  d.integer = true;
  Generator gen(1);
  double sum = 0;
  for (int i = 0; i < 4000; ++i) {
    const double v = sample_range(d, gen);
    ASSERT_GE(v, 16);
    ASSERT_LT(v, 256);
    sum += v;
  }
  EXPECT_NEAR(sum / 4000, 136, 6);  // mean (16 + 256) / 2, sd of the mean ≈ 1.1
  EXPECT_EQ(value_text(d, 63.6), "64");
}

TEST(Search, GridEnumerationIsTheCartesianProduct) {
  const std::vector<SearchDim> dims = {grid_dim("optimizer.weight_decay", {"0", "1e-4", "5e-4"}),
                                       grid_dim("train.batch_size", {"32", "64"})};
  const auto points = grid_points(dims);
  ASSERT_EQ(points.size(), 6u);
  EXPECT_EQ(points[0], (Assignment{{"optimizer.weight_decay", "0"}, {"train.batch_size", "32"}}));
  EXPECT_EQ(points[5], (Assignment{{"optimizer.weight_decay", "5e-4"}, {"train.batch_size", "64"}}));
  // Only grid dimensions: one trial per point whatever `trials` says.
  EXPECT_EQ(stage_trials(dims, 10, 0).size(), 6u);
}

TEST(Search, StageTrialsCrossRandomDrawsWithTheGridAndAreSeeded) {
  const std::vector<SearchDim> dims = {log_dim(1e-3, 1e-1), grid_dim("optimizer.weight_decay", {"0", "5e-4"})};
  const auto a = stage_trials(dims, 3, 42), b = stage_trials(dims, 3, 42), c = stage_trials(dims, 3, 43);
  ASSERT_EQ(a.size(), 6u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(a[0][0].second, a[1][0].second);  // the same draw with each grid value
  EXPECT_EQ(a[0][1].second, "0");
  EXPECT_EQ(a[1][1].second, "5e-4");
  EXPECT_EQ(a[0][0].first, "optimizer.lr");  // dimension order kept
}

TEST(Search, CoarseToFineNarrowsAroundTheBestTrials) {
  const std::vector<SearchDim> dims = {log_dim(1e-4, 1e-0), grid_dim("optimizer.weight_decay", {"0", "1e-4", "5e-4"})};
  const std::vector<Assignment> best = {{{"optimizer.lr", "0.01"}, {"optimizer.weight_decay", "5e-4"}},
                                        {{"optimizer.lr", "0.001"}, {"optimizer.weight_decay", "0"}}};
  const auto fine = narrow_dims(dims, best);
  // Span 1e-3..1e-2 widened by 10 % of the 4-decade log width (0.4 decade) on each side.
  EXPECT_NEAR(std::log10(fine[0].lo), -3.4, 1e-9);
  EXPECT_NEAR(std::log10(fine[0].hi), -1.6, 1e-9);
  EXPECT_EQ(fine[1].values, (std::vector<std::string>{"0", "5e-4"}));
  // Clipped to the current range.
  const auto edge = narrow_dims(dims, {{{"optimizer.lr", "0.0001"}}});
  EXPECT_DOUBLE_EQ(edge[0].lo, 1e-4);
  EXPECT_NEAR(std::log10(edge[0].hi), -3.6, 1e-9);
}

TEST(Search, EdgeWarnings) {
  const std::vector<SearchDim> dims = {log_dim(1e-4, 1e-0), grid_dim("optimizer.weight_decay", {"0", "1e-4", "5e-4"})};
  // 1.5e-4 is 4.4 % of the way through the log range; 5e-4 is the last grid value.
  auto w = edge_warnings(dims, {{"optimizer.lr", "1.5e-4"}, {"optimizer.weight_decay", "5e-4"}});
  ASSERT_EQ(w.size(), 2u);
  EXPECT_NE(w[0].find("lowest 10%"), std::string::npos);
  EXPECT_NE(w[1].find("last value of its grid"), std::string::npos);
  // 0.5 is 92.5 % up the log range (linearly it would be in the middle).
  w = edge_warnings(dims, {{"optimizer.lr", "0.5"}, {"optimizer.weight_decay", "1e-4"}});
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("highest 10%"), std::string::npos);
  EXPECT_TRUE(edge_warnings(dims, {{"optimizer.lr", "0.01"}, {"optimizer.weight_decay", "1e-4"}}).empty());
}

TEST(Search, ParseAndValidate) {
  const SearchSpec s = parse_search(
      "[search]\nname = \"s\"\ntrials = 3\nstages = 2\nfolds = 3\n"
      "[search.space]\n\"optimizer.lr\" = {log_uniform = [1e-4, 1e-1]}\n"
      "\"optimizer.weight_decay\" = {grid = [0, 1e-4, 5e-4]}\n\"optimizer.name\" = {choice = [\"sgd\", \"adam\"]}\n"
      "[train]\nepochs = 2\n[data]\ntrain_subset = 5000\n",
      "s.toml");
  EXPECT_EQ(s.settings.trials, 3);
  EXPECT_EQ(s.settings.folds, 3);
  ASSERT_EQ(s.dims.size(), 3u);
  EXPECT_EQ(s.dims[0].kind, DimKind::LogUniform);
  EXPECT_EQ(s.dims[1].values, (std::vector<std::string>{"0", "0.0001", "0.0005"}));
  EXPECT_EQ(s.dims[2].kind, DimKind::Choice);
  EXPECT_EQ(s.base.train.epochs, 2);
  EXPECT_EQ(s.base.data.train_subset, 5000);

  auto err = [](const std::string& text) { return error_of([&] { parse_search(text, "bad.toml"); }); };
  const std::string unknown = err("[search.space]\n\"optimizer.learning_rate\" = {uniform = [0, 1]}\n");
  EXPECT_NE(unknown.find("unknown config key 'optimizer.learning_rate' (valid keys: model.name"), std::string::npos);
  EXPECT_NE(err("[search]\ntrails = 3\n[search.space]\n\"optimizer.lr\" = {uniform = [0, 1]}\n")
                .find("unknown key 'search.trails' (valid keys of [search]: name"),
            std::string::npos);
  EXPECT_NE(err("[search.space]\n\"optimizer.lr\" = {log_uniform = [0, 1]}\n").find("log_uniform needs lo > 0"),
            std::string::npos);
  EXPECT_NE(err("[search.space]\n\"optimizer.lr\" = {uniform = [1, 1]}\n").find("lo < hi"), std::string::npos);
  EXPECT_NE(err("[search.space]\n\"model.name\" = {uniform = [1, 2]}\n").find("needs a numeric key"), std::string::npos);
  EXPECT_NE(err("[search.space]\n\"train.epochs\" = {grid = [1, \"x\"]}\n").find("'train.epochs' expects integer"),
            std::string::npos);
  EXPECT_NE(err("[search.space]\n\"optimizer.lr\" = {normal = [1, 2]}\n").find("unknown kind 'normal'"), std::string::npos);
  EXPECT_NE(err("[search]\ntrials = 2\n").find("[search.space] must name"), std::string::npos);
  EXPECT_NE(err("[search.space]\n\"optimizer.lr\" = {uniform = [0.1, 1]}\n[train]\nepoch = 1\n")
                .find("unknown config key 'train.epoch'"),
            std::string::npos);
}
