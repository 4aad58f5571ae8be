// Comparisons and logical ops (bool results, constants for autograd: no gradient), the float
// classes, where, allclose and cast.
#include <cmath>

#include "ops/op_utils.h"
#include "tensor/creation.h"

namespace nabla {
using kernels::BinaryOp;
using detail::binary_kernel;

Tensor eq(const Tensor& a, const Tensor& b) { return binary_kernel(BinaryOp::eq, a, b, "eq"); }
Tensor ne(const Tensor& a, const Tensor& b) { return binary_kernel(BinaryOp::ne, a, b, "ne"); }
Tensor lt(const Tensor& a, const Tensor& b) { return binary_kernel(BinaryOp::lt, a, b, "lt"); }
Tensor le(const Tensor& a, const Tensor& b) { return binary_kernel(BinaryOp::le, a, b, "le"); }
Tensor gt(const Tensor& a, const Tensor& b) { return binary_kernel(BinaryOp::gt, a, b, "gt"); }
Tensor ge(const Tensor& a, const Tensor& b) { return binary_kernel(BinaryOp::ge, a, b, "ge"); }

// ---- logical ops: any dtype in (non-zero is true, NaN included, as PyTorch), bool out ----

namespace {
Tensor as_bool(const Tensor& x) { return cast(x.detach(), DType::boolean); }

Tensor logical(kernels::LogicalOp op, const Tensor& a, const Tensor& b, const char* name) {
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), name);
  const Tensor x = as_bool(a), y = as_bool(b);
  const Device device = detail::common_device(name, {x, y});
  Tensor out = detail::empty_for(shape, DType::boolean, device, name);
  detail::kernel_for<kernels::logical>(device, name)(
      op, shape, out.raw_data(), out.strides(), x.raw_data(), detail::broadcast_strides(x, shape),
      y.raw_data(), detail::broadcast_strides(y, shape));
  return out;
}
}  // namespace

Tensor logical_and(const Tensor& a, const Tensor& b) {
  return logical(kernels::LogicalOp::logical_and, a, b, "logical_and");
}
Tensor logical_or(const Tensor& a, const Tensor& b) {
  return logical(kernels::LogicalOp::logical_or, a, b, "logical_or");
}
Tensor logical_xor(const Tensor& a, const Tensor& b) {
  return logical(kernels::LogicalOp::logical_xor, a, b, "logical_xor");
}
// not x is x xor true.
Tensor logical_not(const Tensor& x) {
  return logical(kernels::LogicalOp::logical_xor, x, scalar(1, DType::boolean, x.device()), "logical_not");
}

// ---- the float classes, from comparisons: NaN is the one value unequal to itself, and |x| < inf
// is false for NaN and the infinities alike. Integers and bools are always finite. ----

Tensor isnan(const Tensor& x) { return ne(x, x); }
Tensor isinf(const Tensor& x) {
  if (!is_floating(x.dtype())) return zeros(x.shape(), DType::boolean, x.device());
  return eq(abs(x.detach()), scalar(INFINITY, x.dtype(), x.device()));
}
Tensor isfinite(const Tensor& x) {
  if (!is_floating(x.dtype())) return ones(x.shape(), DType::boolean, x.device());
  return lt(abs(x.detach()), scalar(INFINITY, x.dtype(), x.device()));
}

Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  const Shape shape = broadcast_shapes(broadcast_shapes(condition.shape(), a.shape(), "where"),
                                       b.shape(), "where");
  const DType dtype = promote(a.dtype(), b.dtype());
  const Tensor c = as_bool(condition);
  const Tensor x = a.dtype() == dtype ? a : cast(a.detach(), dtype);
  const Tensor y = b.dtype() == dtype ? b : cast(b.detach(), dtype);
  const Device device = detail::common_device("where", {c, x, y});
  Tensor out = Tensor::empty(shape, dtype, device);
  detail::kernel_for<kernels::where>(device, "where")(
      dtype, shape, out.raw_data(), out.strides(), c.raw_data(),
      detail::broadcast_strides(c, shape), x.raw_data(), detail::broadcast_strides(x, shape),
      y.raw_data(), detail::broadcast_strides(y, shape));
  return record("where", {a, b}, out,
                [c = c.detach(), sa = a.shape(), sb = b.shape()](const Tensor& g) -> std::vector<Tensor> {
                  const Tensor none = zeros({}, g.dtype(), g.device());
                  return {sum_to(where(c, g, none), sa), sum_to(where(c, none, g), sb)};
                });
}

bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol) {
  if (a.shape() != b.shape()) return false;
  const std::vector<double> x = a.to_vector<double>(), y = b.to_vector<double>();
  for (size_t i = 0; i < x.size(); ++i) {
    if (std::isnan(x[i]) || std::isnan(y[i])) return false;
    if (x[i] == y[i]) continue;  // equal infinities
    if (!(std::abs(x[i] - y[i]) <= atol + rtol * std::abs(y[i]))) return false;
  }
  return true;
}

Tensor cast(const Tensor& x, DType dtype) {
  if (x.dtype() == dtype) return x;
  Tensor out = Tensor::empty(x.shape(), dtype, x.device());
  detail::kernel_for<kernels::copy>(x.device(), "cast")(dtype, x.dtype(), x.shape(), out.raw_data(),
                                                        out.strides(), x.raw_data(), x.strides());
  if (!is_floating(dtype)) return out;  // integers carry no gradient
  return record("cast", {x}, out, [from = x.dtype()](const Tensor& g) -> std::vector<Tensor> {
    return {cast(g, from)};
  });
}

}  // namespace nabla
