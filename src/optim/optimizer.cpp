#include "nabla/optim/optimizer.h"

#include <algorithm>
#include <set>
#include <utility>

#include "nabla/autograd.h"

namespace nabla::optim {

namespace {
// The values schedulers keep in a group, under PyTorch's names.
constexpr std::pair<const char*, std::optional<double> ScheduleValues::*> kScheduleFields[] = {
    {"initial_lr", &ScheduleValues::initial_lr},
    {"max_lr", &ScheduleValues::max_lr},
    {"min_lr", &ScheduleValues::min_lr},
    {"max_momentum", &ScheduleValues::max_momentum},
    {"base_momentum", &ScheduleValues::base_momentum},
};

// The schedule value `key` of `values`, or null when `key` names none.
std::optional<double>* schedule_field(ScheduleValues& values, const std::string& key) {
  for (const auto& [name, member] : kScheduleFields)
    if (key == name) return &(values.*member);
  return nullptr;
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

void check_option(bool ok, const std::string& optimizer, const char* what, double value, const char* rule) {
  NABLA_CHECK(ok, optimizer, ": invalid ", what, " value: ", value, " (", rule, ")");
}

void Optimizer::check_new_params(const std::vector<Tensor>& params, size_t index) const {
  std::set<const TensorImpl*> seen;
  for (size_t g = 0; g < num_param_groups(); ++g)
    for (const auto& p : group_params(g)) seen.insert(p.impl_ptr().get());
  for (size_t i = 0; i < params.size(); ++i) {
    const Tensor& p = params[i];
    NABLA_CHECK(p.defined(), name(), ": parameter ", i, " of group ", index, " is undefined");
    NABLA_CHECK(is_floating(p.dtype()), name(), ": can only optimize floating-point tensors, got ",
                dtype_name(p.dtype()), " (parameter ", i, " of group ", index, ", shape ", p.shape(), ")");
    NABLA_CHECK(p.is_leaf(), name(), ": can't optimize a non-leaf tensor (parameter ", i, " of group ", index,
                ", shape ", p.shape(), ")");
    NABLA_CHECK(seen.insert(p.impl_ptr().get()).second, name(),
                ": some parameters appear in more than one parameter group (parameter ", i, " of group ", index,
                ", shape ", p.shape(), ")");
  }
}

void Optimizer::zero_grad(bool set_to_none) {
  for (Tensor& p : all_params()) {
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
  for (size_t g = 0; g < num_param_groups(); ++g) {
    const std::vector<Tensor>& params = group_params(g);
    all.insert(all.end(), params.begin(), params.end());
  }
  return all;
}

nn::StateDict Optimizer::state_dict() const {
  nn::StateDict dict;
  int64_t index = 0;
  for (size_t gi = 0; gi < num_param_groups(); ++gi) {
    const std::string prefix = "param_groups." + std::to_string(gi) + ".";
    for (const auto& [k, v] : hyperparameters(gi)) dict[prefix + k] = scalar_tensor(v, DType::Float64);
    const ScheduleValues& schedule = schedule_values(gi);
    for (const auto& [k, member] : kScheduleFields)
      if (schedule.*member) dict[prefix + k] = scalar_tensor(*(schedule.*member), DType::Float64);
    std::vector<int64_t> ids;
    for (const auto& p : group_params(gi)) {
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
  const size_t num_groups = num_param_groups();
  std::vector<HyperDict> hypers(num_groups);
  std::vector<ScheduleValues> schedules(num_groups);
  std::map<size_t, std::vector<int64_t>> saved_ids;
  std::map<int64_t, ParamState> saved_state;
  std::vector<std::string> bad;
  for (const auto& [key, t] : dict) {
    int64_t index = 0;
    std::string rest;
    if (parse_indexed_key(key, "param_groups.", index, rest)) {
      if (index >= static_cast<int64_t>(num_groups)) {
        bad.push_back(key + " (the optimizer has " + std::to_string(num_groups) + " parameter groups)");
        continue;
      }
      if (rest == "params") {
        if (t.dtype() != DType::Int64 || t.dim() != 1) {
          bad.push_back(key + " (expected a 1-d int64 tensor)");
          continue;
        }
        saved_ids[index] = t.to_vector<int64_t>();
      } else if (t.numel() != 1) {
        bad.push_back(key + " (expected one value, got shape " + shape_str(t.shape()) + ")");
      } else if (std::optional<double>* field = schedule_field(schedules[index], rest)) {
        *field = t.item();
      } else {
        hypers[index][rest] = t.item();
      }
    } else if (parse_indexed_key(key, "state.", index, rest)) {
      saved_state[index][rest] = t;
    } else {
      bad.push_back(key + " (unexpected key)");
    }
  }
  NABLA_CHECK(bad.empty(), name(), ".load_state_dict: bad keys: ", bad);
  NABLA_CHECK(saved_ids.size() == num_groups, name(), ".load_state_dict: loaded state dict has ", saved_ids.size(),
              " parameter groups, the optimizer has ", num_groups);
  // Saved index → current parameter, matching groups and positions in order (as PyTorch).
  std::map<int64_t, Tensor> param_of;
  for (size_t gi = 0; gi < num_groups; ++gi) {
    const auto& ids = saved_ids[gi];
    const std::vector<Tensor>& params = group_params(gi);
    NABLA_CHECK(ids.size() == params.size(), name(), ".load_state_dict: parameter group ", gi, " has ",
                params.size(), " parameters, the loaded group has ", ids.size());
    for (size_t i = 0; i < ids.size(); ++i) param_of[ids[i]] = params[i];
  }
  const std::span<const StateEntry> entries = state_entries();
  auto entry_of = [&](const std::string& n) -> const StateEntry* {
    for (const StateEntry& e : entries)
      if (n == e.name) return &e;
    return nullptr;
  };
  for (auto& [index, st] : saved_state) {
    auto it = param_of.find(index);
    if (it == param_of.end()) {
      bad.push_back("state." + std::to_string(index) + ".* (no parameter with index " + std::to_string(index) + ")");
      continue;
    }
    const Tensor& p = it->second;
    for (auto& [n, t] : st) {
      const StateEntry* entry = entry_of(n);
      if (!entry)
        bad.push_back("state." + std::to_string(index) + "." + n + " (not a state of " + name() + ")");
      else if (entry->param_shaped && t.shape() != p.shape())
        bad.push_back("state." + std::to_string(index) + "." + n + " (shape " + shape_str(t.shape()) +
                      ", parameter has shape " + shape_str(p.shape()) + ")");
    }
  }
  check_hyperparameter_names(hypers, bad);
  NABLA_CHECK(bad.empty(), name(), ".load_state_dict: bad keys: ", bad);
  load_hyperparameters(hypers);  // raises before changing anything; nothing below raises

  for (size_t gi = 0; gi < num_groups; ++gi) schedule_values(gi) = schedules[gi];
  state_.clear();
  for (auto& [index, st] : saved_state) {
    const Tensor& p = param_of.at(index);
    ParamState& dst = state_[p.impl_ptr().get()];
    for (auto& [n, t] : st) {
      // Parameter-shaped buffers follow the parameter's dtype (as PyTorch casts floating state);
      // scalars such as step and LBFGS's float64 history keep theirs.
      Tensor v = t.detach();
      if (entry_of(n)->param_shaped && is_floating(t.dtype()) && t.dtype() != p.dtype()) v = v.to(p.dtype());
      dst[n] = v.clone();
    }
  }
}

}  // namespace nabla::optim
