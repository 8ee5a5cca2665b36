#pragma once
// The typed configuration of `nabla train`: TOML sections model / data / optimizer / schedule /
// train, overridden by command-line flags (`--optimizer.lr 0.05`, or short aliases such as
// `--lr`). Unknown keys raise an error listing the valid ones; a value of the wrong type raises
// an error naming the key.
#include <cstdint>
#include <string>
#include <vector>

#include "nabla/data/readers.h"
#include "nabla/models/registry.h"

namespace nabla::cli {

/// Every setting of a training run, with the defaults of the default recipe
/// (configs/lenet5_fashion.toml).
struct TrainConfig {
  struct Model {
    std::string name = "lenet5";
    /// model.<key>: the options this config sets, by key. The model named reads its own keys from
    /// here and takes its own default for each key not here (model_options), so a key shared by
    /// several models (depth, dropout, …) never carries one model's default into another. The
    /// default recipe sets batch_norm (LeNet-5 with BatchNorm).
    models::OptionValues options = {{"batch_norm", true}};
  } model;
  struct Data {
    std::string name = "fashion-mnist"; ///< fashion-mnist, idx, cifar10, cifar100, image-folder, npz, csv (image_data.h)
    std::string dir = data::FashionMNIST::kDefaultRoot;
    std::string train_file = "";  ///< csv: the training rows (empty: <dir>/train.csv)
    std::string test_file = "";   ///< csv: the test rows (empty: <dir>/test.csv when it exists)
    double test_fraction = 0.0;   ///< csv without a test file: fraction of the rows held out as test (seeded)
    std::string label = "-1";     ///< csv: the label column, a header name or an index (negative: from the end)
    std::string delimiter = ",";  ///< csv: one character
    bool header = true;           ///< csv: the first line names the columns
    int64_t num_classes = 0;      ///< csv: 0 = the largest label + 1
    int64_t val_size = 5000;      ///< held out of the training images (seeded)
    int64_t train_subset = 0;     ///< 0 = every remaining training image
    int64_t test_subset = 0;      ///< 0 = all test images
    std::string augment = "none"; ///< none, flip, crop (random crop of the image size, pad crop_padding, + flip)
    int64_t crop_padding = 2;     ///< augment = crop: zero padding on each side before the random crop
    double erasing = 0.0;         ///< random erasing probability per image (0: off)
    double erasing_scale_min = 0.02, erasing_scale_max = 0.33;  ///< random erasing: area fraction range
    int64_t cutout = 0;           ///< cutout: side of the square zeroed in each image (0: off)
    double mixup_alpha = 0.0;     ///< MixUp's Beta(α, α) (0: off)
    double cutmix_alpha = 0.0;    ///< CutMix's Beta(α, α) (0: off)
    double mix_prob = 1.0;        ///< probability that a batch is mixed (MixUp or CutMix, chosen evenly when both are on)
    std::vector<int64_t> classes = {};  ///< train on these classes only, relabelled 0..k−1 (empty: all)
    std::string normalize = "fixed"; ///< fixed (0.2860/0.3530), train (one mean/std from the training split) or channel (per channel)
    int64_t workers = 0;          ///< DataLoader worker threads (0: load in the training thread)
    bool drop_last = false;       ///< drop the last incomplete training batch
    bool fortunes = false;        ///< text: '%' lines separate fortunes (Debian's fortune files)
    double val_fraction = 0.1;    ///< text: the tail of the token stream held out for validation
  } data;
  struct Optimizer {
    std::string name = "sgd";     ///< sgd, adam, adamw
    double lr = 0.05;
    double momentum = 0.9;        ///< SGD only
    bool nesterov = true;         ///< SGD only
    double weight_decay = 5e-4;
  } optimizer;
  struct Schedule {
    std::string name = "onecycle"; ///< constant, cosine, onecycle, step
    double warmup_pct = 0.2;       ///< onecycle: fraction of steps spent rising
    int64_t warmup_epochs = 0;     ///< cosine, constant: linear warmup over this many epochs
    int64_t warmup_steps = 0;      ///< cosine, constant: linear warmup over this many batches (not with warmup_epochs)
    int64_t step_size = 3;         ///< step: epochs between decays
    double gamma = 0.1;            ///< step: decay factor
  } schedule;
  struct Train {
    int64_t epochs = 15;
    int64_t batch_size = 64;
    int64_t seed = 0;
    int64_t threads = 2;
    std::string out_dir = "runs";
    std::string name = "";         ///< run directory name; "" = <model>_<YYYYmmdd-HHMMSS>
    int64_t overfit_batches = 0;   ///< > 0: train on this many fixed batches only
    double min_test_acc = 0.0;     ///< exit with status 1 below this test accuracy
    int64_t log_interval_s = 10;   ///< seconds between progress lines when not on a terminal
    bool lr_find = false;          ///< run the learning-rate range test instead of training
    int64_t seq_len = 128;         ///< language models: tokens per chunk (BPTT length) or block
    double clip_grad_norm = 0.0;   ///< clip the global gradient norm to this before each step (0: off)
    double label_smoothing = 0.0;  ///< cross-entropy label smoothing ε
    bool tta = false;              ///< also report the test accuracy with flip test-time augmentation
    std::string init = "";         ///< start from the weights of this nabla checkpoint or PyTorch .pt/.pth file (head re-initialised when its shape differs)
    std::string init_key = "";     ///< PyTorch init: the nested entry holding the state dict (e.g. model)
    bool init_non_strict = false;  ///< PyTorch init: load the matching tensors, list the missing and unexpected ones
    std::string freeze = "none";   ///< none, or backbone: train only the classifier head (a linear probe)
  } train;
};

/// The options `config.model.name` is built with: for each of the model's own fields the value
/// the config sets, else the field's default. Raises Error for an unknown model name.
models::OptionValues model_options(const TrainConfig& config);

/// One configurable key: its dotted name, type, current value as text and help.
struct ConfigKeyInfo {
  std::string key, type, value, help;
};

/// All keys of `config`, in section order, with their current values (a model key the config does
/// not set shows the named model's default, or for another model's key, that model's).
std::vector<ConfigKeyInfo> config_keys(const TrainConfig& config);

/// Applies the TOML document `text` (`source` names it in errors) over `config`.
void apply_toml(TrainConfig& config, const std::string& text, const std::string& source);
/// Reads and applies a TOML file.
void apply_toml_file(TrainConfig& config, const std::string& path);
/// Sets one key from command-line text (`key` dotted or a short alias: lr, epochs, batch_size,
/// batch-size, seed, threads, model, optimizer, schedule, name, out_dir, out-dir, data,
/// momentum, weight_decay, weight-decay, overfit_batches, overfit-batches).
void set_key(TrainConfig& config, const std::string& key, const std::string& value);
/// The resolved configuration as a TOML document, section by section: every key, except that
/// [model] holds only the named model's keys, each with the value it is built with.
std::string to_toml(const TrainConfig& config);
/// Checks value ranges (positive epochs, known optimizer names, …); raises Error naming the key.
void validate(const TrainConfig& config);

/// What the `train` arguments said: the config file (if any) and the overrides in order.
struct TrainArgs {
  std::string config_path;
  std::vector<std::pair<std::string, std::string>> overrides;
  bool help = false;
};
/// Parses `[CONFIG.toml] [--key value | --key=value]…`; boolean keys also accept a bare flag
/// (`--model.batch_norm`). Raises Error for a second positional argument or a missing value;
/// `command` names the caller in errors.
TrainArgs parse_train_args(const std::vector<std::string>& args, const std::string& command = "nabla train");
/// Defaults, then the file, then the overrides; validated.
TrainConfig resolve_config(const TrainArgs& args);

}  // namespace nabla::cli
