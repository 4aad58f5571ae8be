// Reductions. The gradient of a reduction broadcasts the output's gradient back over the reduced
// axes; for max/min it goes to the elements that were the extreme.
#include <algorithm>

#include "kernels/cpu/reduce.h"
#include "ops/op_utils.h"

namespace nabla {
using detail::normalize_axes;
using detail::reduced_shape;

Tensor sum(const Tensor& x, const Axes& axes_in, bool keepdim) {
  if (x.dtype() == DType::boolean) return sum(cast(x, DType::i64), axes_in, keepdim);  // counts, as PyTorch
  if (is_storage_only(x.dtype()))
    return detail::through_compute_dtype(x, [&](const Tensor& c) { return sum(c, axes_in, keepdim); });
  const std::vector<int> axes = normalize_axes(axes_in, x.dim(), "sum");
  const Shape kept = reduced_shape(x.shape(), axes, true);
  Tensor out = zeros(kept, x.dtype(), x.device());
  Shape out_strides = out.strides();
  for (int a : axes) out_strides[static_cast<size_t>(a)] = 0;
  detail::kernel_for<kernels::sum>(x.device(), "sum")(x.dtype(), x.shape(), x.raw_data(),
                                                      x.strides(), out.raw_data(), out_strides);
  if (!keepdim) out = out.detach().reshape(reduced_shape(x.shape(), axes, false));
  return record("sum", {x}, out, [shape = x.shape(), kept](const Tensor& g) -> std::vector<Tensor> {
    return {broadcast_to(reshape(g, kept), shape)};
  });
}

Tensor mean(const Tensor& x, const Axes& axes_in, bool keepdim) {
  detail::require_floating_storage(x, "mean");
  const std::vector<int> axes = normalize_axes(axes_in, x.dim(), "mean");
  int64_t count = 1;
  for (int a : axes) count *= x.shape()[static_cast<size_t>(a)];
  return sum(x, axes_in, keepdim) * (1.0 / static_cast<double>(count));
}

Tensor var(const Tensor& x, const Axes& axes_in, bool keepdim, int64_t correction) {
  detail::require_floating_storage(x, "var");
  const std::vector<int> axes = normalize_axes(axes_in, x.dim(), "var");
  int64_t count = 1;
  for (int a : axes) count *= x.shape()[static_cast<size_t>(a)];
  const Tensor centered = x - mean(x, axes_in, true);
  return sum(centered * centered, axes_in, keepdim) *
         (1.0 / static_cast<double>(std::max<int64_t>(count - correction, 0)));
}

Tensor logsumexp(const Tensor& x, const Axes& axes_in, bool keepdim) {
  detail::require_floating(x, "logsumexp");
  const std::vector<int> axes = normalize_axes(axes_in, x.dim(), "logsumexp");
  for (int a : axes)  // the log of an empty sum: -inf, as PyTorch
    if (x.shape()[static_cast<size_t>(a)] == 0) return log(sum(exp(x), axes_in, keepdim));
  // Shift by the maximum (a constant) so exp cannot overflow: lse(x) = m + log(sum(exp(x - m))).
  Tensor m = x.detach();
  for (int a : axes) m = max(m, a, true);
  const Tensor lse = log(sum(exp(x - m), axes_in, true)) + m;
  return keepdim ? lse : reshape(lse, reduced_shape(x.shape(), axes, false));
}

namespace {

struct ArgResult {
  Tensor values, indices;
};

// The extreme of x along one axis (or all of x), keepdim shape.
ArgResult arg_reduce(kernels::ArgReduce op, const Tensor& x, std::optional<int64_t> axis_in,
                     bool want_values, const char* name) {
  // An extreme of nothing does not exist (PyTorch refuses too); reducing another axis of a tensor
  // with no elements gives an empty result.
  Tensor moved;
  Shape kept;
  if (!axis_in) {
    if (x.numel() == 0)
      throw ShapeError(std::string(name) + ": cannot reduce an empty tensor of shape " + to_string(x.shape()));
    moved = x.contiguous().detach().reshape({1, x.numel()});
    kept = Shape(static_cast<size_t>(x.dim()), 1);
  } else {
    const int axis = normalize_axis(*axis_in, x.dim(), name);
    if (x.dim() > 0 && x.shape()[static_cast<size_t>(axis)] == 0)
      throw ShapeError(std::string(name) + ": cannot reduce axis " + std::to_string(axis) +
                       " of size 0 of a tensor of shape " + to_string(x.shape()));
    if (x.dim() == 0) {
      moved = x.detach().reshape({1, 1});
    } else {
      std::vector<int64_t> order;
      for (int64_t i = 0; i < x.dim(); ++i)
        if (i != axis) order.push_back(i);
      order.push_back(axis);
      const Tensor p = x.detach().permute(order).contiguous();
      moved = p.reshape({-1, x.shape()[static_cast<size_t>(axis)]});
    }
    kept = x.shape();
    if (!kept.empty()) kept[static_cast<size_t>(axis)] = 1;
  }
  const int64_t rows = moved.shape()[0], n = moved.shape()[1];
  ArgResult r;
  r.indices = Tensor::empty(kept, DType::i64, x.device());
  if (want_values) r.values = Tensor::empty(kept, x.dtype(), x.device());
  detail::kernel_for<kernels::reduce_rows>(x.device(), name)(
      op, x.dtype(), rows, n, moved.raw_data(), want_values ? r.values.raw_data() : nullptr,
      r.indices.data<int64_t>());
  return r;
}

Shape final_shape(const Tensor& x, std::optional<int64_t> axis, bool keepdim) {
  if (!axis) return keepdim ? Shape(static_cast<size_t>(x.dim()), 1) : Shape{};
  Shape s = x.shape();
  if (s.empty()) return s;
  const int a = normalize_axis(*axis, x.dim(), "reduce");
  if (keepdim) s[static_cast<size_t>(a)] = 1;
  else s.erase(s.begin() + a);
  return s;
}

Tensor extreme(const Tensor& x, std::optional<int64_t> axis, bool keepdim, bool is_max) {
  if (is_storage_only(x.dtype()))
    return detail::through_compute_dtype(x, [&](const Tensor& c) { return extreme(c, axis, keepdim, is_max); });
  const char* name = is_max ? "max" : "min";
  ArgResult r = arg_reduce(is_max ? kernels::ArgReduce::max : kernels::ArgReduce::min, x, axis,
                           true, name);
  const Tensor kept_values = r.values;
  Tensor out = r.values.reshape(final_shape(x, axis, keepdim));
  return record(name, {x}, out, [x, kept_values](const Tensor& g) -> std::vector<Tensor> {
    // The gradient is shared among the elements equal to the extreme.
    const Tensor mask = eq(x.detach(), kept_values);
    Shape kept = kept_values.shape();
    std::vector<int64_t> axes;
    for (size_t i = 0; i < kept.size(); ++i)
      if (kept[i] == 1 && x.shape()[i] != 1) axes.push_back(static_cast<int64_t>(i));
    const Tensor count = axes.empty() ? ones_like(kept_values) : sum(mask, axes, true);
    return {mask * (reshape(g, kept) / count)};
  });
}

}  // namespace

Tensor max(const Tensor& x, std::optional<int64_t> axis, bool keepdim) {
  return extreme(x, axis, keepdim, true);
}
Tensor min(const Tensor& x, std::optional<int64_t> axis, bool keepdim) {
  return extreme(x, axis, keepdim, false);
}
// The order of a storage dtype's values is that of their compute dtype's: compare those.
Tensor argmax(const Tensor& x, std::optional<int64_t> axis, bool keepdim) {
  if (is_storage_only(x.dtype())) return argmax(cast(x, compute_dtype(x.dtype())), axis, keepdim);
  return arg_reduce(kernels::ArgReduce::max, x, axis, false, "argmax")
      .indices.reshape(final_shape(x, axis, keepdim));
}
Tensor argmin(const Tensor& x, std::optional<int64_t> axis, bool keepdim) {
  if (is_storage_only(x.dtype())) return argmin(cast(x, compute_dtype(x.dtype())), axis, keepdim);
  return arg_reduce(kernels::ArgReduce::min, x, axis, false, "argmin")
      .indices.reshape(final_shape(x, axis, keepdim));
}

Tensor sum_to(const Tensor& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  if (x.numel() == numel(shape) && x.dim() <= static_cast<int64_t>(shape.size()))
    return reshape(x, shape);  // only size-1 axes differ
  const int64_t lead = x.dim() - static_cast<int64_t>(shape.size());
  if (lead < 0)
    throw ShapeError("sum_to: cannot sum " + to_string(x.shape()) + " to the larger " + to_string(shape));
  std::vector<int64_t> axes;
  for (int64_t i = 0; i < x.dim(); ++i) {
    if (i < lead) {
      axes.push_back(i);
      continue;
    }
    const int64_t target = shape[static_cast<size_t>(i - lead)];
    const int64_t have = x.shape()[static_cast<size_t>(i)];
    if (target == 1 && have != 1) axes.push_back(i);
    else if (target != have)
      throw ShapeError("sum_to: " + to_string(x.shape()) + " does not broadcast from " + to_string(shape));
  }
  return reshape(sum(x, axes, true), shape);
}

}  // namespace nabla
