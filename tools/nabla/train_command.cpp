// `nabla train`: resolves the config (defaults, file, flags — or the config stored in the
// checkpoint given to --resume, then flags) and runs train_model.
#include <cstdio>

#include "checkpoint.h"
#include "commands.h"
#include "config.h"
#include "lm_checkpoint.h"
#include "lm_trainer.h"
#include "nabla/error.h"
#include "nabla/models/lm_registry.h"
#include "train_setup.h"
#include "trainer.h"

namespace nabla::cli {

namespace {

void print_help(const TrainConfig& shown) {
  std::printf(
      "Usage: nabla train [CONFIG.toml] [--section.key VALUE | --alias VALUE]...\n"
      "       nabla train --resume RUN/last.safetensors [--section.key VALUE]...\n\n"
      "Trains an image classifier on data.name (default fashion-mnist), or a language model\n"
      "(model.name char_lstm) on a text corpus (data.name text). Values come from the\n"
      "defaults, then the config file, then the flags. --resume continues a run in its directory\n"
      "with the config stored in the checkpoint. Aliases: --lr --epochs --batch-size --seed\n"
      "--threads --model --optimizer --schedule --name --out-dir --data --momentum --weight-decay\n"
      "--overfit-batches --min-test-acc --lr-find --augment --workers --init --freeze --tta\n"
      "--label-smoothing --init-key --init-non-strict\n\n"
      "Transfer learning: --init RUN/best.safetensors starts from a checkpoint's weights (a\n"
      "classifier head of another shape is re-initialised); --freeze backbone trains only the\n"
      "head (a linear probe). --init FILE.pth starts from a PyTorch state dict (--init-key K picks\n"
      "a nested entry such as model); keys and shapes must match the model, except a head of\n"
      "another shape, unless --init-non-strict, which loads what matches and lists the rest.\n\n"
      "A model.* key the config does not set takes the named model's own default; `nabla train\n"
      "--model NAME --help` lists NAME's.\n\n"
      "Config keys (default value):\n");
  for (const auto& k : config_keys(shown))
    std::printf("  %-24s %-14s %-12s %s\n", k.key.c_str(), k.type.c_str(), k.value.c_str(), k.help.c_str());
}

int64_t parse_count(const std::string& flag, const std::string& text) {
  try {
    size_t used = 0;
    const long long v = std::stoll(text, &used);
    if (used == text.size() && v > 0) return v;
  } catch (const std::exception&) {
  }
  throw Error("nabla train: " + flag + " expects a positive integer, got '" + text + "'");
}

}  // namespace

int run_train(const std::vector<std::string>& all_args) {
  // --resume and --stop-after-epoch steer the run; they are not config keys.
  TrainOptions options;
  std::vector<std::string> args;
  for (size_t i = 0; i < all_args.size(); ++i) {
    const std::string& a = all_args[i];
    if (a == "--resume" || a == "--stop-after-epoch") {
      NABLA_CHECK(i + 1 < all_args.size(), "nabla train: ", a, " needs a value");
      if (a == "--resume") options.resume_from = all_args[++i];
      else options.stop_after_epoch = parse_count(a, all_args[++i]);
    } else if (a.rfind("--resume=", 0) == 0) {
      options.resume_from = a.substr(9);
    } else {
      args.push_back(a);
    }
  }
  const TrainArgs parsed = parse_train_args(args);
  if (parsed.help) {
    TrainConfig shown;  // with the flags given, so that `--model NAME --help` lists NAME's defaults
    for (const auto& [key, value] : parsed.overrides) set_key(shown, key, value);
    print_help(shown);
    return 0;
  }
  TrainConfig c;
  if (options.resume_from.empty()) {
    c = resolve_config(parsed);
  } else {
    NABLA_CHECK(parsed.config_path.empty(), "nabla train: --resume takes the config stored in the checkpoint; drop '",
                parsed.config_path, "' (flags may still override keys)");
    c = is_language_model_checkpoint(options.resume_from) ? read_lm_info(options.resume_from).config
                                                          : read_run_info(options.resume_from).config;
    for (const auto& [key, value] : parsed.overrides) set_key(c, key, value);
    validate(c);
  }
  if (c.train.name.empty()) c.train.name = default_run_name(c.model.name);
  options.command_line = "nabla train";
  for (const auto& a : all_args) options.command_line += " " + a;
  if (models::is_language_model(c.model.name)) return train_language_model(c, options).status;
  return train_model(c, options).status;
}

}  // namespace nabla::cli
