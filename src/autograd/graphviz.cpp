// The computational graph as Graphviz DOT, as DeZero's get_dot_graph: tensors are orange
// ellipses, functions light-blue boxes. Render with: dot -Tpng graph.dot -o graph.png
#include <sstream>
#include <unordered_set>

#include "nabla/autograd.h"

namespace nabla {
namespace {

std::string label(const std::string& name, const Shape& shape, DType dtype, bool verbose) {
  std::string s = name;
  if (verbose) {
    if (!s.empty()) s += ": ";
    s += to_string(shape) + " " + to_string(dtype);
  }
  return s;
}

}  // namespace

std::string to_dot(const Tensor& output, bool verbose) {
  std::ostringstream dot;
  dot << "digraph g {\n";
  auto variable = [&](const void* id, const std::string& text) {
    dot << "  v" << id << " [label=\"" << text << "\", color=orange, style=filled]\n";
  };
  variable(output.impl(), label(output.name(), output.shape(), output.dtype(), verbose));
  if (!output.grad_fn()) return dot.str() + "}\n";

  // The output's variable node stands for its grad_fn's result; other results are named after
  // the node that made them, since the graph does not keep non-leaf tensors.
  auto result_id = [&](const Node* n) -> const void* {
    return n == output.grad_fn().get() ? static_cast<const void*>(output.impl()) : n;
  };
  std::vector<const Node*> work{output.grad_fn().get()};
  std::unordered_set<const Node*> seen{output.grad_fn().get()};
  std::unordered_set<const TensorImpl*> leaves;
  while (!work.empty()) {
    const Node* n = work.back();
    work.pop_back();
    dot << "  f" << n << " [label=\"" << n->name()
        << "\", color=lightblue, style=filled, shape=box]\n";
    dot << "  f" << n << " -> v" << result_id(n) << "\n";
    for (const Edge& e : n->edges()) {
      if (e.leaf) {
        if (leaves.insert(e.leaf.get()).second)
          variable(e.leaf.get(), label(e.leaf->name, e.leaf->shape, e.leaf->dtype, verbose));
        dot << "  v" << e.leaf.get() << " -> f" << n << "\n";
      } else if (e.node) {
        if (seen.insert(e.node.get()).second) {
          variable(e.node.get(), label("", e.node->output_shape(), e.node->output_dtype(), verbose));
          work.push_back(e.node.get());
        }
        dot << "  v" << e.node.get() << " -> f" << n << "\n";
      }
    }
  }
  dot << "}\n";
  return dot.str();
}

}  // namespace nabla
