// Reverse-mode automatic differentiation, define-by-run (the DeZero design).
//
// Every differentiable op that sees an input requiring grad records a Node: the function that
// made its output. A Node holds what its backward formula needs (saved inputs, strongly; its own
// output, weakly, so there is no cycle) and an edge per input telling where that input's gradient
// goes: to the Node that made the input, or to the input itself when it is a leaf.
//
// Backward formulas are written with the same differentiable ops as forward code, so running them
// with graph recording on (create_graph) builds a graph of the gradient, which can be
// differentiated again: second and higher derivatives come for free.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(CORE);
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nabla/tensor.h"

namespace nabla {

// ---- grad mode -----------------------------------------------------------------------------------
bool is_grad_enabled();
void set_grad_enabled(bool enabled);

// Turns graph recording off for its scope: inference, optimizer steps.
class NoGradGuard {
 public:
  NoGradGuard() : previous_(is_grad_enabled()) { set_grad_enabled(false); }
  ~NoGradGuard() { set_grad_enabled(previous_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

// Turns recording on (or off) for its scope regardless of the surrounding mode.
class GradModeGuard {
 public:
  explicit GradModeGuard(bool enabled) : previous_(is_grad_enabled()) { set_grad_enabled(enabled); }
  ~GradModeGuard() { set_grad_enabled(previous_); }
  GradModeGuard(const GradModeGuard&) = delete;
  GradModeGuard& operator=(const GradModeGuard&) = delete;

 private:
  bool previous_;
};

// ---- graph ----------------------------------------------------------------------------------------
// Where the gradient of one input of a Node goes.
struct Edge {
  std::shared_ptr<Node> node;         // the function that made the input, or
  std::shared_ptr<TensorImpl> leaf;   // the input itself when it is a leaf requiring grad
  bool empty() const { return !node && !leaf; }
};

// The backward formula: from the gradient of the output, the gradients of the inputs (one per
// input; an undefined Tensor means "no gradient flows there").
using BackwardFn = std::function<std::vector<Tensor>(const Tensor& grad_output)>;

// A tensor a backward function holds, with the version of its storage when it was saved: if the
// data is modified in place before the backward runs, the backward would compute with the new
// values, so apply() refuses (PyTorch's "modified by an inplace operation").
struct SavedVersion {
  const TensorImpl* tensor;  // kept alive by the backward function that holds it
  uint64_t version;
};

class Node : public std::enable_shared_from_this<Node> {
 public:
  Node(std::string name, std::vector<Edge> edges, BackwardFn backward, const Tensor& output,
       std::vector<SavedVersion> saved = {});
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  const std::string& name() const { return name_; }
  const std::vector<Edge>& edges() const { return edges_; }
  // Shape, dtype and device of the output, for zero gradients, checks and graph pictures.
  const Shape& output_shape() const { return output_shape_; }
  DType output_dtype() const { return output_dtype_; }
  Device output_device() const { return output_device_; }
  // DeZero's generation: one more than the newest input, so a larger generation runs first.
  int64_t generation() const { return generation_; }
  bool released() const { return !backward_; }

  std::vector<Tensor> apply(const Tensor& grad_output);
  // The node whose backward is running on this thread (null outside backward).
  static Node* running();
  // Frees saved tensors and edges once backward no longer needs them.
  void release();

 private:
  void check_saved_versions() const;

  std::string name_;
  std::vector<Edge> edges_;
  BackwardFn backward_;
  std::vector<SavedVersion> saved_;
  Shape output_shape_;
  DType output_dtype_;
  Device output_device_;
  int64_t generation_ = 0;
};

// True when an op over these inputs must record a Node.
bool needs_grad(const std::vector<Tensor>& inputs);

namespace detail {
// The Tensors copied while a CaptureLog is open on this thread (tensor.h's copy constructors
// report to it): what a backward function captured.
struct CaptureLog {
  CaptureLog() : previous(t_capture_log) { t_capture_log = this; }
  ~CaptureLog() { t_capture_log = previous; }
  CaptureLog(const CaptureLog&) = delete;
  CaptureLog& operator=(const CaptureLog&) = delete;
  CaptureLog* previous;
  std::vector<SavedVersion> saved;
};
Tensor record_node(const char* name, const std::vector<Tensor>& inputs, const Tensor& output,
                   BackwardFn backward, std::vector<SavedVersion> saved);
}  // namespace detail

// Makes `output` the result of a differentiable op over `inputs`, when any of them requires grad
// and recording is on. `backward` maps the output's gradient to one gradient per input. Returns
// output for chaining. Every Tensor the backward captures is saved with its version, so that an
// in-place change between forward and backward is an error instead of a wrong gradient.
template <class Backward>
Tensor record(const char* name, const std::vector<Tensor>& inputs, const Tensor& output,
              Backward&& backward) {
  if (!needs_grad(inputs)) return output;
  std::vector<SavedVersion> saved;
  BackwardFn stored;
  {
    detail::CaptureLog log;
    stored = BackwardFn(std::forward<Backward>(backward));
    saved = std::move(log.saved);
  }
  return detail::record_node(name, inputs, output, std::move(stored), std::move(saved));
}

// A node's own output, saved for its backward formula (exp, tanh, sigmoid use their result).
// Holding the output tensor itself would make a cycle (output -> node -> output), so this keeps
// its values only; during backward it gives the live output back, or, if that is gone, a tensor
// over the same values whose grad_fn is the running node, so higher derivatives still connect.
class SavedOutput {
 public:
  explicit SavedOutput(const Tensor& output) : output_(output.impl_ptr()), values_(output.detach()) {}
  Tensor get() const;

 private:
  std::weak_ptr<TensorImpl> output_;
  Tensor values_;
};

// ---- running backward -------------------------------------------------------------------------------
struct GradOptions {
  bool retain_graph = false;  // keep the graph for another backward
  bool create_graph = false;  // record the backward pass, for higher derivatives (implies retain)
  bool allow_unused = false;  // an input the outputs do not depend on gets an undefined Tensor
};

// Gradients of sum(outputs[i] * grad_outputs[i]) with respect to each input, returned rather than
// accumulated into .grad (torch.autograd.grad). grad_outputs may be empty for scalar outputs.
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs = {}, GradOptions options = {});
inline std::vector<Tensor> grad(const std::vector<Tensor>& outputs,
                                const std::vector<Tensor>& inputs, GradOptions options) {
  return grad(outputs, inputs, {}, options);
}

// Accumulates gradients into the .grad of every leaf the outputs depend on (Tensor::backward).
void backward(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs = {},
              GradOptions options = {});

// ---- pictures and checks ------------------------------------------------------------------------------
// The graph that made `output` in Graphviz DOT (DeZero's get_dot_graph): tensors as ellipses
// labelled with name, shape and dtype; functions as boxes.
std::string to_dot(const Tensor& output, bool verbose = true);

}  // namespace nabla
