// Pooling and unpooling layers: their settings and PyTorch's reprs; the work is in functional's pooling.
#include "nabla/nn/pooling.h"

#include "nn/repr.h"

namespace nabla::nn {
namespace {

// torch.nn's pooling layers print what they were given: an int, or a pair when h != w.
std::string size_or_pair(Size2 s) { return s.h == s.w ? std::to_string(s.h) : size2_repr(s); }

// The 3-D ones likewise: an int when all three agree, else the triple.
std::string size_or_triple(functional::Size3 s) {
  if (s.d == s.h && s.h == s.w) return std::to_string(s.d);
  return "(" + std::to_string(s.d) + ", " + std::to_string(s.h) + ", " + std::to_string(s.w) + ")";
}

}  // namespace

MaxPool2d::MaxPool2d(Size2 kernel_size, std::optional<Size2> stride, Size2 padding, Size2 dilation,
                     bool ceil_mode)
    : kernel_size(kernel_size), stride(stride.value_or(kernel_size)), padding(padding),
      dilation(dilation), ceil_mode(ceil_mode) {}

Tensor MaxPool2d::forward(const Tensor& x) {
  return functional::max_pool2d(x, kernel_size, stride, padding, dilation, ceil_mode);
}

functional::MaxPoolResult MaxPool2d::forward_with_indices(const Tensor& x) {
  return functional::max_pool2d_with_indices(x, kernel_size, stride, padding, dilation, ceil_mode);
}

std::string MaxPool2d::extra_repr() const {
  return "kernel_size=" + size_or_pair(kernel_size) + ", stride=" + size_or_pair(stride) +
         ", padding=" + size_or_pair(padding) + ", dilation=" + size_or_pair(dilation) +
         ", ceil_mode=" + python_bool(ceil_mode);
}

MaxPool1d::MaxPool1d(int64_t kernel_size, std::optional<int64_t> stride, int64_t padding,
                     int64_t dilation, bool ceil_mode)
    : kernel_size(kernel_size), stride(stride.value_or(kernel_size)), padding(padding),
      dilation(dilation), ceil_mode(ceil_mode) {}

Tensor MaxPool1d::forward(const Tensor& x) {
  return functional::max_pool1d(x, kernel_size, stride, padding, dilation, ceil_mode);
}

functional::MaxPoolResult MaxPool1d::forward_with_indices(const Tensor& x) {
  return functional::max_pool1d_with_indices(x, kernel_size, stride, padding, dilation, ceil_mode);
}

std::string MaxPool1d::extra_repr() const {
  return "kernel_size=" + std::to_string(kernel_size) + ", stride=" + std::to_string(stride) +
         ", padding=" + std::to_string(padding) + ", dilation=" + std::to_string(dilation) +
         ", ceil_mode=" + python_bool(ceil_mode);
}

AvgPool1d::AvgPool1d(int64_t kernel_size, std::optional<int64_t> stride, int64_t padding,
                     bool ceil_mode, bool count_include_pad)
    : kernel_size(kernel_size), stride(stride.value_or(kernel_size)), padding(padding),
      ceil_mode(ceil_mode), count_include_pad(count_include_pad) {}

Tensor AvgPool1d::forward(const Tensor& x) {
  return functional::avg_pool1d(x, kernel_size, stride, padding, ceil_mode, count_include_pad);
}

// torch.nn.AvgPool1d prints its sizes as 1-tuples.
std::string AvgPool1d::extra_repr() const {
  return "kernel_size=(" + std::to_string(kernel_size) + ",), stride=(" + std::to_string(stride) +
         ",), padding=(" + std::to_string(padding) + ",)";
}

MaxPool3d::MaxPool3d(functional::Size3 kernel_size, std::optional<functional::Size3> stride,
                     functional::Size3 padding, functional::Size3 dilation, bool ceil_mode)
    : kernel_size(kernel_size), stride(stride.value_or(kernel_size)), padding(padding), dilation(dilation),
      ceil_mode(ceil_mode) {}

Tensor MaxPool3d::forward(const Tensor& x) {
  return functional::max_pool3d(x, kernel_size, stride, padding, dilation, ceil_mode);
}

std::string MaxPool3d::extra_repr() const {
  return "kernel_size=" + size_or_triple(kernel_size) + ", stride=" + size_or_triple(stride) +
         ", padding=" + size_or_triple(padding) + ", dilation=" + size_or_triple(dilation) +
         ", ceil_mode=" + python_bool(ceil_mode);
}

AvgPool3d::AvgPool3d(functional::Size3 kernel_size, std::optional<functional::Size3> stride,
                     functional::Size3 padding, bool ceil_mode, bool count_include_pad)
    : kernel_size(kernel_size), stride(stride.value_or(kernel_size)), padding(padding), ceil_mode(ceil_mode),
      count_include_pad(count_include_pad) {}

Tensor AvgPool3d::forward(const Tensor& x) {
  return functional::avg_pool3d(x, kernel_size, stride, padding, ceil_mode, count_include_pad);
}

std::string AvgPool3d::extra_repr() const {
  return "kernel_size=" + size_or_triple(kernel_size) + ", stride=" + size_or_triple(stride) +
         ", padding=" + size_or_triple(padding);
}

MaxUnpool2d::MaxUnpool2d(Size2 kernel_size, std::optional<Size2> stride, Size2 padding)
    : kernel_size(kernel_size), stride(stride.value_or(kernel_size)), padding(padding) {}

Tensor MaxUnpool2d::forward(const Tensor& x, const Tensor& indices, std::optional<Size2> output_size) {
  return functional::max_unpool2d(x, indices, kernel_size, stride, padding, output_size);
}

// torch.nn.MaxUnpool2d prints pairs always.
std::string MaxUnpool2d::extra_repr() const {
  return "kernel_size=" + size2_repr(kernel_size) + ", stride=" + size2_repr(stride) +
         ", padding=" + size2_repr(padding);
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
