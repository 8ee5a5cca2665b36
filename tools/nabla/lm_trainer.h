#pragma once
// Training of language models (models::language_model_registry) by `nabla train`: a text corpus
// (data.name = "text") as one stream of character ids with a contiguous validation tail,
// truncated BPTT over contiguous rows for recurrent models or random blocks otherwise, gradient
// clipping, validation loss and bits per character per epoch, checkpoints that hold the model
// options and the vocabulary. See docs/cli.md.
#include "config.h"
#include "trainer.h"

namespace nabla::cli {

/// Trains the language model `config.model.name` as `config` and `options` say (options.data,
/// train_indices and val_indices are image-only and must be unset). Errors of the config or the
/// corpus raise Error. test_acc/test_loss stay NaN: a language model has no test split here.
TrainResult train_language_model(const TrainConfig& config, const TrainOptions& options);

}  // namespace nabla::cli
