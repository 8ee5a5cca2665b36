// nn::Module: registries, recursion over the module tree, state dicts, printing.
#include "nabla/nn/module.h"

#include <algorithm>
#include <ostream>
#include <set>
#include <sstream>

#include "nabla/autograd.h"
#include "nabla/ops.h"

namespace nabla::nn {
namespace {

std::string join(const std::string& prefix, const std::string& name) { return prefix.empty() ? name : prefix + "." + name; }

void check_name(const std::string& name, const char* what) {
  NABLA_CHECK(!name.empty() && name.find('.') == std::string::npos, "Module: ", what, " name '", name,
              "' must be non-empty and contain no '.'");
}

}  // namespace

Module::Module(Module&& other) noexcept
    : std::enable_shared_from_this<Module>(),
      params_(std::move(other.params_)),
      buffers_(std::move(other.buffers_)),
      owned_(std::move(other.owned_)),
      children_(std::move(other.children_)),
      training_(other.training_),
      hooks_(std::move(other.hooks_)),
      next_hook_id_(other.next_hook_id_) {
  // The registry holds offsets from the Module subobject: they name the same members in the new
  // object. The moved-from module keeps an empty registry.
  other.params_.clear();
  other.buffers_.clear();
  other.owned_.clear();
  other.children_.clear();
  other.hooks_.clear();
}

ptrdiff_t Module::offset_of(const Tensor* slot) const {
  NABLA_CHECK(slot != nullptr, name(), ": cannot register a null tensor slot");
  return reinterpret_cast<const char*>(slot) - reinterpret_cast<const char*>(this);
}

Tensor& Module::tensor_at(const Slot& slot) {
  if (slot.owned >= 0) return owned_[static_cast<size_t>(slot.owned)];
  return *reinterpret_cast<Tensor*>(reinterpret_cast<char*>(this) + slot.offset);
}

const Tensor& Module::tensor_at(const Slot& slot) const {
  if (slot.owned >= 0) return owned_[static_cast<size_t>(slot.owned)];
  return *reinterpret_cast<const Tensor*>(reinterpret_cast<const char*>(this) + slot.offset);
}

void Module::check_registry_within(const Module& m, const void* object, size_t size) {
  const char* begin = static_cast<const char*>(object);
  auto check = [&](const std::string& n, const Slot& slot) {
    if (slot.owned >= 0) return;  // held by the Module base, moved with it
    const char* at = reinterpret_cast<const char*>(&m) + slot.offset;
    NABLA_CHECK(at >= begin && at + sizeof(Tensor) <= begin + size, m.name(), ": tensor '", n,
                "' is registered but is not a member of the module, so the module cannot be moved");
  };
  for (const auto& [n, slot] : m.params_) check(n, slot);
  for (const auto& [n, b] : m.buffers_) check(n, b.slot);
}

int64_t Module::register_forward_hook(ForwardHook hook) {
  hooks_.emplace_back(next_hook_id_, std::move(hook));
  return next_hook_id_++;
}

void Module::run_forward_hooks(const std::vector<Tensor>& inputs, const std::vector<Tensor>& outputs) {
  for (auto& [id, hook] : hooks_) hook(*this, inputs, outputs);
}

Tensor UnaryModule::operator()(const Tensor& input) {
  Tensor out = forward(input);
  if (has_forward_hooks()) run_forward_hooks({input}, {out});
  return out;
}

int64_t UnaryModule::register_forward_hook(UnaryForwardHook hook) {
  return Module::register_forward_hook(
      [hook = std::move(hook)](Module& m, const std::vector<Tensor>& in, const std::vector<Tensor>& out) {
        hook(m, in.at(0), out.at(0));
      });
}

void Module::remove_forward_hook(int64_t id) {
  std::erase_if(hooks_, [id](const auto& h) { return h.first == id; });
}

void Module::register_parameter(const std::string& pname, Tensor* slot, bool requires_grad) {
  check_name(pname, "parameter");
  for (const auto& [n, s] : params_) NABLA_CHECK(n != pname, name(), ": parameter '", pname, "' registered twice");
  if (slot->defined() && requires_grad) {
    NABLA_CHECK(slot->is_leaf(), name(), ": parameter '", pname, "' must be a leaf tensor (use detach())");
    slot->requires_grad_(true);
  }
  params_.emplace_back(pname, Slot{offset_of(slot)});
}

Tensor& Module::add_parameter(const std::string& pname, Tensor value, bool requires_grad) {
  check_name(pname, "parameter");
  for (const auto& [n, s] : params_) NABLA_CHECK(n != pname, name(), ": parameter '", pname, "' registered twice");
  if (value.defined() && requires_grad) {
    NABLA_CHECK(value.is_leaf(), name(), ": parameter '", pname, "' must be a leaf tensor (use detach())");
    value.requires_grad_(true);
  }
  owned_.push_back(std::move(value));
  params_.emplace_back(pname, Slot{0, static_cast<int64_t>(owned_.size()) - 1});
  return owned_.back();
}

Tensor& Module::add_buffer(const std::string& bname, Tensor value, bool persistent) {
  check_name(bname, "buffer");
  for (const auto& [n, s] : buffers_) NABLA_CHECK(n != bname, name(), ": buffer '", bname, "' registered twice");
  owned_.push_back(std::move(value));
  buffers_.emplace_back(bname, BufferSlot{Slot{0, static_cast<int64_t>(owned_.size()) - 1}, persistent});
  return owned_.back();
}

void Module::register_buffer(const std::string& bname, Tensor* slot, bool persistent) {
  check_name(bname, "buffer");
  for (const auto& [n, s] : buffers_) NABLA_CHECK(n != bname, name(), ": buffer '", bname, "' registered twice");
  buffers_.emplace_back(bname, BufferSlot{Slot{offset_of(slot)}, persistent});
}

void Module::add_child(const std::string& cname, std::shared_ptr<Module> module) {
  check_name(cname, "submodule");
  NABLA_CHECK(module != nullptr, name(), ": submodule '", cname, "' is null");
  for (auto& [n, m] : children_)
    if (n == cname) {
      m = std::move(module);  // replacing a child keeps its position (as PyTorch's setattr)
      return;
    }
  children_.emplace_back(cname, std::move(module));
}

std::vector<std::pair<std::string, Tensor>> Module::named_parameters(bool recurse) const {
  std::vector<std::pair<std::string, Tensor>> out;
  std::set<const TensorImpl*> seen;  // shared parameters are listed once
  std::function<void(const Module&, const std::string&)> walk = [&](const Module& m, const std::string& prefix) {
    for (const auto& [n, slot] : m.params_) {
      const Tensor& p = m.tensor_at(slot);
      if (p.defined() && seen.insert(p.impl_ptr().get()).second) out.emplace_back(join(prefix, n), p);
    }
    if (recurse)
      for (const auto& [n, child] : m.children_) walk(*child, join(prefix, n));
  };
  walk(*this, "");
  return out;
}

std::vector<Tensor> Module::parameters(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [n, t] : named_parameters(recurse)) out.push_back(t);
  return out;
}

std::vector<std::pair<std::string, Tensor>> Module::named_buffers(bool recurse) const {
  std::vector<std::pair<std::string, Tensor>> out;
  std::function<void(const Module&, const std::string&)> walk = [&](const Module& m, const std::string& prefix) {
    for (const auto& [n, b] : m.buffers_)
      if (m.tensor_at(b.slot).defined()) out.emplace_back(join(prefix, n), m.tensor_at(b.slot));
    if (recurse)
      for (const auto& [n, child] : m.children_) walk(*child, join(prefix, n));
  };
  walk(*this, "");
  return out;
}

std::vector<Tensor> Module::buffers(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [n, t] : named_buffers(recurse)) out.push_back(t);
  return out;
}

std::vector<std::pair<std::string, std::shared_ptr<Module>>> Module::named_children() const { return children_; }

std::vector<std::pair<std::string, std::shared_ptr<Module>>> Module::named_modules() {
  std::shared_ptr<Module> self = weak_from_this().lock();
  if (!self) self = std::shared_ptr<Module>(this, [](Module*) {});  // not owned by a shared_ptr
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> out;
  std::function<void(const std::shared_ptr<Module>&, const std::string&)> walk = [&](const std::shared_ptr<Module>& m,
                                                                                     const std::string& prefix) {
    out.emplace_back(prefix, m);
    for (const auto& [n, child] : m->children_) walk(child, join(prefix, n));
  };
  walk(self, "");
  return out;
}

int64_t Module::num_parameters(bool only_trainable) const {
  int64_t n = 0;
  for (const Tensor& p : parameters())
    if (!only_trainable || p.requires_grad()) n += p.numel();
  return n;
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [n, child] : children_) child->train(on);
}

Module& Module::requires_grad_(bool on) {
  for (Tensor& p : parameters()) p.requires_grad_(on);
  return *this;
}

void Module::zero_grad() {
  for (Tensor& p : parameters()) p.zero_grad();
}

Module& Module::to(DType dtype) {
  NABLA_CHECK(is_floating(dtype), name(), ".to: only floating-point dtypes are supported, got ", dtype_name(dtype));
  convert_tensors([dtype](const Tensor& t) { return is_floating(t.dtype()) ? t.to(dtype) : t; });
  return *this;
}

Module& Module::to(Device device) {
  check_device(device, str_cat(name(), ".to").c_str());
  convert_tensors([device](const Tensor& t) { return t.to(device); });
  return *this;
}

void Module::convert_tensors(const std::function<Tensor(const Tensor&)>& convert) {
  // set_data swaps the storage under each registered tensor: every handle to a parameter (an
  // optimizer's, a tied layer's) sees the converted data.
  auto replace = [&convert](Tensor& t) {
    if (!t.defined()) return;
    const Tensor data = t.detach();
    if (Tensor converted = convert(data); !converted.is_same(data)) t.set_data(converted);
    if (Tensor g = t.grad(); g.defined()) {
      Tensor cg = convert(g);
      if (!cg.is_same(g)) g.set_data(cg);
    }
  };
  apply([&replace](Module& m) {
    for (auto& [n, slot] : m.params_) replace(m.tensor_at(slot));
    for (auto& [n, b] : m.buffers_) replace(m.tensor_at(b.slot));
  });
}

Module& Module::apply(const std::function<void(Module&)>& fn) {
  for (auto& [n, child] : children_) child->apply(fn);
  fn(*this);
  return *this;
}

void Module::collect_state(const std::string& prefix, StateDict& out) const {
  for (const auto& [n, slot] : params_)
    if (tensor_at(slot).defined()) out[join(prefix, n)] = tensor_at(slot).detach();
  for (const auto& [n, b] : buffers_)
    if (tensor_at(b.slot).defined() && b.persistent) out[join(prefix, n)] = tensor_at(b.slot).detach();
  for (const auto& [n, child] : children_) child->collect_state(join(prefix, n), out);
}

StateDict Module::state_dict() const {
  StateDict out;
  collect_state("", out);
  return out;
}

void Module::collect_slots(const std::string& prefix, std::vector<std::pair<std::string, Tensor*>>& out,
                           bool with_buffers) {
  for (auto& [n, slot] : params_)
    if (tensor_at(slot).defined()) out.emplace_back(join(prefix, n), &tensor_at(slot));
  if (with_buffers)
    for (auto& [n, b] : buffers_)
      if (tensor_at(b.slot).defined() && b.persistent) out.emplace_back(join(prefix, n), &tensor_at(b.slot));
  for (auto& [n, child] : children_) child->collect_slots(join(prefix, n), out, with_buffers);
}

LoadResult Module::load_state_dict(const StateDict& dict, bool strict) {
  std::vector<std::pair<std::string, Tensor*>> slots;
  collect_slots("", slots, true);
  LoadResult result;
  std::vector<std::string> problems;
  std::set<std::string> known;
  for (auto& [key, slot] : slots) {
    known.insert(key);
    auto it = dict.find(key);
    if (it == dict.end()) {
      result.missing_keys.push_back(key);
      continue;
    }
    if (it->second.shape() != slot->shape())
      problems.push_back(str_cat("size mismatch for ", key, ": copying a param with shape ", it->second.shape(),
                                 ", the shape in the current model is ", slot->shape()));
  }
  for (const auto& [key, t] : dict)
    if (!known.count(key)) result.unexpected_keys.push_back(key);
  if (strict) {
    if (!result.missing_keys.empty()) {
      std::string keys;
      for (auto& k : result.missing_keys) keys += (keys.empty() ? "\"" : ", \"") + k + "\"";
      problems.push_back("Missing key(s) in state_dict: " + keys);
    }
    if (!result.unexpected_keys.empty()) {
      std::string keys;
      for (auto& k : result.unexpected_keys) keys += (keys.empty() ? "\"" : ", \"") + k + "\"";
      problems.push_back("Unexpected key(s) in state_dict: " + keys);
    }
  }
  if (!problems.empty()) {
    std::string msg = str_cat("Error(s) in loading state_dict for ", name(), ":");
    for (auto& p : problems) msg += "\n\t" + p;
    throw Error(msg);
  }
  NoGradGuard no_grad;
  for (auto& [key, slot] : slots) {
    auto it = dict.find(key);
    if (it != dict.end()) slot->copy_(it->second);
  }
  return result;
}

std::string Module::to_string() const {
  std::ostringstream os;
  os << name() << "(";
  if (children_.empty()) {
    os << extra_repr() << ")";
    return os.str();
  }
  os << "\n";
  const std::string extra = extra_repr();
  if (!extra.empty()) os << "  " << extra << "\n";
  for (const auto& [n, child] : children_) {
    std::string text = child->to_string();
    std::string indented;
    for (char c : text) {
      indented += c;
      if (c == '\n') indented += "  ";
    }
    os << "  (" << n << "): " << indented << "\n";
  }
  os << ")";
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const Module& module) { return os << module.to_string(); }

// ---- containers ----------------------------------------------------------------------------------

Sequential::Sequential(std::vector<std::shared_ptr<UnaryModule>> modules) {
  for (auto& m : modules) push_back(std::move(m));
}

Sequential& Sequential::push_back(std::shared_ptr<UnaryModule> module) {
  return push_back(std::to_string(modules_.size()), std::move(module));
}

Sequential& Sequential::push_back(const std::string& key, std::shared_ptr<UnaryModule> module) {
  add_child(key, module);
  modules_.push_back(std::move(module));
  return *this;
}

Tensor Sequential::forward(const Tensor& input) {
  Tensor x = input;
  for (auto& m : modules_) x = (*m)(x);
  return x;
}

std::shared_ptr<UnaryModule> Sequential::operator[](size_t index) const {
  NABLA_CHECK(index < modules_.size(), "Sequential: index ", index, " is out of range for ", modules_.size(), " modules");
  return modules_[index];
}

ModuleList::ModuleList(std::vector<std::shared_ptr<Module>> modules) {
  for (auto& m : modules) push_back(std::move(m));
}

ModuleList& ModuleList::push_back(std::shared_ptr<Module> module) {
  add_child(std::to_string(modules_.size()), module);
  modules_.push_back(std::move(module));
  return *this;
}

std::shared_ptr<Module> ModuleList::operator[](size_t index) const {
  NABLA_CHECK(index < modules_.size(), "ModuleList: index ", index, " is out of range for ", modules_.size(), " modules");
  return modules_[index];
}

ModuleDict::ModuleDict(std::vector<std::pair<std::string, std::shared_ptr<Module>>> modules) {
  for (auto& [k, m] : modules) insert(k, std::move(m));
}

ModuleDict& ModuleDict::insert(const std::string& key, std::shared_ptr<Module> module) {
  add_child(key, module);
  for (auto& [k, m] : modules_)
    if (k == key) {
      m = std::move(module);
      return *this;
    }
  modules_.emplace_back(key, std::move(module));
  return *this;
}

std::shared_ptr<Module> ModuleDict::operator[](const std::string& key) const {
  for (const auto& [k, m] : modules_)
    if (k == key) return m;
  throw Error(str_cat("ModuleDict: no module named '", key, "' (keys: ", keys(), ")"));
}

bool ModuleDict::contains(const std::string& key) const {
  return std::any_of(modules_.begin(), modules_.end(), [&](const auto& e) { return e.first == key; });
}

std::vector<std::string> ModuleDict::keys() const {
  std::vector<std::string> out;
  for (const auto& [k, m] : modules_) out.push_back(k);
  return out;
}

}  // namespace nabla::nn
