// Row gathers, stacks and default_collate.
#include "data/collate.h"

#include <cstring>

#include "nabla/data/dataloader.h"
#include "nabla/error.h"

namespace nabla::data::detail {

Tensor gather_rows(const Tensor& t, const std::vector<int64_t>& indices) {
  Tensor src = t.is_contiguous() ? t : t.contiguous();
  Shape shape = src.shape();
  const int64_t n = shape[0];
  shape[0] = static_cast<int64_t>(indices.size());
  Tensor out = empty(shape, src.dtype());
  const size_t row_bytes = static_cast<size_t>(shape_numel(shape) / std::max<int64_t>(shape[0], 1)) * src.element_size();
  const auto* from = static_cast<const uint8_t*>(src.raw_data());
  auto* to = static_cast<uint8_t*>(out.raw_data());
  for (size_t k = 0; k < indices.size(); ++k) {
    NABLA_CHECK(indices[k] >= 0 && indices[k] < n, "gather_rows: index ", indices[k], " out of range for ", n, " rows");
    if (row_bytes) std::memcpy(to + k * row_bytes, from + indices[k] * row_bytes, row_bytes);
  }
  return out;
}

Tensor stack_tensors(const std::vector<Tensor>& tensors, const char* what) {
  NABLA_CHECK(!tensors.empty(), "default_collate: no ", what, " to stack");
  const Tensor& first = tensors[0];
  Shape shape = first.shape();
  shape.insert(shape.begin(), static_cast<int64_t>(tensors.size()));
  Tensor out = empty(shape, first.dtype());
  const size_t bytes = static_cast<size_t>(first.numel()) * first.element_size();
  auto* to = static_cast<uint8_t*>(out.raw_data());
  for (size_t k = 0; k < tensors.size(); ++k) {
    const Tensor& t = tensors[k];
    NABLA_CHECK(t.defined() && t.shape() == first.shape() && t.dtype() == first.dtype(), "default_collate: ", what,
                " must share shape and dtype; sample 0 is ", shape_str(first.shape()), " ", dtype_name(first.dtype()),
                ", sample ", k, " is ",
                t.defined() ? shape_str(t.shape()) + " " + dtype_name(t.dtype()) : std::string("undefined"));
    Tensor c = t.is_contiguous() ? t : t.contiguous();
    if (bytes) std::memcpy(to + k * bytes, c.raw_data(), bytes);
  }
  return out;
}

}  // namespace nabla::data::detail

namespace nabla::data {

Batch default_collate(const std::vector<Example>& examples) {
  NABLA_CHECK(!examples.empty(), "default_collate: expected at least one example");
  std::vector<Tensor> inputs, targets;
  inputs.reserve(examples.size());
  for (const Example& e : examples) inputs.push_back(e.input);
  Batch b;
  b.input = detail::stack_tensors(inputs, "inputs");
  if (examples[0].target.defined()) {
    targets.reserve(examples.size());
    for (const Example& e : examples) targets.push_back(e.target);
    b.target = detail::stack_tensors(targets, "targets");
  }
  return b;
}

}  // namespace nabla::data
