#pragma once
// nn::Module — the base of every layer and model: named parameters, buffers and submodules,
// train/eval mode, state dicts. Modules are plain classes held by std::shared_ptr.
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "nabla/error.h"
#include "nabla/tensor.h"

namespace nabla::nn {

/// Named tensors of a module tree ("features.0.weight", "bn1.running_mean", …); nabla::StateDict.
using nabla::StateDict;

/// What load_state_dict found when not strict.
struct LoadResult {
  std::vector<std::string> missing_keys;     // in the module, absent from the dict
  std::vector<std::string> unexpected_keys;  // in the dict, absent from the module
};

/// Base class of layers and models: what every module has, whatever its forward takes and returns.
/// A subclass registers its parameters, buffers and children in its constructor (register_parameter
/// / register_buffer / register_module) and defines its own forward(...) and operator()(...):
///  - a module from one tensor to one tensor derives from UnaryModule (layers, Sequential);
///  - any other signature (an RNN's (x, h) → (y, h), attention's (q, k, v, masks) → (out, weights),
///    a detector's (images, targets) → detections or losses) derives from Module directly and calls
///    run_forward_hooks(inputs, outputs) from its operator() so that forward hooks see every call.
/// Registered tensors must be members of the subclass (or be held by the module itself, through
/// add_parameter / add_buffer): the registry keeps their offsets inside
/// the module, so a module can be moved (into a shared_ptr, as Sequential's constructor does)
/// before it is shared, and the registry names the same members of the new object. Modules are
/// not copyable (a copy would silently share or duplicate parameters) and are held by
/// shared_ptr once built.
class Module : public std::enable_shared_from_this<Module> {
 public:
  Module() = default;
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;
  /// Takes over the registry, children, mode and hooks of `other` (whose registry becomes empty);
  /// the subclass's implicit move constructor moves the registered member tensors themselves.
  Module(Module&& other) noexcept;
  Module& operator=(Module&&) = delete;

  /// Called after each forward pass through operator() with the module, its tensor inputs and its
  /// tensor outputs, in argument and result order (a UnaryModule passes one of each).
  using ForwardHook = std::function<void(Module&, const std::vector<Tensor>& inputs, const std::vector<Tensor>& outputs)>;
  /// Adds a forward hook; returns an id for remove_forward_hook.
  int64_t register_forward_hook(ForwardHook hook);
  /// Removes the hook with this id (no effect when there is none).
  void remove_forward_hook(int64_t id);
  /// Whether any forward hook is registered (lets operator() skip building the tensor lists).
  bool has_forward_hooks() const { return !hooks_.empty(); }

  /// Class name as PyTorch prints it ("Linear", "Conv2d", …).
  virtual std::string name() const = 0;
  /// Arguments shown in the printed form ("in_features=784, out_features=10, bias=True").
  virtual std::string extra_repr() const { return ""; }
  /// PyTorch-style multi-line description of the module tree.
  std::string to_string() const;

  // ---- parameters, buffers, children -------------------------------------------------------
  /// Parameters of this module and (recursively) its children, in registration order.
  std::vector<Tensor> parameters(bool recurse = true) const;
  /// Parameters with dotted names; shared parameters are listed once.
  std::vector<std::pair<std::string, Tensor>> named_parameters(bool recurse = true) const;
  /// Defined buffers of this module and (recursively) its children.
  std::vector<Tensor> buffers(bool recurse = true) const;
  /// Buffers with dotted names.
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
  /// train(false).
  void eval() { train(false); }
  /// Whether this module is in training mode.
  bool is_training() const { return training_; }
  /// Freezes (false) or unfreezes every parameter.
  Module& requires_grad_(bool on = true);
  /// Resets every parameter's gradient.
  void zero_grad();
  /// Converts parameters (and their gradients) and floating-point buffers to `dtype` in place:
  /// each keeps its identity (Tensor::set_data), so an optimizer built before still updates
  /// them. Raises Error for a non-floating dtype. Optimizer state already created keeps its
  /// dtype: convert first, then build the optimizer (as in PyTorch).
  Module& to(DType dtype);
  /// Moves parameters, gradients and buffers to `device` in place, keeping their identity.
  /// Raises Error naming the device when it is not available.
  Module& to(Device device);
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
  /// Registers the member `*slot` as a parameter named `name` (requires_grad set when `requires_grad`).
  /// An undefined tensor registers an absent optional parameter (e.g. bias=false).
  void register_parameter(const std::string& name, Tensor* slot, bool requires_grad = true);
  /// Registers the member `*slot` as a buffer (saved in the state dict when persistent).
  void register_buffer(const std::string& name, Tensor* slot, bool persistent = true);
  /// Adds a parameter that the module holds itself, for modules whose parameters are known only
  /// when they are built (an imported ONNX graph's initializers, as PyTorch's ParameterDict);
  /// returns a reference to it that stays valid while the module lives.
  Tensor& add_parameter(const std::string& name, Tensor value, bool requires_grad = true);
  /// As add_parameter, for a buffer (saved in the state dict when persistent).
  Tensor& add_buffer(const std::string& name, Tensor value, bool persistent = true);
  /// Runs every forward hook with these inputs and outputs; a module's operator() calls it after
  /// forward, e.g. `auto [h, c] = forward(x, state); run_forward_hooks({x}, {h, c});`.
  void run_forward_hooks(const std::vector<Tensor>& inputs, const std::vector<Tensor>& outputs);
  /// Registers a child module under `name` and returns it.
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    add_child(name, module);
    return module;
  }
  /// Adds (or replaces, keeping its position) the child `name`.
  void add_child(const std::string& name, std::shared_ptr<Module> module);
  /// Raises Error unless every tensor registered in `m` lies inside the `size` bytes at `object`
  /// (the complete object m belongs to): checked after moving a layer into a new object.
  static void check_registry_within(const Module& m, const void* object, size_t size);

 private:
  struct Slot {
    ptrdiff_t offset = 0;  // of the member tensor from this Module subobject,
    int64_t owned = -1;    // or, when >= 0, the index in owned_ of a tensor the module holds
  };
  struct BufferSlot {
    Slot slot;
    bool persistent;
  };
  std::vector<std::pair<std::string, Slot>> params_;
  std::vector<std::pair<std::string, BufferSlot>> buffers_;
  std::deque<Tensor> owned_;  // add_parameter / add_buffer tensors (a deque: references stay valid)
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
  std::vector<std::pair<int64_t, ForwardHook>> hooks_;
  int64_t next_hook_id_ = 0;

  ptrdiff_t offset_of(const Tensor* slot) const;
  Tensor& tensor_at(const Slot& slot);
  const Tensor& tensor_at(const Slot& slot) const;
  void collect_state(const std::string& prefix, StateDict& out) const;
  /// Replaces the data of every registered tensor (and gradient) of the tree by convert(data).
  void convert_tensors(const std::function<Tensor(const Tensor&)>& convert);
  void collect_slots(const std::string& prefix, std::vector<std::pair<std::string, Tensor*>>& out, bool with_buffers);
};

/// Prints module.to_string().
std::ostream& operator<<(std::ostream& os, const Module& module);

/// A module from one tensor to one tensor (flashlight's UnaryModule): every layer, Sequential,
/// and the models of nabla::models. Only unary modules can be chained by Sequential.
class UnaryModule : public Module {
 public:
  /// The computation: one input tensor, one output tensor.
  virtual Tensor forward(const Tensor& input) = 0;
  /// Calls forward, then the forward hooks with ({input}, {output}).
  Tensor operator()(const Tensor& input);

  /// A forward hook written for one input and one output tensor.
  using UnaryForwardHook = std::function<void(Module&, const Tensor& input, const Tensor& output)>;
  using Module::register_forward_hook;
  /// Adds a hook that receives the single input and output; returns an id for remove_forward_hook.
  int64_t register_forward_hook(UnaryForwardHook hook);
};

namespace detail {
template <class T>
struct IsSharedUnary : std::false_type {};
template <class T>
struct IsSharedUnary<std::shared_ptr<T>> : std::is_base_of<UnaryModule, T> {};
}  // namespace detail

/// What Sequential takes as an element: a shared_ptr to a unary module (kept, so it can be shared
/// or reached later), or a unary layer passed by value as a temporary (`nn::ReLU()`), which is
/// moved into a new shared_ptr. An lvalue layer must be moved explicitly (std::move).
/// (Sequential itself is named rather than asked is_move_constructible: that question would
/// consider this constructor again, which clang rejects as a recursive constraint.)
class Sequential;
template <class L>
concept SequentialElement =
    detail::IsSharedUnary<std::remove_cvref_t<L>>::value ||
    (!std::is_lvalue_reference_v<L> && std::is_base_of_v<UnaryModule, std::remove_cvref_t<L>> &&
     (std::is_same_v<std::remove_cvref_t<L>, Sequential> || std::is_move_constructible_v<std::remove_cvref_t<L>>));

/// Holds unary modules in order and applies them one after another. Children are named "0", "1", ….
///   nn::Sequential net(nn::Conv2d(1, 6, 5), nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(), nn::Linear(864, 10));
class Sequential : public UnaryModule {
 public:
  Sequential() = default;
  /// The given modules, in order.
  explicit Sequential(std::vector<std::shared_ptr<UnaryModule>> modules);
  /// The given layers, in order: temporaries (`nn::ReLU()`) and shared_ptrs, mixed freely.
  /// (A single temporary Sequential argument is a move, not a nesting; nest with push_back.)
  template <SequentialElement... Ls>
    requires(sizeof...(Ls) > 0)
  explicit Sequential(Ls&&... layers) {
    (push_back(std::forward<Ls>(layers)), ...);
  }
  /// Appends a module (named by its position) and returns *this.
  Sequential& push_back(std::shared_ptr<UnaryModule> module);
  /// Appends a layer given by value (`seq.push_back(nn::ReLU())`), moved into a new shared_ptr.
  template <SequentialElement L>
    requires(!detail::IsSharedUnary<std::remove_cvref_t<L>>::value)
  Sequential& push_back(L&& layer) {
    return push_back(adopt(std::forward<L>(layer)));
  }
  /// Appends a module under an explicit name.
  Sequential& push_back(const std::string& name, std::shared_ptr<UnaryModule> module);
  /// Applies the modules in order, each through its operator() (so their hooks run).
  Tensor forward(const Tensor& input) override;
  /// The module at `index`; raises Error when out of range.
  std::shared_ptr<UnaryModule> operator[](size_t index) const;
  /// Number of modules.
  size_t size() const { return modules_.size(); }
  std::string name() const override { return "Sequential"; }

 private:
  std::vector<std::shared_ptr<UnaryModule>> modules_;

  /// Moves a layer into a new shared_ptr of its own type. The layer must be exactly of type L
  /// (moving a subclass through a base would slice it) and its registered tensors must be its
  /// members; both are checked, so a layer that breaks the rule raises Error instead of
  /// pointing its registry outside the new object.
  template <class L>
  static std::shared_ptr<UnaryModule> adopt(L&& layer) {
    using T = std::remove_cvref_t<L>;
    NABLA_CHECK(typeid(layer) == typeid(T), "Sequential: a ", layer.name(),
                " passed as a base class would be sliced; pass it as its own type or as a shared_ptr");
    auto moved = std::make_shared<T>(std::move(layer));
    check_registry_within(*moved, moved.get(), sizeof(T));
    return moved;
  }
};

/// A list of submodules registered as "0", "1", …; it has no forward of its own.
class ModuleList : public Module {
 public:
  ModuleList() = default;
  /// Registers `modules` as "0", "1", ….
  explicit ModuleList(std::vector<std::shared_ptr<Module>> modules);
  /// Appends a module of any kind (named by its position) and returns *this.
  ModuleList& push_back(std::shared_ptr<Module> module);
  /// The module at `index`; raises Error when out of range.
  std::shared_ptr<Module> operator[](size_t index) const;
  /// Number of modules.
  size_t size() const { return modules_.size(); }
  /// Iteration over the modules in order.
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
  /// Registers `modules` under their keys, in order.
  explicit ModuleDict(std::vector<std::pair<std::string, std::shared_ptr<Module>>> modules);
  /// Adds or replaces the module under `key` and returns *this.
  ModuleDict& insert(const std::string& key, std::shared_ptr<Module> module);
  /// The module under `key`; raises Error listing the keys when absent.
  std::shared_ptr<Module> operator[](const std::string& key) const;
  /// Whether a module is stored under `key`.
  bool contains(const std::string& key) const;
  /// The keys in insertion order.
  std::vector<std::string> keys() const;
  /// Number of modules.
  size_t size() const { return modules_.size(); }
  std::string name() const override { return "ModuleDict"; }

 private:
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> modules_;
};

}  // namespace nabla::nn
