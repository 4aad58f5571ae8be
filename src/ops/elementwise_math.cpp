// Elementwise functions and activations with their derivatives, each written with ops so that it
// can be differentiated again.
#include <cmath>

#include "ops/op_utils.h"

namespace nabla {
using kernels::UnaryOp;
using detail::floating_unary;
using detail::unary_kernel;

namespace {
constexpr double kSqrt2 = 1.41421356237309504880;
constexpr double kInvSqrt2Pi = 0.39894228040143267794;  // 1 / sqrt(2 pi)
constexpr double kTwoOverSqrtPi = 1.12837916709551257390;
constexpr double kSqrtPiOverTwo = 0.88622692545275801365;
}  // namespace

Tensor exp(const Tensor& x) {
  Tensor y = floating_unary(UnaryOp::exp, x, "exp");
  return record("exp", {x}, y, [out = SavedOutput(y)](const Tensor& g) -> std::vector<Tensor> {
    return {g * out.get()};
  });
}

Tensor log(const Tensor& x) {
  return record("log", {x}, floating_unary(UnaryOp::log, x, "log"),
                [x](const Tensor& g) -> std::vector<Tensor> { return {g / x}; });
}

Tensor sqrt(const Tensor& x) {
  Tensor y = floating_unary(UnaryOp::sqrt, x, "sqrt");
  return record("sqrt", {x}, y, [out = SavedOutput(y)](const Tensor& g) -> std::vector<Tensor> {
    return {g / (out.get() * 2.0)};
  });
}

Tensor abs(const Tensor& x) {
  return record("abs", {x}, unary_kernel(UnaryOp::abs, x, "abs"),
                [x](const Tensor& g) -> std::vector<Tensor> { return {g * sign(x)}; });
}

Tensor sin(const Tensor& x) {
  return record("sin", {x}, floating_unary(UnaryOp::sin, x, "sin"),
                [x](const Tensor& g) -> std::vector<Tensor> { return {g * cos(x)}; });
}

Tensor cos(const Tensor& x) {
  return record("cos", {x}, floating_unary(UnaryOp::cos, x, "cos"),
                [x](const Tensor& g) -> std::vector<Tensor> { return {neg(g * sin(x))}; });
}

Tensor tanh(const Tensor& x) {
  Tensor y = floating_unary(UnaryOp::tanh, x, "tanh");
  return record("tanh", {x}, y, [out = SavedOutput(y)](const Tensor& g) -> std::vector<Tensor> {
    const Tensor t = out.get();
    return {g * (1.0 - t * t)};
  });
}

Tensor erf(const Tensor& x) {
  return record("erf", {x}, floating_unary(UnaryOp::erf, x, "erf"),
                [x](const Tensor& g) -> std::vector<Tensor> {
                  return {g * exp(neg(x * x)) * kTwoOverSqrtPi};
                });
}

Tensor erfinv(const Tensor& x) {
  Tensor y = floating_unary(UnaryOp::erfinv, x, "erfinv");
  return record("erfinv", {x}, y, [out = SavedOutput(y)](const Tensor& g) -> std::vector<Tensor> {
    // The inverse's derivative 1 / erf'(y) = sqrt(pi) / 2 exp(y^2).
    const Tensor inverse = out.get();
    return {g * exp(inverse * inverse) * kSqrtPiOverTwo};
  });
}

Tensor sign(const Tensor& x) { return unary_kernel(UnaryOp::sign, x, "sign"); }

Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max) {
  const double lo = min.value_or(-INFINITY), hi = max.value_or(INFINITY);
  if (lo > hi) throw Error("clamp: min " + std::to_string(lo) + " is above max " + std::to_string(hi));
  return record("clamp", {x}, unary_kernel(UnaryOp::clamp, x, "clamp", {lo, hi}),
                [x, lo, hi](const Tensor& g) -> std::vector<Tensor> {
                  // True inside [lo, hi]: a constant mask, not part of any graph.
                  const Tensor inside = logical_and(ge(x.detach(), scalar(lo, x.dtype(), x.device())),
                                                    le(x.detach(), scalar(hi, x.dtype(), x.device())));
                  return {g * inside};
                });
}

Tensor sigmoid(const Tensor& x) {
  Tensor y = floating_unary(UnaryOp::sigmoid, x, "sigmoid");
  return record("sigmoid", {x}, y, [out = SavedOutput(y)](const Tensor& g) -> std::vector<Tensor> {
    const Tensor s = out.get();
    return {g * s * (1.0 - s)};
  });
}

namespace {

// g where x > 0, else 0, in one pass. Linear in g with a constant mask, so its own gradient is
// itself applied to the incoming gradient (and zero with respect to x).
Tensor relu_backward(const Tensor& g, const Tensor& x) {
  return record("relu_backward", {g}, detail::binary_kernel(kernels::BinaryOp::relu_grad, g, x, "relu_backward"),
                [x](const Tensor& gg) -> std::vector<Tensor> { return {relu_backward(gg, x)}; });
}

}  // namespace

Tensor relu(const Tensor& x) {
  return record("relu", {x}, unary_kernel(UnaryOp::relu, x, "relu"),
                [x](const Tensor& g) -> std::vector<Tensor> { return {relu_backward(g, x)}; });
}

Tensor leaky_relu(const Tensor& x, double slope) {
  return record("leaky_relu", {x}, floating_unary(UnaryOp::leaky_relu, x, "leaky_relu", {slope, 0}),
                [x, slope](const Tensor& g) -> std::vector<Tensor> {
                  const Tensor positive = unary_kernel(UnaryOp::positive, x, "leaky_relu_backward");
                  return {g * (positive * (1.0 - slope) + slope)};
                });
}

Tensor gelu(const Tensor& x) {
  return record("gelu", {x}, floating_unary(UnaryOp::gelu, x, "gelu"),
                [x](const Tensor& g) -> std::vector<Tensor> {
                  // d/dx x Phi(x) = Phi(x) + x phi(x): one fused pass, unless this backward is
                  // itself recorded (create_graph), when the same formula is written with ops.
                  if (!is_grad_enabled())
                    return {detail::binary_kernel(kernels::BinaryOp::gelu_grad, g, x, "gelu_backward")};
                  const Tensor cdf = (erf(x * (1.0 / kSqrt2)) + 1.0) * 0.5;
                  const Tensor pdf = exp(x * x * -0.5) * kInvSqrt2Pi;
                  return {g * (cdf + x * pdf)};
                });
}

Tensor softmax(const Tensor& x, int64_t axis) {
  detail::require_floating(x, "softmax");
  normalize_axis(axis, x.dim(), "softmax");
  Tensor y;
  if (x.numel() == 0) {
    y = zeros_like(x);  // nothing to normalise; the backward below gives an empty gradient
  } else {
    NoGradGuard no_grad;
    const Tensor shifted = x - max(x, axis, true);  // exp never overflows
    const Tensor e = exp(shifted);
    y = e / sum(e, {axis}, true);
  }
  return record("softmax", {x}, y, [out = SavedOutput(y), axis](const Tensor& g) -> std::vector<Tensor> {
    const Tensor s = out.get();
    return {s * (g - sum(g * s, {axis}, true))};
  });
}

Tensor log_softmax(const Tensor& x, int64_t axis) {
  detail::require_floating(x, "log_softmax");
  normalize_axis(axis, x.dim(), "log_softmax");
  Tensor y;
  if (x.numel() == 0) {
    y = zeros_like(x);
  } else {
    NoGradGuard no_grad;
    // (x - max) - log(sum(exp(x - max))): both terms small, so f32 keeps its digits on large
    // logits (x - logsumexp(x) would subtract two numbers of the logits' size).
    const Tensor shifted = x - max(x, axis, true);
    y = shifted - log(sum(exp(shifted), {axis}, true));
  }
  return record("log_softmax", {x}, y,
                [out = SavedOutput(y), axis](const Tensor& g) -> std::vector<Tensor> {
                  return {g - exp(out.get()) * sum(g, {axis}, true)};
                });
}

}  // namespace nabla
