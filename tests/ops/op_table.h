// What an entry of the op table holds (the table itself is op_table_entries.h) and how its inputs
// are made. tests/ops/gradcheck_op_table.cpp runs every check over every entry.
#pragma once
#include <algorithm>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "nabla/gradcheck.h"
#include "nabla/nabla.h"

namespace nabla::test_support {

// One input of an op: its shape and where its values come from.
struct InputSpec {
  Shape shape;
  double low = -1, high = 1;
  bool requires_grad = true;
  bool distinct = false;  // all values different, so a maximum is never a tie

  InputSpec(std::initializer_list<int64_t> dims) : shape(dims) {}  // NOLINT: so `{2, 3}` is an input
  InputSpec& range(double lo, double hi) {
    low = lo;
    high = hi;
    return *this;
  }
  // Part of the op's arguments but not differentiated (running statistics, masks, targets).
  InputSpec& constant() {
    requires_grad = false;
    return *this;
  }
  InputSpec& all_distinct() {
    distinct = true;
    return *this;
  }
};

struct OpEntry {
  // The public function, then after a dot the variant when one function has several entries
  // ("cross_entropy.probabilities").
  std::string name;
  std::vector<InputSpec> inputs;
  DifferentiableFn op;
  // For a fused op: the same function written with other ops, which it must agree with.
  DifferentiableFn composite = nullptr;
  GradcheckOptions tolerance = {};
  bool second_order = true;
  // f32 against f64, relative and absolute, on outputs and gradients.
  double f32_tolerance = 2e-4;
  // Inputs large enough (kParallelThreshold elements and up) that the op's kernels fork, for the
  // 1-against-2-threads check; empty: that check runs on `inputs`.
  std::vector<InputSpec> threaded_inputs = {};

  std::string function() const { return name.substr(0, name.find('.')); }
};

enum class Layout { contiguous, strided };

// A view with x's values whose strides are not row-major: the axes of a transposed copy reversed
// back (for 2-D and up), or every other element of a buffer twice as long (for 1-D).
inline Tensor strided_like(const Tensor& x) {
  if (x.dim() >= 2) return x.T().contiguous().T();
  if (x.dim() == 1) return stack({x, zeros_like(x)}, 1).select(1, 0);
  return x;
}

// Inputs of `specs` in `dtype` and `layout`. Values are drawn in f64 from a seed of the entry's
// name and then converted, so every dtype and layout holds the same numbers.
inline std::vector<Tensor> make_inputs(const OpEntry& entry, const std::vector<InputSpec>& specs,
                                       DType dtype, Layout layout) {
  manual_seed(std::hash<std::string>{}(entry.name) % 100000);
  std::vector<Tensor> inputs;
  for (const InputSpec& spec : specs) {
    NoGradGuard no_grad;
    Tensor values;
    if (spec.distinct) {
      // A random order of evenly spaced values over [low, high].
      const int64_t n = numel(spec.shape);
      const double step = (spec.high - spec.low) / static_cast<double>(std::max<int64_t>(n, 1));
      values = index_select(arange(0, static_cast<double>(n), 1, DType::f64), 0, randperm(n));
      values = (values * step + spec.low).reshape(spec.shape);
    } else {
      values = uniform(spec.shape, spec.low, spec.high, DType::f64);
    }
    values = cast(values, dtype);
    if (layout == Layout::strided) values = strided_like(values);
    Tensor input = values.detach();
    if (spec.requires_grad) input.requires_grad_();
    inputs.push_back(input);
  }
  return inputs;
}

inline std::vector<Tensor> make_inputs(const OpEntry& entry, DType dtype, Layout layout) {
  return make_inputs(entry, entry.inputs, dtype, layout);
}

// The tensors of a differentiable call: its output, then the gradient of sum(output * v) with
// respect to every input that requires grad, v a fixed random weighting. Comparing these compares
// both the forward and the backward of two ways of computing one function.
inline std::vector<Tensor> output_and_gradients(const DifferentiableFn& f,
                                                const std::vector<Tensor>& inputs) {
  const Tensor out = f(inputs);
  std::vector<Tensor> wrt;
  for (const Tensor& x : inputs)
    if (x.requires_grad()) wrt.push_back(x);
  Generator generator(1234);
  std::vector<double> weights(static_cast<size_t>(out.numel()));
  for (double& w : weights) w = generator.uniform() * 2 - 1;
  const Tensor v = from_vector(weights, {out.numel()}, out.dtype()).reshape(out.shape()).to(out.device());
  GradOptions options;
  options.allow_unused = true;
  std::vector<Tensor> results{out.detach()};
  const std::vector<Tensor> grads =
      out.requires_grad() ? grad({out}, wrt, {v}, options) : std::vector<Tensor>(wrt.size());
  for (size_t k = 0; k < wrt.size(); ++k)
    results.push_back(grads[k].defined() ? grads[k].detach() : zeros_like(wrt[k]));
  return results;
}

}  // namespace nabla::test_support
