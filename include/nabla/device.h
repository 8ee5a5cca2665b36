#pragma once
// nabla::Device — where a tensor's memory lives — and TensorOptions, the (dtype, device,
// requires_grad) triple the factories accept, as in PyTorch:
//   zeros({2, 3}, TensorOptions().dtype(DType::Float64).device(kCPU));
//   ones({4}, dtype(DType::Float64).requires_grad(true));
// The CPU is the only device of this build; a backend for another device adds a DeviceType, its
// kernels and its allocator (docs/design.md, "Devices").
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "nabla/dtype.h"

namespace nabla {

/// The kind of a device. Each kind has its kernels and allocator behind the device seam.
enum class DeviceType : uint8_t { CPU };
/// Shorthand as in PyTorch (torch::kCPU).
inline constexpr DeviceType kCPU = DeviceType::CPU;

/// A device: a kind and an index (-1: "the current one of that kind"; the CPU is one device,
/// so its index is -1 or 0). Compares like torch::Device ("cpu" and "cpu:0" differ).
class Device {
 public:
  /// A device of kind `type` (implicit, so kCPU can be passed where a Device is expected).
  constexpr Device(DeviceType type = kCPU, int index = -1) : type_(type), index_(static_cast<int16_t>(index)) {}
  /// Parses "cpu" or "cpu:N"; raises Error naming the string for anything else (e.g. "cuda",
  /// which this build does not support).
  explicit Device(const std::string& spec);
  explicit Device(const char* spec) : Device(std::string(spec)) {}

  constexpr DeviceType type() const { return type_; }
  constexpr int index() const { return index_; }
  constexpr bool has_index() const { return index_ >= 0; }
  constexpr bool is_cpu() const { return type_ == kCPU; }
  /// "cpu" or "cpu:0", as PyTorch prints it.
  std::string str() const;

  friend constexpr bool operator==(const Device&, const Device&) = default;

 private:
  DeviceType type_;
  int16_t index_;
};

/// Name of a device kind: "cpu".
std::string device_type_name(DeviceType type);
/// True when this build has kernels and an allocator for `device` (cpu, cpu:0).
bool is_available(const Device& device);
/// Raises Error naming `op` and the device unless is_available(device).
void check_device(const Device& device, const char* op);
std::ostream& operator<<(std::ostream& os, const Device& device);

/// Options of a new tensor: dtype (unset: float32, or what the factory infers, as arange's int64
/// for integral arguments), device (default cpu) and requires_grad (default false). Built by chaining, as torch::TensorOptions; each setter returns a copy.
/// Implicit from a DType or a Device, so factories accept either where options are expected.
class TensorOptions {
 public:
  TensorOptions() = default;
  TensorOptions(DType dtype) : dtype_(dtype) {}     // NOLINT: implicit by design, as in PyTorch
  TensorOptions(Device device) : device_(device) {}  // NOLINT
  TensorOptions(DeviceType type) : device_(type) {}  // NOLINT

  /// The dtype, float32 when unset.
  DType dtype() const { return dtype_.value_or(DType::Float32); }
  /// Whether a dtype was set.
  bool has_dtype() const { return dtype_.has_value(); }
  Device device() const { return device_; }
  bool requires_grad() const { return requires_grad_; }
  /// A copy with another dtype.
  TensorOptions dtype(DType dtype) const { TensorOptions o = *this; o.dtype_ = dtype; return o; }
  /// A copy with another device.
  TensorOptions device(Device device) const { TensorOptions o = *this; o.device_ = device; return o; }
  /// A copy with requires_grad set (only floating-point tensors may require gradients).
  TensorOptions requires_grad(bool on) const { TensorOptions o = *this; o.requires_grad_ = on; return o; }

 private:
  std::optional<DType> dtype_;
  Device device_ = kCPU;
  bool requires_grad_ = false;
};

/// TensorOptions with only the dtype set (torch::dtype).
inline TensorOptions dtype(DType dtype) { return TensorOptions().dtype(dtype); }
/// TensorOptions with only the device set (torch::device).
inline TensorOptions device(Device device) { return TensorOptions().device(device); }
/// TensorOptions with only requires_grad set (torch::requires_grad).
inline TensorOptions requires_grad(bool on = true) { return TensorOptions().requires_grad(on); }

}  // namespace nabla
