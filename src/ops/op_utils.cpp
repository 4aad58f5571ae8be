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
  const DType compute = compute_dtype(dtype);
  const Tensor x = a.dtype() == compute ? a : cast(a.detach(), compute);
  const Tensor y = b.dtype() == compute ? b : cast(b.detach(), compute);
  const Device device = common_device(name, {x, y});
  // A broadcast shape may not fit: name the op.
  Tensor out = empty_for(shape, kernels::is_comparison(op) ? DType::boolean : compute, device, name);
  kernel_for<kernels::binary>(device, name)(op, compute, shape, out.raw_data(), out.strides(),
                                                x.raw_data(), broadcast_strides(x, shape),
                                                y.raw_data(), broadcast_strides(y, shape));
  // A storage dtype's result, computed in its compute dtype, is stored back (f16 adds in f32 and
  // rounds once, as PyTorch on the CPU); cast leaves a compute dtype's untouched.
  return kernels::is_comparison(op) ? out : cast(out, dtype);
}

Tensor unary_kernel(kernels::UnaryOp op, const Tensor& x, const char* name,
                    kernels::UnaryParams params) {
  const DType compute = compute_dtype(x.dtype());
  const Tensor in = x.dtype() == compute ? x : cast(x.detach(), compute);
  Tensor out = Tensor::empty(in.shape(), compute, in.device());
  kernel_for<kernels::unary>(in.device(), name)(op, compute, in.shape(), out.raw_data(),
                                                out.strides(), in.raw_data(), in.strides(), params);
  return cast(out, x.dtype());
}

Tensor floating_unary(kernels::UnaryOp op, const Tensor& x, const char* name,
                      kernels::UnaryParams params) {
  require_floating_storage(x, name);
  return unary_kernel(op, x, name, params);
}

void require_floating_storage(const Tensor& x, const char* op) {
  if (!is_floating(x.dtype()))
    throw DTypeError(std::string(op) + ": expects a floating tensor, got " + to_string(x.dtype()) +
                     " of shape " + to_string(x.shape()));
}

namespace {
void refuse_storage_dtype(const Tensor& x, const char* op, const char* computes_in) {
  if (is_storage_only(x.dtype()))
    throw DTypeError(std::string(op) + ": computes in " + computes_in + ", got " + to_string(x.dtype()) +
                     " of shape " + to_string(x.shape()) + ", a storage dtype on the CPU: convert it with .to(DType::f32)");
}
}  // namespace

void require_computed(const Tensor& x, const char* op) { refuse_storage_dtype(x, op, "f32, f64 or i64"); }

void require_floating(const Tensor& x, const char* op) {
  require_floating_storage(x, op);
  refuse_storage_dtype(x, op, "f32 or f64");
}

void require_dtype(const Tensor& x, DType dtype, const char* op, const char* what) {
  if (x.dtype() != dtype)
    throw DTypeError(std::string(op) + ": " + what + " must be " + to_string(dtype) + ", got " +
                     to_string(x.dtype()));
}

Tensor scalar_for(const Tensor& x, double value) {
  // As PyTorch's Python numbers: a whole number keeps an integer tensor integral (a bool one
  // becomes i64), a fraction makes it f32; a float tensor keeps its dtype.
  DType dtype = x.dtype();
  if (!is_floating(dtype)) dtype = value == std::floor(value) ? DType::i64 : DType::f32;
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
