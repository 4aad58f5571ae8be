// Graph nodes: recording, and tearing long graphs down without recursion.
#include <algorithm>

#include "nabla/autograd.h"

namespace nabla {
namespace {
// Nodes whose destruction has been put off by an outer ~Node (see below).
thread_local std::vector<std::shared_ptr<Node>>* t_deferred = nullptr;
thread_local Node* t_running = nullptr;
}  // namespace

Node::Node(std::string name, std::vector<Edge> edges, BackwardFn backward, const Tensor& output,
           std::vector<SavedVersion> saved)
    : name_(std::move(name)),
      edges_(std::move(edges)),
      backward_(std::move(backward)),
      saved_(std::move(saved)),
      output_shape_(output.shape()),
      output_dtype_(output.dtype()),
      output_device_(output.device()) {
  for (const Edge& e : edges_)
    if (e.node) generation_ = std::max(generation_, e.node->generation() + 1);
  if (generation_ == 0) generation_ = 1;
}

// Freeing the last handle to the end of a chain of 100,000 ops would otherwise destroy node after
// node recursively and overflow the stack. Instead, the outermost ~Node collects every input node
// that is about to die with it and destroys them one at a time in a loop.
Node::~Node() {
  std::vector<std::shared_ptr<Node>> local;
  const bool outermost = t_deferred == nullptr;
  if (outermost) t_deferred = &local;
  backward_ = nullptr;  // saved tensors first, so input nodes lose those references
  for (Edge& e : edges_)
    if (e.node && e.node.use_count() == 1) t_deferred->push_back(std::move(e.node));
  edges_.clear();
  if (outermost) {
    while (!local.empty()) {
      std::shared_ptr<Node> next = std::move(local.back());
      local.pop_back();
      next.reset();  // may push more onto `local`
    }
    t_deferred = nullptr;
  }
}

std::vector<Tensor> Node::apply(const Tensor& grad_output) {
  if (!backward_)
    throw AutogradError("backward: trying to go through the graph a second time (at " + name_ +
                        "); its saved values were freed after the first backward. Pass "
                        "retain_graph=true to the first call if you need to do this");
  check_saved_versions();
  Node* const previous = t_running;
  t_running = this;
  struct Restore {
    Node* previous;
    ~Restore() { t_running = previous; }
  } restore{previous};
  return backward_(grad_output);
}

Node* Node::running() { return t_running; }

void Node::check_saved_versions() const {
  for (const SavedVersion& s : saved_) {
    const uint64_t now = s.tensor->storage->version();
    if (now == s.version) continue;
    throw AutogradError(
        "backward of " + name_ + ": one of the variables needed for gradient computation has been "
        "modified by an inplace operation: the " + to_string(s.tensor->dtype) + " tensor of shape " +
        to_string(s.tensor->shape) + " that " + name_ + " saved is at version " + std::to_string(now) +
        "; expected version " + std::to_string(s.version) + " instead (modify a clone(), or run "
        "backward before changing it)");
  }
}

void Node::release() {
  backward_ = nullptr;
  saved_.clear();  // the backward held those tensors; they may be gone now
}

bool needs_grad(const std::vector<Tensor>& inputs) {
  if (!is_grad_enabled()) return false;
  for (const Tensor& t : inputs)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}

namespace detail {

__thread CaptureLog* t_capture_log = nullptr;

void note_capture(CaptureLog& log, const TensorImpl* impl) {
  log.saved.push_back({impl, impl->storage->version()});
}

Tensor record_node(const char* name, const std::vector<Tensor>& inputs, const Tensor& output,
                   BackwardFn backward, std::vector<SavedVersion> saved) {
  std::vector<Edge> edges(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    if (!x.defined() || !x.requires_grad()) continue;
    if (x.grad_fn()) edges[i].node = x.grad_fn();
    else edges[i].leaf = x.impl_ptr();
  }
  TensorImpl* out = output.impl();
  out->grad_fn = std::make_shared<Node>(name, std::move(edges), std::move(backward), output,
                                        std::move(saved));
  out->requires_grad = true;
  return output;
}

}  // namespace detail

Tensor SavedOutput::get() const {
  if (auto live = output_.lock()) return Tensor(std::move(live));
  Node* node = Node::running();
  if (!node) throw AutogradError("SavedOutput: read outside of backward");
  Tensor rebuilt = values_.detach();
  rebuilt.impl()->grad_fn = node->shared_from_this();
  rebuilt.impl()->requires_grad = true;
  return rebuilt;
}

}  // namespace nabla
