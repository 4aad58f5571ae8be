// Pooling layers: their settings and PyTorch's reprs; the work is in functional's pooling.
#include "nabla/nn/pooling.h"

#include "nn/repr.h"

namespace nabla::nn {
namespace {

// torch.nn's pooling layers print what they were given: an int, or a pair when h != w.
std::string size_or_pair(Size2 s) { return s.h == s.w ? std::to_string(s.h) : size2_repr(s); }

}  // namespace

MaxPool2d::MaxPool2d(Size2 kernel_size, std::optional<Size2> stride, Size2 padding, bool ceil_mode)
    : kernel_size(kernel_size), stride(stride.value_or(kernel_size)), padding(padding),
      ceil_mode(ceil_mode) {}

Tensor MaxPool2d::forward(const Tensor& x) {
  return functional::max_pool2d(x, kernel_size, stride, padding, ceil_mode);
}

std::string MaxPool2d::extra_repr() const {
  return "kernel_size=" + size_or_pair(kernel_size) + ", stride=" + size_or_pair(stride) +
         ", padding=" + size_or_pair(padding) + ", dilation=1, ceil_mode=" + python_bool(ceil_mode);
}

AvgPool2d::AvgPool2d(Size2 kernel_size, std::optional<Size2> stride, Size2 padding, bool ceil_mode,
                     bool count_include_pad)
    : kernel_size(kernel_size), stride(stride.value_or(kernel_size)), padding(padding),
      ceil_mode(ceil_mode), count_include_pad(count_include_pad) {}

Tensor AvgPool2d::forward(const Tensor& x) {
  return functional::avg_pool2d(x, kernel_size, stride, padding, ceil_mode, count_include_pad);
}

std::string AvgPool2d::extra_repr() const {
  return "kernel_size=" + size_or_pair(kernel_size) + ", stride=" + size_or_pair(stride) +
         ", padding=" + size_or_pair(padding);
}

Tensor AdaptiveAvgPool2d::forward(const Tensor& x) {
  return functional::adaptive_avg_pool2d(x, output_size);
}

std::string AdaptiveAvgPool2d::extra_repr() const {
  return "output_size=" + size_or_pair(output_size);
}

}  // namespace nabla::nn
