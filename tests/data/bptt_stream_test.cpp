#include "nabla/data/bptt_stream.h"

#include <gtest/gtest.h>

#include <vector>

#include "nabla/data/dataloader.h"
#include "nabla/error.h"

using namespace nabla;

namespace {

std::vector<int64_t> iota_ids(int64_t n) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

}  // namespace

TEST(BpttStream, RowsAreContiguousAndChunksContinueEachOther) {
  // 23 tokens, 2 rows: the last token is dropped, rows 0..10 and 11..21 (L = 11), chunks of 4
  // over the 10 predicted positions: 4, 4, 2.
  data::BpttStream s(iota_ids(23), 2, 4);
  EXPECT_EQ(s.size(), 3);
  EXPECT_EQ(s.num_targets(), 20);
  const data::Example c0 = s.get(0), c2 = s.get(2);
  EXPECT_EQ(c0.input.shape(), (Shape{2, 4}));
  EXPECT_EQ(c2.input.shape(), (Shape{2, 2}));
  EXPECT_EQ(c0.input[1][0].item<int64_t>(), 11);
  EXPECT_EQ(c0.target[1][0].item<int64_t>(), 12);
  EXPECT_EQ(c2.input[0][0].item<int64_t>(), 8);
  EXPECT_EQ(c2.target[0][1].item<int64_t>(), 10);
  EXPECT_EQ(c2.target[1][1].item<int64_t>(), 21);
  // Every target is its input's successor in the stream, and every position is predicted once.
  int64_t seen = 0;
  data::DataLoader loader(std::make_shared<data::BpttStream>(iota_ids(23), 2, 4));
  for (const data::Batch& b : loader) {
    EXPECT_EQ(b.input.dim(), 2);
    for (int64_t r = 0; r < 2; ++r)
      for (int64_t t = 0; t < b.input.size(1); ++t)
        EXPECT_EQ(b.target[r][t].item<int64_t>(), b.input[r][t].item<int64_t>() + 1);
    seen += b.target.numel();
  }
  EXPECT_EQ(seen, s.num_targets());
}

TEST(BpttStream, Errors) {
  EXPECT_THROW(data::BpttStream(iota_ids(10), 0, 4), Error);
  EXPECT_THROW(data::BpttStream(iota_ids(10), 2, 0), Error);
  EXPECT_THROW(data::BpttStream(iota_ids(3), 2, 4), Error);  // rows of 1 token
  data::BpttStream s(iota_ids(10), 2, 4);
  EXPECT_THROW(s.get(2), Error);
  data::Batch b;
  EXPECT_THROW(s.get_batch({0, 1}, b), Error);
}
