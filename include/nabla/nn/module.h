#pragma once
// nn::Module — the base of every layer and model: named parameters, buffers and submodules,
// train/eval mode, state dicts. Modules are plain classes held by std::shared_ptr.
#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nabla/tensor.h"

namespace nabla::nn {

/// Named tensors of a module tree ("features.0.weight", "bn1.running_mean", …).
using StateDict = std::map<std::string, Tensor>;

/// What load_state_dict found when not strict.
struct LoadResult {
  std::vector<std::string> missing_keys;     // in the module, absent from the dict
  std::vector<std::string> unexpected_keys;  // in the dict, absent from the module
};

/// Base class of layers and models. A subclass registers its parameters, buffers and children in
/// its constructor (register_parameter / register_buffer / register_module) and overrides forward.
/// Registered tensors are members of the subclass; the registry holds pointers to them, so a
/// Module is neither copyable nor movable (hold it by shared_ptr).
class Module : public std::enable_shared_from_this<Module> {
 public:
  Module() = default;
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  /// The computation of a single-input module. The default raises Error naming the module.
  virtual Tensor forward(const Tensor& input);
  /// Calls forward, then the forward hooks.
  Tensor operator()(const Tensor& input);

  /// Called after forward with the module, its input and its output.
  using ForwardHook = std::function<void(Module&, const Tensor& input, const Tensor& output)>;
  /// Adds a forward hook (run by operator()); returns an id for remove_forward_hook.
  int64_t register_forward_hook(ForwardHook hook);
  void remove_forward_hook(int64_t id);

  /// Sliding-window geometry, one value per spatial dim, for receptive-field bookkeeping.
  struct SpatialGeometry {
    IntList kernel, stride, padding, dilation;
  };
  /// Window geometry of layers that slide over space (convolutions, pooling); empty otherwise.
  virtual std::optional<SpatialGeometry> spatial_geometry() const { return std::nullopt; }
  /// Multiply-adds of one forward pass for these input/output shapes, counting products with
  /// weights and additions of biases (torchinfo's convention); 0 for layers without weights.
  virtual int64_t multiply_adds(const Shape& input, const Shape& output) const { return 0; }

  /// Class name as PyTorch prints it ("Linear", "Conv2d", …).
  virtual std::string name() const = 0;
  /// Arguments shown in the printed form ("in_features=784, out_features=10, bias=True").
  virtual std::string extra_repr() const { return ""; }
  /// PyTorch-style multi-line description of the module tree.
  std::string to_string() const;

  // ---- parameters, buffers, children -------------------------------------------------------
  /// Parameters of this module and (recursively) its children, in registration order.
  std::vector<Tensor> parameters(bool recurse = true) const;
  std::vector<std::pair<std::string, Tensor>> named_parameters(bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  std::vector<std::pair<std::string, Tensor>> named_buffers(bool recurse = true) const;
  /// Direct children.
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_children() const;
  /// This module (name "") and every descendant, depth first, with dotted names.
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_modules();
  /// Total number of parameter elements (optionally only trainable ones).
  int64_t num_parameters(bool only_trainable = false) const;

  // ---- modes ---------------------------------------------------------------------------------
  /// Sets training mode on this module and its children (affects Dropout, BatchNorm, …).
  virtual void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }
  /// Freezes (false) or unfreezes every parameter.
  Module& requires_grad_(bool on = true);
  /// Resets every parameter's gradient.
  void zero_grad();
  /// Converts parameters and floating-point buffers to `dtype` (in place in the registry).
  Module& to(DType dtype);
  /// Calls fn on every module of the tree (children first, then this one), as PyTorch's apply.
  Module& apply(const std::function<void(Module&)>& fn);

  // ---- state ---------------------------------------------------------------------------------
  /// Parameters and persistent buffers by dotted name (tensors are detached, sharing storage).
  StateDict state_dict() const;
  /// Copies values from `dict` into the registered tensors. Strict: any missing, unexpected or
  /// mis-shaped key raises one Error listing every bad key. Non-strict: mis-shapes still raise;
  /// missing and unexpected keys are returned.
  LoadResult load_state_dict(const StateDict& dict, bool strict = true);

 protected:
  /// Registers `*slot` as a parameter named `name` (requires_grad set when `requires_grad`).
  /// An undefined tensor registers an absent optional parameter (e.g. bias=false).
  void register_parameter(const std::string& name, Tensor* slot, bool requires_grad = true);
  /// Registers `*slot` as a buffer (saved in the state dict when persistent).
  void register_buffer(const std::string& name, Tensor* slot, bool persistent = true);
  /// Registers a child module under `name` and returns it.
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    add_child(name, module);
    return module;
  }
  void add_child(const std::string& name, std::shared_ptr<Module> module);

 private:
  struct BufferSlot {
    Tensor* slot;
    bool persistent;
  };
  std::vector<std::pair<std::string, Tensor*>> params_;
  std::vector<std::pair<std::string, BufferSlot>> buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
  std::vector<std::pair<int64_t, ForwardHook>> hooks_;
  int64_t next_hook_id_ = 0;

  void collect_state(const std::string& prefix, StateDict& out) const;
  void collect_slots(const std::string& prefix, std::vector<std::pair<std::string, Tensor*>>& out, bool with_buffers);
};

/// Prints module.to_string().
std::ostream& operator<<(std::ostream& os, const Module& module);

/// Holds modules in order and applies them one after another. Children are named "0", "1", ….
class Sequential : public Module {
 public:
  Sequential() = default;
  explicit Sequential(std::vector<std::shared_ptr<Module>> modules);
  /// Appends a module (named by its position) and returns *this.
  Sequential& push_back(std::shared_ptr<Module> module);
  /// Appends a module under an explicit name.
  Sequential& push_back(const std::string& name, std::shared_ptr<Module> module);
  Tensor forward(const Tensor& input) override;
  std::shared_ptr<Module> operator[](size_t index) const;
  size_t size() const { return modules_.size(); }
  std::string name() const override { return "Sequential"; }

 private:
  std::vector<std::shared_ptr<Module>> modules_;
};

/// A list of submodules registered as "0", "1", …; it has no forward of its own.
class ModuleList : public Module {
 public:
  ModuleList() = default;
  explicit ModuleList(std::vector<std::shared_ptr<Module>> modules);
  ModuleList& push_back(std::shared_ptr<Module> module);
  std::shared_ptr<Module> operator[](size_t index) const;
  size_t size() const { return modules_.size(); }
  auto begin() const { return modules_.begin(); }
  auto end() const { return modules_.end(); }
  std::string name() const override { return "ModuleList"; }

 private:
  std::vector<std::shared_ptr<Module>> modules_;
};

/// Submodules by name, in insertion order; it has no forward of its own.
class ModuleDict : public Module {
 public:
  ModuleDict() = default;
  explicit ModuleDict(std::vector<std::pair<std::string, std::shared_ptr<Module>>> modules);
  ModuleDict& insert(const std::string& key, std::shared_ptr<Module> module);
  /// The module under `key`; raises Error listing the keys when absent.
  std::shared_ptr<Module> operator[](const std::string& key) const;
  bool contains(const std::string& key) const;
  std::vector<std::string> keys() const;
  size_t size() const { return modules_.size(); }
  std::string name() const override { return "ModuleDict"; }

 private:
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> modules_;
};

}  // namespace nabla::nn
