// The autograd engine: recording nodes and running backward (or grad) in reverse topological
// order. One routine, run_graph, serves both: backward accumulates into the leaves' .grad,
// grad captures the gradients of chosen tensors and touches no .grad.
#include <atomic>
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "nabla/autograd.h"
#include "nabla/autograd/primitives.h"
#include "nabla/ops.h"

namespace nabla::autograd {
namespace {

thread_local bool g_grad_enabled = true;
// The node whose rule is running on this thread (SavedTensor::get names it and reconnects
// saved outputs to it).
thread_local const std::shared_ptr<Node>* g_running_node = nullptr;
std::atomic<bool> g_anomaly{false};
std::atomic<uint64_t> g_sequence{0};

// True when every element of a floating tensor is finite.
bool all_finite(const Tensor& t) {
  if (!is_floating(t.dtype())) return true;
  NoGradGuard guard;
  return !logical_not(isfinite(t)).to(DType::Int64).sum().item();
}

Edge edge_of(const Tensor& t) {
  Edge e;
  if (!t.defined()) return e;
  if (t.grad_fn()) {
    e.fn = t.grad_fn();
    e.output_nr = t.impl().output_nr;
  } else if (t.requires_grad()) {
    e.leaf = t.impl_ptr();
  }
  return e;
}

std::shared_ptr<Node> make_node(const char* name, const std::vector<Tensor>& inputs, BackwardFn fn) {
  const Primitive* entry = find_primitive(name);
  NABLA_CHECK(entry != nullptr, "autograd: op '", name,
              "' records a graph but is not listed in the index of differentiable primitives "
              "(src/autograd/primitives.cpp); add it there with its rule and a gradcheck");
  auto node = std::make_shared<Node>();
  node->name = name;
  node->backward = std::move(fn);
  node->double_differentiable = entry->double_differentiable;
  node->sequence = g_sequence.fetch_add(1, std::memory_order_relaxed);
  node->next.reserve(inputs.size());
  for (const Tensor& t : inputs) {
    node->next.push_back(edge_of(t));
    node->input_shapes.push_back(t.defined() ? t.shape() : Shape{});
    node->input_dtypes.push_back(t.defined() ? t.dtype() : DType::Float32);
  }
  return node;
}

void attach(Tensor& output, const std::shared_ptr<Node>& node, uint32_t output_nr) {
  output.impl().grad_fn = node;
  output.impl().output_nr = output_nr;
  output.impl().requires_grad = true;
}

BackwardFn from_unary(UnaryBackwardFn fn) {
  return [fn = std::move(fn)](const std::vector<Tensor>& grads) { return fn(grads[0]); };
}

// Adds g into leaf.grad. Without a graph being recorded, the first gradient is copied (g may be
// shared with other gradients) and later ones are added in place; with create_graph the sum is
// out of place so that .grad keeps its history.
void accumulate_into_leaf(TensorImpl& leaf, const Tensor& g) {
  Tensor gc = g.dtype() == leaf.dtype ? g : g.to(leaf.dtype);
  if (!leaf.grad) {
    leaf.grad = gc.clone().impl_ptr();
  } else if (grad_enabled()) {
    leaf.grad = (Tensor(leaf.grad) + gc).impl_ptr();
  } else {
    Tensor(leaf.grad).add_(gc);
  }
}

// A gradient produced, while recording, by a rule that is not written with recorded ops: it gets
// a node that raises if a later backward reaches it, instead of silently giving a wrong
// higher-order derivative.
Tensor guard_not_double_differentiable(const Tensor& g, const Node& n, const std::vector<Tensor>& grad_outputs) {
  std::vector<Edge> edges = n.next;
  for (const Tensor& go : grad_outputs) edges.push_back(edge_of(go));
  bool any = false;
  for (const Edge& e : edges) any = any || e.valid();
  if (!any) return g;
  auto guard = std::make_shared<Node>();
  guard->name = n.name + "_backward";
  guard->next = std::move(edges);
  guard->input_shapes.assign(guard->next.size(), Shape{});
  guard->input_dtypes.assign(guard->next.size(), g.dtype());
  guard->outputs.push_back({g.shape(), g.dtype()});
  guard->sequence = g_sequence.fetch_add(1, std::memory_order_relaxed);
  const std::string op = n.name;
  guard->backward = [op](const std::vector<Tensor>&) -> std::vector<Tensor> {
    throw Error(str_cat("autograd: the backward rule of op '", op,
                        "' is not differentiable, so a derivative of its gradient (double backward) cannot be taken; "
                        "see docs/autograd.md for the ops that support higher-order gradients"));
  };
  Tensor out(std::make_shared<TensorImpl>(g.detach().impl()));
  out.impl().is_view = g.impl().is_view;
  attach(out, guard, 0);
  return out;
}

struct BySequence {
  bool operator()(const std::shared_ptr<Node>& a, const std::shared_ptr<Node>& b) const {
    return a->sequence < b->sequence;
  }
};

// What one run of the graph does with the gradients that reach leaves and chosen tensors.
struct GraphTask {
  bool keep_graph = false;
  bool create_graph = false;
  bool accumulate = true;  // backward(): into leaves' .grad; grad(): capture only
  // grad(): which gradients to capture. A leaf target is matched by its impl; an intermediate
  // target by (its node, its output number).
  std::unordered_map<const TensorImpl*, std::vector<size_t>> leaf_targets;
  std::unordered_map<const Node*, std::vector<std::pair<uint32_t, size_t>>> node_targets;
  std::vector<Tensor> captured;
};

void add_to(Tensor& slot, const Tensor& g) { slot = slot.defined() ? slot + g : g; }

// Nodes that lead to a capture target (grad() runs only those); every node when accumulating.
std::unordered_set<const Node*> nodes_that_matter(const std::vector<Node*>& order, const GraphTask& task) {
  std::unordered_set<const Node*> needed;
  // `order` lists nodes so that a node comes after every node it points to (post-order).
  for (const Node* n : order) {
    bool need = false;
    for (const Edge& e : n->next) {
      if (e.leaf && task.leaf_targets.count(e.leaf.get())) need = true;
      if (e.fn && (needed.count(e.fn.get()) || task.node_targets.count(e.fn.get()))) need = true;
    }
    if (need) needed.insert(n);
  }
  return needed;
}

void run_graph(const std::vector<Tensor>& roots, const std::vector<Tensor>& root_grads, GraphTask& task) {
  // With create_graph the rules run in grad mode, so what they compute records a graph.
  const bool prev_mode = g_grad_enabled;
  g_grad_enabled = task.create_graph;
  struct Restore {
    bool mode;
    ~Restore() { g_grad_enabled = mode; }
  } restore{prev_mode};

  std::unordered_map<Node*, std::vector<Tensor>> pending;  // gradients of each node's outputs
  std::vector<std::shared_ptr<Node>> root_nodes;
  for (size_t i = 0; i < roots.size(); ++i) {
    const Tensor& r = roots[i];
    const Tensor& g = root_grads[i];
    if (!g.defined()) continue;
    if (r.is_leaf()) {
      if (task.accumulate) accumulate_into_leaf(r.impl(), g);
      if (auto it = task.leaf_targets.find(r.impl_ptr().get()); it != task.leaf_targets.end())
        for (size_t k : it->second) add_to(task.captured[k], g);
      continue;
    }
    Node* n = r.grad_fn().get();
    auto& slots = pending[n];
    slots.resize(n->outputs.size());
    add_to(slots[r.impl().output_nr], g);
    root_nodes.push_back(r.grad_fn());
  }
  if (root_nodes.empty()) return;

  // Count, for every node reachable from the roots, how many edges point at it; keep a
  // post-order for the capture pruning.
  std::unordered_map<Node*, int> dependencies;
  std::unordered_set<Node*> seen;
  std::vector<Node*> post_order;
  {
    std::vector<std::pair<Node*, size_t>> stack;
    for (const auto& r : root_nodes)
      if (seen.insert(r.get()).second) stack.emplace_back(r.get(), 0);
    while (!stack.empty()) {
      auto& [n, i] = stack.back();
      if (i < n->next.size()) {
        const Edge& e = n->next[i++];
        if (!e.fn) continue;
        ++dependencies[e.fn.get()];
        if (seen.insert(e.fn.get()).second) stack.emplace_back(e.fn.get(), 0);
      } else {
        post_order.push_back(n);
        stack.pop_back();
      }
    }
  }
  const std::unordered_set<const Node*> needed =
      task.accumulate ? std::unordered_set<const Node*>{} : nodes_that_matter(post_order, task);

  // The queue owns the nodes it holds, so they live while they run even if their last other
  // owner drops them.
  std::priority_queue<std::shared_ptr<Node>, std::vector<std::shared_ptr<Node>>, BySequence> ready;
  std::unordered_set<Node*> queued;
  for (const auto& r : root_nodes)
    if (dependencies[r.get()] == 0 && queued.insert(r.get()).second) ready.push(r);

  while (!ready.empty()) {
    const std::shared_ptr<Node> n_owner = ready.top();
    Node* n = n_owner.get();
    ready.pop();
    std::vector<Tensor> grads;
    if (auto it = pending.find(n); it != pending.end()) {
      grads = std::move(it->second);
      pending.erase(it);
    }
    grads.resize(n->outputs.size());
    if (auto it = task.node_targets.find(n); it != task.node_targets.end())
      for (const auto& [output_nr, k] : it->second)
        if (grads[output_nr].defined()) add_to(task.captured[k], grads[output_nr]);

    bool any_grad = false;
    for (const Tensor& g : grads) any_grad = any_grad || g.defined();
    const bool run = any_grad && (task.accumulate || needed.count(n));

    std::vector<Tensor> input_grads(n->next.size());
    if (run) {
      NABLA_CHECK(!n->released, "backward: trying to backward through the graph a second time (op ", n->name,
                  "); its saved tensors were freed after the first backward. Pass retain_graph=true to the first "
                  "backward if you need to backward twice");
      for (size_t k = 0; k < grads.size(); ++k)
        if (grads[k].defined())
          NABLA_CHECK(grads[k].shape() == n->outputs[k].shape, "backward: the gradient of output ", k, " of op ",
                      n->name, " has shape ", grads[k].shape(), ", expected ", n->outputs[k].shape);
      const std::shared_ptr<Node>* prev_node = g_running_node;
      g_running_node = &n_owner;
      struct RestoreNode {
        const std::shared_ptr<Node>* prev;
        ~RestoreNode() { g_running_node = prev; }
      } restore_node{prev_node};
      input_grads = n->backward(grads);
      NABLA_CHECK(input_grads.size() == n->next.size(), "backward of op ", n->name, " returned ", input_grads.size(),
                  " gradients for ", n->next.size(), " inputs");
    }
    for (size_t i = 0; i < n->next.size(); ++i) {
      const Edge& e = n->next[i];
      Tensor gi = input_grads[i];
      if (gi.defined()) {
        NABLA_CHECK(gi.shape() == n->input_shapes[i], "backward of op ", n->name, " returned a gradient of shape ",
                    gi.shape(), " for input ", i, " of shape ", n->input_shapes[i]);
        if (gi.dtype() != n->input_dtypes[i] && is_floating(n->input_dtypes[i])) gi = gi.to(n->input_dtypes[i]);
        if (anomaly_enabled())
          NABLA_CHECK(all_finite(gi), "anomaly detected: backward of op ", n->name,
                      " returned NaN or Inf in the gradient of input ", i, " (shape ", gi.shape(), ")");
        if (task.create_graph && !n->double_differentiable) gi = guard_not_double_differentiable(gi, *n, grads);
      }
      if (e.leaf) {
        if (gi.defined()) {
          if (task.accumulate) accumulate_into_leaf(*e.leaf, gi);
          if (auto it = task.leaf_targets.find(e.leaf.get()); it != task.leaf_targets.end())
            for (size_t k : it->second) add_to(task.captured[k], gi);
        }
      } else if (e.fn) {
        Node* next = e.fn.get();
        if (gi.defined()) {
          auto& slots = pending[next];
          slots.resize(next->outputs.size());
          add_to(slots[e.output_nr], gi);
        }
        if (--dependencies[next] == 0) ready.push(e.fn);
      }
    }
    if (!task.keep_graph && run) {
      n->backward = nullptr;
      n->released = true;
    }
  }
}

// One gradient per root: the given one, or ones for a one-element root.
std::vector<Tensor> root_gradients(const std::vector<Tensor>& roots, const std::vector<Tensor>& given,
                                   const char* op) {
  NABLA_CHECK(given.empty() || given.size() == roots.size(), op, ": got ", given.size(), " gradients for ",
              roots.size(), " outputs");
  std::vector<Tensor> grads(roots.size());
  for (size_t i = 0; i < roots.size(); ++i) {
    const Tensor& r = roots[i];
    NABLA_CHECK(r.defined(), op, ": output ", i, " is undefined");
    NABLA_CHECK(r.requires_grad(), op, ": element ", i,
                " of tensors does not require grad and does not have a grad_fn (shape ", r.shape(), ")");
    const Tensor g = given.empty() ? Tensor() : given[i];
    if (!g.defined()) {
      NABLA_CHECK(r.numel() == 1, op, ": grad can be implicitly created only for scalar outputs, got shape ",
                  r.shape());
      grads[i] = ones_like(r);
    } else {
      NABLA_CHECK(g.shape() == r.shape(), op, ": gradient of shape ", g.shape(), " does not match the output of shape ",
                  r.shape());
      grads[i] = g;
    }
  }
  return grads;
}

}  // namespace

SavedTensor::SavedTensor(const Tensor& t) : data_(t) {
  if (t.defined()) version_ = t.impl().storage->version();
}

SavedTensor SavedTensor::output(const Tensor& t, uint32_t output_nr) {
  SavedTensor s;
  if (!t.defined()) return s;
  // Data without history: the output owns the node, which owns this handle.
  s.data_ = t.detach();
  s.data_.impl().is_view = t.impl().is_view;
  s.version_ = t.impl().storage->version();
  s.output_nr_ = output_nr;
  s.is_output_ = true;
  return s;
}

Tensor SavedTensor::get() const {
  if (!data_.defined()) return data_;
  NABLA_CHECK(data_.impl().storage->version() == version_,
              "backward: one of the tensors needed for the gradient of op ",
              g_running_node ? (*g_running_node)->name : std::string("(unknown)"),
              " has been modified by an in-place operation (version ", data_.impl().storage->version(), ", expected ",
              version_, ")");
  if (!is_output_ || !g_grad_enabled || g_running_node == nullptr) return data_;
  // Recording a graph of the backward pass: the saved output is the running node's output.
  Tensor out(std::make_shared<TensorImpl>(data_.impl()));
  attach(out, *g_running_node, output_nr_);
  return out;
}

bool grad_enabled() { return g_grad_enabled; }
bool anomaly_enabled() { return g_anomaly.load(std::memory_order_relaxed); }
void set_detect_anomaly(bool enabled) { g_anomaly.store(enabled, std::memory_order_relaxed); }
void set_grad_enabled(bool enabled) { g_grad_enabled = enabled; }

bool needs_grad(const std::vector<Tensor>& inputs) {
  if (!g_grad_enabled) return false;
  for (const Tensor& t : inputs)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}
bool needs_grad(std::initializer_list<Tensor> inputs) {
  if (!g_grad_enabled) return false;
  for (const Tensor& t : inputs)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}

void record(Tensor& output, const char* name, const std::vector<Tensor>& inputs, UnaryBackwardFn backward) {
  if (!needs_grad(inputs)) return;
  if (!is_floating(output.dtype())) return;  // integer/bool results carry no gradient
  if (anomaly_enabled())
    NABLA_CHECK(all_finite(output), "anomaly detected: op ", name, " produced NaN or Inf in its result of shape ",
                output.shape());
  auto node = make_node(name, inputs, from_unary(std::move(backward)));
  node->outputs.push_back({output.shape(), output.dtype()});
  attach(output, node, 0);
}

void record_multi(std::vector<Tensor>& outputs, const char* name, const std::vector<Tensor>& inputs,
                  BackwardFn backward) {
  if (!needs_grad(inputs)) return;
  bool any_floating = false;
  for (const Tensor& t : outputs) any_floating = any_floating || (t.defined() && is_floating(t.dtype()));
  if (!any_floating) return;
  if (anomaly_enabled())
    for (const Tensor& t : outputs)
      if (t.defined())
        NABLA_CHECK(all_finite(t), "anomaly detected: op ", name, " produced NaN or Inf in a result of shape ",
                    t.shape());
  auto node = make_node(name, inputs, std::move(backward));
  for (size_t k = 0; k < outputs.size(); ++k) {
    Tensor& t = outputs[k];
    node->outputs.push_back({t.defined() ? t.shape() : Shape{}, t.defined() ? t.dtype() : DType::Float32});
    if (t.defined() && is_floating(t.dtype())) attach(t, node, static_cast<uint32_t>(k));
  }
}

void check_inplace(const Tensor& t, const char* op) {
  if (!g_grad_enabled) return;
  NABLA_CHECK(!(t.is_leaf() && t.requires_grad()), op,
              ": a leaf tensor that requires grad is being used in an in-place operation (shape ", t.shape(),
              "); wrap the update in NoGradGuard or use an out-of-place op");
}

void record_inplace(Tensor& self, const char* name, const std::vector<Tensor>& other_inputs,
                    UnaryBackwardFn backward) {
  std::vector<Tensor> inputs{self};
  inputs.insert(inputs.end(), other_inputs.begin(), other_inputs.end());
  if (!needs_grad(inputs)) return;
  NABLA_CHECK(!self.impl().is_view, name,
              ": in-place operation on a view is not supported by autograd when gradients are needed (view of shape ",
              self.shape(), "); use the out-of-place op");
  // The node's first input is self's history before this write.
  Tensor old_self(std::make_shared<TensorImpl>(self.impl()));
  inputs[0] = old_self;
  auto node = make_node(name, inputs, from_unary(std::move(backward)));
  node->outputs.push_back({self.shape(), self.dtype()});
  attach(self, node, 0);
}

void backward(const Tensor& root, const Tensor& grad, bool retain_graph, bool create_graph) {
  GraphTask task;
  task.keep_graph = retain_graph || create_graph;
  task.create_graph = create_graph;
  const std::vector<Tensor> roots{root};
  run_graph(roots, root_gradients(roots, {grad}, "backward"), task);
}

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const GradOptions& options) {
  NABLA_CHECK(!outputs.empty(), "grad: expected at least one output");
  GraphTask task;
  task.create_graph = options.create_graph;
  task.keep_graph = options.retain_graph.value_or(options.create_graph);
  task.accumulate = false;
  task.captured.resize(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    NABLA_CHECK(x.defined(), "grad: input ", i, " is undefined");
    NABLA_CHECK(x.requires_grad(), "grad: input ", i, " (shape ", x.shape(),
                ") does not require grad; call requires_grad_() on it before computing the outputs");
    if (x.is_leaf())
      task.leaf_targets[x.impl_ptr().get()].push_back(i);
    else
      task.node_targets[x.grad_fn().get()].emplace_back(x.impl().output_nr, i);
  }
  run_graph(outputs, root_gradients(outputs, options.grad_outputs, "grad"), task);
  for (size_t i = 0; i < inputs.size(); ++i) {
    NABLA_CHECK(task.captured[i].defined() || options.allow_unused, "grad: input ", i, " (shape ", inputs[i].shape(),
                ") appears to not have been used in the graph; pass allow_unused = true if this is intended");
    if (task.captured[i].defined() && task.captured[i].dtype() != inputs[i].dtype())
      task.captured[i] = task.captured[i].to(inputs[i].dtype());
  }
  return task.captured;
}

}  // namespace nabla::autograd
