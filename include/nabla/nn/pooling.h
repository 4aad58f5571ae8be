// Pooling layers over sequences [N, C, L], images [N, C, H, W] and volumes [N, C, D, H, W]
// (torch.nn.MaxPool1d/2d/3d, AvgPool1d/2d/3d, AdaptiveAvgPool2d, MaxUnpool2d).
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(NN);
#include <optional>

#include "nabla/functional.h"
#include "nabla/nn/module.h"

namespace nabla::nn {

using functional::Size2;

// stride defaults to kernel_size. PyTorch's return_indices = True is forward_with_indices.
class MaxPool2d : public UnaryModule {
 public:
  explicit MaxPool2d(Size2 kernel_size, std::optional<Size2> stride = std::nullopt,
                     Size2 padding = 0, Size2 dilation = 1, bool ceil_mode = false);
  Tensor forward(const Tensor& x) override;
  functional::MaxPoolResult forward_with_indices(const Tensor& x);
  std::string extra_repr() const override;
  Size2 kernel_size, stride, padding, dilation;
  bool ceil_mode;
};

class MaxPool1d : public UnaryModule {
 public:
  explicit MaxPool1d(int64_t kernel_size, std::optional<int64_t> stride = std::nullopt,
                     int64_t padding = 0, int64_t dilation = 1, bool ceil_mode = false);
  Tensor forward(const Tensor& x) override;
  functional::MaxPoolResult forward_with_indices(const Tensor& x);
  std::string extra_repr() const override;
  int64_t kernel_size, stride, padding, dilation;
  bool ceil_mode;
};

class AvgPool1d : public UnaryModule {
 public:
  explicit AvgPool1d(int64_t kernel_size, std::optional<int64_t> stride = std::nullopt,
                     int64_t padding = 0, bool ceil_mode = false, bool count_include_pad = true);
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  int64_t kernel_size, stride, padding;
  bool ceil_mode, count_include_pad;
};

// Over volumes [N, C, D, H, W].
class MaxPool3d : public UnaryModule {
 public:
  explicit MaxPool3d(functional::Size3 kernel_size, std::optional<functional::Size3> stride = std::nullopt,
                     functional::Size3 padding = 0, functional::Size3 dilation = 1, bool ceil_mode = false);
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  functional::Size3 kernel_size, stride, padding, dilation;
  bool ceil_mode;
};

class AvgPool3d : public UnaryModule {
 public:
  explicit AvgPool3d(functional::Size3 kernel_size, std::optional<functional::Size3> stride = std::nullopt,
                     functional::Size3 padding = 0, bool ceil_mode = false, bool count_include_pad = true);
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  functional::Size3 kernel_size, stride, padding;
  bool ceil_mode, count_include_pad;
};

// Called with the pooled values and the indices MaxPool2d::forward_with_indices gave, and
// optionally the size to restore (torch.nn.MaxUnpool2d).
class MaxUnpool2d : public CallableModule<MaxUnpool2d> {
 public:
  explicit MaxUnpool2d(Size2 kernel_size, std::optional<Size2> stride = std::nullopt, Size2 padding = 0);
  Tensor forward(const Tensor& x, const Tensor& indices,
                 std::optional<Size2> output_size = std::nullopt);
  std::string extra_repr() const override;
  Size2 kernel_size, stride, padding;
};

class AvgPool2d : public UnaryModule {
 public:
  explicit AvgPool2d(Size2 kernel_size, std::optional<Size2> stride = std::nullopt,
                     Size2 padding = 0, bool ceil_mode = false, bool count_include_pad = true);
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  Size2 kernel_size, stride, padding;
  bool ceil_mode, count_include_pad;
};

// AdaptiveAvgPool2d(1) is global average pooling.
class AdaptiveAvgPool2d : public UnaryModule {
 public:
  explicit AdaptiveAvgPool2d(Size2 output_size) : output_size(output_size) {}
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  Size2 output_size;
};

}  // namespace nabla::nn
