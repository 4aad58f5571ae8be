// Pooling layers over images [N, C, H, W] (torch.nn.MaxPool2d, AvgPool2d, AdaptiveAvgPool2d).
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(NN);
#include <optional>

#include "nabla/functional.h"
#include "nabla/nn/module.h"

namespace nabla::nn {

using functional::Size2;

// stride defaults to kernel_size.
class MaxPool2d : public UnaryModule {
 public:
  explicit MaxPool2d(Size2 kernel_size, std::optional<Size2> stride = std::nullopt,
                     Size2 padding = 0, bool ceil_mode = false);
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  Size2 kernel_size, stride, padding;
  bool ceil_mode;
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
