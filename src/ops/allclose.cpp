// allclose: elementwise |a − b| ≤ atol + rtol·|b| over the broadcast shape (NaN never close).
#include <cmath>

#include "nabla/ops.h"

namespace nabla {

bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol) {
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), "allclose");
  const std::vector<double> va = a.expand(shape).to_vector<double>(), vb = b.expand(shape).to_vector<double>();
  for (size_t i = 0; i < va.size(); ++i)
    if (!(std::abs(va[i] - vb[i]) <= atol + rtol * std::abs(vb[i]))) return false;
  return true;
}

}  // namespace nabla
