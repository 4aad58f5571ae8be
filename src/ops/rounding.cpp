// Rounding to integral values (floor, ceil, round, trunc) and the remainders of a division (fmod,
// remainder). Rounding has no gradient, as sign: its derivative is zero wherever it exists. The
// remainders a - q b have the gradients torch gives them: the quotient q jumps only where the
// remainder does, so between the jumps d/da = 1 and d/db = -q.
#include "ops/op_utils.h"

namespace nabla {
using kernels::BinaryOp;
using kernels::UnaryOp;
using detail::unary_kernel;

Tensor floor(const Tensor& x) { return unary_kernel(UnaryOp::floor, x, "floor"); }
Tensor ceil(const Tensor& x) { return unary_kernel(UnaryOp::ceil, x, "ceil"); }
Tensor round(const Tensor& x) { return unary_kernel(UnaryOp::round, x, "round"); }
Tensor trunc(const Tensor& x) { return unary_kernel(UnaryOp::trunc, x, "trunc"); }

namespace {

// Integers divide exactly or not at all, so an integer divisor of 0 is refused, as torch refuses
// it ("ZeroDivisionError"); a floating one gives NaN, as IEEE division does.
void refuse_integer_division_by_zero(const Tensor& a, const Tensor& b, const char* op) {
  if (is_floating(promote(a.dtype(), b.dtype()))) return;
  NoGradGuard no_grad;
  if (sum(eq(b, zeros_like(b))).item() > 0)
    throw Error(std::string(op) + ": integer division by zero (a divisor of shape " +
                to_string(b.shape()) + " holds a 0)");
}

// a - q b with the quotient q = floor(a / b) (remainder) or trunc(a / b) (fmod).
Tensor division_remainder(const Tensor& a, const Tensor& b, bool floored) {
  const char* name = floored ? "remainder" : "fmod";
  refuse_integer_division_by_zero(a, b, name);
  Tensor out = detail::binary_kernel(floored ? BinaryOp::remainder : BinaryOp::fmod, a, b, name);
  return record(name, {a, b}, out, [a, b, floored](const Tensor& g) -> std::vector<Tensor> {
    Tensor gb;
    if (b.requires_grad()) {
      const Tensor ratio = div(a.detach(), b.detach());
      gb = sum_to(neg(g) * (floored ? floor(ratio) : trunc(ratio)), b.shape());
    }
    return {sum_to(g, a.shape()), gb};
  });
}

}  // namespace

Tensor fmod(const Tensor& a, const Tensor& b) { return division_remainder(a, b, false); }
Tensor remainder(const Tensor& a, const Tensor& b) { return division_remainder(a, b, true); }
Tensor fmod(const Tensor& a, double b) { return fmod(a, detail::scalar_for(a, b)); }
Tensor remainder(const Tensor& a, double b) { return remainder(a, detail::scalar_for(a, b)); }

}  // namespace nabla
