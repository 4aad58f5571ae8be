// The trigonometric and hyperbolic functions beyond sin, cos and tanh (elementwise_math.cpp), and
// their inverses, with torch's derivatives written with ops so that they differentiate again.
#include "ops/op_utils.h"

namespace nabla {
using kernels::UnaryOp;
using detail::floating_unary;

Tensor tan(const Tensor& x) {
  Tensor y = floating_unary(UnaryOp::tan, x, "tan");
  return record("tan", {x}, y, [out = SavedOutput(y)](const Tensor& g) -> std::vector<Tensor> {
    const Tensor t = out.get();
    return {g * (t * t + 1.0)};
  });
}

Tensor asin(const Tensor& x) {
  return record("asin", {x}, floating_unary(UnaryOp::asin, x, "asin"),
                [x](const Tensor& g) -> std::vector<Tensor> { return {g / sqrt(1.0 - x * x)}; });
}

Tensor acos(const Tensor& x) {
  return record("acos", {x}, floating_unary(UnaryOp::acos, x, "acos"),
                [x](const Tensor& g) -> std::vector<Tensor> { return {neg(g) / sqrt(1.0 - x * x)}; });
}

Tensor atan(const Tensor& x) {
  return record("atan", {x}, floating_unary(UnaryOp::atan, x, "atan"),
                [x](const Tensor& g) -> std::vector<Tensor> { return {g / (x * x + 1.0)}; });
}

Tensor atan2(const Tensor& a, const Tensor& b) {
  detail::require_floating_storage(a, "atan2");
  detail::require_floating_storage(b, "atan2");
  return record("atan2", {a, b}, detail::binary_kernel(kernels::BinaryOp::atan2, a, b, "atan2"),
                [a, b](const Tensor& g) -> std::vector<Tensor> {
                  // The gradient of the angle of (b, a) is (b, -a) / (a^2 + b^2).
                  const Tensor scaled = g / (a * a + b * b);
                  return {a.requires_grad() ? sum_to(scaled * b, a.shape()) : Tensor(),
                          b.requires_grad() ? sum_to(neg(scaled) * a, b.shape()) : Tensor()};
                });
}

Tensor sinh(const Tensor& x) {
  return record("sinh", {x}, floating_unary(UnaryOp::sinh, x, "sinh"),
                [x](const Tensor& g) -> std::vector<Tensor> { return {g * cosh(x)}; });
}

Tensor cosh(const Tensor& x) {
  return record("cosh", {x}, floating_unary(UnaryOp::cosh, x, "cosh"),
                [x](const Tensor& g) -> std::vector<Tensor> { return {g * sinh(x)}; });
}

Tensor asinh(const Tensor& x) {
  return record("asinh", {x}, floating_unary(UnaryOp::asinh, x, "asinh"),
                [x](const Tensor& g) -> std::vector<Tensor> { return {g / sqrt(x * x + 1.0)}; });
}

Tensor acosh(const Tensor& x) {
  return record("acosh", {x}, floating_unary(UnaryOp::acosh, x, "acosh"),
                [x](const Tensor& g) -> std::vector<Tensor> { return {g / sqrt(x * x - 1.0)}; });
}

Tensor atanh(const Tensor& x) {
  return record("atanh", {x}, floating_unary(UnaryOp::atanh, x, "atanh"),
                [x](const Tensor& g) -> std::vector<Tensor> { return {g / (1.0 - x * x)}; });
}

}  // namespace nabla
