// Max, average and adaptive average pooling, over [N, C, L], [N, C, H, W] and (as two 2-D poolings)
// [N, C, D, H, W], and max unpooling.
// Each pooling is a set of windows per axis (kernels/cpu/pool.h); this file turns kernel sizes,
// strides, padding, dilation and ceil mode into windows, as PyTorch counts them, and states the backward: max pooling sends each gradient to its window's maximum (a
// scatter whose own gradient is a gather), average pooling is linear, so its backward is its
// adjoint and the adjoint's backward is average pooling again.
#include <cstdlib>
#include <memory>
#include <utility>

#include "kernels/cpu/pool.h"
#include "kernels/cpu/unpool.h"
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

// A pooling's settings. Pooling over [N, C, L] (the *_pool1d functions) runs as pooling over
// [N, C, 1, L]: its settings are (1, k) kernels, (1, s) strides, (0, p) padding and (1, d)
// dilation, and `spatial` (1 or 2, the trailing axes pooled) says how to name them in errors.
struct Sliding {
  Size2 kernel, stride, padding, dilation;
  bool ceil_mode, count_include_pad;
  int64_t spatial;
};

std::string str(Size2 s, int64_t spatial) {
  return spatial == 1 ? std::to_string(s.w) : "(" + std::to_string(s.h) + ", " + std::to_string(s.w) + ")";
}

Tensor as_images(const Tensor& x, int64_t spatial) { return spatial == 1 ? unsqueeze(x, 2) : x; }
Tensor from_images(const Tensor& y, int64_t spatial) { return spatial == 1 ? squeeze(y, 2) : y; }

// Windows of `kernel` taps `dilation` apart, every `stride`, over an axis of `in` padded by `pad`
// on both sides, each clipped to its first and last tap inside the input (PyTorch's count). Empty
// when some window has no tap inside the input (possible with dilation only).
PoolWindows sliding_windows(int64_t in, int64_t kernel, int64_t stride, int64_t pad, int64_t dilation,
                            bool ceil_mode, bool count_include_pad) {
  const int64_t span = dilation * (kernel - 1) + 1;
  const int64_t room = in + 2 * pad - span;
  int64_t out = (ceil_mode ? (room + stride - 1) / stride : room / stride) + 1;
  // The last window must start inside the input or its left padding (PyTorch's rule).
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  PoolWindows w;
  w.step = dilation;
  for (int64_t i = 0; i < out; ++i) {
    const int64_t start = i * stride - pad;  // < in, by the rule above
    const int64_t first = start >= 0 ? start : start + (-start + dilation - 1) / dilation * dilation;
    const int64_t last = start + std::min(kernel - 1, (in - 1 - start) / dilation) * dilation;
    if (first > last) return {};
    w.start.push_back(first);
    w.end.push_back(last + 1);
    // Average pooling has no dilation: its window with padding is [start, start + kernel).
    const int64_t padded_end = std::min(start + kernel, in + pad);
    w.divisor.push_back(count_include_pad ? padded_end - start : last + 1 - first);
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

void check_input(const Tensor& x, int64_t spatial, const char* op) {
  detail::require_floating(x, op);
  static const char* const layouts[] = {"[N, C, L]", "[N, C, H, W]", "[N, C, D, H, W]"};
  if (x.dim() != spatial + 2)
    throw ShapeError(std::string(op) + ": expects input " + layouts[spatial - 1] + ", got " + to_string(x.shape()));
}

// The windows of a sliding pooling over x (the user's tensor, [N, C, L] or [N, C, H, W]).
PlanPtr sliding_plan(const Tensor& x, const Sliding& p, const char* op) {
  check_input(x, p.spatial, op);
  std::string params = "kernel " + str(p.kernel, p.spatial) + ", stride " + str(p.stride, p.spatial) +
                       ", padding " + str(p.padding, p.spatial);
  if (p.dilation != Size2(1)) params += ", dilation " + str(p.dilation, p.spatial);
  if (p.kernel.h < 1 || p.kernel.w < 1 || p.stride.h < 1 || p.stride.w < 1 || p.dilation.h < 1 ||
      p.dilation.w < 1 || p.padding.h < 0 || p.padding.w < 0)
    throw Error(std::string(op) + ": kernel, stride and dilation must be positive, padding non-negative; got " +
                params);
  if (p.padding.h * 2 > p.kernel.h || p.padding.w * 2 > p.kernel.w)
    throw Error(std::string(op) + ": padding must be at most half the kernel; got " + params);
  const Shape s = as_images(x.detach(), p.spatial).shape();
  auto plan = std::make_shared<PoolPlan>();
  if (s[2] + 2 * p.padding.h >= p.dilation.h * (p.kernel.h - 1) + 1 &&
      s[3] + 2 * p.padding.w >= p.dilation.w * (p.kernel.w - 1) + 1) {
    plan->rows = sliding_windows(s[2], p.kernel.h, p.stride.h, p.padding.h, p.dilation.h, p.ceil_mode,
                                 p.count_include_pad);
    plan->cols = sliding_windows(s[3], p.kernel.w, p.stride.w, p.padding.w, p.dilation.w, p.ceil_mode,
                                 p.count_include_pad);
  }
  if (plan->rows.size() == 0 || plan->cols.size() == 0)
    throw ShapeError(std::string(op) + ": " + params + " does not fit input " + to_string(x.shape()));
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

// Max pooling of x ([N, C, L] or [N, C, H, W]): the maxima, recorded, and where they are.
MaxPoolResult max_pool(const Tensor& x, const Sliding& p, const char* op) {
  const PlanPtr plan = sliding_plan(x, p, op);
  const Tensor xc = as_images(x.detach(), p.spatial).contiguous();
  Tensor y = Tensor::empty(plan->out_shape, x.dtype(), x.device());
  Tensor argmax = Tensor::empty(plan->out_shape, DType::i64, x.device());
  with_floating(x, [&](auto tag) {
    using T = decltype(tag);
    detail::kernel_for<kernels::max_pool2d_forward<T>>(x.device(), op)(
        plan->planes(), plan->in_shape[2], plan->in_shape[3], plan->rows, plan->cols, xc.data<T>(),
        y.data<T>(), argmax.data<int64_t>());
  });
  const Tensor images = as_images(x, p.spatial);
  y = record("max_pool2d", {images}, y, [argmax, in_shape = plan->in_shape](const Tensor& g) -> std::vector<Tensor> {
    return {max_pool_scatter(g, argmax, in_shape)};
  });
  return {from_images(y, p.spatial), from_images(argmax, p.spatial)};
}

Tensor avg_pool(const Tensor& x, const Sliding& p, const char* op) {
  return from_images(avg_pool(as_images(x, p.spatial), sliding_plan(x, p, op), "avg_pool2d"), p.spatial);
}

std::string str(Size3 s) {
  return "(" + std::to_string(s.d) + ", " + std::to_string(s.h) + ", " + std::to_string(s.w) + ")";
}

// The 2-D poolings a 3-D one is made of: over (H, W) of every depth slice of [N, C D, H, W], and
// over depth of [N, C, D, H_out W_out] with (kD, 1) windows. Checks the volume's settings first,
// so that errors name `op` and the user's shape.
std::pair<Sliding, Sliding> volume_poolings(const Tensor& x, Size3 kernel, Size3 stride, Size3 padding,
                                            Size3 dilation, bool ceil_mode, bool count_include_pad, const char* op) {
  check_input(x, 3, op);
  const std::string params = "kernel " + str(kernel) + ", stride " + str(stride) + ", padding " + str(padding) +
                             ", dilation " + str(dilation);
  const Shape& s = x.shape();
  const int64_t k[] = {kernel.d, kernel.h, kernel.w}, st[] = {stride.d, stride.h, stride.w},
                p[] = {padding.d, padding.h, padding.w}, dl[] = {dilation.d, dilation.h, dilation.w};
  for (int axis = 0; axis < 3; ++axis) {
    if (k[axis] < 1 || st[axis] < 1 || dl[axis] < 1 || p[axis] < 0 || 2 * p[axis] > k[axis])
      throw Error(std::string(op) + ": kernel, stride and dilation must be positive and padding at most half "
                  "the kernel; got " + params);
    if (s[static_cast<size_t>(axis) + 2] + 2 * p[axis] < dl[axis] * (k[axis] - 1) + 1)
      throw ShapeError(std::string(op) + ": " + params + " does not fit input " + to_string(s));
  }
  return {{{kernel.h, kernel.w}, {stride.h, stride.w}, {padding.h, padding.w}, {dilation.h, dilation.w},
           ceil_mode, count_include_pad, 2},
          {{kernel.d, 1}, {stride.d, 1}, {padding.d, 0}, {dilation.d, 1}, ceil_mode, count_include_pad, 2}};
}

// pool2d applied to the planes, then to the depth, of x [N, C, D, H, W].
template <class Pool2d>
Tensor pool_volume(const Tensor& x, const std::pair<Sliding, Sliding>& poolings, Pool2d pool2d) {
  const Shape& s = x.shape();
  const Tensor planes = pool2d(reshape(x, {s[0], s[1] * s[2], s[3], s[4]}), poolings.first);
  const int64_t out_h = planes.shape()[2], out_w = planes.shape()[3];
  const Tensor depth = pool2d(reshape(planes, {s[0], s[1], s[2], out_h * out_w}), poolings.second);
  return reshape(depth, {s[0], s[1], depth.shape()[2], out_h, out_w});
}

Sliding one_d(int64_t kernel, std::optional<int64_t> stride, int64_t padding, int64_t dilation,
              bool ceil_mode, bool count_include_pad) {
  return {{1, kernel}, {1, stride.value_or(kernel)}, {0, padding}, {1, dilation}, ceil_mode,
          count_include_pad, 1};
}

Sliding two_d(Size2 kernel, std::optional<Size2> stride, Size2 padding, Size2 dilation, bool ceil_mode,
              bool count_include_pad) {
  return {kernel, stride.value_or(kernel), padding, dilation, ceil_mode, count_include_pad, 2};
}

}  // namespace

Tensor max_pool1d(const Tensor& x, int64_t kernel, std::optional<int64_t> stride, int64_t padding,
                  int64_t dilation, bool ceil_mode) {
  return max_pool1d_with_indices(x, kernel, stride, padding, dilation, ceil_mode).output;
}

MaxPoolResult max_pool1d_with_indices(const Tensor& x, int64_t kernel, std::optional<int64_t> stride,
                                      int64_t padding, int64_t dilation, bool ceil_mode) {
  return max_pool(x, one_d(kernel, stride, padding, dilation, ceil_mode, true), "max_pool1d");
}

Tensor max_pool2d(const Tensor& x, Size2 kernel, std::optional<Size2> stride, Size2 padding,
                  Size2 dilation, bool ceil_mode) {
  return max_pool2d_with_indices(x, kernel, stride, padding, dilation, ceil_mode).output;
}

MaxPoolResult max_pool2d_with_indices(const Tensor& x, Size2 kernel, std::optional<Size2> stride,
                                      Size2 padding, Size2 dilation, bool ceil_mode) {
  return max_pool(x, two_d(kernel, stride, padding, dilation, ceil_mode, true), "max_pool2d");
}

Tensor avg_pool1d(const Tensor& x, int64_t kernel, std::optional<int64_t> stride, int64_t padding,
                  bool ceil_mode, bool count_include_pad) {
  return avg_pool(x, one_d(kernel, stride, padding, 1, ceil_mode, count_include_pad), "avg_pool1d");
}

Tensor avg_pool2d(const Tensor& x, Size2 kernel, std::optional<Size2> stride, Size2 padding,
                  bool ceil_mode, bool count_include_pad) {
  return avg_pool(x, two_d(kernel, stride, padding, 1, ceil_mode, count_include_pad), "avg_pool2d");
}

Tensor max_pool3d(const Tensor& x, Size3 kernel, std::optional<Size3> stride, Size3 padding, Size3 dilation,
                  bool ceil_mode) {
  const auto poolings = volume_poolings(x, kernel, stride.value_or(kernel), padding, dilation, ceil_mode, true,
                                        "max_pool3d");
  return pool_volume(x, poolings, [](const Tensor& planes, const Sliding& p) {
    return max_pool(planes, p, "max_pool3d").output;
  });
}

Tensor avg_pool3d(const Tensor& x, Size3 kernel, std::optional<Size3> stride, Size3 padding, bool ceil_mode,
                  bool count_include_pad) {
  const auto poolings = volume_poolings(x, kernel, stride.value_or(kernel), padding, 1, ceil_mode,
                                        count_include_pad, "avg_pool3d");
  return pool_volume(x, poolings, [](const Tensor& planes, const Sliding& p) {
    return avg_pool(planes, p, "avg_pool3d");
  });
}

Tensor max_unpool2d(const Tensor& x, const Tensor& indices, Size2 kernel, std::optional<Size2> stride_or_kernel,
                    Size2 padding, std::optional<Size2> output_size) {
  check_input(x, 2, "max_unpool2d");
  detail::require_dtype(indices, DType::i64, "max_unpool2d", "the indices");
  detail::common_device("max_unpool2d", {x, indices});
  if (indices.shape() != x.shape())
    throw ShapeError("max_unpool2d: indices of shape " + to_string(indices.shape()) +
                     " for input " + to_string(x.shape()) + " (expected the same shape)");
  const Size2 stride = stride_or_kernel.value_or(kernel);
  const Shape& s = x.shape();
  // The size max pooling came from, as PyTorch infers it; a given size may differ from it by less
  // than a stride (what rounding in max pooling can lose).
  const Size2 inferred{(s[2] - 1) * stride.h - 2 * padding.h + kernel.h,
                       (s[3] - 1) * stride.w - 2 * padding.w + kernel.w};
  const Size2 size = output_size.value_or(inferred);
  if (std::abs(size.h - inferred.h) >= stride.h || std::abs(size.w - inferred.w) >= stride.w || size.h < 1 ||
      size.w < 1)
    throw ShapeError("max_unpool2d: output size " + str(size, 2) + " for input " + to_string(s) +
                     " with kernel " + str(kernel, 2) + ", stride " + str(stride, 2) + ", padding " +
                     str(padding, 2) + " (expected within a stride of " + str(inferred, 2) + ")");
  const Shape out_shape{s[0], s[1], size.h, size.w};
  const Tensor xc = x.detach().contiguous(), positions = indices.contiguous();
  Tensor y = Tensor::empty(out_shape, x.dtype(), x.device());
  kernels::UnpoolCheck check;
  with_floating(x, [&](auto tag) {
    using T = decltype(tag);
    check = detail::kernel_for<kernels::max_unpool2d_forward<T>>(x.device(), "max_unpool2d")(
        s[0] * s[1], s[2] * s[3], size.h * size.w, xc.data<T>(), positions.data<int64_t>(), y.data<T>());
  });
  if (check.bad_position >= 0)
    throw IndexError("max_unpool2d: index " + std::to_string(check.bad_index) + " at flat position " +
                     std::to_string(check.bad_position) + " of indices " + to_string(s) +
                     " is outside the output planes of " + std::to_string(size.h) + "x" +
                     std::to_string(size.w));
  // Linear in x: each output reads one input or none, so the gradient gathers from the indices.
  return record("max_unpool2d", {x}, y, [positions, s](const Tensor& g) -> std::vector<Tensor> {
    const Tensor planes = reshape(g, {s[0], s[1], -1});
    return {reshape(gather(planes, 2, reshape(positions, {s[0], s[1], s[2] * s[3]})), s)};
  });
}

Tensor adaptive_avg_pool2d(const Tensor& x, Size2 output_size) {
  check_input(x, 2, "adaptive_avg_pool2d");
  const Shape& s = x.shape();
  if (output_size.h < 1 || output_size.w < 1)
    throw Error("adaptive_avg_pool2d: output size " + str(output_size, 2) + " must be positive");
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
