// The activation modules: each forwards to its op and prints its arguments as torch's repr does.
#include "nabla/nn/activation.h"

#include "nabla/ops.h"
#include "nn/repr.h"

namespace nabla::nn {

Tensor ELU::forward(const Tensor& x) { return elu(x, alpha); }
std::string ELU::extra_repr() const { return "alpha=" + python_float(alpha); }

Tensor SELU::forward(const Tensor& x) { return selu(x); }

CELU::CELU(double alpha) : alpha(alpha) {
  if (alpha == 0.0) throw Error("CELU: alpha cannot be 0 (the input is divided by it)");
}
Tensor CELU::forward(const Tensor& x) { return celu(x, alpha); }
std::string CELU::extra_repr() const { return "alpha=" + python_float(alpha); }

Tensor Softplus::forward(const Tensor& x) { return softplus(x, beta, threshold); }
std::string Softplus::extra_repr() const {
  return "beta=" + python_float(beta) + ", threshold=" + python_float(threshold);
}

Tensor Softsign::forward(const Tensor& x) { return softsign(x); }

PReLU::PReLU(int64_t num_parameters, double init) : num_parameters(num_parameters) {
  if (num_parameters < 1)
    throw ShapeError("PReLU: num_parameters must be at least 1, got " + std::to_string(num_parameters));
  weight = register_parameter("weight", full({num_parameters}, init));
}
Tensor PReLU::forward(const Tensor& x) { return prelu(x, weight); }
std::string PReLU::extra_repr() const { return "num_parameters=" + std::to_string(num_parameters); }

Hardtanh::Hardtanh(double min_val, double max_val) : min_val(min_val), max_val(max_val) {
  if (min_val > max_val)
    throw Error("Hardtanh: min_val " + python_float(min_val) + " is above max_val " + python_float(max_val));
}
Tensor Hardtanh::forward(const Tensor& x) { return hardtanh(x, min_val, max_val); }
std::string Hardtanh::extra_repr() const {
  return "min_val=" + python_float(min_val) + ", max_val=" + python_float(max_val);
}

Tensor Hardsigmoid::forward(const Tensor& x) { return hardsigmoid(x); }
Tensor Hardswish::forward(const Tensor& x) { return hardswish(x); }
Tensor SiLU::forward(const Tensor& x) { return silu(x); }
Tensor Mish::forward(const Tensor& x) { return mish(x); }

}  // namespace nabla::nn
