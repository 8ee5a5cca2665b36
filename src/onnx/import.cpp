// ONNX import: checks and compiles a parsed graph (values numbered, operators looked up, every
// unsupported one listed at once), then runs it node by node in OnnxModel.
#include "nabla/onnx/import.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "import_ops.h"
#include "model_proto.h"
#include "nabla/error.h"

namespace nabla::onnx {

/// A checked graph: nodes with their operator and numbered values.
struct CompiledGraph {
  struct Node {
    OpFn fn;
    ProtoNode proto;
    std::vector<int> inputs, outputs;  // value ids; -1 for an absent optional one
  };
  // Parameter: a weight; Statistic: BatchNormalization's running mean/variance (a buffer saved in
  // the state dict); Constant: an integer or scalar initializer (a buffer left out of it).
  enum class Kind { Parameter, Statistic, Constant };
  struct Initializer {
    std::string name;
    int value;
    Kind kind;
  };
  std::string file;
  int64_t opset = 0;
  std::map<std::string, std::string> metadata;
  size_t num_values = 0;
  std::vector<Node> nodes;
  std::vector<Initializer> initializers;
  std::vector<std::pair<ProtoValueInfo, int>> inputs;
  std::vector<std::pair<std::string, int>> outputs;
  std::vector<std::vector<int>> release_after;  // values no later node reads, by node
};

namespace {

constexpr int64_t kMinOpset = 7, kMaxOpset = 18;

std::string node_label(const ProtoNode& n, size_t index) {
  return "node '" + (n.name.empty() ? "#" + std::to_string(index) : n.name) + "' (" + n.op + ")";
}

std::string dims_str(const ProtoValueInfo& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.dims.size(); ++i)
    s += (i ? ", " : "") + (v.dims[i] < 0 ? v.dim_names[i] : std::to_string(v.dims[i]));
  return s + "]";
}

std::shared_ptr<const CompiledGraph> compile(ProtoModel m, const std::string& file,
                                             std::vector<Tensor>& initial) {
  NABLA_CHECK(m.opset >= kMinOpset && m.opset <= kMaxOpset, "onnx: ", file, ": opset ", m.opset,
              " is not supported (", kMinOpset, " to ", kMaxOpset, ")");
  auto g = std::make_shared<CompiledGraph>();
  g->file = file;
  g->opset = m.opset;
  g->metadata = m.metadata;
  std::map<std::string, int> ids;
  auto define = [&](const std::string& name, const std::string& by) {
    NABLA_CHECK(!ids.count(name), "onnx: ", file, ": value '", name, "' is defined twice (again by ", by, ")");
    const int id = static_cast<int>(g->num_values++);
    ids[name] = id;
    return id;
  };

  // BatchNormalization's running statistics are buffers, not parameters.
  std::set<std::string> statistics;
  for (const auto& n : m.nodes)
    if (n.op == "BatchNormalization")
      for (size_t i = 3; i < n.inputs.size() && i < 5; ++i) statistics.insert(n.inputs[i]);
  for (auto& [name, t] : m.initializers) {
    using Kind = CompiledGraph::Kind;
    const Kind kind = statistics.count(name)                   ? Kind::Statistic
                      : is_floating(t.dtype()) && t.dim() >= 1 ? Kind::Parameter
                                                               : Kind::Constant;
    g->initializers.push_back({name, define(name, "an initializer"), kind});
    initial.push_back(t);
  }
  for (const auto& v : m.inputs) {
    if (ids.count(v.name)) continue;  // an initializer also listed as an input (IR version < 4)
    g->inputs.emplace_back(v, define(v.name, "a graph input"));
  }
  NABLA_CHECK(!g->inputs.empty(), "onnx: ", file, ": the graph has no input");

  // Unsupported operators, all at once.
  std::map<std::string, std::vector<std::string>> unsupported;
  for (size_t i = 0; i < m.nodes.size(); ++i) {
    const ProtoNode& n = m.nodes[i];
    const std::string op = n.domain.empty() || n.domain == "ai.onnx" ? n.op : n.domain + "." + n.op;
    if (!(n.domain.empty() || n.domain == "ai.onnx") || !find_op(n.op))
      unsupported[op].push_back(n.name.empty() ? "#" + std::to_string(i) : n.name);
  }
  if (!unsupported.empty()) {
    std::string list;
    for (const auto& [op, nodes] : unsupported) {
      list += (list.empty() ? "" : ", ") + op + " (" + std::to_string(nodes.size()) + (nodes.size() == 1 ? " node: " : " nodes: ");
      for (size_t k = 0; k < nodes.size() && k < 3; ++k) list += (k ? ", " : "") + nodes[k];
      list += nodes.size() > 3 ? ", …)" : ")";
    }
    throw Error("onnx: " + file + ": unsupported operators: " + list);
  }

  for (size_t i = 0; i < m.nodes.size(); ++i) {
    ProtoNode& n = m.nodes[i];
    CompiledGraph::Node c{find_op(n.op), {}, {}, {}};
    for (const auto& in : n.inputs) {
      if (in.empty()) {
        c.inputs.push_back(-1);
        continue;
      }
      auto it = ids.find(in);
      NABLA_CHECK(it != ids.end(), "onnx: ", file, ": ", node_label(n, i), " uses '", in,
                  "', which no earlier node, graph input or initializer defines");
      c.inputs.push_back(it->second);
    }
    for (const auto& out : n.outputs) c.outputs.push_back(out.empty() ? -1 : define(out, node_label(n, i)));
    c.proto = std::move(n);
    g->nodes.push_back(std::move(c));
  }
  for (const auto& v : m.outputs) {
    auto it = ids.find(v.name);
    NABLA_CHECK(it != ids.end(), "onnx: ", file, ": graph output '", v.name, "' is not defined by any node");
    g->outputs.emplace_back(v.name, it->second);
  }

  // Free each intermediate value after its last reader (graph outputs stay).
  std::vector<int> last(g->num_values, -1);
  for (size_t k = 0; k < g->nodes.size(); ++k)
    for (int id : g->nodes[k].inputs)
      if (id >= 0) last[static_cast<size_t>(id)] = static_cast<int>(k);
  for (const auto& [name, id] : g->outputs) last[static_cast<size_t>(id)] = -1;
  g->release_after.resize(g->nodes.size());
  for (size_t id = 0; id < last.size(); ++id)
    if (last[id] >= 0) g->release_after[static_cast<size_t>(last[id])].push_back(static_cast<int>(id));
  return g;
}

// A child module holding the parameters and buffers under one dotted prefix of the initializer
// names ("layer1" → "0" → "conv1" holds "weight" and "bias").
class ParameterScope : public nn::Module {
 public:
  std::string name() const override { return "ParameterScope"; }
  Tensor& add(const std::string& n, Tensor t, CompiledGraph::Kind kind) {
    if (kind == CompiledGraph::Kind::Parameter) return add_parameter(n, std::move(t));
    return add_buffer(n, std::move(t), kind == CompiledGraph::Kind::Statistic);
  }
  ParameterScope& child(const std::string& n) {
    for (auto& [cn, c] : named_children())
      if (cn == n) return static_cast<ParameterScope&>(*c);
    return *register_module(n, std::make_shared<ParameterScope>());
  }
};

}  // namespace

OnnxModel::OnnxModel(std::shared_ptr<const CompiledGraph> graph, std::vector<Tensor> initializers)
    : graph_(std::move(graph)) {
  NABLA_CHECK(initializers.size() == graph_->initializers.size(), "OnnxModel: ", initializers.size(),
              " initial tensors for ", graph_->initializers.size(), " initializers");
  std::map<std::string, std::shared_ptr<ParameterScope>> scopes;
  std::set<std::string> flat_names;
  for (size_t i = 0; i < initializers.size(); ++i) {
    const auto& init = graph_->initializers[i];
    std::vector<std::string> parts;
    std::stringstream ss(init.name);
    for (std::string part; std::getline(ss, part, '.');) parts.push_back(part);
    const bool dotted = parts.size() > 1 && init.name.back() != '.' &&
                        std::none_of(parts.begin(), parts.end(), [](const std::string& p) { return p.empty(); });
    Tensor t = initializers[i].detach();
    if (!dotted) {
      // A name without dots, or with empty parts ("a..b"), is registered here with '.' as '_'.
      std::string flat = init.name;
      std::replace(flat.begin(), flat.end(), '.', '_');
      NABLA_CHECK(!flat.empty() && flat_names.insert(flat).second, "onnx: ", graph_->file, ": initializer name '",
                  init.name, "' is empty or clashes with another once '.' becomes '_'");
      weights_.push_back(init.kind == CompiledGraph::Kind::Parameter
                             ? add_parameter(flat, t)
                             : add_buffer(flat, t, init.kind == CompiledGraph::Kind::Statistic));
      continue;
    }
    std::shared_ptr<ParameterScope> scope;
    auto it = scopes.find(parts[0]);
    if (it == scopes.end()) {
      scope = register_module(parts[0], std::make_shared<ParameterScope>());
      scopes[parts[0]] = scope;
    } else {
      scope = it->second;
    }
    ParameterScope* s = scope.get();
    for (size_t k = 1; k + 1 < parts.size(); ++k) s = &s->child(parts[k]);
    weights_.push_back(s->add(parts.back(), t, init.kind));
  }
  eval();  // an imported graph describes inference: eval mode until train() is called
}

OnnxModel::~OnnxModel() = default;

std::string OnnxModel::extra_repr() const {
  std::string in, out;
  for (const auto& [v, id] : graph_->inputs) in += (in.empty() ? "" : ", ") + v.name;
  for (const auto& [n, id] : graph_->outputs) out += (out.empty() ? "" : ", ") + n;
  return "opset=" + std::to_string(graph_->opset) + ", nodes=" + std::to_string(graph_->nodes.size()) + ", inputs=[" +
         in + "], outputs=[" + out + "]";
}

std::vector<std::string> OnnxModel::input_names() const {
  std::vector<std::string> names;
  for (const auto& [v, id] : graph_->inputs) names.push_back(v.name);
  return names;
}

std::vector<std::string> OnnxModel::output_names() const {
  std::vector<std::string> names;
  for (const auto& [n, id] : graph_->outputs) names.push_back(n);
  return names;
}

std::vector<int64_t> OnnxModel::input_shape(size_t i) const {
  NABLA_CHECK(i < graph_->inputs.size(), "OnnxModel: input ", i, " of ", graph_->inputs.size());
  return graph_->inputs[i].first.dims;
}

DType OnnxModel::input_dtype(size_t i) const {
  NABLA_CHECK(i < graph_->inputs.size(), "OnnxModel: input ", i, " of ", graph_->inputs.size());
  const ProtoValueInfo& info = graph_->inputs[i].first;
  if (info.elem_type == 0) return DType::Float32;
  return dtype_of_onnx(info.elem_type, "onnx: " + graph_->file + ": input '" + info.name + "'");
}

int64_t OnnxModel::opset() const { return graph_->opset; }

std::string OnnxModel::metadata(const std::string& key) const {
  auto it = graph_->metadata.find(key);
  return it == graph_->metadata.end() ? "" : it->second;
}
int64_t OnnxModel::num_nodes() const { return static_cast<int64_t>(graph_->nodes.size()); }

Tensor OnnxModel::forward(const Tensor& input) {
  NABLA_CHECK(graph_->inputs.size() == 1, "onnx: ", graph_->file, ": the graph has ", graph_->inputs.size(),
              " inputs; call forward_all with all of them");
  return forward_all({input})[0];
}

std::vector<Tensor> OnnxModel::forward_all(const std::vector<Tensor>& inputs) {
  const CompiledGraph& g = *graph_;
  const std::string where = "onnx: " + g.file;
  NABLA_CHECK(inputs.size() == g.inputs.size(), where, ": the graph takes ", g.inputs.size(), " inputs, got ",
              inputs.size());
  std::vector<Tensor> values(g.num_values);
  for (size_t i = 0; i < weights_.size(); ++i) values[static_cast<size_t>(g.initializers[i].value)] = weights_[i];
  for (size_t i = 0; i < inputs.size(); ++i) {
    const auto& [info, id] = g.inputs[i];
    const Tensor& x = inputs[i];
    NABLA_CHECK(x.defined(), where, ": input '", info.name, "' is undefined");
    if (info.elem_type != 0) {
      const DType want = dtype_of_onnx(info.elem_type, where + ": input '" + info.name + "'");
      NABLA_CHECK(x.dtype() == want, where, ": input '", info.name, "' must be ", dtype_name(want), ", got ",
                  dtype_name(x.dtype()));
    }
    if (info.has_shape) {
      bool ok = x.dim() == static_cast<int64_t>(info.dims.size());
      for (size_t k = 0; ok && k < info.dims.size(); ++k) ok = info.dims[k] < 0 || info.dims[k] == x.shape()[k];
      NABLA_CHECK(ok, where, ": input '", info.name, "' expects shape ", dims_str(info), ", got ", shape_str(x.shape()));
    }
    values[static_cast<size_t>(id)] = x;
  }
  const bool training = is_training();
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    const auto& node = g.nodes[k];
    OpCall call{node.proto, {}, g.opset, training};
    call.in.reserve(node.inputs.size());
    for (size_t j = 0; j < node.inputs.size(); ++j) {
      const int id = node.inputs[j];
      if (id >= 0 && !values[static_cast<size_t>(id)].defined())
        throw Error(where + ": " + node_label(node.proto, k) + ": input '" + node.proto.inputs[j] +
                    "' was not computed (an optional output that its node does not make)");
      call.in.push_back(id < 0 ? Tensor() : values[static_cast<size_t>(id)]);
    }
    std::vector<Tensor> out;
    try {
      out = node.fn(call);
    } catch (const Error& e) {
      throw Error(where + ": " + node_label(node.proto, k) + ": " + e.what());
    }
    for (size_t j = 0; j < node.outputs.size() && j < out.size(); ++j)
      if (node.outputs[j] >= 0) values[static_cast<size_t>(node.outputs[j])] = std::move(out[j]);
    for (int id : g.release_after[k]) values[static_cast<size_t>(id)] = Tensor();
  }
  std::vector<Tensor> outputs;
  for (const auto& [name, id] : g.outputs) {
    NABLA_CHECK(values[static_cast<size_t>(id)].defined(), where, ": output '", name, "' was not computed");
    outputs.push_back(values[static_cast<size_t>(id)]);
  }
  return outputs;
}

std::vector<Tensor> OnnxModel::operator()(const std::vector<Tensor>& inputs) {
  std::vector<Tensor> outputs = forward_all(inputs);
  if (has_forward_hooks()) run_forward_hooks(inputs, outputs);
  return outputs;
}

std::shared_ptr<OnnxModel> load_bytes(std::string_view bytes, const std::string& name) {
  std::vector<Tensor> initial;
  auto graph = compile(parse_model(bytes, name), name, initial);
  return std::make_shared<OnnxModel>(std::move(graph), std::move(initial));
}

std::shared_ptr<OnnxModel> load(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  NABLA_CHECK(f.good(), "onnx: cannot open ", path);
  std::ostringstream ss;
  ss << f.rdbuf();
  NABLA_CHECK(!f.bad(), "onnx: reading ", path, " failed");
  const std::string bytes = ss.str();
  NABLA_CHECK(!bytes.empty(), "onnx: ", path, " is empty");
  return load_bytes(bytes, path);
}

bool is_onnx_file(const std::string& path) {
  return path.size() >= 5 && path.compare(path.size() - 5, 5, ".onnx") == 0;
}

std::vector<std::string> supported_operators() { return op_names(); }

}  // namespace nabla::onnx
