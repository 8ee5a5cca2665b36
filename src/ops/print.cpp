// PyTorch-style printing: tensor([[1.0000, 2.0000], [3.0000, 4.0000]]).
#include <cmath>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "nabla/autograd.h"
#include "nabla/tensor.h"

namespace nabla {
namespace {

// Formats every element the same way: integers when all values are whole (as "1."), otherwise
// fixed with 4 decimals, or scientific when the range calls for it.
struct Formatter {
  DType dtype;
  bool sci = false;
  bool whole = true;
  explicit Formatter(const std::vector<double>& v, DType dt) : dtype(dt) {
    double max_abs = 0, min_abs = INFINITY;
    for (double x : v) {
      if (!std::isfinite(x)) continue;
      if (x != std::floor(x)) whole = false;
      max_abs = std::max(max_abs, std::abs(x));
      if (x != 0) min_abs = std::min(min_abs, std::abs(x));
    }
    sci = max_abs >= 1e8 || (min_abs < 1e-4 && !whole) || (min_abs != INFINITY && max_abs / min_abs > 1e3 && !whole);
  }
  std::string operator()(double x) const {
    std::ostringstream os;
    if (dtype == DType::Bool) return x != 0 ? "True" : "False";
    if (is_integral(dtype)) {
      os << static_cast<int64_t>(x);
      return os.str();
    }
    if (std::isnan(x)) return "nan";
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    if (sci)
      os << std::scientific << std::setprecision(4) << x;
    else if (whole)
      os << static_cast<int64_t>(x) << ".";
    else
      os << std::fixed << std::setprecision(4) << x;
    return os.str();
  }
};

void print_rec(std::ostringstream& os, const std::vector<std::string>& cells, size_t width, const Shape& shape,
               size_t dim, int64_t& index, int indent) {
  constexpr int64_t kEdge = 3, kSummarizeAbove = 1000;
  const bool summarize = static_cast<int64_t>(cells.size()) > kSummarizeAbove;
  os << '[';
  const int64_t n = shape[dim];
  int64_t inner = 1;
  for (size_t d = dim + 1; d < shape.size(); ++d) inner *= shape[d];
  for (int64_t i = 0; i < n; ++i) {
    if (summarize && n > 2 * kEdge && i == kEdge) {
      os << (dim + 1 == shape.size() ? "..., " : "...,\n" + std::string(indent + 1, ' '));
      index += (n - 2 * kEdge) * inner;
      i = n - kEdge - 1;
      continue;
    }
    if (dim + 1 == shape.size()) {
      const std::string& c = cells[index++];
      os << std::string(width - c.size(), ' ') << c;
      if (i + 1 < n) os << ", ";
    } else {
      print_rec(os, cells, width, shape, dim + 1, index, indent + 1);
      if (i + 1 < n) os << ',' << std::string(shape.size() - dim - 1, '\n') << std::string(indent + 1, ' ');
    }
  }
  os << ']';
}

}  // namespace

std::string Tensor::to_string() const {
  if (!defined()) return "tensor(undefined)";
  const std::vector<double> values = to_vector<double>();
  Formatter fmt(values, dtype());
  std::vector<std::string> cells;
  size_t width = 0;
  for (double v : values) {
    cells.push_back(fmt(v));
    width = std::max(width, cells.back().size());
  }
  std::ostringstream os;
  os << "tensor(";
  if (dim() == 0) {
    os << cells[0];
  } else if (numel() == 0) {
    os << "[]";
  } else {
    int64_t index = 0;
    print_rec(os, cells, width, shape(), 0, index, 7);
  }
  if (numel() == 0 && dim() > 0) os << ", size=" << shape_str(shape());
  // As PyTorch: the dtype is shown unless it is a default one (float32, int64, bool).
  const bool default_dtype = dtype() == DType::Float32 || dtype() == DType::Bool || dtype() == DType::Int64;
  if (!default_dtype || (dtype() == DType::Int64 && numel() == 0)) os << ", dtype=" << dtype_name(dtype());
  if (grad_fn())
    os << ", grad_fn=<" << grad_fn()->name << ">";
  else if (requires_grad())
    os << ", requires_grad=True";
  os << ')';
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << t.to_string(); }

}  // namespace nabla
