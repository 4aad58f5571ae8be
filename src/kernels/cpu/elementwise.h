// Elementwise kernels over strided buffers: no Tensor, no autograd, no allocation.
// Every operand is (pointer to first element, strides in elements) over a common `shape`; a
// broadcast operand simply has stride 0 on the broadcast axes.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(KERNELS);
#include <cstdint>
#include <vector>

#include "nabla/dtype.h"

namespace nabla::kernels {

using Strides = std::vector<int64_t>;

enum class BinaryOp {
  add, sub, mul, div, pow, maximum, minimum, eq, ne, lt, le, gt, ge,
  relu_grad,  // a where b > 0, else 0: relu's backward in one pass
  gelu_grad,  // a * gelu'(b): gelu's backward in one pass
  // ---- elementwise maths of two operands ----
  atan2,      // the angle of the point (b, a), in (-pi, pi]
  fmod,       // a - trunc(a / b) b: the dividend's sign (C's fmod, torch.fmod)
  remainder,  // a - floor(a / b) b: the divisor's sign (Python's %, torch.remainder)
};

enum class UnaryOp {
  neg, exp, log, sqrt, abs, sin, cos, tanh, erf, sign, sigmoid, relu, gelu,
  leaky_relu,  // param a: negative slope
  clamp,       // params a, b: bounds (use +-inf for none)
  pow_scalar,  // param a: exponent
  positive,    // 1 where x > 0, else 0 (relu's derivative)
  // ---- rounding (integers pass through), trigonometry, erfinv and the activations of torch.nn ----
  floor, ceil, round /* halves to even */, trunc,
  tan, asin, acos, atan, sinh, cosh, asinh, acosh, atanh, erfinv,
  elu,          // params a, b: x > 0 ? x : a * expm1(b * x) (ELU: b = 1; CELU: b = 1 / a)
  softplus,     // params a, b: beta, threshold: x where beta x > threshold, else log1p(exp(beta x)) / beta
  hardsigmoid,  // min(max(x + 3, 0), 6) / 6
  hardswish,    // x min(max(x + 3, 0), 6) / 6
};

// The ops whose result is bool: binary writes them as bool, whatever dtype it computes in.
constexpr bool is_comparison(BinaryOp op) {
  return op == BinaryOp::eq || op == BinaryOp::ne || op == BinaryOp::lt || op == BinaryOp::le ||
         op == BinaryOp::gt || op == BinaryOp::ge;
}

struct UnaryParams {
  double a = 0, b = 0;
};

// out = a (op) b in `dtype`, a compute dtype; comparisons (eq ... ge) write bool.
void binary(BinaryOp op, DType dtype, const std::vector<int64_t>& shape, void* out,
            const Strides& out_strides, const void* a, const Strides& a_strides, const void* b,
            const Strides& b_strides);

void unary(UnaryOp op, DType dtype, const std::vector<int64_t>& shape, void* out,
           const Strides& out_strides, const void* in, const Strides& in_strides,
           UnaryParams params = {});

// out = condition ? a : b; condition is bool, a, b and out are `dtype` (any, storage ones included).
void where(DType dtype, const std::vector<int64_t>& shape, void* out, const Strides& out_strides,
           const void* condition, const Strides& c_strides, const void* a, const Strides& a_strides,
           const void* b, const Strides& b_strides);

enum class LogicalOp { logical_and, logical_or, logical_xor };

// out = a (op) b on bool operands.
void logical(LogicalOp op, const std::vector<int64_t>& shape, void* out, const Strides& out_strides,
             const void* a, const Strides& a_strides, const void* b, const Strides& b_strides);

// out = in converted to out_dtype (also a plain strided copy when the dtypes agree).
void copy(DType out_dtype, DType in_dtype, const std::vector<int64_t>& shape, void* out,
          const Strides& out_strides, const void* in, const Strides& in_strides);

void fill(DType dtype, const std::vector<int64_t>& shape, void* out, const Strides& out_strides,
          double value);

}  // namespace nabla::kernels
