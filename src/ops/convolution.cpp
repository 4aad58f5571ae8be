// conv1d, conv2d, conv3d (composed of conv2d) and conv_transpose2d. A convolution is bilinear in its input and its weight, so its whole
// calculus closes over three products of one geometry (see kernels/cpu/conv.h):
//   conv(x, w)                      the convolution itself
//   adjoint(gy, w)                  its transpose in x: conv_transpose2d, and the input gradient
//   weight_grad(x, gy)              its transpose in w: the weight gradient
// Each is a recorded op whose backward is written with the other two, so gradients of any order
// come out of the same three kernels.
#include <algorithm>

#include "kernels/cpu/conv.h"
#include "nabla/functional.h"
#include "ops/op_utils.h"

namespace nabla::functional {
namespace {

using detail::kernel_for;
using detail::ptr;
using detail::with_floating;

struct ConvParams {
  Size2 stride, padding, dilation;
  int64_t groups;
};

// The geometry of the convolution that maps x_shape to y_shape with a weight of w_shape.
kernels::ConvGeometry geometry(const Shape& x_shape, const Shape& w_shape, const Shape& y_shape,
                               const ConvParams& p) {
  return {x_shape[0],   x_shape[1],   x_shape[2],  x_shape[3],  y_shape[1],
          y_shape[2],   y_shape[3],   w_shape[2],  w_shape[3],  p.stride.h,
          p.stride.w,   p.padding.h,  p.padding.w, p.dilation.h, p.dilation.w,
          p.groups};
}

std::string str(Size2 s) { return "(" + std::to_string(s.h) + ", " + std::to_string(s.w) + ")"; }

std::string describe(const ConvParams& p) {
  return "stride " + str(p.stride) + ", padding " + str(p.padding) + ", dilation " +
         str(p.dilation) + ", groups " + std::to_string(p.groups);
}

// The checks conv1d and conv2d share. A 1-D convolution over [N, C, L] runs as the 2-D one over
// [N, C, 1, L] with (1, s) strides, (0, p) padding and (1, d) dilation; its errors still name
// conv1d and the user's 3-D shapes.
int64_t spatial_axes(const char* op) { return std::string(op) == "conv1d" ? 1 : 2; }

std::string describe(const ConvParams& p, const char* op) {
  if (spatial_axes(op) == 2) return describe(p);
  return "stride " + std::to_string(p.stride.w) + ", padding " + std::to_string(p.padding.w) +
         ", dilation " + std::to_string(p.dilation.w) + ", groups " + std::to_string(p.groups);
}

void check_params(const ConvParams& p, const char* op) {
  if (p.stride.h < 1 || p.stride.w < 1 || p.dilation.h < 1 || p.dilation.w < 1 ||
      p.padding.h < 0 || p.padding.w < 0 || p.groups < 1)
    throw Error(std::string(op) + ": stride and dilation must be positive and padding " +
                     "non-negative, got " + describe(p, op));
}

// The output size of a convolution along one axis, or <= 0 when the kernel does not fit.
int64_t conv_out(int64_t in, int64_t kernel, int64_t stride, int64_t pad, int64_t dilation) {
  const int64_t span = dilation * (kernel - 1) + 1;
  return in + 2 * pad < span ? 0 : (in + 2 * pad - span) / stride + 1;
}

Tensor contiguous_detached(const Tensor& t) { return t.defined() ? t.detach().contiguous() : t; }

Tensor conv(const Tensor& x, const Tensor& w, const Tensor& bias, const ConvParams& p,
            const Shape& y_shape);
Tensor adjoint(const Tensor& gy, const Tensor& w, const Tensor& bias, const ConvParams& p,
               const Shape& x_shape);
Tensor weight_grad(const Tensor& x, const Tensor& gy, const ConvParams& p, const Shape& w_shape);
std::pair<Tensor, Tensor> weight_and_bias_grad(const Tensor& x, const Tensor& gy, const ConvParams& p,
                                               const Shape& w_shape);

Tensor conv(const Tensor& x, const Tensor& w, const Tensor& bias, const ConvParams& p,
            const Shape& y_shape) {
  const Tensor xc = contiguous_detached(x), wc = contiguous_detached(w), bc = contiguous_detached(bias);
  Tensor y = Tensor::empty(y_shape, x.dtype(), x.device());
  with_floating(x, [&](auto tag) {
    using T = decltype(tag);
    kernel_for<kernels::conv2d_forward<T>>(x.device(), "conv2d")(
        geometry(x.shape(), w.shape(), y_shape, p), ptr<T>(xc), ptr<T>(wc), ptr<T>(bc),
        static_cast<T*>(y.raw_data()));
  });
  const bool need_x = x.requires_grad(), need_w = w.requires_grad(),
             need_b = bias.defined() && bias.requires_grad();
  return record("conv2d", {x, w, bias}, y, [=](const Tensor& g) -> std::vector<Tensor> {
    const Tensor gx = need_x ? adjoint(g, w, Tensor(), p, x.shape()) : Tensor();
    // Unless the gradient itself is being differentiated, one pass gives both parameter gradients.
    if (need_w && need_b && !is_grad_enabled()) {
      auto [gw, gb] = weight_and_bias_grad(x, g, p, w.shape());
      return {gx, gw, gb};
    }
    return {gx, need_w ? weight_grad(x, g, p, w.shape()) : Tensor(),
            need_b ? sum(g, {0, 2, 3}) : Tensor()};
  });
}

Tensor adjoint(const Tensor& gy, const Tensor& w, const Tensor& bias, const ConvParams& p,
               const Shape& x_shape) {
  const Tensor gc = contiguous_detached(gy), wc = contiguous_detached(w), bc = contiguous_detached(bias);
  Tensor gx = Tensor::empty(x_shape, gy.dtype(), gy.device());
  with_floating(gy, [&](auto tag) {
    using T = decltype(tag);
    kernel_for<kernels::conv2d_input_grad<T>>(gy.device(), "conv_transpose2d")(
        geometry(x_shape, w.shape(), gy.shape(), p), ptr<T>(gc), ptr<T>(wc), ptr<T>(bc),
        static_cast<T*>(gx.raw_data()));
  });
  const bool need_gy = gy.requires_grad(), need_w = w.requires_grad(),
             need_b = bias.defined() && bias.requires_grad();
  return record("conv_transpose2d", {gy, w, bias}, gx, [=](const Tensor& g) -> std::vector<Tensor> {
    return {need_gy ? conv(g, w, Tensor(), p, gy.shape()) : Tensor(),
            need_w ? weight_grad(g, gy, p, w.shape()) : Tensor(),
            need_b ? sum(g, {0, 2, 3}) : Tensor()};
  });
}

Tensor weight_grad(const Tensor& x, const Tensor& gy, const ConvParams& p, const Shape& w_shape) {
  const Tensor xc = contiguous_detached(x), gc = contiguous_detached(gy);
  Tensor gw = Tensor::empty(w_shape, x.dtype(), x.device());
  with_floating(x, [&](auto tag) {
    using T = decltype(tag);
    kernel_for<kernels::conv2d_weight_grad<T>>(x.device(), "conv2d_weight_grad")(
        geometry(x.shape(), w_shape, gy.shape(), p), ptr<T>(xc), ptr<T>(gc),
        static_cast<T*>(gw.raw_data()), nullptr);
  });
  const bool need_x = x.requires_grad(), need_gy = gy.requires_grad();
  return record("conv2d_weight_grad", {x, gy}, gw, [=](const Tensor& g) -> std::vector<Tensor> {
    return {need_x ? adjoint(gy, g, Tensor(), p, x.shape()) : Tensor(),
            need_gy ? conv(x, g, Tensor(), p, gy.shape()) : Tensor()};
  });
}

// The weight and bias gradients from one kernel pass; plain values, recorded nowhere.
std::pair<Tensor, Tensor> weight_and_bias_grad(const Tensor& x, const Tensor& gy, const ConvParams& p,
                                               const Shape& w_shape) {
  const Tensor xc = contiguous_detached(x), gc = contiguous_detached(gy);
  Tensor gw = Tensor::empty(w_shape, x.dtype(), x.device()), gb = Tensor::empty({w_shape[0]}, x.dtype(), x.device());
  with_floating(x, [&](auto tag) {
    using T = decltype(tag);
    kernel_for<kernels::conv2d_weight_grad<T>>(x.device(), "conv2d_backward")(
        geometry(x.shape(), w_shape, gy.shape(), p), ptr<T>(xc), ptr<T>(gc),
        static_cast<T*>(gw.raw_data()), static_cast<T*>(gb.raw_data()));
  });
  return {gw, gb};
}

void check_tensors(const char* op, const Tensor& x, const Tensor& weight, const Tensor& bias) {
  detail::require_floating(x, op);
  detail::common_device(op, {x, weight, bias});
  for (const Tensor* t : {&weight, &bias})
    if (t->defined() && t->dtype() != x.dtype())
      throw DTypeError(std::string(op) + ": the weight and bias must be " + to_string(x.dtype()) +
                       " like the input, got " + to_string(t->dtype()));
  const int64_t rank = spatial_axes(op) + 2;
  if (x.dim() != rank || weight.dim() != rank)
    throw ShapeError(std::string(op) + ": expects input " + (rank == 3 ? "[N, C, L]" : "[N, C, H, W]") +
                     " and a " + std::to_string(rank) + "-D weight, got input " + to_string(x.shape()) +
                     " and weight " + to_string(weight.shape()));
  // An empty kernel would give an output of zeros (or the bias) of a made-up size; PyTorch refuses it.
  for (int64_t axis = 2; axis < rank; ++axis)
    if (weight.shape()[static_cast<size_t>(axis)] < 1)
      throw ShapeError(std::string(op) + ": weight " + to_string(weight.shape()) +
                       " has an empty kernel (input " + to_string(x.shape()) + ")");
}

// conv2d of x and weight, [N, C, L] / [C_out, C_in / groups, K] (conv1d) or 4-D (conv2d), after
// checking that they fit; `op` names the caller in errors.
Tensor convolve(const char* op, const Tensor& x, const Tensor& weight, const Tensor& bias,
                const ConvParams& p) {
  check_tensors(op, x, weight, bias);
  check_params(p, op);
  const bool one_d = spatial_axes(op) == 1;
  const Tensor x4 = one_d ? unsqueeze(x, 2) : x, w4 = one_d ? unsqueeze(weight, 2) : weight;
  const Shape& xs = x4.shape();
  const Shape& ws = w4.shape();
  const int64_t out_channels = ws[0], groups = p.groups;
  const std::string kernel_axes = one_d ? "K" : "kH, kW";
  if (xs[1] % groups != 0 || out_channels % groups != 0 || ws[1] * groups != xs[1])
    throw ShapeError(std::string(op) + ": input " + to_string(x.shape()) + " and weight " +
                     to_string(weight.shape()) + " do not fit with groups " + std::to_string(groups) +
                     " (expected weight [C_out, C_in / groups, " + kernel_axes +
                     "] with C_out divisible by groups)");
  if (bias.defined() && bias.shape() != Shape{out_channels})
    throw ShapeError(std::string(op) + ": bias of shape " + to_string(bias.shape()) + " should be [" +
                     std::to_string(out_channels) + "] for weight " + to_string(weight.shape()));
  const int64_t out_h = conv_out(xs[2], ws[2], p.stride.h, p.padding.h, p.dilation.h);
  const int64_t out_w = conv_out(xs[3], ws[3], p.stride.w, p.padding.w, p.dilation.w);
  if (out_h <= 0 || out_w <= 0)
    throw ShapeError(std::string(op) + ": kernel " + to_string(weight.shape()) + " (" + describe(p, op) +
                     ") is larger than the padded input " + to_string(x.shape()));
  const Tensor y = conv(x4, w4, bias, p, {xs[0], out_channels, out_h, out_w});
  return one_d ? squeeze(y, 2) : y;
}

}  // namespace

Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias, int64_t stride,
              int64_t padding, int64_t dilation, int64_t groups) {
  return convolve("conv1d", x, weight, bias, {{1, stride}, {0, padding}, {1, dilation}, groups});
}

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, Size2 stride,
              Size2 padding, Size2 dilation, int64_t groups) {
  return convolve("conv2d", x, weight, bias, {stride, padding, dilation, groups});
}

Tensor conv3d(const Tensor& x, const Tensor& weight, const Tensor& bias, Size3 stride, Size3 padding,
              Size3 dilation, int64_t groups) {
  detail::require_floating(x, "conv3d");
  detail::common_device("conv3d", {x, weight, bias});
  for (const Tensor* t : {&weight, &bias})
    if (t->defined() && t->dtype() != x.dtype())
      throw DTypeError("conv3d: the weight and bias must be " + std::string(to_string(x.dtype())) +
                       " like the input, got " + to_string(t->dtype()));
  const auto triple = [](Size3 s) {
    return "(" + std::to_string(s.d) + ", " + std::to_string(s.h) + ", " + std::to_string(s.w) + ")";
  };
  const std::string params = "stride " + triple(stride) + ", padding " + triple(padding) + ", dilation " +
                             triple(dilation) + ", groups " + std::to_string(groups);
  if (x.dim() != 5 || weight.dim() != 5)
    throw ShapeError("conv3d: expects input [N, C, D, H, W] and a 5-D weight, got input " + to_string(x.shape()) +
                     " and weight " + to_string(weight.shape()));
  const Shape& xs = x.shape();
  const Shape& ws = weight.shape();
  if (ws[2] < 1 || ws[3] < 1 || ws[4] < 1)
    throw ShapeError("conv3d: weight " + to_string(ws) + " has an empty kernel (input " + to_string(xs) + ")");
  if (std::min({stride.d, stride.h, stride.w, dilation.d, dilation.h, dilation.w, groups}) < 1 ||
      std::min({padding.d, padding.h, padding.w}) < 0)
    throw Error("conv3d: stride, dilation and groups must be positive and padding non-negative, got " + params);
  const int64_t out_d = conv_out(xs[2], ws[2], stride.d, padding.d, dilation.d);
  const int64_t out_h = conv_out(xs[3], ws[3], stride.h, padding.h, dilation.h);
  const int64_t out_w = conv_out(xs[4], ws[4], stride.w, padding.w, dilation.w);
  if (out_d <= 0 || out_h <= 0 || out_w <= 0)
    throw ShapeError("conv3d: kernel " + to_string(ws) + " (" + params + ") is larger than the padded input " +
                     to_string(xs));
  if (ws[1] * groups != xs[1] || ws[0] % groups != 0)
    throw ShapeError("conv3d: input " + to_string(xs) + " and weight " + to_string(ws) + " do not fit with groups " +
                     std::to_string(groups) + " (expected weight [C_out, C_in / groups, kD, kH, kW] with C_out "
                     "divisible by groups)");
  if (bias.defined() && bias.shape() != Shape{ws[0]})
    throw ShapeError("conv3d: bias of shape " + to_string(bias.shape()) + " should be [" + std::to_string(ws[0]) +
                     "] for weight " + to_string(ws));
  // Output depth o reads input depths o stride + k dilation - padding: for each kernel depth k,
  // those slices, folded into the batch, make one conv2d with the weight's slice k.
  const int64_t batch = xs[0], channels = xs[1];
  const Tensor padded = pad(x, {0, 0, 0, 0, padding.d, padding.d});
  Tensor total;
  for (int64_t k = 0; k < ws[2]; ++k) {
    const int64_t first = k * dilation.d;
    const Tensor slices = slice(padded, 2, first, first + (out_d - 1) * stride.d + 1, stride.d);
    const Tensor planes = reshape(permute(slices, {0, 2, 1, 3, 4}), {batch * out_d, channels, xs[3], xs[4]});
    const Tensor term = conv2d(planes, select(weight, 2, k), Tensor(), {stride.h, stride.w},
                               {padding.h, padding.w}, {dilation.h, dilation.w}, groups);
    total = total.defined() ? total + term : term;
  }
  const Tensor y = permute(reshape(total, {batch, out_d, ws[0], out_h, out_w}), {0, 2, 1, 3, 4});
  return bias.defined() ? y + reshape(bias, {ws[0], 1, 1, 1}) : y;
}

Tensor conv_transpose2d(const Tensor& x, const Tensor& weight, const Tensor& bias, Size2 stride,
                        Size2 padding, Size2 output_padding, int64_t groups, Size2 dilation) {
  check_tensors("conv_transpose2d", x, weight, bias);
  const ConvParams p{stride, padding, dilation, groups};
  check_params(p, "conv_transpose2d");
  const Shape& xs = x.shape();
  const Shape& ws = weight.shape();
  if (ws[0] != xs[1] || xs[1] % groups != 0)
    throw ShapeError("conv_transpose2d: input " + to_string(xs) + " and weight " + to_string(ws) +
                     " do not fit with groups " + std::to_string(groups) +
                     " (expected weight [C_in, C_out / groups, kH, kW])");
  const int64_t out_channels = ws[1] * groups;
  if (bias.defined() && bias.shape() != Shape{out_channels})
    throw ShapeError("conv_transpose2d: bias of shape " + to_string(bias.shape()) + " should be [" +
                     std::to_string(out_channels) + "] for weight " + to_string(ws));
  if (output_padding.h < 0 || output_padding.w < 0 ||
      (output_padding.h >= stride.h && output_padding.h >= dilation.h) ||
      (output_padding.w >= stride.w && output_padding.w >= dilation.w))
    throw Error("conv_transpose2d: output_padding " + str(output_padding) +
                     " must be smaller than the stride or the dilation (" + describe(p) + ")");
  const int64_t out_h = (xs[2] - 1) * stride.h - 2 * padding.h + dilation.h * (ws[2] - 1) + output_padding.h + 1;
  const int64_t out_w = (xs[3] - 1) * stride.w - 2 * padding.w + dilation.w * (ws[3] - 1) + output_padding.w + 1;
  if (out_h <= 0 || out_w <= 0)
    throw ShapeError("conv_transpose2d: input " + to_string(xs) + " with weight " + to_string(ws) +
                     " (" + describe(p) + ") gives an empty output");
  // The convolution this is the transpose of maps the output back to x: check it does exactly.
  const Shape out_shape{xs[0], out_channels, out_h, out_w};
  if (conv_out(out_h, ws[2], stride.h, padding.h, dilation.h) != xs[2] ||
      conv_out(out_w, ws[3], stride.w, padding.w, dilation.w) != xs[3])
    throw ShapeError("conv_transpose2d: input " + to_string(xs) + " is not what a convolution with " +
                     "weight " + to_string(ws) + " (" + describe(p) + ") makes of " + to_string(out_shape));
  return adjoint(x, weight, bias, p, out_shape);
}

}  // namespace nabla::functional
