#include "ops/op_utils.h"

#include <algorithm>
#include <cmath>

#include "tensor/creation.h"
#include "tensor/kernel_for.h"

namespace nabla::detail {

Shape broadcast_strides(const Tensor& x, const Shape& shape) {
  const size_t n = shape.size(), k = x.shape().size();
  Shape strides(n, 0);
  for (size_t i = n - k; i < n; ++i) {
    const size_t j = i - (n - k);
    strides[i] = (x.shape()[j] == 1 && shape[i] != 1) ? 0 : x.strides()[j];
  }
  return strides;
}

Tensor binary_kernel(kernels::BinaryOp op, const Tensor& a, const Tensor& b, const char* name) {
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), name);
  const DType dtype = promote(a.dtype(), b.dtype());
  const Tensor x = a.dtype() == dtype ? a : cast(a.detach(), dtype);
  const Tensor y = b.dtype() == dtype ? b : cast(b.detach(), dtype);
  const Device device = common_device(name, {x, y});
  Tensor out = empty_for(shape, dtype, device, name);  // a broadcast shape may not fit: name the op
  kernel_for<kernels::binary>(device, name)(op, dtype, shape, out.raw_data(), out.strides(),
                                                x.raw_data(), broadcast_strides(x, shape),
                                                y.raw_data(), broadcast_strides(y, shape));
  return out;
}

Tensor unary_kernel(kernels::UnaryOp op, const Tensor& x, const char* name,
                    kernels::UnaryParams params) {
  Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device());
  kernel_for<kernels::unary>(x.device(), name)(op, x.dtype(), x.shape(), out.raw_data(),
                                               out.strides(), x.raw_data(), x.strides(), params);
  return out;
}

Tensor floating_unary(kernels::UnaryOp op, const Tensor& x, const char* name,
                      kernels::UnaryParams params) {
  require_floating(x, name);
  return unary_kernel(op, x, name, params);
}

void require_floating(const Tensor& x, const char* op) {
  if (!is_floating(x.dtype()))
    throw DTypeError(std::string(op) + ": expects a floating tensor, got " + to_string(x.dtype()) +
                     " of shape " + to_string(x.shape()));
}

void require_dtype(const Tensor& x, DType dtype, const char* op, const char* what) {
  if (x.dtype() != dtype)
    throw DTypeError(std::string(op) + ": " + what + " must be " + to_string(dtype) + ", got " +
                     to_string(x.dtype()));
}

Tensor scalar_for(const Tensor& x, double value) {
  DType dtype = x.dtype();
  if (dtype == DType::i64 && value != std::floor(value)) dtype = DType::f32;
  return scalar(value, dtype, x.device());
}

std::vector<int> normalize_axes(const Axes& axes, int64_t ndim, const char* op) {
  std::vector<int> out;
  if (axes.empty()) {
    for (int i = 0; i < ndim; ++i) out.push_back(i);
    return out;
  }
  for (int64_t a : axes) {
    const int axis = normalize_axis(a, ndim, op);
    if (std::find(out.begin(), out.end(), axis) != out.end())
      throw IndexError(std::string(op) + ": axis " + std::to_string(a) + " given twice");
    out.push_back(axis);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Shape reduced_shape(const Shape& shape, const std::vector<int>& axes, bool keepdim) {
  Shape out;
  for (size_t i = 0; i < shape.size(); ++i) {
    const bool reduced = std::find(axes.begin(), axes.end(), static_cast<int>(i)) != axes.end();
    if (!reduced) out.push_back(shape[i]);
    else if (keepdim) out.push_back(1);
  }
  return out;
}

}  // namespace nabla::detail
