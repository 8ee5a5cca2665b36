#include "nabla/optim/optimizer.h"

#include <algorithm>
#include <set>

#include "nabla/autograd.h"

namespace nabla::optim {

namespace {
// Hyperparameters schedulers add to groups (PyTorch stores them in the group dict too).
const std::set<std::string>& scheduler_keys() {
  static const std::set<std::string> keys{"initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum"};
  return keys;
}

std::string join_keys(const Options& options) {
  std::string s;
  for (const auto& [k, v] : options) s += (s.empty() ? "" : ", ") + k;
  return s;
}

// "state.12.exp_avg" → (12, "exp_avg"); false when the key does not have that form.
bool parse_indexed_key(const std::string& key, const std::string& prefix, int64_t& index, std::string& rest) {
  if (key.rfind(prefix, 0) != 0) return false;
  const size_t dot = key.find('.', prefix.size());
  if (dot == std::string::npos || dot == prefix.size()) return false;
  const std::string num = key.substr(prefix.size(), dot - prefix.size());
  if (num.size() > 15) return false;  // not an index we could have written (and stoll could overflow)
  for (char c : num)
    if (c < '0' || c > '9') return false;
  index = std::stoll(num);
  rest = key.substr(dot + 1);
  return !rest.empty();
}
}  // namespace

double ParamGroup::get(const std::string& key) const {
  auto it = options.find(key);
  NABLA_CHECK(it != options.end(), "param group: no hyperparameter '", key, "' (has: ", join_keys(options), ")");
  return it->second;
}

void check_option(bool ok, const std::string& optimizer, const char* what, double value, const char* rule) {
  NABLA_CHECK(ok, optimizer, ": invalid ", what, " value: ", value, " (", rule, ")");
}

std::vector<ParamGroup> single_group(std::vector<Tensor> params) {
  return {ParamGroup{std::move(params), {}}};
}

std::vector<std::string> Optimizer::option_names() const {
  std::vector<std::string> names;
  for (const auto& [k, v] : defaults_) names.push_back(k);
  return names;
}

void Optimizer::init_groups(std::vector<ParamGroup> groups) {
  validate(defaults_);
  size_t total = 0;
  for (const auto& g : groups) total += g.params.size();
  NABLA_CHECK(total > 0, name(), ": optimizer got an empty parameter list");
  for (auto& g : groups) add_param_group(std::move(g));
}

void Optimizer::add_param_group(ParamGroup group) {
  const size_t index = groups_.size();
  NABLA_CHECK(!group.params.empty(), name(), ": parameter group ", index, " has no parameters");
  for (const auto& [k, v] : group.options)
    NABLA_CHECK(defaults_.count(k) || scheduler_keys().count(k), name(), ": unknown hyperparameter '", k,
                "' in parameter group ", index, " (known: ", join_keys(defaults_), ")");
  for (const auto& [k, v] : defaults_) group.options.emplace(k, v);  // keeps the group's own values
  validate(group.options);
  std::set<const TensorImpl*> seen;
  for (const auto& g : groups_)
    for (const auto& p : g.params) seen.insert(p.impl_ptr().get());
  for (size_t i = 0; i < group.params.size(); ++i) {
    const Tensor& p = group.params[i];
    NABLA_CHECK(p.defined(), name(), ": parameter ", i, " of group ", index, " is undefined");
    NABLA_CHECK(is_floating(p.dtype()), name(), ": can only optimize floating-point tensors, got ",
                dtype_name(p.dtype()), " (parameter ", i, " of group ", index, ", shape ", p.shape(), ")");
    NABLA_CHECK(p.is_leaf(), name(), ": can't optimize a non-leaf tensor (parameter ", i, " of group ", index,
                ", shape ", p.shape(), ")");
    NABLA_CHECK(seen.insert(p.impl_ptr().get()).second, name(),
                ": some parameters appear in more than one parameter group (parameter ", i, " of group ", index,
                ", shape ", p.shape(), ")");
  }
  groups_.push_back(std::move(group));
}

void Optimizer::zero_grad(bool set_to_none) {
  for (auto& g : groups_)
    for (auto& p : g.params) {
      if (!p.grad().defined()) continue;
      if (set_to_none) {
        p.zero_grad();
      } else {
        NoGradGuard no_grad;
        Tensor grad = p.grad();
        grad.detach_();
        grad.zero_();
      }
    }
}

Tensor Optimizer::step(const std::function<Tensor()>& closure) {
  NABLA_CHECK(static_cast<bool>(closure), name(), ": step(closure) got an empty closure");
  Tensor loss;
  {
    autograd::EnableGradGuard enable;
    loss = closure();
  }
  step();
  return loss;
}

ParamState& Optimizer::state(const Tensor& param) { return state_[param.impl_ptr().get()]; }

std::vector<Tensor> Optimizer::all_params() const {
  std::vector<Tensor> all;
  for (const auto& g : groups_) all.insert(all.end(), g.params.begin(), g.params.end());
  return all;
}

nn::StateDict Optimizer::state_dict() const {
  nn::StateDict dict;
  int64_t index = 0;
  for (size_t gi = 0; gi < groups_.size(); ++gi) {
    const auto& g = groups_[gi];
    const std::string prefix = "param_groups." + std::to_string(gi) + ".";
    for (const auto& [k, v] : g.options) dict[prefix + k] = scalar_tensor(v, DType::Float64);
    std::vector<int64_t> ids;
    for (const auto& p : g.params) {
      const int64_t id = index++;
      ids.push_back(id);
      auto it = state_.find(p.impl_ptr().get());
      if (it == state_.end()) continue;
      for (const auto& [name, t] : it->second)
        if (t.defined()) dict["state." + std::to_string(id) + "." + name] = t.detach().clone();
    }
    dict[prefix + "params"] = from_vector<int64_t>(ids, Shape{static_cast<int64_t>(ids.size())});
  }
  return dict;
}

void Optimizer::load_state_dict(const nn::StateDict& dict) {
  // Parse and validate everything first, then apply: a bad dict changes nothing.
  std::vector<Options> options(groups_.size());
  std::map<size_t, std::vector<int64_t>> saved_ids;
  std::map<int64_t, ParamState> saved_state;
  std::vector<std::string> bad;
  for (const auto& [key, t] : dict) {
    int64_t index = 0;
    std::string rest;
    if (parse_indexed_key(key, "param_groups.", index, rest)) {
      if (index >= static_cast<int64_t>(groups_.size())) {
        bad.push_back(key + " (the optimizer has " + std::to_string(groups_.size()) + " parameter groups)");
        continue;
      }
      if (rest == "params") {
        if (t.dtype() != DType::Int64 || t.dim() != 1) {
          bad.push_back(key + " (expected a 1-d int64 tensor)");
          continue;
        }
        saved_ids[index] = t.to_vector<int64_t>();
      } else {
        if (t.numel() != 1) {
          bad.push_back(key + " (expected one value, got shape " + shape_str(t.shape()) + ")");
          continue;
        }
        options[index][rest] = t.item();
      }
    } else if (parse_indexed_key(key, "state.", index, rest)) {
      saved_state[index][rest] = t;
    } else {
      bad.push_back(key + " (unexpected key)");
    }
  }
  NABLA_CHECK(bad.empty(), name(), ".load_state_dict: bad keys: ", bad);
  NABLA_CHECK(saved_ids.size() == groups_.size(), name(), ".load_state_dict: loaded state dict has ",
              saved_ids.size(), " parameter groups, the optimizer has ", groups_.size());
  // Saved index → current parameter, matching groups and positions in order (as PyTorch).
  std::map<int64_t, Tensor> param_of;
  for (size_t gi = 0; gi < groups_.size(); ++gi) {
    const auto& ids = saved_ids[gi];
    NABLA_CHECK(ids.size() == groups_[gi].params.size(), name(), ".load_state_dict: parameter group ", gi, " has ",
                groups_[gi].params.size(), " parameters, the loaded group has ", ids.size());
    for (size_t i = 0; i < ids.size(); ++i) param_of[ids[i]] = groups_[gi].params[i];
    for (const std::string& k : option_names())
      if (!options[gi].count(k)) bad.push_back("param_groups." + std::to_string(gi) + "." + k + " (missing)");
  }
  const std::vector<std::string> shaped = param_shaped_state();
  for (auto& [index, st] : saved_state) {
    auto it = param_of.find(index);
    if (it == param_of.end()) {
      bad.push_back("state." + std::to_string(index) + ".* (no parameter with index " + std::to_string(index) + ")");
      continue;
    }
    const Tensor& p = it->second;
    for (auto& [n, t] : st) {
      const bool param_shaped = std::find(shaped.begin(), shaped.end(), n) != shaped.end();
      if (param_shaped && t.shape() != p.shape())
        bad.push_back("state." + std::to_string(index) + "." + n + " (shape " + shape_str(t.shape()) +
                      ", parameter has shape " + shape_str(p.shape()) + ")");
    }
  }
  NABLA_CHECK(bad.empty(), name(), ".load_state_dict: bad keys: ", bad);
  for (size_t gi = 0; gi < groups_.size(); ++gi) validate(options[gi]);

  for (size_t gi = 0; gi < groups_.size(); ++gi) groups_[gi].options = options[gi];
  state_.clear();
  for (auto& [index, st] : saved_state) {
    const Tensor& p = param_of.at(index);
    ParamState& dst = state_[p.impl_ptr().get()];
    for (auto& [n, t] : st) {
      // Parameter-shaped buffers follow the parameter's dtype (as PyTorch casts floating state);
      // scalars such as step and LBFGS's float64 history keep theirs.
      Tensor v = t.detach();
      const bool param_shaped = std::find(shaped.begin(), shaped.end(), n) != shaped.end();
      if (param_shaped && is_floating(t.dtype()) && t.dtype() != p.dtype()) v = v.to(p.dtype());
      dst[n] = v.clone();
    }
  }
}

}  // namespace nabla::optim
