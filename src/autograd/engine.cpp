// The backward engine: an explicit work list over the graph, never recursion, so graphs of any
// depth are fine. Nodes run once every gradient flowing into their output has arrived (counted
// dependencies); among the ready nodes the newest generation runs first, as in DeZero.
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "nabla/autograd.h"
#include "nabla/ops.h"

namespace nabla {
namespace {

// Sums a gradient into a slot that may still be empty.
void accumulate_into(Tensor& slot, const Tensor& g) { slot = slot.defined() ? add(slot, g) : g; }

// A backward formula's gradient must match its input; a dtype difference (an f32 input mixed
// with f64) is converted, anything else is a bug in the formula worth a clear message.
Tensor conform(const Tensor& g, const Shape& shape, DType dtype, Device device,
               const std::string& node_name) {
  if (g.shape() != shape)
    throw AutogradError("backward of " + node_name + " returned a gradient of shape " +
                        to_string(g.shape()) + " for an input of shape " + to_string(shape));
  if (g.device() != device)
    throw AutogradError("backward of " + node_name + " returned a gradient on " + g.device().str() +
                        " for an input on " + device.str());
  return g.dtype() == dtype ? g : cast(g, dtype);
}

Tensor root_gradient(const Tensor& output, const Tensor& given, size_t i) {
  if (given.defined()) {
    if (given.shape() != output.shape())
      throw ShapeError("backward: gradient " + std::to_string(i) + " has shape " +
                       to_string(given.shape()) + " but the output has shape " +
                       to_string(output.shape()));
    if (given.device() != output.device())
      throw Error("backward: gradient " + std::to_string(i) + " is on " + given.device().str() +
                  " but the output is on " + output.device().str());
    return given;
  }
  if (output.numel() != 1)
    throw AutogradError("backward: a gradient can be created implicitly only for a scalar output, "
                        "but output " + std::to_string(i) + " has shape " +
                        to_string(output.shape()) + "; pass the gradient explicitly");
  return ones_like(output);
}

struct Run {
  GradOptions options;
  bool accumulate_leaves;  // backward(): into .grad; grad(): only into `captured`
  // What grad() returns: gradients keyed by the leaf, or by the node that made a non-leaf input.
  std::unordered_map<const TensorImpl*, Tensor> leaf_captures;
  std::unordered_map<const Node*, Tensor> node_captures;
  std::unordered_set<const TensorImpl*> wanted_leaves;
  std::unordered_set<const Node*> wanted_nodes;

  void deliver_to_leaf(const std::shared_ptr<TensorImpl>& leaf, const Tensor& g) {
    if (accumulate_leaves) {
      Tensor current = leaf->grad ? Tensor(leaf->grad) : Tensor();
      // Without create_graph the stored gradient is a plain value, not part of any graph.
      accumulate_into(current, options.create_graph ? g : g.detach());
      leaf->grad = current.impl_ptr();
    } else if (wanted_leaves.count(leaf.get())) {
      accumulate_into(leaf_captures[leaf.get()], g);
    }
  }

  void execute(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs) {
    if (!grad_outputs.empty() && grad_outputs.size() != outputs.size())
      throw AutogradError("backward: " + std::to_string(outputs.size()) + " outputs but " +
                          std::to_string(grad_outputs.size()) + " gradients");
    GradModeGuard mode(options.create_graph);

    // Roots: gradients given for outputs, gathered per node.
    std::unordered_map<Node*, Tensor> buffers;
    std::vector<std::shared_ptr<Node>> roots;
    for (size_t i = 0; i < outputs.size(); ++i) {
      const Tensor& out = outputs[i];
      if (!out.requires_grad())
        throw AutogradError("backward: output " + std::to_string(i) +
                            " does not require grad and has no grad_fn");
      Tensor g = root_gradient(out, grad_outputs.empty() ? Tensor() : grad_outputs[i], i);
      if (out.grad_fn()) {
        accumulate_into(buffers[out.grad_fn().get()], g);
        roots.push_back(out.grad_fn());
      } else {
        deliver_to_leaf(out.impl_ptr(), conform(g, out.shape(), out.dtype(), out.device(), "output"));
      }
    }

    // Which nodes take part, and how many gradients each must wait for. With grad(), a node
    // takes part only if it made a wanted input or one lies below it (post-order walk, explicit
    // stack), and its backward runs only in the second case.
    std::unordered_map<Node*, int> dependencies;
    std::unordered_map<Node*, bool> useful;  // its gradient is needed
    std::unordered_map<Node*, bool> runs;    // its backward must run (something below needs it)
    std::unordered_map<Node*, std::shared_ptr<Node>> keep_alive;
    std::vector<std::pair<Node*, size_t>> stack;
    for (auto& r : roots)
      if (!keep_alive.count(r.get())) {
        keep_alive[r.get()] = r;
        stack.emplace_back(r.get(), 0);
      }
    while (!stack.empty()) {
      auto& [node, next_edge] = stack.back();
      if (next_edge < node->edges().size()) {
        const Edge& e = node->edges()[next_edge++];
        if (e.node && !keep_alive.count(e.node.get())) {
          keep_alive[e.node.get()] = e.node;
          stack.emplace_back(e.node.get(), 0);
        }
        continue;
      }
      bool feeds_wanted = accumulate_leaves;
      for (const Edge& e : node->edges())
        if ((e.node && useful[e.node.get()]) || (e.leaf && wanted_leaves.count(e.leaf.get())))
          feeds_wanted = true;
      runs[node] = feeds_wanted;
      useful[node] = feeds_wanted || wanted_nodes.count(node);
      stack.pop_back();
    }
    for (auto& [node, _] : keep_alive)
      if (useful[node])
        for (const Edge& e : node->edges())
          if (e.node && useful[e.node.get()]) ++dependencies[e.node.get()];

    auto later_first = [](Node* a, Node* b) { return a->generation() < b->generation(); };
    std::priority_queue<Node*, std::vector<Node*>, decltype(later_first)> ready(later_first);
    std::unordered_set<Node*> queued;
    for (auto& r : roots)
      if (useful[r.get()] && dependencies[r.get()] == 0 && queued.insert(r.get()).second)
        ready.push(r.get());

    while (!ready.empty()) {
      Node* node = ready.top();
      ready.pop();
      Tensor g = std::move(buffers[node]);
      buffers.erase(node);
      if (!g.defined()) g = zeros(node->output_shape(), node->output_dtype(), node->output_device());
      if (wanted_nodes.count(node)) accumulate_into(node_captures[node], g);
      if (!runs[node]) continue;

      std::vector<Tensor> input_grads = node->apply(g);
      const auto& edges = node->edges();
      if (input_grads.size() != edges.size())
        throw AutogradError("backward of " + node->name() + " returned " +
                            std::to_string(input_grads.size()) + " gradients for " +
                            std::to_string(edges.size()) + " inputs");
      for (size_t i = 0; i < edges.size(); ++i) {
        const Edge& e = edges[i];
        if (e.empty() || !input_grads[i].defined()) continue;
        if (e.leaf) {
          deliver_to_leaf(e.leaf, conform(input_grads[i], e.leaf->shape, e.leaf->dtype,
                                              e.leaf->storage->device(), node->name()));
        } else if (useful[e.node.get()]) {
          Node* next = e.node.get();
          accumulate_into(buffers[next], conform(input_grads[i], next->output_shape(),
                                                 next->output_dtype(), next->output_device(),
                                                 node->name()));
        }
      }
      // Count the edges as done even where no gradient flowed, so every node becomes ready.
      for (const Edge& e : edges) {
        if (!e.node || !useful[e.node.get()]) continue;
        if (--dependencies[e.node.get()] == 0 && queued.insert(e.node.get()).second)
          ready.push(e.node.get());
      }
      if (!options.retain_graph && !options.create_graph) node->release();
    }
  }
};

}  // namespace

void backward(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs,
              GradOptions options) {
  Run run{options, true, {}, {}, {}, {}};
  run.execute(outputs, grad_outputs);
}

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs, GradOptions options) {
  Run run{options, false, {}, {}, {}, {}};
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    if (!x.requires_grad())
      throw AutogradError("grad: input " + std::to_string(i) + " does not require grad");
    if (x.grad_fn()) run.wanted_nodes.insert(x.grad_fn().get());
    else run.wanted_leaves.insert(x.impl());
  }
  run.execute(outputs, grad_outputs);
  std::vector<Tensor> result;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    Tensor g = x.grad_fn() ? run.node_captures[x.grad_fn().get()] : run.leaf_captures[x.impl()];
    if (!g.defined() && !options.allow_unused)
      throw AutogradError("grad: input " + std::to_string(i) +
                          " is not used by the outputs; pass allow_unused to get an undefined "
                          "gradient for it");
    result.push_back(g);
  }
  return result;
}

}  // namespace nabla
