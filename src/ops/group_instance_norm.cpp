// Group and instance normalisation, composed of the fused normalisations: a group of channels is a
// row of layer_norm, an instance (one sample's channel) is a channel of batch_norm over a batch
// of one. Both inherit their kernels, their backward and its second order from those ops.
#include <algorithm>
#include <initializer_list>
#include <string>

#include "nabla/functional.h"
#include "ops/op_utils.h"

namespace nabla::functional {
namespace {

// The per-channel weight or bias [C] shaped to broadcast against [N, C, *] of rank `rank`.
Tensor per_channel(const Tensor& t, int64_t rank) {
  Shape shape(static_cast<size_t>(rank - 1), 1);
  shape[0] = t.shape()[0];
  return reshape(t, shape);
}

void check_channel_tensors(const char* op, const Tensor& x, std::initializer_list<const Tensor*> tensors) {
  const int64_t channels = x.shape()[1];
  for (const Tensor* t : tensors) {
    if (!t->defined()) continue;
    if (t->shape() != Shape{channels})
      throw ShapeError(std::string(op) + ": weight, bias and running statistics must be [" +
                       std::to_string(channels) + "] for input " + to_string(x.shape()) + ", got " +
                       to_string(t->shape()));
    if (t->dtype() != x.dtype())
      throw DTypeError(std::string(op) + ": weight, bias and running statistics must be " +
                       to_string(x.dtype()) + " like the input, got " + to_string(t->dtype()));
  }
}

}  // namespace

Tensor group_norm(const Tensor& x, int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps) {
  detail::require_floating(x, "group_norm");
  detail::common_device("group_norm", {x, weight, bias});
  if (x.dim() < 2)
    throw ShapeError("group_norm: expects input [N, C, *], got " + to_string(x.shape()));
  const int64_t batch = x.shape()[0], channels = x.shape()[1];
  if (num_groups < 1 || channels % num_groups != 0)
    throw ShapeError("group_norm: " + std::to_string(channels) + " channels of input " + to_string(x.shape()) +
                     " do not split into " + std::to_string(num_groups) + " groups");
  check_channel_tensors("group_norm", x, {&weight, &bias});
  const int64_t group_size = x.numel() / std::max<int64_t>(batch * num_groups, 1);
  Tensor y = reshape(layer_norm(reshape(x, {batch, num_groups, group_size}), {group_size}, Tensor(), Tensor(), eps),
                     x.shape());
  if (weight.defined()) y = y * per_channel(weight, x.dim());
  if (bias.defined()) y = y + per_channel(bias, x.dim());
  return y;
}

Tensor instance_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                     const Tensor& weight, const Tensor& bias, bool use_input_stats, double momentum,
                     double eps) {
  detail::require_floating(x, "instance_norm");
  detail::common_device("instance_norm", {x, running_mean, running_var, weight, bias});
  if (x.dim() < 3)
    throw ShapeError("instance_norm: expects input [N, C, L] or [N, C, H, W], got " + to_string(x.shape()));
  check_channel_tensors("instance_norm", x, {&running_mean, &running_var, &weight, &bias});
  if (!use_input_stats) {
    if (!running_mean.defined() || !running_var.defined())
      throw Error("instance_norm: normalising without the input's statistics needs running_mean and running_var");
    // The running statistics are per channel, as batch normalisation's in evaluation.
    return batch_norm(x, running_mean, running_var, weight, bias, false, momentum, eps);
  }
  const int64_t batch = x.shape()[0], channels = x.shape()[1];
  if (x.numel() <= batch * channels)
    throw ShapeError("instance_norm: expected more than 1 value per instance and channel, got input " +
                     to_string(x.shape()));
  // Every (sample, channel) pair a channel of one batch: [1, N C, rest], with the per-channel
  // tensors repeated for each sample.
  const auto repeated = [&](const Tensor& t) {
    return t.defined() ? reshape(broadcast_to(t, {batch, channels}), {batch * channels}) : Tensor();
  };
  // batch_norm updates these copies in place; their mean over the batch is the new running value.
  const Tensor instance_mean = running_mean.defined() ? repeated(running_mean.detach()).contiguous() : Tensor();
  const Tensor instance_var = running_var.defined() ? repeated(running_var.detach()).contiguous() : Tensor();
  const Tensor y = batch_norm(reshape(x, {1, batch * channels, -1}), instance_mean, instance_var,
                              repeated(weight), repeated(bias), true, momentum, eps);
  {
    NoGradGuard no_grad;
    if (running_mean.defined()) copy_(running_mean, mean(reshape(instance_mean, {batch, channels}), {0}));
    if (running_var.defined()) copy_(running_var, mean(reshape(instance_var, {batch, channels}), {0}));
  }
  return reshape(y, x.shape());
}

}  // namespace nabla::functional
