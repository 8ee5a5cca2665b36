#pragma once
// Argument checks shared by the classic estimators.
#include <vector>

#include "nabla/error.h"
#include "nabla/tensor.h"

namespace nabla::classic::detail {

/// Requires a 2-d float32/float64 matrix with at least one row; `fn` names the caller.
inline void check_matrix(const Tensor& x, const char* fn, const char* what = "x") {
  NABLA_CHECK(x.defined(), fn, ": ", what, " is undefined");
  NABLA_CHECK(x.dim() == 2, fn, ": expected ", what, " of shape (N, D), got shape ", x.shape());
  NABLA_CHECK(x.dtype() == DType::Float32 || x.dtype() == DType::Float64, fn, ": expected ", what,
              " of dtype float32 or float64, got ", dtype_name(x.dtype()));
  NABLA_CHECK(x.size(0) > 0 && x.size(1) > 0, fn, ": ", what, " is empty (shape ", x.shape(), ")");
}

/// Requires int64 labels (N,) matching n rows, each in [0, classes) when classes > 0.
inline void check_labels(const Tensor& y, int64_t n, int64_t classes, const char* fn) {
  NABLA_CHECK(y.defined() && y.dim() == 1 && y.dtype() == DType::Int64, fn,
              ": expected labels y of shape (N,) and dtype int64, got shape ",
              y.defined() ? y.shape() : Shape{}, y.defined() ? str_cat(" dtype ", dtype_name(y.dtype())) : "");
  NABLA_CHECK(y.size(0) == n, fn, ": x has ", n, " rows but y has ", y.size(0), " labels");
  if (classes <= 0) return;
  const std::vector<int64_t> v = y.contiguous().to_vector<int64_t>();
  for (size_t i = 0; i < v.size(); ++i)
    NABLA_CHECK(v[i] >= 0 && v[i] < classes, fn, ": label y[", i, "] = ", v[i], " is outside [0, ", classes, ")");
}

/// Copies a 2-d tensor into a row-major vector<double>.
inline std::vector<double> to_doubles(const Tensor& x) { return x.contiguous().to_vector<double>(); }

}  // namespace nabla::classic::detail
