#include "nabla/data/kfold.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "nabla/error.h"

using namespace nabla;

TEST(KFold, DisjointCoveringBalancedDeterministic) {
  for (bool shuffle : {false, true})
    for (int64_t n : {10, 11, 17, 100})
      for (int64_t folds : {2, 3, 5}) {
        const auto split = data::kfold(n, folds, shuffle, 42);
        ASSERT_EQ(static_cast<int64_t>(split.size()), folds);
        std::set<int64_t> seen;
        size_t lo = SIZE_MAX, hi = 0;
        for (const auto& f : split) {
          EXPECT_EQ(static_cast<int64_t>(f.train.size() + f.val.size()), n);
          EXPECT_TRUE(std::is_sorted(f.train.begin(), f.train.end()));
          EXPECT_TRUE(std::is_sorted(f.val.begin(), f.val.end()));
          lo = std::min(lo, f.val.size());
          hi = std::max(hi, f.val.size());
          for (int64_t i : f.val) {
            EXPECT_TRUE(i >= 0 && i < n);
            EXPECT_TRUE(seen.insert(i).second) << "index " << i << " in two folds";
            EXPECT_FALSE(std::binary_search(f.train.begin(), f.train.end(), i));
          }
        }
        EXPECT_EQ(static_cast<int64_t>(seen.size()), n);
        EXPECT_LE(hi - lo, 1u);
        EXPECT_EQ(split.front().val.size(), hi);  // the first n mod folds folds are the larger ones
        const auto again = data::kfold(n, folds, shuffle, 42);
        for (size_t f = 0; f < split.size(); ++f) EXPECT_EQ(again[f].val, split[f].val);
      }
  EXPECT_NE(data::kfold(100, 5, true, 1)[0].val, data::kfold(100, 5, true, 2)[0].val);
  EXPECT_THROW(data::kfold(3, 4), Error);
  EXPECT_THROW(data::kfold(10, 1), Error);
}

TEST(KFold, UnshuffledMatchesSklearn) {
  // sklearn.model_selection.KFold(3).split(range(10)): test folds [0..3], [4..6], [7..9].
  const auto split = data::kfold(10, 3);
  EXPECT_EQ(split[0].val, (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(split[1].val, (std::vector<int64_t>{4, 5, 6}));
  EXPECT_EQ(split[2].val, (std::vector<int64_t>{7, 8, 9}));
  EXPECT_EQ(split[1].train, (std::vector<int64_t>{0, 1, 2, 3, 7, 8, 9}));
}

TEST(KFold, OverIndicesKeepsTheirOrder) {
  const std::vector<int64_t> idx = {50, 10, 40, 20, 30};
  const auto split = data::kfold(idx, 2);
  EXPECT_EQ(split[0].val, (std::vector<int64_t>{50, 10, 40}));
  EXPECT_EQ(split[0].train, (std::vector<int64_t>{20, 30}));
  EXPECT_EQ(split[1].train, (std::vector<int64_t>{50, 10, 40}));
}
