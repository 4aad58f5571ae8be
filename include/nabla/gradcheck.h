// Numerical gradient checks (the course's numerical_gradient, by central differences in f64).
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(CORE);
#include <functional>
#include <string>
#include <vector>

#include "nabla/tensor.h"

namespace nabla {

using DifferentiableFn = std::function<Tensor(const std::vector<Tensor>&)>;

struct GradcheckOptions {
  double eps = 1e-6;
  double atol = 1e-5;
  double rtol = 1e-3;
};

struct GradcheckResult {
  bool ok = true;
  std::string message;  // which input and element disagreed, and by how much
  explicit operator bool() const { return ok; }
};

// Compares autograd's gradient of sum(f(inputs) * v), for a fixed random v, with central
// differences, element by element, for every input that requires grad. Inputs must be f64.
GradcheckResult gradcheck(const DifferentiableFn& f, const std::vector<Tensor>& inputs,
                          GradcheckOptions options = {});

// The same check one order up: differentiates the gradients themselves (built with
// create_graph), so backward formulas are checked to be differentiable and correct.
GradcheckResult gradgradcheck(const DifferentiableFn& f, const std::vector<Tensor>& inputs,
                              GradcheckOptions options = {});

}  // namespace nabla
