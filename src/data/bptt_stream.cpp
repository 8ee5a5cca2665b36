#include "nabla/data/bptt_stream.h"

#include <algorithm>

#include "nabla/error.h"

namespace nabla::data {

BpttStream::BpttStream(const std::vector<int64_t>& ids, int64_t batch_size, int64_t seq_len) : seq_len_(seq_len) {
  NABLA_CHECK(batch_size > 0 && seq_len > 0, "data::BpttStream: batch_size and seq_len must be positive, got ",
              batch_size, " and ", seq_len);
  const int64_t n = static_cast<int64_t>(ids.size());
  const int64_t row = n / batch_size;
  NABLA_CHECK(row >= 2, "data::BpttStream: a stream of ", n, " tokens is too short for ", batch_size,
              " rows of at least 2 tokens");
  rows_ = from_vector(std::vector<int64_t>(ids.begin(), ids.begin() + batch_size * row), Shape{batch_size, row});
  count_ = (row - 1 + seq_len - 1) / seq_len;
}

Example BpttStream::get(int64_t index) const {
  check_index("data::BpttStream::get", index, count_);
  const int64_t start = index * seq_len_;
  const int64_t t = std::min(seq_len_, rows_.size(1) - 1 - start);
  return {rows_.narrow(1, start, t).contiguous(), rows_.narrow(1, start + 1, t).contiguous()};
}

bool BpttStream::get_batch(const std::vector<int64_t>& indices, Batch& out) const {
  NABLA_CHECK(indices.size() == 1, "data::BpttStream: a batch is one chunk (use a DataLoader with batch_size 1), got ",
              indices.size(), " indices");
  const Example e = get(indices[0]);
  out = {e.input, e.target};
  return true;
}

}  // namespace nabla::data
