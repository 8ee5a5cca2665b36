#pragma once
// nabla::Tensor — an N-d strided view over shared Storage, with autograd metadata.
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nabla/dtype.h"
#include "nabla/error.h"
#include "nabla/storage.h"

namespace nabla {

using Shape = std::vector<int64_t>;
using IntList = std::vector<int64_t>;

namespace autograd {
struct Node;
}

/// The state behind a Tensor handle. Views share `storage` and differ in offset/shape/strides.
struct TensorImpl {
  std::shared_ptr<Storage> storage;
  int64_t offset = 0;  // in elements
  Shape shape;
  Shape strides;  // in elements
  DType dtype = DType::Float32;
  bool requires_grad = false;
  bool is_view = false;                       // shares storage with a tensor it was derived from
  std::shared_ptr<autograd::Node> grad_fn;    // null for leaves
  uint32_t output_nr = 0;                     // which output of grad_fn this tensor is
  std::shared_ptr<TensorImpl> grad;           // accumulated gradient of a leaf
  std::string name;                           // optional, shown in error messages
};

/// Number of elements of a shape (1 for a 0-d shape).
int64_t shape_numel(const Shape& shape);
/// Contiguous (row-major) strides for a shape.
Shape contiguous_strides(const Shape& shape);
/// Wraps a possibly negative dim into [0, ndim); raises Error naming `op` when out of range.
int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op);
/// "[2, 3]" — for error messages.
std::string shape_str(const Shape& shape);

/// An N-dimensional array with PyTorch semantics: shared storage, views, broadcasting, autograd.
/// Copying a Tensor copies the handle, not the data (use clone() for a deep copy).
class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // ---- metadata -------------------------------------------------------------------------
  /// False for a default-constructed (undefined) tensor.
  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const { return impl().shape; }
  /// Alias of shape(), as in PyTorch.
  const Shape& sizes() const { return impl().shape; }
  /// Size of one dim (negative dims count from the end).
  int64_t size(int64_t dim) const;
  const Shape& strides() const { return impl().strides; }
  int64_t stride(int64_t dim) const;
  int64_t dim() const { return static_cast<int64_t>(impl().shape.size()); }
  int64_t numel() const { return shape_numel(impl().shape); }
  DType dtype() const { return impl().dtype; }
  Device device() const { return impl().storage->device(); }
  int64_t storage_offset() const { return impl().offset; }
  size_t element_size() const { return dtype_size(dtype()); }
  /// True when the elements are laid out row-major with no gaps.
  bool is_contiguous() const;
  /// Pointer to the first element; raises Error when T does not match dtype().
  template <class T> T* data_ptr() const;
  /// Untyped pointer to the first element.
  void* raw_data() const;
  /// Value of a one-element tensor, converted to double.
  double item() const;
  template <class T> T item() const { return static_cast<T>(item()); }
  /// Copies the elements (in logical row-major order) into a std::vector<T>, converting.
  template <class T> std::vector<T> to_vector() const;
  TensorImpl& impl() const;
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
  /// True when both handles refer to the same TensorImpl.
  bool is_same(const Tensor& other) const { return impl_ == other.impl_; }

  // ---- autograd --------------------------------------------------------------------------
  bool requires_grad() const { return impl().requires_grad; }
  /// Marks a leaf as needing gradients; raises Error on a non-leaf or integer tensor.
  Tensor& requires_grad_(bool on = true);
  /// True for tensors not produced by a recorded op.
  bool is_leaf() const { return impl().grad_fn == nullptr; }
  const std::shared_ptr<autograd::Node>& grad_fn() const { return impl().grad_fn; }
  /// Accumulated gradient (undefined until a backward reaches this leaf).
  Tensor grad() const;
  void set_grad(const Tensor& g);
  /// Resets .grad to undefined (as PyTorch's set_to_none=True).
  void zero_grad();
  /// Back-propagates from this tensor. `gradient` may be omitted only for one-element tensors.
  /// With create_graph the gradients record a graph (for higher-order derivatives).
  void backward(const Tensor& gradient = Tensor(), bool retain_graph = false, bool create_graph = false) const;
  /// Same data, cut from the graph, requires_grad false.
  Tensor detach() const;
  /// Detaches in place.
  Tensor& detach_();

  // ---- views (share storage) ----------------------------------------------------------------
  Tensor view(const Shape& shape) const;
  Tensor reshape(const Shape& shape) const;
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor unflatten(int64_t dim, const Shape& sizes) const;
  Tensor squeeze() const;
  Tensor squeeze(int64_t dim) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor permute(const IntList& dims) const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  /// Transpose of a ≤2-d tensor.
  Tensor t() const;
  Tensor slice(int64_t dim, int64_t start, int64_t end, int64_t step = 1) const;
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  /// Removes `dim` by taking index `index` of it.
  Tensor select(int64_t dim, int64_t index) const;
  Tensor operator[](int64_t index) const { return select(0, index); }
  Tensor expand(const Shape& shape) const;
  Tensor expand_as(const Tensor& other) const { return expand(other.shape()); }
  Tensor view_as(const Tensor& other) const { return view(other.shape()); }
  Tensor contiguous() const;

  // ---- conversion / copies -------------------------------------------------------------------
  /// A copy converted to `dtype` (this tensor itself when it already has it); differentiable.
  Tensor to(DType dtype) const;
  /// This tensor on `device` (itself when already there); raises Error naming the device when
  /// this build cannot place tensors on it.
  Tensor to(Device device) const;
  Tensor to(DeviceType type) const { return to(Device(type)); }
  /// Converts to the options' device and dtype; sets requires_grad when the options ask for it.
  Tensor to(const TensorOptions& options) const;
  /// Makes this tensor use `data`'s storage, shape, strides and dtype while keeping its identity:
  /// every handle (an optimizer's, a module's) sees the new data, the gradient and autograd
  /// flags stay (as PyTorch's `param.data = new`). Raises Error when this tensor requires
  /// gradients and `data` is not floating point.
  void set_data(const Tensor& data);
  /// The options this tensor was made with: its dtype, device and requires_grad.
  TensorOptions options() const;
  Tensor clone() const;

  // ---- in-place ---------------------------------------------------------------------------------
  Tensor& zero_();
  Tensor& fill_(double value);
  Tensor& copy_(const Tensor& src);
  Tensor& add_(const Tensor& other, double alpha = 1.0);
  Tensor& add_(double other);
  Tensor& sub_(const Tensor& other, double alpha = 1.0);
  Tensor& sub_(double other);
  Tensor& mul_(const Tensor& other);
  Tensor& mul_(double other);
  Tensor& div_(const Tensor& other);
  Tensor& div_(double other);
  Tensor& clamp_(std::optional<double> min, std::optional<double> max);
  Tensor& masked_fill_(const Tensor& mask, double value);

  // ---- common ops as methods (see ops.h for the full list) ---------------------------------------
  Tensor sum() const;
  Tensor sum(const IntList& dims, bool keepdim = false) const;
  Tensor mean() const;
  Tensor mean(const IntList& dims, bool keepdim = false) const;
  Tensor max() const;
  Tensor min() const;
  Tensor argmax(std::optional<int64_t> dim = std::nullopt, bool keepdim = false) const;
  Tensor exp() const;
  Tensor log() const;
  Tensor sqrt() const;
  Tensor abs() const;
  Tensor neg() const;
  Tensor pow(double exponent) const;
  Tensor relu() const;
  Tensor sigmoid() const;
  Tensor tanh() const;
  Tensor matmul(const Tensor& other) const;
  Tensor softmax(int64_t dim) const;
  Tensor log_softmax(int64_t dim) const;

  /// PyTorch-style text, e.g. "tensor([[1.0000, 2.0000]], requires_grad=True)".
  std::string to_string() const;

 private:
  std::shared_ptr<TensorImpl> impl_;
};

std::ostream& operator<<(std::ostream& os, const Tensor& t);

// ---- factories -----------------------------------------------------------------------------------
/// Creates a contiguous tensor with uninitialised elements.
Tensor empty(const Shape& shape, DType dtype = DType::Float32);
Tensor zeros(const Shape& shape, DType dtype = DType::Float32);
Tensor ones(const Shape& shape, DType dtype = DType::Float32);
Tensor full(const Shape& shape, double value, DType dtype = DType::Float32);
/// Factories with TensorOptions (dtype, device, requires_grad), as in PyTorch:
/// `zeros({2, 3}, dtype(DType::Float64).requires_grad(true))`, `ones({4}, kCPU)`.
/// Each raises Error naming the factory and the device when the device is not available.
Tensor empty(const Shape& shape, const TensorOptions& options);
Tensor zeros(const Shape& shape, const TensorOptions& options);
Tensor ones(const Shape& shape, const TensorOptions& options);
Tensor full(const Shape& shape, double value, const TensorOptions& options);
/// arange(end) with options; an unset dtype keeps arange's int64 inference.
Tensor arange(double end, const TensorOptions& options);
/// A 0-d tensor holding `value`.
Tensor scalar_tensor(double value, DType dtype = DType::Float32);
Tensor empty_like(const Tensor& t);
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor full_like(const Tensor& t, double value);
/// Values start, start+step, … below end. Int64 when all three are integral and dtype is unset.
Tensor arange(double end);
/// `options` may be a DType (implicit), as `arange(0, 5, 1, DType::Float32)`.
Tensor arange(double start, double end, double step = 1.0, const TensorOptions& options = {});
/// `steps` evenly spaced values from start to end inclusive.
Tensor linspace(double start, double end, int64_t steps, DType dtype = DType::Float32);
/// Identity matrix n×m (m defaults to n).
Tensor eye(int64_t n, std::optional<int64_t> m = std::nullopt, DType dtype = DType::Float32);
/// Wraps caller-owned memory without copying. `deleter` (optional) runs when the tensor dies.
Tensor from_blob(void* data, const Shape& shape, DType dtype,
                 std::function<void(void*)> deleter = {});
/// Copies a vector into a new tensor of the given shape (1-d when shape is omitted).
template <class T> Tensor from_vector(const std::vector<T>& values, std::optional<Shape> shape = std::nullopt);
/// Convenience: float32 tensor from a nested initializer list of rows.
Tensor tensor(std::initializer_list<double> values, DType dtype = DType::Float32);
Tensor tensor(std::initializer_list<std::initializer_list<double>> rows, DType dtype = DType::Float32);

/// Named tensors: what a module's state dict, a safetensors file and an npz archive hold
/// ("features.0.weight", …), sorted by name.
using StateDict = std::map<std::string, Tensor>;

}  // namespace nabla
