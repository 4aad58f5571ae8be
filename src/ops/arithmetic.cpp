// + - * / and friends. The gradient of a broadcast operand is summed back to its shape.
#include "ops/op_utils.h"

namespace nabla {
using kernels::BinaryOp;
using detail::binary_kernel;

Tensor add(const Tensor& a, const Tensor& b) {
  return record("add", {a, b}, binary_kernel(BinaryOp::add, a, b, "add"),
                [sa = a.shape(), sb = b.shape()](const Tensor& g) -> std::vector<Tensor> {
                  return {sum_to(g, sa), sum_to(g, sb)};
                });
}

namespace {
// PyTorch refuses - on bools too: it has no meaning there, and logical_xor / logical_not say what
// is usually meant.
void refuse_bool(const Tensor& x, const char* op) {
  if (x.dtype() == DType::boolean)
    throw DTypeError(std::string(op) + ": not defined on bool tensors (shape " + to_string(x.shape()) +
                     "): use logical_xor or logical_not, or convert with .to(DType::i64)");
}
}  // namespace

Tensor sub(const Tensor& a, const Tensor& b) {
  refuse_bool(a, "sub");
  refuse_bool(b, "sub");
  return record("sub", {a, b}, binary_kernel(BinaryOp::sub, a, b, "sub"),
                [sa = a.shape(), sb = b.shape()](const Tensor& g) -> std::vector<Tensor> {
                  return {sum_to(g, sa), sum_to(neg(g), sb)};
                });
}

Tensor mul(const Tensor& a, const Tensor& b) {
  return record("mul", {a, b}, binary_kernel(BinaryOp::mul, a, b, "mul"),
                [a, b](const Tensor& g) -> std::vector<Tensor> {
                  return {a.requires_grad() ? sum_to(g * b, a.shape()) : Tensor(),
                          b.requires_grad() ? sum_to(g * a, b.shape()) : Tensor()};
                });
}

Tensor div(const Tensor& a, const Tensor& b) {
  // True division, as Python's / and torch.div: integers divide as floats.
  if (!is_floating(a.dtype()) && !is_floating(b.dtype())) return div(cast(a, DType::f32), b);
  return record("div", {a, b}, binary_kernel(BinaryOp::div, a, b, "div"),
                [a, b](const Tensor& g) -> std::vector<Tensor> {
                  return {a.requires_grad() ? sum_to(g / b, a.shape()) : Tensor(),
                          b.requires_grad() ? sum_to(neg(g) * a / (b * b), b.shape()) : Tensor()};
                });
}

Tensor neg(const Tensor& x) {
  refuse_bool(x, "neg");
  return record("neg", {x}, detail::unary_kernel(kernels::UnaryOp::neg, x, "neg"),
                [](const Tensor& g) -> std::vector<Tensor> { return {neg(g)}; });
}

Tensor pow(const Tensor& base, const Tensor& exponent) {
  detail::require_floating_storage(base, "pow");
  return record("pow", {base, exponent}, binary_kernel(BinaryOp::pow, base, exponent, "pow"),
                [a = base, b = exponent](const Tensor& g) -> std::vector<Tensor> {
                  Tensor ga, gb;
                  if (a.requires_grad()) ga = sum_to(g * b * pow(a, b - 1.0), a.shape());
                  // d(a^b)/db = a^b log a; taken as 0 where a == 0 (the limit for b > 0).
                  if (b.requires_grad())
                    gb = sum_to(where(eq(a, zeros_like(a)), zeros_like(g),
                                      g * pow(a, b) * log(a)),
                                b.shape());
                  return {ga, gb};
                });
}

Tensor pow(const Tensor& base, double exponent) {
  detail::require_floating_storage(base, "pow");
  Tensor out = detail::unary_kernel(kernels::UnaryOp::pow_scalar, base, "pow", {exponent, 0});
  return record("pow", {base}, out, [x = base, exponent](const Tensor& g) -> std::vector<Tensor> {
    if (exponent == 0) return {zeros_like(g)};
    return {g * exponent * pow(x, exponent - 1)};
  });
}

namespace {
// Where a == b the gradient is shared equally, as in PyTorch.
Tensor maximum_share(const Tensor& a, const Tensor& b, bool larger) {
  const Tensor wins = cast(larger ? gt(a, b) : lt(a, b), a.dtype());
  return wins + cast(eq(a, b), a.dtype()) * 0.5;
}

Tensor extremum(const Tensor& a, const Tensor& b, bool larger) {
  const char* name = larger ? "maximum" : "minimum";
  Tensor out = binary_kernel(larger ? BinaryOp::maximum : BinaryOp::minimum, a, b, name);
  return record(name, {a, b}, out, [a, b, larger](const Tensor& g) -> std::vector<Tensor> {
    const Tensor share_a = maximum_share(a.detach(), b.detach(), larger);
    return {sum_to(g * share_a, a.shape()), sum_to(g * (1.0 - share_a), b.shape())};
  });
}
}  // namespace

Tensor maximum(const Tensor& a, const Tensor& b) { return extremum(a, b, true); }
Tensor minimum(const Tensor& a, const Tensor& b) { return extremum(a, b, false); }

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator-(const Tensor& x) { return neg(x); }
Tensor operator+(const Tensor& a, double b) { return add(a, detail::scalar_for(a, b)); }
Tensor operator-(const Tensor& a, double b) { return sub(a, detail::scalar_for(a, b)); }
Tensor operator*(const Tensor& a, double b) { return mul(a, detail::scalar_for(a, b)); }
Tensor operator/(const Tensor& a, double b) { return div(a, detail::scalar_for(a, b)); }
Tensor operator+(double a, const Tensor& b) { return add(detail::scalar_for(b, a), b); }
Tensor operator-(double a, const Tensor& b) { return sub(detail::scalar_for(b, a), b); }
Tensor operator*(double a, const Tensor& b) { return mul(detail::scalar_for(b, a), b); }
Tensor operator/(double a, const Tensor& b) { return div(detail::scalar_for(b, a), b); }

}  // namespace nabla
