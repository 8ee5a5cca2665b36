#pragma once
// Shared by the PyTorch parity tests: a fixture file of named tensors written by a script in
// tools/parity/, and the comparison of nabla's results with PyTorch's.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "nabla/io/serialize.h"
#include "nabla/tensor.h"

#ifndef NABLA_SOURCE_DIR
#define NABLA_SOURCE_DIR "."
#endif

namespace nabla::testing {

/// The tensors of tests/fixtures/parity/<file>, read once.
class ParityFixture {
 public:
  explicit ParityFixture(const std::string& file)
      : file_(file), tensors_(load(std::string(NABLA_SOURCE_DIR) + "/tests/fixtures/parity/" + file)) {}
  /// Whether the fixture holds `key`.
  bool has(const std::string& key) const { return tensors_.count(key) > 0; }
  /// The tensor `key`; raises Error naming the file and the key when it is missing.
  const Tensor& get(const std::string& key) const {
    auto it = tensors_.find(key);
    if (it == tensors_.end()) throw Error(file_ + ": the parity fixture has no tensor " + key);
    return it->second;
  }
  /// Every tensor by name.
  const StateDict& all() const { return tensors_; }

 private:
  std::string file_;
  StateDict tensors_;
};

/// |a − b| ≤ tol·(|b| + 0.1·max|b| + 1e-3) for every element, with tol = 1e-10 for float64 and
/// `tol32` otherwise: relative, with a floor tied to the tensor's scale so that entries that
/// cancel to about zero are not judged by their own tiny magnitude.
inline void expect_close_to_scale(const Tensor& actual, const Tensor& expected, const std::string& what,
                                  double tol32 = 2e-5) {
  ASSERT_TRUE(actual.defined()) << what << " is undefined";
  ASSERT_EQ(actual.shape(), expected.shape()) << what;
  const double tol = expected.dtype() == DType::Float64 ? 1e-10 : tol32;
  const auto a = actual.to_vector<double>(), b = expected.to_vector<double>();
  double scale = 0;
  for (double v : b) scale = std::max(scale, std::abs(v));
  for (size_t i = 0; i < a.size(); ++i)
    ASSERT_LE(std::abs(a[i] - b[i]), tol * (std::abs(b[i]) + 0.1 * scale + 1e-3))
        << what << " element " << i << ": nabla " << a[i] << " vs PyTorch " << b[i];
}

}  // namespace nabla::testing
