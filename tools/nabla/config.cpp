#include "config.h"

#include <cmath>
#include <fstream>
#include <optional>
#include <sstream>
#include <variant>

#include <toml++/toml.h>

#include "nabla/error.h"
#include "nabla/models/lm_registry.h"
#include "nabla/models/registry.h"
#include "nabla/parse.h"
#include "image_data.h"

namespace nabla::cli {

namespace {

using Slot = std::variant<int64_t*, double*, bool*, std::string*, std::vector<int64_t>*>;

struct Entry {
  std::string key;
  Slot slot;
  std::string help;
};

// Every option key of every registered model (image models, then language models) with the
// first registering model's default: the key's type for parsing and the value listed for it.
const models::OptionValues& known_model_options() {
  static const models::OptionValues all = [] {
    models::OptionValues o = models::default_options();
    for (const auto& [key, value] : models::default_language_model_options()) o.emplace(key, value);
    return o;
  }();
  return all;
}

// The option fields of the model `name`, or nullptr when no model has that name.
const std::vector<models::OptionField>* model_fields(const std::string& name) {
  if (models::is_language_model(name)) return &models::find_language_model(name).fields;
  for (const auto& e : models::model_registry())
    if (e.name == name) return &e.fields;
  return nullptr;
}

// A value for every known model key, as listed: the named model's own defaults for its keys,
// then the config's values over them (other models' keys keep known_model_options' values).
models::OptionValues listed_model_options(const TrainConfig& c) {
  models::OptionValues out = known_model_options();
  if (const auto* fields = model_fields(c.model.name))
    for (const auto& f : *fields) out[f.key] = f.default_value;
  for (const auto& [key, value] : c.model.options)
    if (out.contains(key)) out[key] = value;
  return out;
}

// model.name, then one key per model option (from the registries), in key order. The option
// slots point into `values`, a value for every key (the config itself holds only what it sets).
std::vector<Entry> model_table(TrainConfig& c, models::OptionValues& values) {
  std::string names;
  for (const auto& n : models::model_names()) names += (names.empty() ? "" : ", ") + n;
  for (const auto& n : models::language_model_names()) names += ", " + n + " (language model)";
  std::vector<Entry> out = {{"model.name", &c.model.name, "model to train: " + names}};
  for (auto& [key, value] : values) {
    std::string help;
    for (const auto& e : models::model_registry())
      for (const auto& f : e.fields)
        if (f.key == key) help += (help.empty() ? "" : "; ") + e.name + ": " + f.help;
    for (const auto& e : models::language_model_registry())
      for (const auto& f : e.fields)
        if (f.key == key) help += (help.empty() ? "" : "; ") + e.name + ": " + f.help;
    out.push_back({"model." + key, std::visit([](auto& v) -> Slot { return &v; }, value), help});
  }
  return out;
}

std::vector<Entry> table(TrainConfig& c, models::OptionValues& model_values) {
  std::vector<Entry> out = model_table(c, model_values);
  std::vector<Entry> rest = {
      {"data.name", &c.data.name, "dataset: fashion-mnist, idx, cifar10, cifar100, image-folder, npz or csv; text for language models"},
      {"data.dir", &c.data.dir, "dataset directory (fashion-mnist: IDX files, plain or .gz); text: a file or a directory of files"},
      {"data.train_file", &c.data.train_file, "csv: the training rows (empty: <dir>/train.csv)"},
      {"data.test_file", &c.data.test_file, "csv: the test rows (empty: <dir>/test.csv when it exists)"},
      {"data.test_fraction", &c.data.test_fraction, "csv without a test file: fraction of the rows held out as test (seeded)"},
      {"data.label", &c.data.label, "csv: label column, a header name or an index (negative: from the end)"},
      {"data.delimiter", &c.data.delimiter, "csv: the column delimiter, one character"},
      {"data.header", &c.data.header, "csv: the first line names the columns"},
      {"data.num_classes", &c.data.num_classes, "csv: number of classes (0: the largest label + 1)"},
      {"data.val_size", &c.data.val_size, "training images held out for validation (seeded)"},
      {"data.train_subset", &c.data.train_subset, "train on this many images (0 = all the rest)"},
      {"data.test_subset", &c.data.test_subset, "evaluate on this many test images (0 = all)"},
      {"data.augment", &c.data.augment, "training augmentation: none, flip, crop (random crop of the image size after padding data.crop_padding, + flip)"},
      {"data.crop_padding", &c.data.crop_padding, "augment = crop: zero padding on each side before the random crop"},
      {"data.erasing", &c.data.erasing, "random erasing probability per training image (0: off)"},
      {"data.erasing_scale_min", &c.data.erasing_scale_min, "random erasing: smallest erased area fraction"},
      {"data.erasing_scale_max", &c.data.erasing_scale_max, "random erasing: largest erased area fraction"},
      {"data.cutout", &c.data.cutout, "cutout: side of the square zeroed in each training image (0: off)"},
      {"data.mixup_alpha", &c.data.mixup_alpha, "MixUp: alpha of Beta(alpha, alpha) (0: off)"},
      {"data.cutmix_alpha", &c.data.cutmix_alpha, "CutMix: alpha of Beta(alpha, alpha) (0: off)"},
      {"data.mix_prob", &c.data.mix_prob, "probability that a training batch is mixed (MixUp or CutMix, evenly when both)"},
      {"data.classes", &c.data.classes, "use only these classes, relabelled 0..k-1 in this order (empty: all)"},
      {"data.normalize", &c.data.normalize, "fixed (mean 0.2860, std 0.3530), train (one mean/std from the training split) or channel (a mean/std per channel from it)"},
      {"data.workers", &c.data.workers, "DataLoader worker threads (0: load in the training thread)"},
      {"data.drop_last", &c.data.drop_last, "drop the last incomplete training batch"},
      {"data.fortunes", &c.data.fortunes, "text: '%' lines separate fortunes (Debian's fortune files)"},
      {"data.val_fraction", &c.data.val_fraction, "text: the tail of the token stream held out for validation"},
      {"optimizer.name", &c.optimizer.name, "sgd, adam or adamw"},
      {"optimizer.lr", &c.optimizer.lr, "learning rate (onecycle: the peak)"},
      {"optimizer.momentum", &c.optimizer.momentum, "sgd momentum"},
      {"optimizer.nesterov", &c.optimizer.nesterov, "sgd Nesterov momentum"},
      {"optimizer.weight_decay", &c.optimizer.weight_decay, "L2 penalty (adamw: decoupled decay)"},
      {"schedule.name", &c.schedule.name, "constant, cosine, onecycle (per batch) or step (per epoch)"},
      {"schedule.warmup_pct", &c.schedule.warmup_pct, "onecycle: fraction of the steps spent warming up"},
      {"schedule.warmup_epochs", &c.schedule.warmup_epochs, "cosine, constant: linear warmup over this many epochs"},
      {"schedule.warmup_steps", &c.schedule.warmup_steps, "cosine, constant: linear warmup over this many batches"},
      {"schedule.step_size", &c.schedule.step_size, "step: epochs between decays"},
      {"schedule.gamma", &c.schedule.gamma, "step: decay factor"},
      {"train.epochs", &c.train.epochs, "passes over the training set"},
      {"train.batch_size", &c.train.batch_size, "images per batch"},
      {"train.seed", &c.train.seed, "seed of the split, initialisation and shuffling"},
      {"train.threads", &c.train.threads, "OpenMP threads"},
      {"train.out_dir", &c.train.out_dir, "where run directories are created"},
      {"train.name", &c.train.name, "run directory name (empty: <model>_<date-time>)"},
      {"train.overfit_batches", &c.train.overfit_batches, "train on N fixed batches only (sanity check)"},
      {"train.min_test_acc", &c.train.min_test_acc, "exit with status 1 when the test accuracy is lower"},
      {"train.log_interval_s", &c.train.log_interval_s, "seconds between progress lines off a terminal"},
      {"train.lr_find", &c.train.lr_find, "run the learning-rate range test (lr_find.svg/.csv) instead of training"},
      {"train.seq_len", &c.train.seq_len, "language models: tokens per chunk (truncated BPTT length) or block"},
      {"train.clip_grad_norm", &c.train.clip_grad_norm, "clip the global gradient norm to this before each step (0: off)"},
      {"train.label_smoothing", &c.train.label_smoothing, "cross-entropy label smoothing epsilon in [0, 1)"},
      {"train.tta", &c.train.tta, "also report the test accuracy with flip test-time augmentation"},
      {"train.init", &c.train.init, "start from the weights of this nabla train checkpoint or PyTorch .pt/.pth state dict (a head of another shape is re-initialised)"},
      {"train.init_key", &c.train.init_key, "PyTorch init: the entry holding the state dict, a dotted path (e.g. model)"},
      {"train.init_non_strict", &c.train.init_non_strict, "PyTorch init: load the tensors that match, print the missing and unexpected keys"},
      {"train.freeze", &c.train.freeze, "none, or backbone: train only the classifier head (the last module with parameters)"},
  };
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

const char* type_name(const Slot& s) {
  switch (s.index()) {
    case 0: return "integer";
    case 1: return "float";
    case 2: return "boolean";
    case 3: return "string";
    default: return "integer array";
  }
}

std::string value_text(const Slot& s) {
  std::ostringstream os;
  os.precision(10);
  if (auto* p = std::get_if<int64_t*>(&s)) os << **p;
  else if (auto* p = std::get_if<double*>(&s)) os << **p << (std::floor(**p) == **p && std::fabs(**p) < 1e15 ? ".0" : "");
  else if (auto* p = std::get_if<bool*>(&s)) os << (**p ? "true" : "false");
  else if (auto* p = std::get_if<std::string*>(&s)) os << toml::value<std::string>(**p);
  else {
    auto& v = **std::get_if<std::vector<int64_t>*>(&s);
    os << "[";
    for (size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << v[i];
    os << "]";
  }
  return os.str();
}

std::string valid_keys(TrainConfig c) {
  models::OptionValues values = known_model_options();
  std::string out;
  for (const auto& e : table(c, values)) out += std::string(out.empty() ? "" : ", ") + e.key;
  return out;
}

Entry& find_entry(std::vector<Entry>& entries, TrainConfig& c, const std::string& key, const std::string& where) {
  for (auto& e : entries)
    if (key == e.key) return e;
  throw Error(where + ": unknown config key '" + key + "' (valid keys: " + valid_keys(c) + ")");
}

[[noreturn]] void wrong_type(const std::string& where, const std::string& key, const Slot& s, const std::string& got) {
  throw Error(where + ": config key '" + key + "' expects " + type_name(s) + ", got " + got);
}

std::string toml_type(const toml::node& n) {
  std::ostringstream os;
  os << n.type();
  return os.str();
}

void set_from_toml(const Entry& e, const toml::node& n, const std::string& where) {
  const std::string got = toml_type(n);
  if (auto* p = std::get_if<int64_t*>(&e.slot)) {
    if (!n.is_integer()) wrong_type(where, e.key, e.slot, got);
    **p = *n.value<int64_t>();
  } else if (auto* p = std::get_if<double*>(&e.slot)) {
    if (n.is_integer()) **p = static_cast<double>(*n.value<int64_t>());
    else if (n.is_floating_point()) **p = *n.value<double>();
    else wrong_type(where, e.key, e.slot, got);
  } else if (auto* p = std::get_if<bool*>(&e.slot)) {
    if (!n.is_boolean()) wrong_type(where, e.key, e.slot, got);
    **p = *n.value<bool>();
  } else if (auto* p = std::get_if<std::string*>(&e.slot)) {
    if (!n.is_string()) wrong_type(where, e.key, e.slot, got);
    **p = *n.value<std::string>();
  } else {
    auto* arr = n.as_array();
    if (!arr) wrong_type(where, e.key, e.slot, got);
    std::vector<int64_t> out;
    for (const auto& item : *arr) {
      if (!item.is_integer()) wrong_type(where, e.key, e.slot, "an array holding " + toml_type(item));
      out.push_back(*item.value<int64_t>());
    }
    **std::get_if<std::vector<int64_t>*>(&e.slot) = out;
  }
}

int64_t parse_int(const std::string& text, const std::string& key, const Slot& s) {
  const std::optional<int64_t> v = parse_int64(text);
  if (!v) wrong_type("nabla train", key, s, "'" + text + "'");
  return *v;
}

void set_from_text(const Entry& e, const std::string& text) {
  const std::string key = e.key;
  if (auto* p = std::get_if<int64_t*>(&e.slot)) {
    **p = parse_int(text, key, e.slot);
  } else if (auto* p = std::get_if<double*>(&e.slot)) {
    const std::optional<double> v = parse_double(text);
    if (!v) wrong_type("nabla train", key, e.slot, "'" + text + "'");
    **p = *v;
  } else if (auto* p = std::get_if<bool*>(&e.slot)) {
    if (text == "true" || text == "1") **p = true;
    else if (text == "false" || text == "0") **p = false;
    else wrong_type("nabla train", key, e.slot, "'" + text + "'");
  } else if (auto* p = std::get_if<std::string*>(&e.slot)) {
    **p = text;
  } else {
    std::vector<int64_t> out;
    std::string t = text;
    if (!t.empty() && t.front() == '[') t = t.substr(1);
    if (!t.empty() && t.back() == ']') t.pop_back();
    std::stringstream ss(t);
    std::string part;
    while (std::getline(ss, part, ',')) {
      const auto b = part.find_first_not_of(' '), en = part.find_last_not_of(' ');
      out.push_back(parse_int(b == std::string::npos ? "" : part.substr(b, en - b + 1), key, e.slot));
    }
    **std::get_if<std::vector<int64_t>*>(&e.slot) = out;
  }
}

// After `full` was set through table(config, values): a model option's new value becomes one the
// config sets.
void keep_model_option(TrainConfig& config, const models::OptionValues& values, const std::string& full) {
  if (full.rfind("model.", 0) != 0 || full == "model.name") return;
  const std::string key = full.substr(6);
  config.model.options[key] = values.at(key);
}

std::string canonical_key(const std::string& key) {
  static const std::vector<std::pair<std::string, std::string>> aliases = {
      {"lr", "optimizer.lr"},
      {"epochs", "train.epochs"},
      {"batch_size", "train.batch_size"},
      {"batch-size", "train.batch_size"},
      {"seed", "train.seed"},
      {"threads", "train.threads"},
      {"model", "model.name"},
      {"optimizer", "optimizer.name"},
      {"schedule", "schedule.name"},
      {"name", "train.name"},
      {"out_dir", "train.out_dir"},
      {"out-dir", "train.out_dir"},
      {"data", "data.dir"},
      {"momentum", "optimizer.momentum"},
      {"weight_decay", "optimizer.weight_decay"},
      {"weight-decay", "optimizer.weight_decay"},
      {"overfit_batches", "train.overfit_batches"},
      {"overfit-batches", "train.overfit_batches"},
      {"min-test-acc", "train.min_test_acc"},
      {"min_test_acc", "train.min_test_acc"},
      {"lr-find", "train.lr_find"},
      {"augment", "data.augment"},
      {"workers", "data.workers"},
      {"lr_find", "train.lr_find"},
      {"seq-len", "train.seq_len"},
      {"seq_len", "train.seq_len"},
      {"clip-grad-norm", "train.clip_grad_norm"},
      {"clip_grad_norm", "train.clip_grad_norm"},
      {"init", "train.init"},
      {"init-key", "train.init_key"},
      {"init_key", "train.init_key"},
      {"init-non-strict", "train.init_non_strict"},
      {"init_non_strict", "train.init_non_strict"},
      {"freeze", "train.freeze"},
      {"tta", "train.tta"},
      {"label-smoothing", "train.label_smoothing"},
      {"label_smoothing", "train.label_smoothing"},
  };
  for (const auto& [alias, full] : aliases)
    if (key == alias) return full;
  return key;
}

}  // namespace

models::OptionValues model_options(const TrainConfig& config) {
  const auto* fields = model_fields(config.model.name);
  if (!fields) fields = &models::find_model(config.model.name).fields;  // raises the error listing the models
  models::OptionValues out;
  for (const auto& f : *fields) {
    const auto it = config.model.options.find(f.key);
    out[f.key] = it == config.model.options.end() ? f.default_value : it->second;
  }
  return out;
}

std::vector<ConfigKeyInfo> config_keys(const TrainConfig& config) {
  TrainConfig copy = config;
  models::OptionValues values = listed_model_options(config);
  std::vector<ConfigKeyInfo> out;
  for (const auto& e : table(copy, values)) out.push_back({e.key, type_name(e.slot), value_text(e.slot), e.help});
  return out;
}

void apply_toml(TrainConfig& config, const std::string& text, const std::string& source) {
  toml::table doc;
  try {
    doc = toml::parse(text, source);
  } catch (const toml::parse_error& err) {
    std::ostringstream os;
    os << source << ": invalid TOML at line " << err.source().begin.line << ", column " << err.source().begin.column
       << ": " << err.description();
    throw Error(os.str());
  }
  models::OptionValues values = listed_model_options(config);
  auto entries = table(config, values);
  for (const auto& [section, node] : doc) {
    const std::string name(section.str());
    const auto* sub = node.as_table();
    if (!sub) throw Error(source + ": '" + name + "' must be a section ([model], [data], [optimizer], [schedule] or [train]); valid keys: " + valid_keys(config));
    for (const auto& [key, value] : *sub) {
      const std::string full = name + "." + std::string(key.str());
      set_from_toml(find_entry(entries, config, full, source), value, source);
      keep_model_option(config, values, full);
    }
  }
}

void apply_toml_file(TrainConfig& config, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  NABLA_CHECK(in.good(), "nabla train: cannot read config file '", path, "'");
  std::ostringstream text;
  text << in.rdbuf();
  apply_toml(config, text.str(), path);
}

void set_key(TrainConfig& config, const std::string& key, const std::string& value) {
  models::OptionValues values = listed_model_options(config);
  auto entries = table(config, values);
  const std::string full = canonical_key(key);
  set_from_text(find_entry(entries, config, full, "nabla train"), value);
  keep_model_option(config, values, full);
}

std::string to_toml(const TrainConfig& config) {
  std::string out = "# Resolved configuration of this run (defaults, then the config file, then flags).\n";
  std::string section;
  const auto* fields = model_fields(config.model.name);
  auto named_models_key = [&](const std::string& key) {
    if (!fields || key.rfind("model.", 0) != 0 || key == "model.name") return true;
    for (const auto& f : *fields)
      if ("model." + f.key == key) return true;
    return false;
  };
  for (const auto& k : config_keys(config)) {
    if (!named_models_key(k.key)) continue;
    const auto dot = k.key.find('.');
    const std::string s = k.key.substr(0, dot);
    if (s != section) {
      out += (section.empty() ? "\n[" : "\n[") + s + "]\n";
      section = s;
    }
    out += k.key.substr(dot + 1) + " = " + k.value + "  # " + k.help + "\n";
  }
  return out;
}

void validate(const TrainConfig& c) {
  auto check_in = [](const std::string& key, const std::string& v, const std::vector<std::string>& valid) {
    std::string list;
    for (const auto& x : valid) {
      if (x == v) return;
      list += (list.empty() ? "" : ", ") + x;
    }
    throw Error("nabla train: config key '" + key + "' must be one of " + list + ", got '" + v + "'");
  };
  std::vector<std::string> all_models = models::model_names();
  for (const auto& n : models::language_model_names()) all_models.push_back(n);
  check_in("model.name", c.model.name, all_models);
  if (models::is_language_model(c.model.name)) check_in("data.name", c.data.name, {"text"});
  else check_in("data.name", c.data.name, dataset_names());
  NABLA_CHECK(c.data.val_fraction >= 0 && c.data.val_fraction < 1,
              "nabla train: config key 'data.val_fraction' must be in [0, 1), got ", c.data.val_fraction);
  NABLA_CHECK(c.train.seq_len > 0, "nabla train: config key 'train.seq_len' must be positive, got ", c.train.seq_len);
  NABLA_CHECK(c.train.clip_grad_norm >= 0, "nabla train: config key 'train.clip_grad_norm' must be >= 0, got ",
              c.train.clip_grad_norm);
  check_in("data.augment", c.data.augment, {"none", "flip", "crop"});
  check_in("data.normalize", c.data.normalize, {"fixed", "train", "channel"});
  NABLA_CHECK(c.data.crop_padding >= 0, "nabla train: config key 'data.crop_padding' must be >= 0, got ", c.data.crop_padding);
  NABLA_CHECK(c.data.erasing >= 0 && c.data.erasing <= 1, "nabla train: config key 'data.erasing' must be in [0, 1], got ", c.data.erasing);
  NABLA_CHECK(c.data.erasing_scale_min > 0 && c.data.erasing_scale_min <= c.data.erasing_scale_max && c.data.erasing_scale_max < 1,
              "nabla train: config keys 'data.erasing_scale_min' and 'data.erasing_scale_max' must satisfy 0 < min <= max < 1, got ",
              c.data.erasing_scale_min, " and ", c.data.erasing_scale_max);
  NABLA_CHECK(c.data.cutout >= 0, "nabla train: config key 'data.cutout' must be >= 0, got ", c.data.cutout);
  NABLA_CHECK(c.data.mixup_alpha >= 0, "nabla train: config key 'data.mixup_alpha' must be >= 0, got ", c.data.mixup_alpha);
  NABLA_CHECK(c.data.cutmix_alpha >= 0, "nabla train: config key 'data.cutmix_alpha' must be >= 0, got ", c.data.cutmix_alpha);
  NABLA_CHECK(c.data.mix_prob >= 0 && c.data.mix_prob <= 1, "nabla train: config key 'data.mix_prob' must be in [0, 1], got ", c.data.mix_prob);
  for (size_t i = 0; i < c.data.classes.size(); ++i) {
    NABLA_CHECK(c.data.classes[i] >= 0, "nabla train: config key 'data.classes' must hold labels >= 0, got ", c.data.classes[i]);
    for (size_t j = 0; j < i; ++j)
      NABLA_CHECK(c.data.classes[i] != c.data.classes[j], "nabla train: config key 'data.classes' lists ", c.data.classes[i], " twice");
  }
  NABLA_CHECK(c.schedule.warmup_epochs >= 0 && c.schedule.warmup_steps >= 0 && !(c.schedule.warmup_epochs > 0 && c.schedule.warmup_steps > 0),
              "nabla train: config keys 'schedule.warmup_epochs' and 'schedule.warmup_steps' must be >= 0 and not both set, got ",
              c.schedule.warmup_epochs, " and ", c.schedule.warmup_steps);
  NABLA_CHECK((c.schedule.warmup_epochs == 0 && c.schedule.warmup_steps == 0) || c.schedule.name == "cosine" || c.schedule.name == "constant",
              "nabla train: schedule.warmup_epochs / warmup_steps apply to the cosine and constant schedules, not '", c.schedule.name,
              "' (onecycle warms up by schedule.warmup_pct)");
  NABLA_CHECK(c.schedule.warmup_epochs < c.train.epochs, "nabla train: config key 'schedule.warmup_epochs' must be below train.epochs (",
              c.train.epochs, "), got ", c.schedule.warmup_epochs);
  NABLA_CHECK(c.train.label_smoothing >= 0 && c.train.label_smoothing < 1, "nabla train: config key 'train.label_smoothing' must be in [0, 1), got ",
              c.train.label_smoothing);
  check_in("train.freeze", c.train.freeze, {"none", "backbone"});
  NABLA_CHECK(c.data.delimiter.size() == 1, "nabla train: config key 'data.delimiter' must be one character, got '",
              c.data.delimiter, "'");
  NABLA_CHECK(c.data.test_fraction >= 0 && c.data.test_fraction < 1,
              "nabla train: config key 'data.test_fraction' must be in [0, 1), got ", c.data.test_fraction);
  NABLA_CHECK(c.data.num_classes >= 0, "nabla train: config key 'data.num_classes' must be >= 0, got ", c.data.num_classes);
  NABLA_CHECK(c.data.workers >= 0, "nabla train: config key 'data.workers' must be >= 0, got ", c.data.workers);
  check_in("optimizer.name", c.optimizer.name, {"sgd", "adam", "adamw"});
  check_in("schedule.name", c.schedule.name, {"constant", "cosine", "onecycle", "step"});
  NABLA_CHECK(c.train.epochs > 0, "nabla train: config key 'train.epochs' must be positive, got ", c.train.epochs);
  NABLA_CHECK(c.train.batch_size > 0, "nabla train: config key 'train.batch_size' must be positive, got ", c.train.batch_size);
  NABLA_CHECK(c.train.threads > 0, "nabla train: config key 'train.threads' must be positive, got ", c.train.threads);
  NABLA_CHECK(c.train.overfit_batches >= 0, "nabla train: config key 'train.overfit_batches' must be >= 0, got ", c.train.overfit_batches);
  NABLA_CHECK(c.optimizer.lr > 0 && std::isfinite(c.optimizer.lr), "nabla train: config key 'optimizer.lr' must be positive, got ", c.optimizer.lr);
  NABLA_CHECK(c.data.val_size >= 0 && c.data.val_size < 60000, "nabla train: config key 'data.val_size' must be in [0, 60000), got ", c.data.val_size);
  NABLA_CHECK(c.data.train_subset >= 0, "nabla train: config key 'data.train_subset' must be >= 0, got ", c.data.train_subset);
  NABLA_CHECK(c.data.test_subset >= 0, "nabla train: config key 'data.test_subset' must be >= 0, got ", c.data.test_subset);
  NABLA_CHECK(c.schedule.warmup_pct > 0 && c.schedule.warmup_pct < 1, "nabla train: config key 'schedule.warmup_pct' must be in (0, 1), got ", c.schedule.warmup_pct);
  NABLA_CHECK(c.schedule.step_size > 0, "nabla train: config key 'schedule.step_size' must be positive, got ", c.schedule.step_size);
  const models::OptionValues options = model_options(c);
  if (const auto it = options.find("hidden"); it != options.end())
    for (int64_t h : std::get<std::vector<int64_t>>(it->second))
      NABLA_CHECK(h > 0, "nabla train: config key 'model.hidden' must hold positive sizes, got ", h);
}

TrainArgs parse_train_args(const std::vector<std::string>& args, const std::string& command) {
  TrainArgs out;
  TrainConfig probe;
  models::OptionValues values = known_model_options();
  auto entries = table(probe, values);
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      out.help = true;
      continue;
    }
    if (a.rfind("--", 0) != 0) {
      NABLA_CHECK(out.config_path.empty(), command, ": only one config file may be given, got '", out.config_path,
                  "' and '", a, "'");
      out.config_path = a;
      continue;
    }
    std::string key = a.substr(2), value;
    const auto eq = key.find('=');
    if (eq != std::string::npos) {
      value = key.substr(eq + 1);
      key = key.substr(0, eq);
    } else {
      const Entry& e = find_entry(entries, probe, canonical_key(key), command);
      const bool is_bool = std::holds_alternative<bool*>(e.slot);
      const bool next_is_value = i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0;
      if (is_bool && !(next_is_value && (args[i + 1] == "true" || args[i + 1] == "false" || args[i + 1] == "0" ||
                                         args[i + 1] == "1"))) {
        value = "true";
      } else {
        NABLA_CHECK(i + 1 < args.size(), command, ": option ", a, " needs a value");
        value = args[++i];
      }
    }
    find_entry(entries, probe, canonical_key(key), command);
    out.overrides.emplace_back(key, value);
  }
  return out;
}

TrainConfig resolve_config(const TrainArgs& args) {
  TrainConfig c;
  if (!args.config_path.empty()) apply_toml_file(c, args.config_path);
  for (const auto& [key, value] : args.overrides) set_key(c, key, value);
  validate(c);
  return c;
}

}  // namespace nabla::cli
