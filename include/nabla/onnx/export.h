#pragma once
// ONNX export: walks a module tree and writes an ONNX model (opset 17 by default) that ONNX Runtime
// runs with nabla's eval-mode outputs. docs/interop.md lists the modules covered and their ops.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "nabla/nn/module.h"
#include "nabla/tensor.h"

namespace nabla::onnx {

/// The opset written by default (ONNX 1.12; LayerNormalization needs it).
inline constexpr int64_t default_opset = 17;

/// The ONNX model of `module` as bytes: a module from one tensor to one tensor (UnaryModule: every
/// layer and image model), models::SequenceClassifier (token ids, all of full length) or
/// models::GPT. The same as the vector form with one example input (a root with several inputs,
/// such as models::Bert, raises Error naming them).
/// `example_input` (N, …) fixes every dimension but the first: the model is run once on it (shapes of each module are recorded with forward hooks),
/// the graph input is "input" and the output "output", both with a symbolic batch dimension
/// "batch"; for models::GPT (tokens (N, T) int64 → logits (N, T, V)) the sequence length is
/// symbolic too ("sequence", any T ≤ block_size: the positions and the causal mask are computed
/// from T in the graph) and the tied lm_head reads transformer.wte.weight. For
/// nn::TransformerEncoderLayer, nn::TransformerEncoder and nn::MultiheadAttention (as
/// self-attention: query = key = value = the input), and a Sequential starting or ending with one,
/// the input is float (N, L, E) with batch_first, else (L, N, E), and both N and L are symbolic
/// ("batch", "sequence", in that layout); their masks are not exported (the unmasked forward), and
/// an unbatched (L, E) input raises Error. Parameters and buffers are initializers named by their state_dict keys. The module
/// must be in eval mode (raises Error otherwise: train-mode BatchNorm and Dropout have no fixed
/// graph). A module without an exporter raises Error naming its path and class, e.g.
/// "features.3 (MyLayer) has no ONNX form". `opset` must be 14 to 17. `metadata` is written as the
/// model's metadata_props (key/value strings; `nabla export` stores the run description there).
std::string export_model_bytes(nn::Module& module, const Tensor& example_input, int64_t opset = default_opset,
                               const std::map<std::string, std::string>& metadata = {});

/// The ONNX model of a root with one or several inputs, one example input per graph input, in
/// order: one ("input") for the models above; two for models::Bert, "tokens" and "segments" (N, T)
/// int64 → "output", the hidden states (N, T, d_model), with N and T symbolic ("batch",
/// "sequence"; any T ≤ max_len: the positions are a Slice of position_embed by T) and the padding
/// ids masked as keys in the graph (Equal to pad_id → Where −∞), as Bert::forward does; the same
/// two inputs for models::BertForMaskedLM ("output" the masked-LM logits (N, T, vocab_size), the
/// output layer tied to bert.token_embed.weight) and models::BertForSequenceClassification
/// ("output" the [CLS] logits (N, num_classes), N symbolic); three for models::Seq2Seq,
/// "source" (N, S) int64, "source_lengths" (N) int64 (each row's length, 1 ≤ length ≤ S) and
/// "target" (N, T) int64 (the teacher-forced decoder inputs) → "output", the logits
/// (N, T, tgt_vocab), with N, S and T symbolic ("batch", "source_sequence", "target_sequence"): the
/// encoder GRU reads the lengths as sequence_lens and its final state starts the decoder (initial_h),
/// the attention masks the steps past each length. A wrong
/// number of example inputs raises Error naming the root and its inputs, e.g. "Bert takes 2
/// example inputs (tokens, segments), got 1". Otherwise as the single-input form.
std::string export_model_bytes(nn::Module& module, const std::vector<Tensor>& example_inputs,
                               int64_t opset = default_opset, const std::map<std::string, std::string>& metadata = {});

/// export_model_bytes written to `path` atomically (a temporary file renamed over `path`); an
/// unwritable path raises Error naming it.
void export_model(nn::Module& module, const Tensor& example_input, const std::string& path,
                  int64_t opset = default_opset, const std::map<std::string, std::string>& metadata = {});
/// The vector form of export_model (several graph inputs, e.g. models::Bert's tokens and segments).
void export_model(nn::Module& module, const std::vector<Tensor>& example_inputs, const std::string& path,
                  int64_t opset = default_opset, const std::map<std::string, std::string>& metadata = {});

}  // namespace nabla::onnx
