// Normalisation over groups of channels and over single instances (torch.nn.GroupNorm,
// InstanceNorm1d, InstanceNorm2d), with PyTorch's parameter and buffer names and defaults.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(NN);
#include "nabla/nn/module.h"

namespace nabla::nn {

// Over [N, C, *]: weight (ones) and bias (zeros) [num_channels] when affine.
class GroupNorm : public UnaryModule {
 public:
  GroupNorm(int64_t num_groups, int64_t num_channels, double eps = 1e-5, bool affine = true);
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  int64_t num_groups, num_channels;
  double eps;
  bool affine;
  Tensor weight, bias;
};

// The shared part of InstanceNorm1d and InstanceNorm2d (PyTorch's _InstanceNorm). PyTorch's
// defaults: no affine transform and no running statistics. With track_running_stats the buffers
// running_mean (zeros), running_var (ones) and num_batches_tracked exist and evaluation normalises
// with the running statistics; num_batches_tracked stays 0, as PyTorch's instance norms never
// count batches.
class InstanceNorm : public UnaryModule {
 public:
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  int64_t num_features;
  double eps, momentum;
  bool affine, track_running_stats;
  Tensor weight, bias, running_mean, running_var, num_batches_tracked;

 protected:
  InstanceNorm(int64_t num_features, double eps, double momentum, bool affine, bool track_running_stats,
               int64_t input_rank);

 private:
  int64_t input_rank_;  // 3 ([N, C, L]) or 4 ([N, C, H, W])
};

class InstanceNorm1d : public InstanceNorm {
 public:
  explicit InstanceNorm1d(int64_t num_features, double eps = 1e-5, double momentum = 0.1,
                          bool affine = false, bool track_running_stats = false)
      : InstanceNorm(num_features, eps, momentum, affine, track_running_stats, 3) {}
};

class InstanceNorm2d : public InstanceNorm {
 public:
  explicit InstanceNorm2d(int64_t num_features, double eps = 1e-5, double momentum = 0.1,
                          bool affine = false, bool track_running_stats = false)
      : InstanceNorm(num_features, eps, momentum, affine, track_running_stats, 4) {}
};

}  // namespace nabla::nn
