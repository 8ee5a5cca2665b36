#pragma once
// Partial selection of the k smallest (distance, index) pairs of one query row, fed in blocks.
// A bounded max-heap keeps the current k best; a candidate is compared with the worst kept one.
// Candidates arrive in increasing training index, so a candidate at a distance equal to the
// worst kept one never replaces it: equal distances go to the lower index.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace nabla::cpu {

/// The k smallest (distance, index) pairs seen so far, ordered lexicographically.
class TopKSelector {
 public:
  /// Empties the selector for a new query with capacity k ≥ 1.
  void reset(int64_t k) {
    k_ = k;
    heap_.clear();
    heap_.reserve(static_cast<size_t>(k));
  }
  /// Distance a candidate must beat (strictly) to enter; +inf while fewer than k are kept.
  double threshold() const {
    return static_cast<int64_t>(heap_.size()) < k_ ? std::numeric_limits<double>::infinity() : heap_.front().first;
  }
  /// Offers a candidate whose index exceeds every index offered before.
  void offer(double dist, int64_t index) {
    if (static_cast<int64_t>(heap_.size()) < k_) {
      heap_.emplace_back(dist, index);
      std::push_heap(heap_.begin(), heap_.end());
    } else if (dist < heap_.front().first) {
      std::pop_heap(heap_.begin(), heap_.end());
      heap_.back() = {dist, index};
      std::push_heap(heap_.begin(), heap_.end());
    }
  }
  /// Writes the kept pairs in ascending (distance, index) order; the selector is left empty.
  void finish(double* dist_out, int64_t* index_out) {
    std::sort_heap(heap_.begin(), heap_.end());
    for (size_t i = 0; i < heap_.size(); ++i) {
      dist_out[i] = heap_[i].first;
      index_out[i] = heap_[i].second;
    }
    heap_.clear();
  }

 private:
  int64_t k_ = 1;
  std::vector<std::pair<double, int64_t>> heap_;
};

}  // namespace nabla::cpu
