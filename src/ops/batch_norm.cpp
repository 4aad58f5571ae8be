// Batch normalisation. Training runs on fused kernels (statistics, normalisation, and a two-pass
// backward); when the gradient itself is differentiated (create_graph), the backward is the same
// formula written with ops, so second derivatives still come out right. Evaluation normalises
// with the running statistics through ordinary ops.
#include "kernels/cpu/batch_norm.h"
#include "nabla/functional.h"
#include "ops/op_utils.h"

namespace nabla::functional {
namespace {

using detail::kernel_for;
using detail::mut;
using detail::ptr;
using detail::with_floating;

// The backward of training-mode batch norm over x [N, C, L] written with ops: differentiable again.
std::vector<Tensor> batch_norm_backward_ops(const Tensor& x, const Tensor& weight, const Tensor& g,
                                            double eps) {
  const Axes axes{0, 2};
  const Shape per_channel{1, x.shape()[1], 1};
  const Tensor centered = x - mean(x, axes, true);
  const Tensor invstd = pow(mean(centered * centered, axes, true) + eps, -0.5);
  const Tensor xhat = centered * invstd;
  const Tensor gxhat = weight.defined() ? g * reshape(weight, per_channel) : g;
  const Tensor gx = invstd * (gxhat - mean(gxhat, axes, true) - xhat * mean(gxhat * xhat, axes, true));
  return {gx, reshape(sum(g * xhat, axes), {x.shape()[1]}), reshape(sum(g, axes), {x.shape()[1]})};
}

// Training mode over x [N, C, L]: normalises with the batch statistics and updates the running
// statistics in place (momentum, unbiased variance, as PyTorch).
Tensor batch_norm_training(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                           const Tensor& weight, const Tensor& bias, double momentum, double eps) {
  const Shape& s = x.shape();
  const kernels::BatchNormShape shape{s[0], s[1], s[2]};
  const int64_t count = s[0] * s[2];
  if (count <= 1)
    throw ShapeError("batch_norm: expected more than 1 value per channel when training, got input " +
                     to_string(s));
  const Tensor xc = x.detach().contiguous();
  const Tensor w = weight.defined() ? weight.detach().contiguous() : Tensor();
  const Tensor b = bias.defined() ? bias.detach().contiguous() : Tensor();
  Tensor batch_mean = Tensor::empty({s[1]}, x.dtype(), x.device()), batch_var = Tensor::empty({s[1]}, x.dtype(), x.device());
  Tensor y = Tensor::empty(s, x.dtype(), x.device());
  with_floating(x, [&](auto tag) {
    using T = decltype(tag);
    kernel_for<kernels::batch_norm_statistics<T>>(x.device(), "batch_norm")(
        shape, ptr<T>(xc), mut<T>(batch_mean), mut<T>(batch_var));
  });
  const Tensor invstd = pow(batch_var + eps, -0.5);
  with_floating(x, [&](auto tag) {
    using T = decltype(tag);
    kernel_for<kernels::batch_norm_apply<T>>(x.device(), "batch_norm")(
        shape, ptr<T>(xc), ptr<T>(batch_mean), ptr<T>(invstd), ptr<T>(w), ptr<T>(b), mut<T>(y));
  });
  {
    NoGradGuard no_grad;
    const double unbias = static_cast<double>(count) / static_cast<double>(count - 1);
    if (running_mean.defined())
      copy_(running_mean, running_mean * (1.0 - momentum) + batch_mean * momentum);
    if (running_var.defined())
      copy_(running_var, running_var * (1.0 - momentum) + batch_var * (momentum * unbias));
  }
  const bool need_x = x.requires_grad(), need_w = weight.defined() && weight.requires_grad(),
             need_b = bias.defined() && bias.requires_grad();
  return record("batch_norm", {x, weight, bias}, y, [=](const Tensor& g) -> std::vector<Tensor> {
    if (is_grad_enabled()) return batch_norm_backward_ops(x, weight, g, eps);
    const Tensor gc = g.contiguous();
    Tensor gx = need_x ? Tensor::empty(s, x.dtype(), x.device()) : Tensor();
    Tensor gw = need_w ? Tensor::empty({s[1]}, x.dtype(), x.device()) : Tensor();
    Tensor gb = need_b ? Tensor::empty({s[1]}, x.dtype(), x.device()) : Tensor();
    with_floating(x, [&](auto tag) {
      using T = decltype(tag);
      kernel_for<kernels::batch_norm_backward<T>>(x.device(), "batch_norm_backward")(
          shape, ptr<T>(xc), ptr<T>(gc), ptr<T>(batch_mean), ptr<T>(invstd), ptr<T>(w), mut<T>(gx),
          mut<T>(gw), mut<T>(gb));
    });
    return {gx, gw, gb};
  });
}

}  // namespace

Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight, const Tensor& bias, bool training, double momentum,
                  double eps) {
  detail::require_floating(x, "batch_norm");
  detail::common_device("batch_norm", {x, running_mean, running_var, weight, bias});
  if (x.dim() < 2 || x.dim() > 4)
    throw ShapeError("batch_norm: expects [N, C], [N, C, L] or [N, C, H, W], got " + to_string(x.shape()));
  const int64_t channels = x.shape()[1];
  for (const Tensor* t : {&running_mean, &running_var, &weight, &bias})
    if (t->defined() && t->shape() != Shape{channels})
      throw ShapeError("batch_norm: parameters and running statistics must be [" +
                       std::to_string(channels) + "] for input " + to_string(x.shape()) +
                       ", got " + to_string(t->shape()));
  for (const Tensor* t : {&weight, &bias})
    if (t->defined() && t->dtype() != x.dtype())
      throw DTypeError(std::string("batch_norm: weight and bias must be ") + to_string(x.dtype()) + " like the input");
  // Every layout normalises as [N, C, L]: the statistics run over N and L.
  const Tensor x3 = reshape(x, {x.shape()[0], channels, -1});
  Tensor y;
  if (training) {
    y = batch_norm_training(x3, running_mean, running_var, weight, bias, momentum, eps);
  } else {
    if (!running_mean.defined() || !running_var.defined())
      throw Error("batch_norm: evaluation needs running_mean and running_var");
    const Shape per_channel{1, channels, 1};
    y = (x3 - reshape(running_mean, per_channel)) * pow(reshape(running_var, per_channel) + eps, -0.5);
    if (weight.defined()) y = y * reshape(weight, per_channel);
    if (bias.defined()) y = y + reshape(bias, per_channel);
  }
  return reshape(y, x.shape());
}

}  // namespace nabla::functional
