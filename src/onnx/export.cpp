// export_model: records each module's shapes on the example input, walks the module tree through
// the exporters (GraphBuilder::run) and writes the ModelProto.
#include "nabla/onnx/export.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <optional>

#include "graph_builder.h"
#include "nabla/autograd.h"
#include "nabla/error.h"
#include "nabla/models/bert.h"
#include "nabla/models/gpt.h"
#include "nabla/models/seq2seq.h"
#include "nabla/models/sequence_classifier.h"
#include "nabla/nn/transformer.h"

namespace nabla::onnx {

namespace {

constexpr uint32_t kModelIrVersion = 1, kModelProducerName = 2, kModelProducerVersion = 3, kModelGraph = 7,
                   kModelOpsetImport = 8, kModelMetadata = 14, kEntryKey = 1, kEntryValue = 2;
constexpr uint32_t kOpsetVersion = 2;
constexpr uint32_t kValueName = 1, kValueType = 2, kTypeTensor = 1, kTensorTypeElem = 1, kTensorTypeShape = 2;
constexpr uint32_t kShapeDim = 1, kDimValue = 1, kDimParam = 2;
constexpr int64_t kIrVersion = 8;  // ONNX 1.12 (opset 17) writes IR version 8

int64_t onnx_elem_type(DType d) {
  switch (d) {
    case DType::Float32:
      return 1;
    case DType::Int64:
      return 7;
    default:
      throw Error("onnx export: the example input must be float32 (or int64 token ids), got " + dtype_name(d));
  }
}

// ValueInfoProto for a graph input/output: the first dimensions symbolic (named by `symbolic`:
// "batch", and "sequence" for a language model's tokens), the others fixed.
ProtoWriter value_info(const std::string& name, DType dtype, const Shape& shape,
                       const std::vector<std::string>& symbolic) {
  ProtoWriter dims;
  for (size_t i = 0; i < shape.size(); ++i) {
    ProtoWriter d;
    if (i < symbolic.size())
      d.bytes_field(kDimParam, symbolic[i]);
    else
      d.int_field(kDimValue, shape[i]);
    dims.message(kShapeDim, d);
  }
  ProtoWriter tensor;
  tensor.int_field(kTensorTypeElem, onnx_elem_type(dtype));
  tensor.message(kTensorTypeShape, dims);
  ProtoWriter type;
  type.message(kTypeTensor, tensor);
  ProtoWriter v;
  v.bytes_field(kValueName, name);
  v.message(kValueType, type);
  return v;
}

// One graph input or output: its name and its leading dimensions that are symbolic ("batch",
// "sequence"), the others fixed by the example.
struct GraphValue {
  std::string name;
  std::vector<std::string> symbolic;
};

// What the root `module` exports as: its name for errors, its graph inputs in the order of the
// example inputs, and the graph output (the batch symbolic, and the sequence lengths for GPT, the
// Bert roots and Seq2Seq, whose graphs read them from the tokens' shapes, and for the Transformer
// modules, whose graphs take any length).
struct Root {
  std::string name;
  std::vector<GraphValue> inputs;
  GraphValue output;
};

// The symbolic dims of a Transformer module's (N, L, E) or (L, N, E) tensors, in its layout:
// ("batch", "sequence") with batch_first, else ("sequence", "batch"). A Sequential answers for its
// first child (`input`) or its last; other modules (and an encoder without layers): none.
std::vector<std::string> sequence_dims(const nn::Module& module, bool input) {
  const nn::Module* m = &module;
  while (const auto* s = dynamic_cast<const nn::Sequential*>(m)) {
    if (s->size() == 0) return {};
    m = (*s)[input ? 0 : s->size() - 1].get();
  }
  std::optional<bool> batch_first;
  if (const auto* l = dynamic_cast<const nn::TransformerEncoderLayer*>(m)) batch_first = l->options.batch_first;
  if (const auto* a = dynamic_cast<const nn::MultiheadAttention*>(m)) batch_first = a->options.batch_first;
  if (const auto* e = dynamic_cast<const nn::TransformerEncoder*>(m); e && e->layers->size() > 0)
    return sequence_dims(*(*e->layers)[input ? 0 : e->layers->size() - 1], input);
  if (!batch_first) return {};
  if (*batch_first) return {"batch", "sequence"};
  return {"sequence", "batch"};
}

Root root_of(const nn::Module& module) {
  const std::vector<std::string> tokens = {"batch", "sequence"};
  const std::vector<GraphValue> bert_inputs = {{"tokens", tokens}, {"segments", tokens}};
  if (dynamic_cast<const models::Bert*>(&module)) return {"Bert", bert_inputs, {"output", tokens}};
  if (dynamic_cast<const models::BertForMaskedLM*>(&module)) return {module.name(), bert_inputs, {"output", tokens}};
  if (dynamic_cast<const models::BertForSequenceClassification*>(&module))
    return {module.name(), bert_inputs, {"output", {"batch"}}};
  if (dynamic_cast<const models::GPT*>(&module)) return {module.name(), {{"input", tokens}}, {"output", tokens}};
  if (dynamic_cast<const models::Seq2Seq*>(&module)) {
    const std::vector<std::string> target = {"batch", "target_sequence"};
    return {"Seq2Seq",
            {{"source", {"batch", "source_sequence"}}, {"source_lengths", {"batch"}}, {"target", target}},
            {"output", target}};
  }
  // A Transformer module, or a stack that starts or ends with one: its batch and sequence dims
  // symbolic on both sides (the layers between keep the positions: Linear, LayerNorm, …).
  std::vector<std::string> in = sequence_dims(module, true), out = sequence_dims(module, false);
  if (in.empty()) in = out.empty() ? std::vector<std::string>{"batch"} : out;
  if (out.empty()) out = in;
  return {module.name(), {{"input", in}}, {"output", out}};
}

// Runs the model to export on the example inputs.
Tensor run_example(nn::Module& module, const std::vector<Tensor>& x) {
  if (auto* m = dynamic_cast<models::Bert*>(&module)) return m->forward(x[0], x[1]);
  if (auto* m = dynamic_cast<models::BertForMaskedLM*>(&module)) return m->forward(x[0], x[1]);
  if (auto* m = dynamic_cast<models::BertForSequenceClassification*>(&module)) return m->forward(x[0], x[1]);
  if (auto* m = dynamic_cast<models::Seq2Seq*>(&module)) {
    NABLA_CHECK(x[1].dim() == 1 && x[1].dtype() == DType::Int64 && x[0].dim() == 2 && x[1].size(0) == x[0].size(0),
                "onnx export: Seq2Seq's example \"source_lengths\" must be int64 (N) for source (N, S) ",
                shape_str(x[0].shape()), ", got ", shape_str(x[1].shape()), " ", dtype_name(x[1].dtype()));
    return m->forward(x[0], x[1].to_vector<int64_t>(), x[2]);
  }
  if (auto* m = dynamic_cast<nn::MultiheadAttention*>(&module))  // self-attention, no masks
    return (*m)(x[0], x[0], x[0], {.need_weights = false}).first;
  if (auto* m = dynamic_cast<nn::UnaryModule*>(&module)) return (*m)(x[0]);
  if (auto* m = dynamic_cast<models::SequenceClassifier*>(&module)) return m->forward(x[0]);
  throw Error("onnx export: the model (" + module.name() +
              ") does not map one tensor to one tensor; the exported models are unary modules, "
              "SequenceClassifier, MultiheadAttention as self-attention (one input), GPT, Bert, BertForMaskedLM "
              "and BertForSequenceClassification (tokens, segments) and Seq2Seq (source, source_lengths, target)");
}

// Writes the root's nodes on the graph inputs `in` (named as root_of says); returns the output.
std::string export_root(GraphBuilder& g, nn::Module& module, const std::vector<std::string>& in) {
  if (auto* m = dynamic_cast<models::Bert*>(&module)) return export_bert(g, *m, "", in[0], in[1]);
  if (auto* m = dynamic_cast<models::BertForMaskedLM*>(&module))
    return export_bert_mlm_head(g, *m->bert, "bert", export_bert(g, *m->bert, "bert", in[0], in[1]));
  if (auto* m = dynamic_cast<models::BertForSequenceClassification*>(&module))
    return export_bert_cls_head(g, *m->bert, "bert", export_bert(g, *m->bert, "bert", in[0], in[1]));
  if (auto* m = dynamic_cast<models::Seq2Seq*>(&module)) return export_seq2seq(g, *m, in[0], in[1], in[2]);
  return g.run(module, "", in[0]);
}

}  // namespace

std::string export_model_bytes(nn::Module& module, const Tensor& example_input, int64_t opset,
                               const std::map<std::string, std::string>& metadata) {
  return export_model_bytes(module, std::vector<Tensor>{example_input}, opset, metadata);
}

std::string export_model_bytes(nn::Module& module, const std::vector<Tensor>& example_inputs, int64_t opset,
                               const std::map<std::string, std::string>& metadata) {
  NABLA_CHECK(opset >= 14 && opset <= 17, "onnx export: opset must be 14 to 17, got ", opset);
  const Root root = root_of(module);
  if (example_inputs.size() != root.inputs.size()) {
    std::string expected;
    for (const auto& v : root.inputs) expected += (expected.empty() ? "" : ", ") + v.name;
    throw Error("onnx export: " + root.name + " takes " + std::to_string(root.inputs.size()) + " example input" +
                (root.inputs.size() == 1 ? "" : "s") + " (" + expected + "), got " +
                std::to_string(example_inputs.size()));
  }
  for (size_t i = 0; i < example_inputs.size(); ++i) {
    const Tensor& example_input = example_inputs[i];
    NABLA_CHECK(example_input.defined() && example_input.dim() >= 1, "onnx export: the example input ",
                root.inputs.size() > 1 ? "\"" + root.inputs[i].name + "\" " : std::string(),
                "needs a batch dimension, got ",
                example_input.defined() ? shape_str(example_input.shape()) : "an undefined tensor");
  }
  for (auto& [path, m] : module.named_modules())
    NABLA_CHECK(!m->is_training(), "onnx export: ", path.empty() ? "the model" : path, " (", m->name(),
                ") is in training mode; call eval() first (train-mode BatchNorm and Dropout have no fixed graph)");

  // Run once, recording the shapes of each module's first call.
  std::map<const nn::Module*, CallShapes> shapes;
  std::vector<std::pair<nn::Module*, int64_t>> hooks;
  for (auto& [path, m] : module.named_modules()) {
    const int64_t id = m->register_forward_hook(
        [&shapes](nn::Module& self, const std::vector<Tensor>& in, const std::vector<Tensor>& out) {
          if (shapes.count(&self) || in.empty() || out.empty() || !in[0].defined() || !out[0].defined()) return;
          shapes[&self] = {in[0].shape(), out[0].shape()};
        });
    hooks.emplace_back(m.get(), id);
  }
  Tensor output;
  try {
    NoGradGuard no_grad;
    output = run_example(module, example_inputs);
  } catch (...) {
    for (auto& [m, id] : hooks) m->remove_forward_hook(id);
    throw;
  }
  for (auto& [m, id] : hooks) m->remove_forward_hook(id);

  GraphBuilder g(opset, std::move(shapes));
  std::vector<std::string> input_names;
  for (const auto& v : root.inputs) input_names.push_back(v.name);
  std::string out = export_root(g, module, input_names);
  for (const auto& name : input_names)
    if (out == name) out = g.node("Identity", {name}, "");
  g.name_output(out, root.output.name);

  ProtoWriter opset_id;
  opset_id.int_field(kOpsetVersion, opset);  // domain "" (ai.onnx) is the default
  ProtoWriter model;
  model.int_field(kModelIrVersion, kIrVersion);
  model.bytes_field(kModelProducerName, "nabla");
  model.bytes_field(kModelProducerVersion, "0.1");
  model.message(kModelOpsetImport, opset_id);
  for (const auto& [key, value] : metadata) {
    ProtoWriter entry;
    entry.bytes_field(kEntryKey, key);
    entry.bytes_field(kEntryValue, value);
    model.message(kModelMetadata, entry);
  }
  std::vector<ProtoWriter> inputs;
  for (size_t i = 0; i < example_inputs.size(); ++i)
    inputs.push_back(
        value_info(root.inputs[i].name, example_inputs[i].dtype(), example_inputs[i].shape(), root.inputs[i].symbolic));
  g.write_graph(model, kModelGraph, inputs,
                value_info(root.output.name, output.dtype(), output.shape(), root.output.symbolic));
  return model.take();
}

void export_model(nn::Module& module, const Tensor& example_input, const std::string& path, int64_t opset,
                  const std::map<std::string, std::string>& metadata) {
  export_model(module, std::vector<Tensor>{example_input}, path, opset, metadata);
}

void export_model(nn::Module& module, const std::vector<Tensor>& example_inputs, const std::string& path,
                  int64_t opset, const std::map<std::string, std::string>& metadata) {
  const std::string bytes = export_model_bytes(module, example_inputs, opset, metadata);
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    NABLA_CHECK(f.good(), "onnx export: cannot write ", path, " (cannot create ", tmp, ")");
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    f.flush();
    if (!f.good()) {
      std::remove(tmp.c_str());
      throw Error("onnx export: writing " + path + " failed (disk full?)");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw Error("onnx export: cannot rename " + tmp + " to " + path);
  }
}

}  // namespace nabla::onnx
