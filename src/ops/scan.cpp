// Cumulative sums and products along an axis, and the product reduction built on them. The
// gradient of a running sum is the running sum of the gradient taken from the other end; the
// running product's is written so that zeros in x need no division by them.
#include "kernels/cpu/scan.h"
#include "ops/op_utils.h"

namespace nabla {
namespace {

// The scan kernel over x, as [outer, n, inner] blocks around axis a.
Tensor scan_kernel(kernels::ScanOp op, const Tensor& x, int a, const char* name) {
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < x.dim(); ++i) {
    if (i < a) outer *= x.shape()[static_cast<size_t>(i)];
    if (i > a) inner *= x.shape()[static_cast<size_t>(i)];
  }
  const Tensor src = x.detach().contiguous();
  Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device());
  detail::kernel_for<kernels::cumulative>(x.device(), name)(
      op, x.dtype(), outer, x.shape()[static_cast<size_t>(a)], inner, src.raw_data(), out.raw_data());
  return out;
}

// sum_{j >= i} g_j along axis: the running sum from the far end.
Tensor reverse_cumsum(const Tensor& g, int64_t axis) { return flip(cumsum(flip(g, {axis}), axis), {axis}); }

// d/dx_i of sum_j g_j y_j, y = cumprod(x), is sum_{j >= i} g_j prod_{m <= j, m != i} x_m. Before the
// first zero of a line this is reverse_cumsum(g * y)_i / x_i; at the first zero z it is
// reverse_cumsum(g * cumprod(x with x_z = 1))_z, which needs no division; after it every product
// holds x_z = 0. (PyTorch's cumprod_backward splits the same three cases.) Differentiated again,
// this is exact except in a line with two or more zeros, where the gradient at its second zero s
// is taken as constant although it is linear in x_z (d2/dx_s dx_z is then 0; PyTorch's O(n^2)
// double backward has it).
Tensor cumprod_backward(const Tensor& x, const Tensor& y, const Tensor& g, int64_t axis) {
  const Tensor zero = zeros({}, x.dtype(), x.device()), one = ones({}, x.dtype(), x.device());
  const Tensor is_zero = eq(x.detach(), zero);
  const Tensor first_zero = logical_and(is_zero, eq(cumsum(is_zero, axis), one));
  const Tensor nonzero_part = where(is_zero, zero, reverse_cumsum(g * y, axis) / where(is_zero, one, x));
  const Tensor without_first_zero = cumprod(where(first_zero, one, x), axis);
  return nonzero_part + where(first_zero, reverse_cumsum(g * without_first_zero, axis), zero);
}

}  // namespace

Tensor cumsum(const Tensor& x, int64_t axis) {
  if (x.dtype() == DType::boolean) return cumsum(cast(x, DType::i64), axis);  // counts, as PyTorch
  if (is_storage_only(x.dtype()))
    return detail::through_compute_dtype(x, [&](const Tensor& c) { return cumsum(c, axis); });
  if (x.dim() == 0) return reshape(cumsum(reshape(x, {1}), axis), {});
  const int a = normalize_axis(axis, x.dim(), "cumsum");
  return record("cumsum", {x}, scan_kernel(kernels::ScanOp::sum, x, a, "cumsum"),
                [a](const Tensor& g) -> std::vector<Tensor> { return {reverse_cumsum(g, a)}; });
}

Tensor cumprod(const Tensor& x, int64_t axis) {
  if (x.dtype() == DType::boolean) return cumprod(cast(x, DType::i64), axis);  // counts, as PyTorch
  if (is_storage_only(x.dtype()))
    return detail::through_compute_dtype(x, [&](const Tensor& c) { return cumprod(c, axis); });
  if (x.dim() == 0) return reshape(cumprod(reshape(x, {1}), axis), {});
  const int a = normalize_axis(axis, x.dim(), "cumprod");
  const Tensor y = scan_kernel(kernels::ScanOp::prod, x, a, "cumprod");
  return record("cumprod", {x}, y, [x, a, out = SavedOutput(y)](const Tensor& g) -> std::vector<Tensor> {
    return {cumprod_backward(x, out.get(), g, a)};
  });
}

Tensor prod(const Tensor& x, std::optional<int64_t> axis, bool keepdim) {
  if (!axis) {
    const Tensor all = prod(reshape(x, {-1}), 0);
    return keepdim ? reshape(all, Shape(static_cast<size_t>(x.dim()), 1)) : all;
  }
  if (x.dim() == 0) return x;
  const int a = normalize_axis(*axis, x.dim(), "prod");
  const int64_t n = x.shape()[static_cast<size_t>(a)];
  // The product of an empty axis is 1; adding the (empty, zero) sum keeps the result in x's graph.
  if (n == 0) return sum(x, {a}, keepdim) + 1.0;
  const Tensor last = slice(cumprod(x, a), a, n - 1, n);
  return keepdim ? last : squeeze(last, a);
}

}  // namespace nabla
