#include "nabla/train/transfer.h"

#include "nabla/error.h"

namespace nabla::train {

namespace {

// Whether the dotted key lies inside the module `prefix` ("" contains nothing).
bool inside(const std::string& key, const std::string& prefix) {
  return !prefix.empty() && (key == prefix || key.rfind(prefix + ".", 0) == 0);
}

std::string shape_text(const Tensor& t) {
  std::string s = "(";
  for (int64_t d = 0; d < t.dim(); ++d) s += (d ? ", " : "") + std::to_string(t.size(d));
  return s + ")";
}

}  // namespace

std::string classifier_head(nn::Module& model) {
  std::string head;
  bool found = false;
  for (const auto& [name, m] : model.named_modules())
    if (!m->parameters(/*recurse=*/false).empty()) {
      head = name;
      found = true;
    }
  NABLA_CHECK(found, "train::classifier_head: ", model.name(), " holds no parameters");
  NABLA_CHECK(!head.empty(), "train::classifier_head: the last module with parameters is the model ", model.name(),
              " itself; it has no backbone to transfer");
  return head;
}

InitResult init_from(nn::Module& model, const StateDict& source, const std::string& head, bool keep_head) {
  StateDict target = model.state_dict();
  StateDict merged;
  InitResult out;
  std::string problems;
  for (const auto& [key, own] : target) {
    const auto it = source.find(key);
    if (it == source.end()) {
      problems += "\n  missing in the source: " + key;
      continue;
    }
    if (it->second.shape() == own.shape() && (keep_head || !inside(key, head))) {
      merged[key] = it->second;
      ++out.loaded;
    } else if (inside(key, head)) {
      merged[key] = own;
      out.reinitialized.push_back(key + " " + (it->second.shape() == own.shape()
                                                   ? shape_text(own)
                                                   : shape_text(it->second) + " -> " + shape_text(own)));
    } else {
      problems += "\n  shape differs outside the head '" + head + "': " + key + " is " + shape_text(it->second) +
                  " in the source, " + shape_text(own) + " in the model";
    }
  }
  for (const auto& [key, t] : source)
    if (!target.count(key)) problems += "\n  not in the model: " + key;
  NABLA_CHECK(problems.empty(), "train::init_from: the source weights do not fit ", model.name(), ":", problems);
  model.load_state_dict(merged, /*strict=*/true);
  return out;
}

std::vector<std::shared_ptr<nn::Module>> freeze_all_but(nn::Module& model, const std::string& head) {
  bool found = false;
  std::vector<std::shared_ptr<nn::Module>> frozen;
  for (const auto& [name, m] : model.named_modules()) {
    if (name == head) found = true;
    if (!inside(name, head) && !name.empty() && m->named_children().empty()) frozen.push_back(m);
  }
  NABLA_CHECK(found && !head.empty(), "train::freeze_all_but: '", head, "' names no module of ", model.name());
  for (const auto& [name, p] : model.named_parameters())
    if (!inside(name, head)) {
      Tensor t = p;  // a handle sharing the parameter
      t.requires_grad_(false);
    }
  return frozen;
}

}  // namespace nabla::train
