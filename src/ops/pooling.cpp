// Max, average and adaptive average pooling. Each is a set of windows per axis (kernels/cpu/pool.h);
// this file turns kernel sizes, strides, padding and ceil mode into windows, as PyTorch counts
// them, and states the backward: max pooling sends each gradient to its window's maximum (a
// scatter whose own gradient is a gather), average pooling is linear, so its backward is its
// adjoint and the adjoint's backward is average pooling again.
#include <memory>

#include "kernels/cpu/pool.h"
#include "nabla/functional.h"
#include "ops/op_utils.h"

namespace nabla::functional {
namespace {

using detail::with_floating;

using kernels::PoolWindows;

struct PoolPlan {
  PoolWindows rows, cols;
  Shape in_shape, out_shape;
  int64_t planes() const { return in_shape[0] * in_shape[1]; }
};
using PlanPtr = std::shared_ptr<const PoolPlan>;

std::string str(Size2 s) { return "(" + std::to_string(s.h) + ", " + std::to_string(s.w) + ")"; }

// Windows of `kernel` every `stride` over an axis of `in` padded by `pad` on both sides.
PoolWindows sliding_windows(int64_t in, int64_t kernel, int64_t stride, int64_t pad,
                            bool ceil_mode, bool count_include_pad) {
  const int64_t span = in + 2 * pad - kernel;
  int64_t out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  // The last window must start inside the input or its left padding (PyTorch's rule).
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  PoolWindows w;
  for (int64_t i = 0; i < out; ++i) {
    const int64_t start = i * stride - pad;
    const int64_t end = std::min(start + kernel, in + pad);
    const int64_t clipped_start = std::max<int64_t>(start, 0), clipped_end = std::min(end, in);
    w.start.push_back(clipped_start);
    w.end.push_back(clipped_end);
    w.divisor.push_back(count_include_pad ? end - start : clipped_end - clipped_start);
  }
  return w;
}

// Window i covers [floor(i in / out), ceil((i + 1) in / out)).
PoolWindows adaptive_windows(int64_t in, int64_t out) {
  PoolWindows w;
  for (int64_t i = 0; i < out; ++i) {
    w.start.push_back(i * in / out);
    w.end.push_back(((i + 1) * in + out - 1) / out);
    w.divisor.push_back(w.end.back() - w.start.back());
  }
  return w;
}

void check_input(const Tensor& x, const char* op) {
  detail::require_floating(x, op);
  if (x.dim() != 4)
    throw ShapeError(std::string(op) + ": expects input [N, C, H, W], got " + to_string(x.shape()));
}

PlanPtr sliding_plan(const Tensor& x, Size2 kernel, std::optional<Size2> stride_or_kernel,
                     Size2 padding, bool ceil_mode, bool count_include_pad, const char* op) {
  check_input(x, op);
  const Size2 stride = stride_or_kernel.value_or(kernel);
  const std::string params = "kernel " + str(kernel) + ", stride " + str(stride) + ", padding " + str(padding);
  if (kernel.h < 1 || kernel.w < 1 || stride.h < 1 || stride.w < 1 || padding.h < 0 || padding.w < 0)
    throw Error(std::string(op) + ": kernel and stride must be positive, padding non-negative; got " + params);
  if (padding.h * 2 > kernel.h || padding.w * 2 > kernel.w)
    throw Error(std::string(op) + ": padding must be at most half the kernel; got " + params);
  const Shape& s = x.shape();
  if (s[2] + 2 * padding.h < kernel.h || s[3] + 2 * padding.w < kernel.w)
    throw ShapeError(std::string(op) + ": " + params + " does not fit input " + to_string(s));
  auto plan = std::make_shared<PoolPlan>();
  plan->rows = sliding_windows(s[2], kernel.h, stride.h, padding.h, ceil_mode, count_include_pad);
  plan->cols = sliding_windows(s[3], kernel.w, stride.w, padding.w, ceil_mode, count_include_pad);
  plan->in_shape = s;
  plan->out_shape = {s[0], s[1], plan->rows.size(), plan->cols.size()};
  return plan;
}

Tensor avg_pool_adjoint(const Tensor& gy, const PlanPtr& plan);

Tensor avg_pool(const Tensor& x, const PlanPtr& plan, const char* name) {
  const Tensor xc = x.detach().contiguous();
  Tensor y = Tensor::empty(plan->out_shape, x.dtype(), x.device());
  with_floating(x, [&](auto tag) {
    using T = decltype(tag);
    detail::kernel_for<kernels::avg_pool2d_forward<T>>(x.device(), "avg_pool2d")(
        plan->planes(), plan->in_shape[2], plan->in_shape[3], plan->rows, plan->cols, xc.data<T>(),
        y.data<T>());
  });
  return record(name, {x}, y, [plan](const Tensor& g) -> std::vector<Tensor> {
    return {avg_pool_adjoint(g, plan)};
  });
}

Tensor avg_pool_adjoint(const Tensor& gy, const PlanPtr& plan) {
  const Tensor gc = gy.detach().contiguous();
  Tensor gx = Tensor::empty(plan->in_shape, gy.dtype(), gy.device());
  with_floating(gy, [&](auto tag) {
    using T = decltype(tag);
    detail::kernel_for<kernels::avg_pool2d_backward<T>>(gy.device(), "avg_pool2d_backward")(
        plan->planes(), plan->in_shape[2], plan->in_shape[3], plan->rows, plan->cols, gc.data<T>(),
        gx.data<T>());
  });
  return record("avg_pool2d_backward", {gy}, gx, [plan](const Tensor& g) -> std::vector<Tensor> {
    return {avg_pool(g, plan, "avg_pool2d")};
  });
}

// Adds each gradient of gy to the input position argmax names; its gradient reads those positions.
Tensor max_pool_scatter(const Tensor& gy, const Tensor& argmax, const Shape& in_shape) {
  const Tensor gc = gy.detach().contiguous();
  Tensor gx = Tensor::empty(in_shape, gy.dtype(), gy.device());
  with_floating(gy, [&](auto tag) {
    using T = decltype(tag);
    detail::kernel_for<kernels::max_pool2d_backward<T>>(gy.device(), "max_pool2d_backward")(
        in_shape[0] * in_shape[1], in_shape[2], in_shape[3], argmax.shape()[2] * argmax.shape()[3],
        gc.data<T>(), argmax.data<int64_t>(), gx.data<T>());
  });
  return record("max_pool2d_backward", {gy}, gx, [argmax, in_shape](const Tensor& g) -> std::vector<Tensor> {
    const Shape& o = argmax.shape();
    const Tensor flat = reshape(g, {in_shape[0], in_shape[1], in_shape[2] * in_shape[3]});
    return {reshape(gather(flat, 2, argmax.reshape({o[0], o[1], o[2] * o[3]})), o)};
  });
}

}  // namespace

Tensor max_pool2d(const Tensor& x, Size2 kernel, std::optional<Size2> stride, Size2 padding,
                  bool ceil_mode) {
  const PlanPtr plan = sliding_plan(x, kernel, stride, padding, ceil_mode, true, "max_pool2d");
  const Tensor xc = x.detach().contiguous();
  Tensor y = Tensor::empty(plan->out_shape, x.dtype(), x.device());
  Tensor argmax = Tensor::empty(plan->out_shape, DType::i64, x.device());
  with_floating(x, [&](auto tag) {
    using T = decltype(tag);
    detail::kernel_for<kernels::max_pool2d_forward<T>>(x.device(), "max_pool2d")(
        plan->planes(), plan->in_shape[2], plan->in_shape[3], plan->rows, plan->cols, xc.data<T>(),
        y.data<T>(), argmax.data<int64_t>());
  });
  return record("max_pool2d", {x}, y, [argmax, in_shape = x.shape()](const Tensor& g) -> std::vector<Tensor> {
    return {max_pool_scatter(g, argmax, in_shape)};
  });
}

Tensor avg_pool2d(const Tensor& x, Size2 kernel, std::optional<Size2> stride, Size2 padding,
                  bool ceil_mode, bool count_include_pad) {
  return avg_pool(x, sliding_plan(x, kernel, stride, padding, ceil_mode, count_include_pad, "avg_pool2d"),
                  "avg_pool2d");
}

Tensor adaptive_avg_pool2d(const Tensor& x, Size2 output_size) {
  check_input(x, "adaptive_avg_pool2d");
  const Shape& s = x.shape();
  if (output_size.h < 1 || output_size.w < 1)
    throw Error("adaptive_avg_pool2d: output size " + str(output_size) + " must be positive");
  if (s[2] < 1 || s[3] < 1)
    throw ShapeError("adaptive_avg_pool2d: empty input " + to_string(s));
  auto plan = std::make_shared<PoolPlan>();
  plan->rows = adaptive_windows(s[2], output_size.h);
  plan->cols = adaptive_windows(s[3], output_size.w);
  plan->in_shape = s;
  plan->out_shape = {s[0], s[1], output_size.h, output_size.w};
  return avg_pool(x, plan, "adaptive_avg_pool2d");
}

}  // namespace nabla::functional
