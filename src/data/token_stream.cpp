// Fixed-length token blocks and the train/validation split of a token stream.
#include "nabla/data/token_stream.h"

#include "nabla/error.h"

namespace nabla::data {

TokenStream::TokenStream(std::vector<int64_t> ids, int64_t block_size, int64_t stride)
    : ids_(std::move(ids)), block_size_(block_size), stride_(stride == 0 ? block_size : stride) {
  NABLA_CHECK(block_size >= 1 && stride_ >= 1, "TokenStream: block_size and stride must be positive, got ", block_size,
              " and ", stride);
  const int64_t n = static_cast<int64_t>(ids_.size());
  NABLA_CHECK(n >= block_size + 1, "TokenStream: the stream has ", n, " ids, fewer than block_size + 1 = ",
              block_size + 1);
  count_ = (n - block_size - 1) / stride_ + 1;
}

Batch TokenStream::blocks_at(const std::vector<int64_t>& starts) const {
  const int64_t b = static_cast<int64_t>(starts.size());
  std::vector<int64_t> input, target;
  input.reserve(b * block_size_);
  target.reserve(b * block_size_);
  for (int64_t s : starts) {
    input.insert(input.end(), ids_.begin() + s, ids_.begin() + s + block_size_);
    target.insert(target.end(), ids_.begin() + s + 1, ids_.begin() + s + block_size_ + 1);
  }
  return {from_vector(input, Shape{b, block_size_}), from_vector(target, Shape{b, block_size_})};
}

Example TokenStream::get(int64_t index) const {
  check_index("TokenStream::get", index, count_);
  Batch one = blocks_at({index * stride_});
  return {one.input.reshape({block_size_}), one.target.reshape({block_size_})};
}

bool TokenStream::get_batch(const std::vector<int64_t>& indices, Batch& out) const {
  std::vector<int64_t> starts;
  starts.reserve(indices.size());
  for (int64_t i : indices) {
    check_index("TokenStream::get_batch", i, count_);
    starts.push_back(i * stride_);
  }
  out = blocks_at(starts);
  return true;
}

Batch TokenStream::random_batch(int64_t batch_size, Generator& gen) const {
  NABLA_CHECK(batch_size >= 1, "TokenStream::random_batch: batch_size must be positive, got ", batch_size);
  const int64_t last = static_cast<int64_t>(ids_.size()) - block_size_ - 1;  // largest start
  return blocks_at(randint(0, last + 1, {batch_size}, &gen).to_vector<int64_t>());
}

std::pair<std::vector<int64_t>, std::vector<int64_t>> split_tokens(const std::vector<int64_t>& ids,
                                                                   double val_fraction) {
  NABLA_CHECK(val_fraction >= 0.0 && val_fraction < 1.0, "split_tokens: val_fraction must be in [0, 1), got ",
              val_fraction);
  const auto n_train = static_cast<int64_t>(static_cast<double>(ids.size()) * (1.0 - val_fraction));
  return {std::vector<int64_t>(ids.begin(), ids.begin() + n_train), std::vector<int64_t>(ids.begin() + n_train, ids.end())};
}

}  // namespace nabla::data
