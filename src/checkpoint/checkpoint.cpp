// Checkpoints: every part's state dict under its prefix in one safetensors file, the counters
// and user JSON as a JSON string in the metadata.
#include "nabla/checkpoint.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "nabla/error.h"
#include "nabla/io/safetensors.h"

namespace nabla {
namespace {

using json = nlohmann::json;

constexpr const char* kMetadataKey = "nabla.checkpoint";
constexpr const char* kFormatName = "nabla.checkpoint";
constexpr int64_t kGeneratorStateSize = 6;

// A generator's state as int64 [s0, s1, s2, s3, has_spare, spare] (words and the double bit-cast).
Tensor generator_tensor(const Generator& gen) {
  Generator::State st = gen.state();
  std::vector<int64_t> v(kGeneratorStateSize);
  for (int i = 0; i < 4; ++i) std::memcpy(&v[i], &st.s[i], sizeof(int64_t));
  v[4] = st.has_spare ? 1 : 0;
  std::memcpy(&v[5], &st.spare, sizeof(double));
  return from_vector(v);
}

Generator::State generator_state(const Tensor& t) {
  Tensor c = t.contiguous();
  const int64_t* v = c.data_ptr<int64_t>();
  Generator::State st{};
  for (int i = 0; i < 4; ++i) std::memcpy(&st.s[i], &v[i], sizeof(int64_t));
  st.has_spare = v[4] != 0;
  std::memcpy(&st.spare, &v[5], sizeof(double));
  return st;
}

void put_section(std::map<std::string, Tensor>& out, const std::string& prefix, const nn::StateDict& dict) {
  for (const auto& [key, value] : dict) out[prefix + "." + key] = value;
}

/// Tensors of the file grouped by part: "model", "optimizer" (the unnamed one), "optimizer.<name>",
/// "scheduler", "scheduler.<name>", "plateau", "rng". A key "optimizer.<a>.<rest>" belongs to the
/// named optimizer <a> when the metadata lists that name (save_checkpoint keeps this unambiguous).
using Sections = std::map<std::string, nn::StateDict>;

std::string first_component(const std::string& key) { return key.substr(0, key.find('.')); }

Sections split_sections(const std::string& path, const std::map<std::string, Tensor>& tensors,
                        const CheckpointMetadata& meta) {
  static const std::vector<std::string> known = {"model", "optimizer", "scheduler", "plateau", "rng"};
  Sections sections;
  for (const auto& [key, value] : tensors) {
    const size_t dot = key.find('.');
    const std::string prefix = dot == std::string::npos ? key : key.substr(0, dot);
    NABLA_CHECK(dot != std::string::npos && dot + 1 < key.size() &&
                    std::find(known.begin(), known.end(), prefix) != known.end(),
                "load_checkpoint('", path, "'): unexpected key '", key,
                "' (expected prefixes model., optimizer., scheduler., plateau., rng.)");
    std::string part = prefix, rest = key.substr(dot + 1);
    const auto* names = prefix == "optimizer" ? &meta.optimizers : prefix == "scheduler" ? &meta.schedulers : nullptr;
    const size_t dot2 = rest.find('.');
    if (names && dot2 != std::string::npos && dot2 + 1 < rest.size() && names->count(rest.substr(0, dot2))) {
      part = prefix + "." + rest.substr(0, dot2);
      rest = rest.substr(dot2 + 1);
    }
    sections[part][rest] = value;
  }
  return sections;
}

json parse_metadata(const std::string& path, const std::map<std::string, std::string>& metadata) {
  auto it = metadata.find(kMetadataKey);
  NABLA_CHECK(it != metadata.end(), "read_checkpoint_metadata('", path, "'): not a nabla checkpoint (no '",
              kMetadataKey, "' entry in the safetensors metadata)");
  json meta;
  try {
    meta = json::parse(it->second);
  } catch (const json::exception& e) {
    throw Error(str_cat("read_checkpoint_metadata('", path, "'): metadata is not valid JSON: ", e.what()));
  }
  NABLA_CHECK(meta.is_object() && meta.value("format", "") == kFormatName, "read_checkpoint_metadata('", path,
              "'): metadata does not describe a nabla checkpoint");
  NABLA_CHECK(meta.contains("version") && meta["version"].is_number_integer() &&
                  meta["version"].get<int64_t>() >= kCheckpointOldestFormatVersion &&
                  meta["version"].get<int64_t>() <= kCheckpointFormatVersion,
              "read_checkpoint_metadata('", path, "'): unsupported format version ",
              meta.contains("version") ? meta["version"].dump() : "(missing)", ", expected ",
              kCheckpointOldestFormatVersion, " to ", kCheckpointFormatVersion);
  return meta;
}

CheckpointMetadata metadata_from_json(const std::string& path, const json& meta) {
  CheckpointMetadata m;
  try {
    m.version = meta.at("version").get<int64_t>();
    m.epoch = meta.at("epoch").get<int64_t>();
    m.global_step = meta.at("global_step").get<int64_t>();
    if (!meta.at("best_metric").is_null()) m.best_metric = meta.at("best_metric").get<double>();
    m.counters = meta.at("counters").get<std::map<std::string, int64_t>>();
    m.user_json = meta.at("user").dump();
    const json& parts = meta.at("contents");
    m.has_model = parts.at("model").get<bool>();
    m.optimizer = parts.at("optimizer").get<std::string>();
    m.scheduler = parts.at("scheduler").get<std::string>();
    // Version 1 files have no named optimizers or schedulers.
    if (parts.contains("optimizers")) m.optimizers = parts.at("optimizers").get<std::map<std::string, std::string>>();
    if (parts.contains("schedulers")) m.schedulers = parts.at("schedulers").get<std::map<std::string, std::string>>();
    m.has_plateau = parts.at("plateau").get<bool>();
    m.generators = parts.at("generators").get<std::vector<std::string>>();
  } catch (const json::exception& e) {
    throw Error(str_cat("read_checkpoint_metadata('", path, "'): malformed metadata: ", e.what()));
  }
  return m;
}

/// Runs `load`, prefixing any Error with the file and the part being restored.
template <class F>
void in_part(const std::string& path, const char* part, F&& load) {
  try {
    load();
  } catch (const Error& e) {
    throw Error(str_cat("load_checkpoint('", path, "'): ", part, ": ", e.what()));
  }
}

/// "'a' (Adam), 'b' (SGD)", or "none".
std::string describe(const std::map<std::string, std::string>& classes) {
  std::string out;
  for (const auto& [name, cls] : classes) out += (out.empty() ? "'" : ", '") + name + "' (" + cls + ")";
  return out.empty() ? "none" : out;
}

/// Checks the named optimizers (or schedulers) of a save request and puts their state into `tensors`
/// under "<kind>.<name>."; returns their class names. `unnamed` is the unnamed one's state, whose
/// keys must not start with a name (the split on load would be ambiguous).
template <class T>
std::map<std::string, std::string> put_named(const std::string& path, const std::string& kind,
                                             const std::map<std::string, T*>& parts, const nn::StateDict& unnamed,
                                             std::map<std::string, Tensor>& tensors) {
  std::map<std::string, std::string> classes;
  for (const auto& [name, part] : parts) {
    check_checkpoint_name(str_cat("save_checkpoint('", path, "'): ", kind), name);
    NABLA_CHECK(part != nullptr, "save_checkpoint('", path, "'): ", kind, " '", name, "' is a null pointer");
    for (const auto& [key, value] : unnamed)
      NABLA_CHECK(first_component(key) != name, "save_checkpoint('", path, "'): ", kind, " name '", name,
                  "' collides with the key '", key, "' of the unnamed ", kind, "; choose another name");
    put_section(tensors, kind + "." + name, part->state_dict());
    classes[name] = part->name();
  }
  return classes;
}

/// Checks the named optimizers (or schedulers) `wanted` against those the file holds: every one
/// wanted must be there and of the saved class; with `strict`, every saved one must be wanted.
template <class T>
void check_named(const std::string& path, const std::string& kind, const std::map<std::string, T*>& wanted,
                 const std::map<std::string, std::string>& saved, bool strict) {
  std::map<std::string, std::string> asked;
  for (const auto& [name, part] : wanted) {
    NABLA_CHECK(part != nullptr, "load_checkpoint('", path, "'): ", kind, " '", name, "' is a null pointer");
    asked[name] = part->name();
    auto it = saved.find(name);
    NABLA_CHECK(it != saved.end(), "load_checkpoint('", path, "'): the checkpoint has no ", kind, " '", name,
                "' (its named ", kind, "s: ", describe(saved), ")");
    NABLA_CHECK(it->second == part->name(), "load_checkpoint('", path, "'): ", kind, " '", name,
                "': the checkpoint holds the state of a ", it->second, " ", kind, ", not of a ", part->name());
  }
  if (!strict) return;
  for (const auto& [name, cls] : saved)
    NABLA_CHECK(wanted.count(name), "load_checkpoint('", path, "'): the checkpoint has state of ", kind, " '", name,
                "' (", cls, ") but no ", kind, " of that name to load it into (asked for: ", describe(asked),
                "; pass one, or strict=false)");
}

}  // namespace

void check_checkpoint_name(const std::string& where, const std::string& name) {
  NABLA_CHECK(!name.empty() && name.find('.') == std::string::npos, where, ": expected a name without '.', got '",
              name, "'");
}

void save_checkpoint(const std::string& path, const Checkpoint& ckpt) {
  json user;
  try {
    user = json::parse(ckpt.user_json);
  } catch (const json::exception& e) {
    throw Error(str_cat("save_checkpoint('", path, "'): user_json is not valid JSON: ", e.what()));
  }
  std::map<std::string, Tensor> tensors;
  std::vector<std::string> generator_names;
  if (ckpt.model) put_section(tensors, "model", ckpt.model->state_dict());
  const nn::StateDict optimizer_state = ckpt.optimizer ? ckpt.optimizer->state_dict() : nn::StateDict{};
  const nn::StateDict scheduler_state = ckpt.scheduler ? ckpt.scheduler->state_dict() : nn::StateDict{};
  if (ckpt.optimizer) put_section(tensors, "optimizer", optimizer_state);
  if (ckpt.scheduler) put_section(tensors, "scheduler", scheduler_state);
  const auto optimizer_classes = put_named(path, "optimizer", ckpt.optimizers, optimizer_state, tensors);
  const auto scheduler_classes = put_named(path, "scheduler", ckpt.schedulers, scheduler_state, tensors);
  if (ckpt.plateau) put_section(tensors, "plateau", ckpt.plateau->state_dict());
  if (ckpt.default_generator) {
    tensors["rng.default"] = generator_tensor(default_generator());
    generator_names.push_back("default");
  }
  for (const auto& [name, gen] : ckpt.generators) {
    NABLA_CHECK(gen != nullptr, "save_checkpoint('", path, "'): generator '", name, "' is a null pointer");
    NABLA_CHECK(name != "default" || !ckpt.default_generator, "save_checkpoint('", path,
                "'): generator name 'default' is taken by the default generator");
    tensors["rng." + name] = generator_tensor(*gen);
    generator_names.push_back(name);
  }

  json meta = {
      {"format", kFormatName},
      {"version", kCheckpointFormatVersion},
      {"epoch", ckpt.epoch},
      {"global_step", ckpt.global_step},
      {"best_metric", ckpt.best_metric ? json(*ckpt.best_metric) : json(nullptr)},
      {"counters", ckpt.counters},
      {"user", user},
      {"contents",
       {{"model", ckpt.model != nullptr},
        {"optimizer", ckpt.optimizer ? ckpt.optimizer->name() : ""},
        {"scheduler", ckpt.scheduler ? ckpt.scheduler->name() : ""},
        {"optimizers", optimizer_classes},
        {"schedulers", scheduler_classes},
        {"plateau", ckpt.plateau != nullptr},
        {"generators", generator_names}}},
  };
  io::save_safetensors(path, tensors, {{kMetadataKey, meta.dump()}});
}

CheckpointMetadata read_checkpoint_metadata(const std::string& path) {
  io::SafetensorsFile file = io::load_safetensors(path);
  return metadata_from_json(path, parse_metadata(path, file.metadata));
}

void load_checkpoint(const std::string& path, Checkpoint& ckpt, bool strict) {
  io::SafetensorsFile file = io::load_safetensors(path);
  const CheckpointMetadata meta = metadata_from_json(path, parse_metadata(path, file.metadata));
  Sections sections = split_sections(path, file.tensors, meta);

  // Check that the file and the request agree before modifying anything.
  auto require = [&](bool wanted, bool present, const std::string& part, const std::string& detail) {
    NABLA_CHECK(!wanted || present, "load_checkpoint('", path, "'): the checkpoint has no ", part, " state", detail);
    NABLA_CHECK(!strict || wanted || !present, "load_checkpoint('", path, "'): the checkpoint has ", part,
                " state but no ", part, " to load it into (pass one, or strict=false)");
  };
  require(ckpt.model != nullptr, meta.has_model, "model", " (keys 'model.*')");
  require(ckpt.optimizer != nullptr, !meta.optimizer.empty(), "optimizer",
          str_cat(" (keys 'optimizer.*'; its named optimizers: ", describe(meta.optimizers), ")"));
  require(ckpt.scheduler != nullptr, !meta.scheduler.empty(), "scheduler",
          str_cat(" (keys 'scheduler.*'; its named schedulers: ", describe(meta.schedulers), ")"));
  require(ckpt.plateau != nullptr, meta.has_plateau, "plateau", " (keys 'plateau.*')");
  NABLA_CHECK(!ckpt.optimizer || meta.optimizer == ckpt.optimizer->name(), "load_checkpoint('", path,
              "'): the checkpoint holds the state of a ", meta.optimizer, " optimizer, not of a ",
              ckpt.optimizer ? ckpt.optimizer->name() : "");
  NABLA_CHECK(!ckpt.scheduler || meta.scheduler == ckpt.scheduler->name(), "load_checkpoint('", path,
              "'): the checkpoint holds the state of a ", meta.scheduler, " scheduler, not of a ",
              ckpt.scheduler ? ckpt.scheduler->name() : "");
  check_named(path, "optimizer", ckpt.optimizers, meta.optimizers, strict);
  check_named(path, "scheduler", ckpt.schedulers, meta.schedulers, strict);
  const nn::StateDict& rng = sections["rng"];
  std::vector<std::string> wanted_generators;
  if (ckpt.default_generator) wanted_generators.push_back("default");
  for (const auto& [name, gen] : ckpt.generators) {
    NABLA_CHECK(gen != nullptr, "load_checkpoint('", path, "'): generator '", name, "' is a null pointer");
    wanted_generators.push_back(name);
  }
  for (const std::string& name : wanted_generators) {
    auto it = rng.find(name);
    NABLA_CHECK(it != rng.end(), "load_checkpoint('", path, "'): missing key 'rng.", name, "'");
    NABLA_CHECK(it->second.dtype() == DType::Int64 && it->second.shape() == Shape{kGeneratorStateSize},
                "load_checkpoint('", path, "'): key 'rng.", name, "' should be int64 of shape [",
                kGeneratorStateSize, "], got ", dtype_name(it->second.dtype()), " of shape ",
                shape_str(it->second.shape()));
  }
  if (strict)
    for (const auto& [name, value] : rng)
      NABLA_CHECK(std::find(wanted_generators.begin(), wanted_generators.end(), name) != wanted_generators.end(),
                  "load_checkpoint('", path, "'): unexpected key 'rng.", name,
                  "' (no generator of that name to load it into; pass one, or strict=false)");

  if (ckpt.model) in_part(path, "model", [&] { ckpt.model->load_state_dict(sections["model"], /*strict=*/true); });
  if (ckpt.optimizer) in_part(path, "optimizer", [&] { ckpt.optimizer->load_state_dict(sections["optimizer"]); });
  if (ckpt.scheduler) in_part(path, "scheduler", [&] { ckpt.scheduler->load_state_dict(sections["scheduler"]); });
  for (const auto& [name, opt] : ckpt.optimizers) {
    const std::string part = "optimizer." + name;
    optim::Optimizer* target = opt;  // a named variable: lambdas may not capture structured bindings in clang 14
    in_part(path, part.c_str(), [&] { target->load_state_dict(sections[part]); });
  }
  for (const auto& [name, sched] : ckpt.schedulers) {
    const std::string part = "scheduler." + name;
    optim::LRScheduler* target = sched;
    in_part(path, part.c_str(), [&] { target->load_state_dict(sections[part]); });
  }
  if (ckpt.plateau) in_part(path, "plateau", [&] { ckpt.plateau->load_state_dict(sections["plateau"]); });
  if (ckpt.default_generator) default_generator().set_state(generator_state(rng.at("default")));
  for (const auto& [name, gen] : ckpt.generators) gen->set_state(generator_state(rng.at(name)));

  ckpt.epoch = meta.epoch;
  ckpt.global_step = meta.global_step;
  ckpt.best_metric = meta.best_metric;
  ckpt.counters = meta.counters;
  ckpt.user_json = meta.user_json;
}

}  // namespace nabla
