// Layer normalisation. The forward and the first backward run on fused kernels (one sweep over
// the rows each); when the gradient itself is differentiated (create_graph), the backward is the
// same formula written with ops, so second derivatives still come out right.
#include "kernels/cpu/layer_norm.h"
#include "nabla/functional.h"
#include "ops/op_utils.h"

namespace nabla::functional {
namespace {

using detail::kernel_for;
using detail::mut;
using detail::ptr;
using detail::with_floating;

// The backward of layer norm over x [rows, features] written with ops: differentiable again.
std::vector<Tensor> layer_norm_backward_ops(const Tensor& x, const Tensor& weight, const Tensor& g,
                                            double eps) {
  const Axes features{1};
  const Tensor centered = x - mean(x, features, true);
  const Tensor rstd = pow(mean(centered * centered, features, true) + eps, -0.5);
  const Tensor xhat = centered * rstd;
  const Tensor gxhat = weight.defined() ? g * weight : g;
  const Tensor gx = rstd * (gxhat - mean(gxhat, features, true) - xhat * mean(gxhat * xhat, features, true));
  return {gx, sum(g * xhat, {0}), sum(g, {0})};
}

// x [rows, features]; weight and bias [features] or undefined.
Tensor layer_norm_rows(const Tensor& x, const Tensor& weight, const Tensor& bias, double eps) {
  const kernels::LayerNormShape shape{x.shape()[0], x.shape()[1]};
  const Tensor xc = x.detach().contiguous();
  const Tensor w = weight.defined() ? weight.detach().contiguous() : Tensor();
  const Tensor b = bias.defined() ? bias.detach().contiguous() : Tensor();
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
  Tensor row_mean = Tensor::empty({shape.rows}, x.dtype(), x.device()), rstd = Tensor::empty({shape.rows}, x.dtype(), x.device());
  with_floating(x, [&](auto tag) {
    using T = decltype(tag);
    kernel_for<kernels::layer_norm_forward<T>>(x.device(), "layer_norm")(
        shape, ptr<T>(xc), ptr<T>(w), ptr<T>(b), eps, mut<T>(y), mut<T>(row_mean), mut<T>(rstd));
  });
  const bool need_x = x.requires_grad(), need_w = weight.defined() && weight.requires_grad(),
             need_b = bias.defined() && bias.requires_grad();
  return record("layer_norm", {x, weight, bias}, y, [=](const Tensor& g) -> std::vector<Tensor> {
    if (is_grad_enabled()) return layer_norm_backward_ops(x, weight, g, eps);
    const Tensor gc = g.contiguous();
    Tensor gx = need_x ? Tensor::empty(x.shape(), x.dtype(), x.device()) : Tensor();
    Tensor gw = need_w ? Tensor::empty({shape.features}, x.dtype(), x.device()) : Tensor();
    Tensor gb = need_b ? Tensor::empty({shape.features}, x.dtype(), x.device()) : Tensor();
    with_floating(x, [&](auto tag) {
      using T = decltype(tag);
      kernel_for<kernels::layer_norm_backward<T>>(x.device(), "layer_norm_backward")(
          shape, ptr<T>(xc), ptr<T>(gc), ptr<T>(row_mean), ptr<T>(rstd), ptr<T>(w), mut<T>(gx),
          mut<T>(gw), mut<T>(gb));
    });
    return {gx, gw, gb};
  });
}

}  // namespace

Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight,
                  const Tensor& bias, double eps) {
  detail::require_floating(x, "layer_norm");
  detail::common_device("layer_norm", {x, weight, bias});
  const int64_t k = static_cast<int64_t>(normalized_shape.size());
  const bool fits = k >= 1 && x.dim() >= k &&
                    Shape(x.shape().end() - k, x.shape().end()) == normalized_shape;
  if (!fits)
    throw ShapeError("layer_norm: input of shape " + to_string(x.shape()) +
                     " does not end in normalized_shape " + to_string(normalized_shape));
  for (const Tensor* t : {&weight, &bias}) {
    if (t->defined() && t->shape() != normalized_shape)
      throw ShapeError("layer_norm: weight and bias must have shape " + to_string(normalized_shape) +
                       ", got " + to_string(t->shape()));
    if (t->defined() && t->dtype() != x.dtype())
      throw DTypeError(std::string("layer_norm: weight and bias must be ") + to_string(x.dtype()) +
                       " like the input, got " + to_string(t->dtype()));
  }
  // Every layout normalises as [rows, features]: the trailing normalized_shape flattened.
  int64_t features = 1;
  for (int64_t d : normalized_shape) features *= d;
  const int64_t rows = features == 0 ? 0 : x.numel() / features;
  const Tensor w = weight.defined() ? reshape(weight, {features}) : Tensor();
  const Tensor b = bias.defined() ? reshape(bias, {features}) : Tensor();
  return reshape(layer_norm_rows(reshape(x, {rows, features}), w, b, eps), x.shape());
}

}  // namespace nabla::functional
