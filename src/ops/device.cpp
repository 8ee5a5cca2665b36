// Devices, TensorOptions factories, Tensor::to(Device) and Tensor::set_data.
//
// The CPU is the only device of this build. The factories here check the device and then build
// the tensor with the CPU factories; a backend for another device makes them allocate through
// that device's allocator (Storage carries the device) instead.
#include <charconv>

#include "nabla/random.h"
#include "nabla/tensor.h"

namespace nabla {

Device::Device(const std::string& spec) : type_(kCPU), index_(-1) {
  const size_t colon = spec.find(':');
  const std::string kind = spec.substr(0, colon);
  NABLA_CHECK(kind == "cpu", "Device: '", spec, "' is not a device of this build (available: cpu)");
  if (colon == std::string::npos) return;
  const std::string digits = spec.substr(colon + 1);
  int index = -1;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
  NABLA_CHECK(!digits.empty() && ec == std::errc() && end == digits.data() + digits.size() && index >= 0 &&
                  index <= INT16_MAX,
              "Device: expected 'cpu' or 'cpu:<index>', got '", spec, "'");
  index_ = static_cast<int16_t>(index);
}

std::string device_type_name(DeviceType type) {
  switch (type) {
    case DeviceType::CPU: return "cpu";
  }
  return "unknown";
}

std::string Device::str() const {
  return has_index() ? str_cat(device_type_name(type_), ':', index_) : device_type_name(type_);
}

std::ostream& operator<<(std::ostream& os, const Device& device) { return os << device.str(); }

bool is_available(const Device& device) {
  switch (device.type()) {
    case DeviceType::CPU: return device.index() <= 0;  // one CPU device: "cpu" or "cpu:0"
  }
  return false;
}

void check_device(const Device& device, const char* op) {
  NABLA_CHECK(is_available(device), op, ": device ", device.str(), " is not available (this build has: cpu)");
}

// ---- Tensor ------------------------------------------------------------------------------------

Tensor Tensor::to(Device device) const {
  check_device(device, "Tensor.to");
  if (device.type() == this->device().type()) return *this;
  // Another device kind: the dispatch layer copies the storage across (there is none yet).
  throw Error(str_cat("Tensor.to: no copy from ", this->device().str(), " to ", device.str()));
}

Tensor Tensor::to(const TensorOptions& options) const {
  Tensor out = to(options.device());
  if (options.has_dtype()) out = out.to(options.dtype());
  if (options.requires_grad() && !out.requires_grad()) out.requires_grad_(true);
  return out;
}

TensorOptions Tensor::options() const {
  return TensorOptions().dtype(dtype()).device(device()).requires_grad(requires_grad());
}

void Tensor::set_data(const Tensor& data) {
  NABLA_CHECK(defined() && data.defined(), "set_data: both tensors must be defined");
  NABLA_CHECK(!requires_grad() || is_floating(data.dtype()), "set_data: a tensor that requires gradients needs "
              "floating-point data, got ", dtype_name(data.dtype()), " of shape ", data.shape());
  TensorImpl& self = impl();
  const TensorImpl& src = data.impl();
  self.storage = src.storage;
  self.offset = src.offset;
  self.shape = src.shape;
  self.strides = src.strides;
  self.dtype = src.dtype;
  self.is_view = src.is_view;
}

// ---- factories with options --------------------------------------------------------------------
namespace {

Tensor finish(Tensor t, const TensorOptions& options) {
  if (options.requires_grad()) t.requires_grad_(true);
  return t;
}

}  // namespace

Tensor empty(const Shape& shape, const TensorOptions& options) {
  check_device(options.device(), "empty");
  return finish(empty(shape, options.dtype()), options);
}

Tensor zeros(const Shape& shape, const TensorOptions& options) {
  check_device(options.device(), "zeros");
  return finish(zeros(shape, options.dtype()), options);
}

Tensor ones(const Shape& shape, const TensorOptions& options) {
  check_device(options.device(), "ones");
  return finish(ones(shape, options.dtype()), options);
}

Tensor full(const Shape& shape, double value, const TensorOptions& options) {
  check_device(options.device(), "full");
  return finish(full(shape, value, options.dtype()), options);
}

Tensor arange(double end, const TensorOptions& options) { return arange(0, end, 1, options); }

Tensor rand(const Shape& shape, const TensorOptions& options, Generator* gen) {
  check_device(options.device(), "rand");
  return finish(rand(shape, options.dtype(), gen), options);
}

Tensor randn(const Shape& shape, const TensorOptions& options, Generator* gen) {
  check_device(options.device(), "randn");
  return finish(randn(shape, options.dtype(), gen), options);
}

}  // namespace nabla
