// GroupNorm and the instance norms: parameters, buffers and PyTorch's reprs; the work is in
// functional::group_norm / instance_norm.
#include "nabla/nn/normalization.h"

#include "nabla/functional.h"
#include "nn/repr.h"

namespace nabla::nn {

GroupNorm::GroupNorm(int64_t num_groups, int64_t num_channels, double eps, bool affine)
    : num_groups(num_groups), num_channels(num_channels), eps(eps), affine(affine) {
  if (num_groups < 1 || num_channels % num_groups != 0)
    throw ShapeError("GroupNorm: num_channels " + std::to_string(num_channels) +
                     " must be divisible by num_groups " + std::to_string(num_groups));
  weight = register_parameter("weight", affine ? ones({num_channels}) : Tensor());
  bias = register_parameter("bias", affine ? zeros({num_channels}) : Tensor());
}

Tensor GroupNorm::forward(const Tensor& x) {
  return functional::group_norm(x, num_groups, weight, bias, eps);
}

std::string GroupNorm::extra_repr() const {
  return std::to_string(num_groups) + ", " + std::to_string(num_channels) + ", eps=" + python_float(eps) +
         ", affine=" + python_bool(affine);
}

InstanceNorm::InstanceNorm(int64_t num_features, double eps, double momentum, bool affine,
                           bool track_running_stats, int64_t input_rank)
    : num_features(num_features), eps(eps), momentum(momentum), affine(affine),
      track_running_stats(track_running_stats), input_rank_(input_rank) {
  weight = register_parameter("weight", affine ? ones({num_features}) : Tensor());
  bias = register_parameter("bias", affine ? zeros({num_features}) : Tensor());
  if (track_running_stats) {
    running_mean = register_buffer("running_mean", zeros({num_features}));
    running_var = register_buffer("running_var", ones({num_features}));
    num_batches_tracked = register_buffer("num_batches_tracked", zeros({}, DType::i64));
  }
}

Tensor InstanceNorm::forward(const Tensor& x) {
  if (x.dim() != input_rank_ || x.shape()[1] != num_features) {
    const std::string c = std::to_string(num_features);
    throw ShapeError(type_name() + "(" + c + "): expected input " +
                     (input_rank_ == 3 ? "[N, " + c + ", L]" : "[N, " + c + ", H, W]") + ", got " +
                     to_string(x.shape()));
  }
  // Without running statistics, evaluation normalises with the instance's own, as PyTorch does.
  return functional::instance_norm(x, running_mean, running_var, weight, bias,
                                   is_training() || !track_running_stats, momentum, eps);
}

std::string InstanceNorm::extra_repr() const {
  return std::to_string(num_features) + ", eps=" + python_float(eps) + ", momentum=" + python_float(momentum) +
         ", affine=" + python_bool(affine) + ", track_running_stats=" + python_bool(track_running_stats);
}

}  // namespace nabla::nn
