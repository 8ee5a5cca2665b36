#pragma once
// Define-by-run reverse-mode autograd. Each differentiable op calls autograd::record() (one
// output) or autograd::record_multi() (several outputs) next to its forward computation, handing
// over a small lambda that maps the output gradients to input gradients. backward() and grad()
// walk the recorded graph in reverse topological order. With create_graph, grad mode stays on
// while the rules run, so the gradients themselves record a graph (higher-order derivatives).
// Every op that records must be listed in the index of differentiable primitives
// (nabla/autograd/primitives.h); record() raises Error for an unlisted name.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nabla/tensor.h"

namespace nabla::autograd {

/// Input gradients of a node from the gradients of all its outputs: one entry per output, an
/// undefined Tensor where that output received no gradient. Returns one gradient per input
/// (an undefined Tensor means "no gradient").
using BackwardFn = std::function<std::vector<Tensor>(const std::vector<Tensor>& grad_outputs)>;
/// The single-output form: the gradient of the one output (always defined when called).
using UnaryBackwardFn = std::function<std::vector<Tensor>(const Tensor& grad_output)>;

/// Where a gradient flows next: output `output_nr` of the node that produced an input, or the
/// input itself if it is a leaf that requires grad.
struct Edge {
  std::shared_ptr<Node> fn;           // producer of the input (non-leaf)
  uint32_t output_nr = 0;             // which of fn's outputs the input is
  std::shared_ptr<TensorImpl> leaf;   // the input itself when it is a leaf requiring grad
  bool valid() const { return fn || leaf; }
};

/// Shape and dtype of one output of a node (to validate and complete its gradients).
struct OutputMeta {
  Shape shape;
  DType dtype = DType::Float32;
};

/// One recorded op in the graph.
struct Node {
  std::string name;                    // op name, used in error messages
  std::vector<Edge> next;              // one per input
  std::vector<Shape> input_shapes;     // to validate gradient shapes
  std::vector<DType> input_dtypes;
  std::vector<OutputMeta> outputs;     // one per output
  BackwardFn backward;                 // released after use unless retain_graph
  uint64_t sequence = 0;               // creation order; later nodes run first
  bool double_differentiable = false;  // the rule is written with recorded ops (see primitives.h)
  bool released = false;
};

/// A tensor a backward rule reads, captured by value in the rule's lambda. It remembers the
/// storage version at save time, so get() raises Error (naming the op) when the tensor was
/// modified in place before backward. An op's own result is saved with SavedTensor::output():
/// the handle then holds the data without the history (no reference cycle), and get()
/// reconnects it to the running node when the backward pass records a graph (create_graph).
class SavedTensor {
 public:
  SavedTensor() = default;
  /// Saves an input of the op (or any tensor that is not one of its results); may be undefined.
  SavedTensor(const Tensor& t);  // NOLINT(google-explicit-constructor): captures read naturally
  /// Saves result number `output_nr` of the op being recorded.
  static SavedTensor output(const Tensor& t, uint32_t output_nr = 0);
  /// The saved tensor; raises Error when it was modified in place since it was saved.
  Tensor get() const;
  /// True when a tensor was saved.
  bool defined() const { return data_.defined(); }

 private:
  Tensor data_;
  uint64_t version_ = 0;
  uint32_t output_nr_ = 0;
  bool is_output_ = false;
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

/// Attaches a backward rule to `output` when needs_grad(inputs). `name` must be listed in the
/// index of differentiable primitives. Tensors the rule reads are captured as SavedTensor.
void record(Tensor& output, const char* name, const std::vector<Tensor>& inputs, UnaryBackwardFn backward);

/// Attaches one backward rule to several outputs of one op (split, max with indices, an LSTM
/// cell…). Integer and bool outputs (indices) get no history; they still count as outputs, and
/// their gradient is always undefined. The rule receives one gradient per output.
void record_multi(std::vector<Tensor>& outputs, const char* name, const std::vector<Tensor>& inputs,
                  BackwardFn backward);

/// Runs backward from `root` with output gradient `grad` (ones for a one-element root when
/// undefined), accumulating into the leaves' .grad. With create_graph the gradients record a
/// graph (the graph is then always retained).
void backward(const Tensor& root, const Tensor& grad = Tensor(), bool retain_graph = false,
              bool create_graph = false);

/// Options of grad(), as the keyword arguments of torch.autograd.grad.
struct GradOptions {
  /// Gradient of each output; may be empty (ones for one-element outputs) or hold undefined
  /// entries for one-element outputs.
  std::vector<Tensor> grad_outputs = {};
  /// Keep the graph for another backward; defaults to create_graph.
  std::optional<bool> retain_graph = std::nullopt;
  /// Record the backward pass itself, so the returned gradients can be differentiated again.
  bool create_graph = false;
  /// Return an undefined Tensor for an input the outputs do not depend on (else raise Error).
  bool allow_unused = false;
};

/// Gradients of sum(outputs[i] * grad_outputs[i]) with respect to each of `inputs` (leaves or
/// intermediate tensors that require grad), as torch.autograd.grad. No .grad is modified.
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const GradOptions& options = {});

/// Checks, before an in-place op named `op` writes into `t`, that autograd allows it:
/// a leaf requiring grad cannot be modified in place while grad mode is on.
void check_inplace(const Tensor& t, const char* op);

/// After an in-place op `op` wrote `self` (old value used by `backward`), rebases self's history.
void record_inplace(Tensor& self, const char* name, const std::vector<Tensor>& other_inputs,
                    UnaryBackwardFn backward);

}  // namespace nabla::autograd

namespace nabla {
using autograd::NoGradGuard;
}
