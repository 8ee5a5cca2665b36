// `nabla summary MODEL [--input C×H×W | F] [--classes N] [--model.KEY VALUE]...`: nn::summary's
// table (output shape, parameters, multiply-adds and receptive field per layer, then the totals)
// for a model of the registry, built with the model's own defaults except for the keys given.
#include <algorithm>
#include <cstdio>
#include <sstream>

#include "commands.h"
#include "config.h"
#include "nabla/error.h"
#include "nabla/models/registry.h"
#include "nabla/nn/summary.h"

namespace nabla::cli {
namespace {

constexpr const char* kCommand = "nabla summary";

std::vector<int64_t> parse_input(const std::string& input) {
  std::vector<int64_t> dims;
  std::string part;
  std::stringstream ss(input);
  while (std::getline(ss, part, 'x')) {
    try {
      dims.push_back(std::stoll(part));
    } catch (const std::exception&) {
      throw Error("nabla summary: --input must look like 1x28x28, got '" + input + "'");
    }
  }
  const bool valid = (dims.size() == 3 || dims.size() == 1) &&
                     std::all_of(dims.begin(), dims.end(), [](int64_t d) { return d > 0; });
  NABLA_CHECK(valid, "nabla summary: --input must be C×H×W (e.g. 1x28x28) or a feature count F, got '", input,
              "'");
  return dims;
}

// Whether the dotted `key` (model.depth) is one of `entry`'s options.
bool own_option(const models::ModelEntry& entry, const std::string& key) {
  return std::any_of(entry.fields.begin(), entry.fields.end(),
                     [&](const models::OptionField& f) { return "model." + f.key == key; });
}

// A config naming `model` with no option set: the model's own defaults, not the training recipe's.
TrainConfig model_config(const std::string& model) {
  TrainConfig config;
  config.model.name = model;
  config.model.options.clear();
  return config;
}

void print_help(const std::string& model) {
  std::printf(
      "Usage: nabla summary MODEL [--input CxHxW | F] [--classes N] [--model.KEY VALUE]...\n"
      "Per-layer table of MODEL: output shapes, parameters, multiply-adds, receptive field, then the totals.\n"
      "  --input    one input sample: C×H×W (default 1x28x28) or a feature count F\n"
      "  --classes  classes of the last layer (default 10)\n"
      "  --model.KEY VALUE  one of MODEL's options; the others keep MODEL's defaults\n");
  if (model.empty()) {
    std::printf("Models:");
    for (const auto& name : models::model_names()) std::printf(" %s", name.c_str());
    std::printf("\n`nabla summary MODEL --help` lists MODEL's options.\n");
    return;
  }
  const models::ModelEntry& entry = models::find_model(model);
  std::printf("%s: %s\nOptions of %s (default):\n", entry.name.c_str(), entry.help.c_str(), entry.name.c_str());
  for (const ConfigKeyInfo& k : config_keys(model_config(model)))
    if (own_option(entry, k.key)) std::printf("  %-24s %-8s %s\n", k.key.c_str(), k.type.c_str(), k.value.c_str());
}

}  // namespace

int run_summary(const std::vector<std::string>& args) {
  std::string model, input = "1x28x28";
  int64_t classes = 10;
  bool help = false;
  std::vector<std::string> rest;  // the --model.KEY VALUE pairs
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      help = true;
    } else if (const std::string name = a.substr(0, a.find('=')); name == "--input" || name == "--classes") {
      std::string value;  // --input X or --input=X
      if (name.size() < a.size()) {
        value = a.substr(name.size() + 1);
      } else {
        NABLA_CHECK(i + 1 < args.size(), "nabla summary: option ", a, " needs a value");
        value = args[++i];
      }
      if (name == "--input") {
        input = value;
      } else {
        try {
          size_t used = 0;
          classes = std::stoll(value, &used);
          NABLA_CHECK(used == value.size() && classes > 0, "bad");
        } catch (const std::exception&) {
          throw Error("nabla summary: --classes must be a positive integer, got '" + value + "'");
        }
      }
    } else if (a.rfind("--", 0) != 0 && model.empty()) {
      model = a;
    } else {
      rest.push_back(a);
    }
  }
  if (help) {
    print_help(model);
    return 0;
  }
  NABLA_CHECK(!model.empty(), "nabla summary: name a model, e.g. nabla summary resnet20 (nabla summary --help lists them)");
  const models::ModelEntry& entry = models::find_model(model);  // an unknown name lists the known ones

  for (const std::string& a : rest) {
    if (a.rfind("--", 0) != 0) continue;
    const std::string key = a.substr(2, a.find('=') == std::string::npos ? std::string::npos : a.find('=') - 2);
    NABLA_CHECK(own_option(entry, key), "nabla summary: '--", key, "' is not an option of ", model, " (nabla summary ", model,
                " --help lists them)");
  }
  const TrainArgs parsed = parse_train_args(rest, kCommand);
  NABLA_CHECK(parsed.config_path.empty(), "nabla summary: one model name only, got '", model, "' and '",
              parsed.config_path, "'");
  TrainConfig config = model_config(model);
  for (const auto& [key, value] : parsed.overrides) set_key(config, key, value);
  const std::vector<int64_t> dims = parse_input(input);
  auto net = models::create(model, {classes, dims}, model_options(config));
  std::string table = nn::summary(*net, dims).to_string();
  if (table.empty() || table.back() != '\n') table += '\n';
  std::printf("%s", table.c_str());
  return 0;
}

}  // namespace nabla::cli
