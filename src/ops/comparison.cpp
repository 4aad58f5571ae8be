// Comparisons (constants for autograd: no gradient), where, and allclose.
#include <cmath>

#include "ops/op_utils.h"

namespace nabla {
using kernels::BinaryOp;
using detail::binary_kernel;

Tensor eq(const Tensor& a, const Tensor& b) { return binary_kernel(BinaryOp::eq, a, b, "eq"); }
Tensor ne(const Tensor& a, const Tensor& b) { return binary_kernel(BinaryOp::ne, a, b, "ne"); }
Tensor lt(const Tensor& a, const Tensor& b) { return binary_kernel(BinaryOp::lt, a, b, "lt"); }
Tensor le(const Tensor& a, const Tensor& b) { return binary_kernel(BinaryOp::le, a, b, "le"); }
Tensor gt(const Tensor& a, const Tensor& b) { return binary_kernel(BinaryOp::gt, a, b, "gt"); }
Tensor ge(const Tensor& a, const Tensor& b) { return binary_kernel(BinaryOp::ge, a, b, "ge"); }

Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  const Shape shape = broadcast_shapes(broadcast_shapes(condition.shape(), a.shape(), "where"),
                                       b.shape(), "where");
  const DType dtype = promote(a.dtype(), b.dtype());
  const Tensor c = condition.dtype() == dtype ? condition : cast(condition.detach(), dtype);
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
