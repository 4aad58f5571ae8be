// Gradient checks by central differences in f64, element by element (the course's
// numerical_gradient), against what autograd computes.
#include "nabla/gradcheck.h"

#include <cmath>
#include <sstream>

#include "nabla/autograd.h"
#include "nabla/ops.h"
#include "nabla/random.h"

namespace nabla {
namespace {

// A fixed random weighting of f's output, so a non-scalar output is checked in every direction
// at once without touching the process-wide generator.
Tensor weights_like(const Tensor& y, uint64_t seed) {
  Generator g(seed);
  Tensor w = Tensor::empty(y.shape(), DType::f64);
  double* p = w.data<double>();
  for (int64_t i = 0; i < w.numel(); ++i) p[i] = g.uniform() * 2 - 1;
  return w;
}

// Pointer to element `flat` (row-major numbering) of a possibly strided f64 tensor.
double* element(const Tensor& t, int64_t flat) {
  int64_t offset = 0;
  for (int64_t axis = t.dim() - 1; axis >= 0; --axis) {
    const int64_t size = t.shape()[static_cast<size_t>(axis)];
    offset += (flat % size) * t.strides()[static_cast<size_t>(axis)];
    flat /= size;
  }
  return static_cast<double*>(t.raw_data()) + offset;
}

double weighted_sum(const DifferentiableFn& f, const std::vector<Tensor>& inputs, const Tensor& w) {
  Tensor y = f(inputs);
  return sum(mul(y.detach(), w)).item();
}

}  // namespace

GradcheckResult gradcheck(const DifferentiableFn& f, const std::vector<Tensor>& inputs,
                          GradcheckOptions options) {
  std::vector<Tensor> wrt;
  std::vector<size_t> positions;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].dtype() != DType::f64 && inputs[i].requires_grad())
      throw DTypeError("gradcheck: input " + std::to_string(i) + " is " +
                       to_string(inputs[i].dtype()) + "; checks need f64");
    if (inputs[i].requires_grad()) {
      wrt.push_back(inputs[i]);
      positions.push_back(i);
    }
  }
  if (wrt.empty()) throw Error("gradcheck: no input requires grad");

  Tensor y = f(inputs);
  if (y.dtype() != DType::f64) throw DTypeError("gradcheck: the function must return f64");
  const Tensor w = weights_like(y, 20261123);
  GradOptions grad_options;
  grad_options.allow_unused = true;
  // An output that does not depend on the inputs through the graph has zero gradient.
  std::vector<Tensor> analytic(wrt.size());
  if (y.requires_grad()) analytic = grad({y}, wrt, {w}, grad_options);

  for (size_t k = 0; k < wrt.size(); ++k) {
    const Tensor& x = wrt[k];
    const Tensor a = analytic[k].defined() ? analytic[k].contiguous() : zeros_like(x);
    const double* ap = a.data<double>();
    for (int64_t i = 0; i < x.numel(); ++i) {
      double* p = element(x, i);
      const double original = *p;
      *p = original + options.eps;
      const double plus = weighted_sum(f, inputs, w);
      *p = original - options.eps;
      const double minus = weighted_sum(f, inputs, w);
      *p = original;
      const double numerical = (plus - minus) / (2 * options.eps);
      if (!(std::abs(ap[i] - numerical) <= options.atol + options.rtol * std::abs(numerical))) {
        std::ostringstream msg;
        msg << "gradcheck: input " << positions[k] << " (shape " << to_string(x.shape())
            << "), element " << i << ": autograd " << ap[i] << ", numerical " << numerical;
        return {false, msg.str()};
      }
    }
  }
  return {true, ""};
}

GradcheckResult gradgradcheck(const DifferentiableFn& f, const std::vector<Tensor>& inputs,
                              GradcheckOptions options) {
  Tensor y = f(inputs);
  const Tensor w = weights_like(y, 7);
  // The first derivatives, flattened into one vector, as a function of the inputs.
  DifferentiableFn first_derivatives = [&](const std::vector<Tensor>& xs) {
    std::vector<Tensor> wrt;
    for (const Tensor& x : xs)
      if (x.requires_grad()) wrt.push_back(x);
    GradOptions o;
    o.create_graph = true;
    o.allow_unused = true;
    std::vector<Tensor> grads = grad({f(xs)}, wrt, {w}, o);
    std::vector<Tensor> flat;
    for (size_t k = 0; k < grads.size(); ++k)
      flat.push_back(grads[k].defined() ? reshape(grads[k], {-1}) : zeros({wrt[k].numel()}, DType::f64));
    return concat(flat, 0);
  };
  return gradcheck(first_derivatives, inputs, options);
}

}  // namespace nabla
