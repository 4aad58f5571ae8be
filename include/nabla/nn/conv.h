// Convolution layers over sequences [N, C, L], images [N, C, H, W] and volumes, with PyTorch's parameter
// names, layouts and default initialisation, so a state_dict exported from torch.nn loads unchanged.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(NN);
#include <optional>

#include "nabla/functional.h"
#include "nabla/nn/module.h"

namespace nabla::nn {

using functional::Size2;

// weight [out_channels, in_channels / groups, kH, kW] and bias [out_channels], both
// kaiming_uniform(a = sqrt(5)) / U(-1/sqrt(fan_in), 1/sqrt(fan_in)) as torch.nn.Conv2d.
class Conv2d : public UnaryModule {
 public:
  Conv2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size, Size2 stride = 1,
         Size2 padding = 0, Size2 dilation = 1, int64_t groups = 1, bool bias = true);
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  void reset_parameters();
  int64_t in_channels, out_channels;
  Size2 kernel_size, stride, padding, dilation;
  int64_t groups;
  Tensor weight, bias;
};

// weight [out_channels, in_channels / groups, kernel_size] and bias [out_channels], initialised as
// torch.nn.Conv1d.
class Conv1d : public UnaryModule {
 public:
  Conv1d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, int64_t stride = 1,
         int64_t padding = 0, int64_t dilation = 1, int64_t groups = 1, bool bias = true);
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  void reset_parameters();
  int64_t in_channels, out_channels, kernel_size, stride, padding, dilation, groups;
  Tensor weight, bias;
};

// weight [out_channels, in_channels / groups, kD, kH, kW] and bias [out_channels], initialised as
// torch.nn.Conv3d; over volumes [N, C, D, H, W].
class Conv3d : public UnaryModule {
 public:
  Conv3d(int64_t in_channels, int64_t out_channels, functional::Size3 kernel_size,
         functional::Size3 stride = 1, functional::Size3 padding = 0, functional::Size3 dilation = 1,
         int64_t groups = 1, bool bias = true);
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  void reset_parameters();
  int64_t in_channels, out_channels;
  functional::Size3 kernel_size, stride, padding, dilation;
  int64_t groups;
  Tensor weight, bias;
};

// weight [in_channels, out_channels / groups, kH, kW] (PyTorch's transposed layout).
class ConvTranspose2d : public UnaryModule {
 public:
  ConvTranspose2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size, Size2 stride = 1,
                  Size2 padding = 0, Size2 output_padding = 0, int64_t groups = 1,
                  bool bias = true, Size2 dilation = 1);
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  void reset_parameters();
  int64_t in_channels, out_channels;
  Size2 kernel_size, stride, padding, output_padding;
  int64_t groups;
  Size2 dilation;
  Tensor weight, bias;
};

}  // namespace nabla::nn
