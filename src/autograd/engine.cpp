// The autograd engine: recording nodes and running backward in reverse topological order.
#include <atomic>
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "nabla/autograd.h"
#include "nabla/ops.h"

namespace nabla::autograd {
namespace {

thread_local bool g_grad_enabled = true;
std::atomic<bool> g_anomaly{false};

// True when every element of a floating tensor is finite.
bool all_finite(const Tensor& t) {
  if (!is_floating(t.dtype())) return true;
  NoGradGuard guard;
  return !logical_not(isfinite(t)).to(DType::Int64).sum().item();
}
std::atomic<uint64_t> g_sequence{0};

Edge edge_of(const Tensor& t) {
  Edge e;
  if (!t.defined()) return e;
  if (t.grad_fn())
    e.fn = t.grad_fn();
  else if (t.requires_grad())
    e.leaf = t.impl_ptr();
  return e;
}

std::shared_ptr<Node> make_node(const char* name, const std::vector<Tensor>& inputs, BackwardFn fn,
                                const std::vector<Tensor>& saved) {
  auto node = std::make_shared<Node>();
  node->name = name;
  node->backward = std::move(fn);
  node->sequence = g_sequence.fetch_add(1, std::memory_order_relaxed);
  for (const Tensor& t : inputs) {
    node->next.push_back(edge_of(t));
    node->input_shapes.push_back(t.defined() ? t.shape() : Shape{});
    node->input_dtypes.push_back(t.defined() ? t.dtype() : DType::Float32);
  }
  for (const Tensor& t : saved)
    if (t.defined()) node->saved_versions.emplace_back(t.impl().storage, t.impl().storage->version());
  return node;
}

// Adds g into leaf.grad, taking a private copy the first time (g may be shared with other grads).
void accumulate_into_leaf(TensorImpl& leaf, const Tensor& g) {
  Tensor gc = g.dtype() == leaf.dtype ? g : g.to(leaf.dtype);
  if (!leaf.grad) {
    leaf.grad = gc.clone().impl_ptr();
  } else {
    Tensor(leaf.grad).add_(gc);
  }
}

struct BySequence {
  bool operator()(const Node* a, const Node* b) const { return a->sequence < b->sequence; }
};

}  // namespace

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

void record(Tensor& output, const char* name, const std::vector<Tensor>& inputs, BackwardFn backward,
            const std::vector<Tensor>& saved) {
  if (!needs_grad(inputs)) return;
  if (!is_floating(output.dtype())) return;  // integer/bool results carry no gradient
  if (anomaly_enabled())
    NABLA_CHECK(all_finite(output), "anomaly detected: op ", name, " produced NaN or Inf in its result of shape ",
                output.shape());
  output.impl().grad_fn = make_node(name, inputs, std::move(backward), saved);
  output.impl().requires_grad = true;
}

void check_inplace(const Tensor& t, const char* op) {
  if (!g_grad_enabled) return;
  NABLA_CHECK(!(t.is_leaf() && t.requires_grad()), op,
              ": a leaf tensor that requires grad is being used in an in-place operation (shape ", t.shape(),
              "); wrap the update in NoGradGuard or use an out-of-place op");
}

void record_inplace(Tensor& self, const char* name, const std::vector<Tensor>& other_inputs, BackwardFn backward,
                    const std::vector<Tensor>& saved) {
  std::vector<Tensor> inputs{self};
  inputs.insert(inputs.end(), other_inputs.begin(), other_inputs.end());
  if (!needs_grad(inputs)) return;
  NABLA_CHECK(!self.impl().is_view, name,
              ": in-place operation on a view is not supported by autograd when gradients are needed (view of shape ",
              self.shape(), "); use the out-of-place op");
  // The node's first input is self's history before this write.
  Tensor old_self(std::make_shared<TensorImpl>(self.impl()));
  inputs[0] = old_self;
  auto node = make_node(name, inputs, std::move(backward), saved);
  // `saved` was recorded after the write; self's own version now counts as the saved one.
  self.impl().grad_fn = node;
  self.impl().requires_grad = true;
}

void backward(const Tensor& root, const Tensor& grad_in, bool retain_graph) {
  NABLA_CHECK(root.requires_grad(), "backward: element 0 of tensors does not require grad and does not have a grad_fn (shape ",
              root.shape(), ")");
  Tensor grad = grad_in;
  if (!grad.defined()) {
    NABLA_CHECK(root.numel() == 1, "backward: grad can be implicitly created only for scalar outputs, got shape ",
                root.shape());
    grad = ones_like(root);
  } else {
    NABLA_CHECK(grad.shape() == root.shape(), "backward: gradient of shape ", grad.shape(),
                " does not match the output of shape ", root.shape());
  }
  NoGradGuard no_grad;
  if (root.is_leaf()) {
    accumulate_into_leaf(root.impl(), grad);
    return;
  }

  // Count, for every node reachable from the root, how many edges point at it.
  std::unordered_map<Node*, int> dependencies;
  std::vector<Node*> stack{root.grad_fn().get()};
  std::unordered_set<Node*> seen{root.grad_fn().get()};
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    for (const Edge& e : n->next) {
      if (!e.fn) continue;
      ++dependencies[e.fn.get()];
      if (seen.insert(e.fn.get()).second) stack.push_back(e.fn.get());
    }
  }

  std::unordered_map<Node*, Tensor> pending;
  pending[root.grad_fn().get()] = grad;
  std::priority_queue<Node*, std::vector<Node*>, BySequence> ready;
  ready.push(root.grad_fn().get());
  // Keep nodes alive while running even if their last owner drops them.
  std::vector<std::shared_ptr<Node>> keep_alive{root.grad_fn()};

  while (!ready.empty()) {
    Node* n = ready.top();
    ready.pop();
    auto it = pending.find(n);
    Tensor g = it == pending.end() ? Tensor() : it->second;
    if (it != pending.end()) pending.erase(it);

    std::vector<Tensor> input_grads(n->next.size());
    if (g.defined()) {
      NABLA_CHECK(!n->released, "backward: trying to backward through the graph a second time (op ", n->name,
                  "); its saved tensors were freed after the first backward. Pass retain_graph=true to the first "
                  "backward if you need to backward twice");
      for (const auto& [storage, version] : n->saved_versions)
        NABLA_CHECK(storage->version() == version, "backward: one of the tensors needed for the gradient of op ", n->name,
                    " has been modified by an in-place operation (version ", storage->version(), ", expected ",
                    version, ")");
      input_grads = n->backward(g);
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
          NABLA_CHECK(all_finite(gi), "anomaly detected: backward of op ", n->name, " returned NaN or Inf in the gradient of input ",
                      i, " (shape ", gi.shape(), ")");
      }
      if (e.leaf) {
        if (gi.defined()) accumulate_into_leaf(*e.leaf, gi);
      } else if (e.fn) {
        Node* next = e.fn.get();
        if (gi.defined()) {
          auto p = pending.find(next);
          if (p == pending.end())
            pending.emplace(next, gi);
          else
            p->second = p->second + gi;
        }
        if (--dependencies[next] == 0) {
          keep_alive.push_back(e.fn);
          ready.push(next);
        }
      }
    }
    if (!retain_graph && g.defined()) {
      n->backward = nullptr;
      n->saved_versions.clear();
      n->released = true;
    }
  }
}

}  // namespace nabla::autograd
