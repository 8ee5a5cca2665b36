#pragma once
// Checkpoints of language models trained by `nabla train`: beside the tensors (written by
// train::Trainer) the user JSON holds the model name and options, the character vocabulary (so
// that `nabla generate` encodes prompts and decodes ids from the file alone) and the resolved
// config, under "language_model": true, which tells them from image-model checkpoints.
#include <memory>
#include <string>

#include "config.h"
#include "nabla/data/text.h"
#include "nabla/models/language_model.h"
#include "nabla/models/registry.h"

namespace nabla::cli {

/// What a language-model checkpoint describes besides the tensors.
struct LanguageModelInfo {
  std::string model;              ///< name in models::language_model_registry()
  models::OptionValues options;   ///< the model's own option values
  data::CharVocab vocab;          ///< the tokenizer: one id per byte of the corpus
  TrainConfig config;             ///< train.out_dir is not stored
  double val_loss = 0;            ///< validation loss (nats per token) of this checkpoint's epoch
};

/// The user JSON of a language-model checkpoint.
std::string lm_checkpoint_json(const LanguageModelInfo& info);

/// Whether the checkpoint at `path` (which must exist and be a checkpoint) holds a language model.
bool is_language_model_checkpoint(const std::string& path);

/// Reads what lm_checkpoint_json wrote; Error naming the file when it is not a language model's.
LanguageModelInfo read_lm_info(const std::string& path);

/// A language model rebuilt from a checkpoint, in eval mode, with its description.
struct LoadedLanguageModel {
  std::shared_ptr<models::CausalLM> model;
  LanguageModelInfo info;
};

/// Rebuilds the model of a language-model checkpoint and loads its weights.
LoadedLanguageModel load_language_model(const std::string& path);

}  // namespace nabla::cli
