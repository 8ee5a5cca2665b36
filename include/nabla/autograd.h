#pragma once
// Define-by-run reverse-mode autograd. Each differentiable op calls autograd::record() next to
// its forward computation, handing over a small lambda that maps the output gradient to input
// gradients. backward() walks the recorded graph in reverse topological order.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nabla/tensor.h"

namespace nabla::autograd {

/// Input gradients, one per recorded input (an undefined Tensor means "no gradient").
using BackwardFn = std::function<std::vector<Tensor>(const Tensor& grad_output)>;

/// Where a gradient flows next: the node that produced an input, or the input itself if it is a leaf.
struct Edge {
  std::shared_ptr<Node> fn;           // producer of the input (non-leaf)
  std::shared_ptr<TensorImpl> leaf;   // the input itself when it is a leaf requiring grad
  bool valid() const { return fn || leaf; }
};

/// One recorded op in the graph.
struct Node {
  std::string name;                    // op name, used in error messages
  std::vector<Edge> next;              // one per input
  std::vector<Shape> input_shapes;     // to validate gradient shapes
  std::vector<DType> input_dtypes;
  BackwardFn backward;                 // released after use unless retain_graph
  // Tensors saved for backward, with the storage version at save time (in-place checks).
  std::vector<std::pair<std::shared_ptr<Storage>, uint64_t>> saved_versions;
  uint64_t sequence = 0;               // creation order; later nodes run first
  bool released = false;
};

/// True when ops record graphs on this thread (default).
bool grad_enabled();
void set_grad_enabled(bool enabled);

/// RAII guard that disables recording (like torch.no_grad()).
class NoGradGuard {
 public:
  NoGradGuard() : prev_(grad_enabled()) { set_grad_enabled(false); }
  ~NoGradGuard() { set_grad_enabled(prev_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool prev_;
};

/// RAII guard that enables recording again inside a no_grad region.
class EnableGradGuard {
 public:
  EnableGradGuard() : prev_(grad_enabled()) { set_grad_enabled(true); }
  ~EnableGradGuard() { set_grad_enabled(prev_); }
  EnableGradGuard(const EnableGradGuard&) = delete;
  EnableGradGuard& operator=(const EnableGradGuard&) = delete;

 private:
  bool prev_;
};

/// Anomaly detection (off by default; costs a scan of every recorded result). When on, an op
/// whose result contains NaN or Inf while recording a graph, or a backward rule that returns
/// NaN or Inf, raises Error naming the op.
bool anomaly_enabled();
void set_detect_anomaly(bool enabled);

/// RAII guard turning anomaly detection on for a scope.
class DetectAnomalyGuard {
 public:
  DetectAnomalyGuard() : prev_(anomaly_enabled()) { set_detect_anomaly(true); }
  ~DetectAnomalyGuard() { set_detect_anomaly(prev_); }
  DetectAnomalyGuard(const DetectAnomalyGuard&) = delete;
  DetectAnomalyGuard& operator=(const DetectAnomalyGuard&) = delete;

 private:
  bool prev_;
};

/// True when grad mode is on and some input requires grad.
bool needs_grad(std::initializer_list<Tensor> inputs);
bool needs_grad(const std::vector<Tensor>& inputs);

/// Attaches a backward rule to `output` when needs_grad(inputs). `saved` lists tensors the rule
/// reads, so that modifying them in place before backward raises an Error.
void record(Tensor& output, const char* name, const std::vector<Tensor>& inputs, BackwardFn backward,
            const std::vector<Tensor>& saved = {});

/// Runs backward from `root` with output gradient `grad` (ones for a one-element root when undefined).
void backward(const Tensor& root, const Tensor& grad = Tensor(), bool retain_graph = false);

/// Checks, before an in-place op named `op` writes into `t`, that autograd allows it:
/// a leaf requiring grad cannot be modified in place while grad mode is on.
void check_inplace(const Tensor& t, const char* op);

/// After an in-place op `op` wrote `self` (old value used by `backward`), rebases self's history.
void record_inplace(Tensor& self, const char* name, const std::vector<Tensor>& other_inputs,
                    BackwardFn backward, const std::vector<Tensor>& saved = {});

}  // namespace nabla::autograd

namespace nabla {
using autograd::NoGradGuard;
}
