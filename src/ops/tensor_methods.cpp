// The Tensor methods that compute (conversion to a vector, backward, method forms of common ops):
// they call ops and autograd, which sit above the core layer.
#include "nabla/autograd.h"
#include "nabla/ops.h"
#include "nabla/tensor.h"

namespace nabla {

template <class T>
std::vector<T> Tensor::to_vector() const {
  Tensor c = to(dtype_of<T>()).contiguous();
  const T* p = c.data_ptr<T>();
  return std::vector<T>(p, p + c.numel());
}
template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<double> Tensor::to_vector<double>() const;
template std::vector<int64_t> Tensor::to_vector<int64_t>() const;
template std::vector<bool> Tensor::to_vector<bool>() const;
template std::vector<uint8_t> Tensor::to_vector<uint8_t>() const;
template std::vector<int32_t> Tensor::to_vector<int32_t>() const;
template std::vector<bfloat16> Tensor::to_vector<bfloat16>() const;
template std::vector<float16> Tensor::to_vector<float16>() const;

void Tensor::backward(const Tensor& gradient, bool retain_graph, bool create_graph) const {
  autograd::backward(*this, gradient, retain_graph, create_graph);
}

// Method forms of common ops.
Tensor Tensor::sum() const { return nabla::sum(*this); }
Tensor Tensor::sum(const IntList& dims, bool keepdim) const { return nabla::sum(*this, dims, keepdim); }
Tensor Tensor::mean() const { return nabla::mean(*this); }
Tensor Tensor::mean(const IntList& dims, bool keepdim) const { return nabla::mean(*this, dims, keepdim); }
Tensor Tensor::neg() const { return nabla::neg(*this); }
Tensor Tensor::matmul(const Tensor& other) const { return nabla::matmul(*this, other); }

}  // namespace nabla
