// The activations of torch.nn beyond relu, leaky_relu, gelu and sigmoid (elementwise_math.cpp):
// the exponential linear units (elu, selu, celu), softplus, softsign, prelu's learned slope, the
// piecewise-linear hard ones, and silu and mish. Each has torch's value and torch's gradient,
// at the kinks too; backwards are written with ops, so they differentiate again. A mask that
// picks a branch is a constant of the graph, as in torch.
#include "ops/op_utils.h"

namespace nabla {
using kernels::UnaryOp;
using detail::floating_unary;

namespace {

// The self-normalising constants of Klambauer et al. (2017), as torch's.
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;

// 1 where x > 0, else 0.
Tensor positive_mask(const Tensor& x, const char* op) {
  return detail::unary_kernel(UnaryOp::positive, x.detach(), op);
}

// True where lo < x < hi.
Tensor strictly_between(const Tensor& x, double lo, double hi) {
  const Tensor values = x.detach();
  return logical_and(gt(values, detail::scalar_for(values, lo)), lt(values, detail::scalar_for(values, hi)));
}

// A 0-d zero in x's dtype, on its device.
Tensor scalar_zero(const Tensor& x) { return zeros({}, x.dtype(), x.device()); }

// x > 0 ? x : alpha (exp(input_scale x) - 1), in one kernel: elu (input_scale 1), celu
// (1 / alpha) and selu's inner part. Below zero the derivative is alpha input_scale
// exp(input_scale x), evaluated at min(x, 0) so that it stays finite on the side where it is not
// taken (an infinite exp there would make the second derivative 0 * inf).
Tensor exponential_linear(const Tensor& x, double alpha, double input_scale, const char* op) {
  return record("elu", {x}, floating_unary(UnaryOp::elu, x, op, {alpha, input_scale}),
                [x, alpha, input_scale, op](const Tensor& g) -> std::vector<Tensor> {
                  const Tensor positive = positive_mask(x, op);
                  const Tensor negative_part = where(positive, scalar_zero(x), x);
                  const Tensor slope = exp(negative_part * input_scale) * (alpha * input_scale);
                  return {where(positive, g, g * slope)};
                });
}

}  // namespace

Tensor elu(const Tensor& x, double alpha) { return exponential_linear(x, alpha, 1.0, "elu"); }

Tensor selu(const Tensor& x) { return exponential_linear(x, kSeluAlpha, 1.0, "selu") * kSeluScale; }

Tensor celu(const Tensor& x, double alpha) {
  if (alpha == 0.0) throw Error("celu: alpha cannot be 0 (the input is divided by it)");
  return exponential_linear(x, alpha, 1.0 / alpha, "celu");
}

Tensor softplus(const Tensor& x, double beta, double threshold) {
  return record("softplus", {x}, floating_unary(UnaryOp::softplus, x, "softplus", {beta, threshold}),
                [x, beta, threshold](const Tensor& g) -> std::vector<Tensor> {
                  // sigmoid(beta x) where the log1p formula applies, 1 where the forward is x.
                  const Tensor scaled = x.detach() * beta;
                  const Tensor linear = gt(scaled, detail::scalar_for(scaled, threshold));
                  return {where(linear, g, g * sigmoid(x * beta))};
                });
}

Tensor softsign(const Tensor& x) { return x / (abs(x) + 1.0); }

Tensor prelu(const Tensor& x, const Tensor& weight) {
  detail::require_floating(x, "prelu");
  const int64_t channels = x.dim() >= 2 ? x.shape()[1] : 1;
  if (weight.dim() > 1 || (weight.numel() != 1 && weight.numel() != channels))
    throw ShapeError("prelu: weight of shape " + to_string(weight.shape()) +
                     " should hold 1 slope or one per channel (" + std::to_string(channels) +
                     ") for an input of shape " + to_string(x.shape()));
  // One slope for everything is 0-d; one per channel is [C, 1, ..., 1], broadcast along axis 1.
  Shape slope_shape;
  if (weight.numel() > 1) {
    slope_shape.assign(static_cast<size_t>(x.dim() - 1), 1);
    slope_shape[0] = channels;
  }
  return where(positive_mask(x, "prelu"), x, reshape(weight, slope_shape) * x);
}

Tensor hardtanh(const Tensor& x, double min_val, double max_val) {
  if (min_val > max_val)
    throw Error("hardtanh: min_val " + std::to_string(min_val) + " is above max_val " +
                std::to_string(max_val));
  return record("hardtanh", {x}, floating_unary(UnaryOp::clamp, x, "hardtanh", {min_val, max_val}),
                [x, min_val, max_val](const Tensor& g) -> std::vector<Tensor> {
                  // Unlike clamp's, no gradient at the bounds themselves.
                  return {g * strictly_between(x, min_val, max_val)};
                });
}

Tensor hardsigmoid(const Tensor& x) {
  return record("hardsigmoid", {x}, floating_unary(UnaryOp::hardsigmoid, x, "hardsigmoid"),
                [x](const Tensor& g) -> std::vector<Tensor> {
                  return {g * strictly_between(x, -3, 3) * (1.0 / 6.0)};
                });
}

Tensor hardswish(const Tensor& x) {
  return record("hardswish", {x}, floating_unary(UnaryOp::hardswish, x, "hardswish"),
                [x](const Tensor& g) -> std::vector<Tensor> {
                  // torch's: 0 below -3, x / 3 + 1/2 on [-3, 3] (bounds included), 1 above 3.
                  const Tensor values = x.detach();
                  const Tensor below = lt(values, detail::scalar_for(values, -3));
                  const Tensor above = gt(values, detail::scalar_for(values, 3));
                  return {where(below, scalar_zero(x), where(above, g, g * (x / 3.0 + 0.5)))};
                });
}

Tensor silu(const Tensor& x) { return x * sigmoid(x); }

Tensor mish(const Tensor& x) { return x * tanh(softplus(x)); }

}  // namespace nabla
