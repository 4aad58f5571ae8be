// Graph nodes: recording, and tearing long graphs down without recursion.
#include <algorithm>

#include "nabla/autograd.h"

namespace nabla {
namespace {
// Nodes whose destruction has been put off by an outer ~Node (see below).
thread_local std::vector<std::shared_ptr<Node>>* t_deferred = nullptr;
thread_local Node* t_running = nullptr;
}  // namespace

Node::Node(std::string name, std::vector<Edge> edges, BackwardFn backward, const Tensor& output)
    : name_(std::move(name)),
      edges_(std::move(edges)),
      backward_(std::move(backward)),
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
  Node* const previous = t_running;
  t_running = this;
  struct Restore {
    Node* previous;
    ~Restore() { t_running = previous; }
  } restore{previous};
  return backward_(grad_output);
}

Node* Node::running() { return t_running; }

void Node::release() { backward_ = nullptr; }

bool needs_grad(const std::vector<Tensor>& inputs) {
  if (!is_grad_enabled()) return false;
  for (const Tensor& t : inputs)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}

Tensor record(const char* name, const std::vector<Tensor>& inputs, const Tensor& output,
              BackwardFn backward) {
  if (!needs_grad(inputs)) return output;
  std::vector<Edge> edges(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    if (!x.defined() || !x.requires_grad()) continue;
    if (x.grad_fn()) edges[i].node = x.grad_fn();
    else edges[i].leaf = x.impl_ptr();
  }
  TensorImpl* out = output.impl();
  out->grad_fn = std::make_shared<Node>(name, std::move(edges), std::move(backward), output);
  out->requires_grad = true;
  return output;
}

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
