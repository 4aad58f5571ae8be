// Conv1d, Conv2d, Conv3d and ConvTranspose2d: the weights and PyTorch's initialisation; the work is in
// functional::conv2d / conv_transpose2d.
#include "nabla/nn/conv.h"

#include <cmath>

#include "nabla/nn/init.h"
#include "nn/repr.h"

namespace nabla::nn {
namespace {

void check_channels(const char* layer, int64_t in_channels, int64_t out_channels, int64_t groups) {
  if (in_channels < 1 || out_channels < 1 || groups < 1 || in_channels % groups != 0 ||
      out_channels % groups != 0)
    throw ShapeError(std::string(layer) + ": in_channels " + std::to_string(in_channels) +
                     " and out_channels " + std::to_string(out_channels) +
                     " must be positive and divisible by groups " + std::to_string(groups));
}

// kaiming_uniform(a = sqrt(5)) for the weight and U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the bias,
// as torch.nn's _ConvNd.reset_parameters.
void reset_conv(const Tensor& weight, const Tensor& bias) {
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const int64_t fan_in = init::fans(weight).first;
    const double bound = fan_in > 0 ? 1.0 / std::sqrt(static_cast<double>(fan_in)) : 0.0;
    init::uniform_(bias, -bound, bound);
  }
}

}  // namespace

Conv2d::Conv2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size, Size2 stride,
               Size2 padding, Size2 dilation, int64_t groups, bool with_bias)
    : in_channels(in_channels), out_channels(out_channels), kernel_size(kernel_size),
      stride(stride), padding(padding), dilation(dilation), groups(groups) {
  check_channels("Conv2d", in_channels, out_channels, groups);
  weight = register_parameter(
      "weight", Tensor::empty({out_channels, in_channels / groups, kernel_size.h, kernel_size.w}));
  bias = register_parameter("bias", with_bias ? Tensor::empty({out_channels}) : Tensor());
  reset_parameters();
}

void Conv2d::reset_parameters() { reset_conv(weight, bias); }

Tensor Conv2d::forward(const Tensor& x) {
  return functional::conv2d(x, weight, bias, stride, padding, dilation, groups);
}

std::string Conv2d::extra_repr() const {
  std::string text = std::to_string(in_channels) + ", " + std::to_string(out_channels) +
                     ", kernel_size=" + size2_repr(kernel_size) + ", stride=" + size2_repr(stride);
  if (padding != Size2(0)) text += ", padding=" + size2_repr(padding);
  if (dilation != Size2(1)) text += ", dilation=" + size2_repr(dilation);
  if (groups != 1) text += ", groups=" + std::to_string(groups);
  if (!bias.defined()) text += ", bias=False";
  return text;
}

Conv1d::Conv1d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, int64_t stride,
               int64_t padding, int64_t dilation, int64_t groups, bool with_bias)
    : in_channels(in_channels), out_channels(out_channels), kernel_size(kernel_size), stride(stride),
      padding(padding), dilation(dilation), groups(groups) {
  check_channels("Conv1d", in_channels, out_channels, groups);
  weight = register_parameter("weight", Tensor::empty({out_channels, in_channels / groups, kernel_size}));
  bias = register_parameter("bias", with_bias ? Tensor::empty({out_channels}) : Tensor());
  reset_parameters();
}

void Conv1d::reset_parameters() { reset_conv(weight, bias); }

Tensor Conv1d::forward(const Tensor& x) {
  return functional::conv1d(x, weight, bias, stride, padding, dilation, groups);
}

// torch.nn.Conv1d prints its sizes as 1-tuples.
std::string Conv1d::extra_repr() const {
  const auto single = [](int64_t v) { return "(" + std::to_string(v) + ",)"; };
  std::string text = std::to_string(in_channels) + ", " + std::to_string(out_channels) +
                     ", kernel_size=" + single(kernel_size) + ", stride=" + single(stride);
  if (padding != 0) text += ", padding=" + single(padding);
  if (dilation != 1) text += ", dilation=" + single(dilation);
  if (groups != 1) text += ", groups=" + std::to_string(groups);
  if (!bias.defined()) text += ", bias=False";
  return text;
}

Conv3d::Conv3d(int64_t in_channels, int64_t out_channels, functional::Size3 kernel_size,
               functional::Size3 stride, functional::Size3 padding, functional::Size3 dilation,
               int64_t groups, bool with_bias)
    : in_channels(in_channels), out_channels(out_channels), kernel_size(kernel_size), stride(stride),
      padding(padding), dilation(dilation), groups(groups) {
  check_channels("Conv3d", in_channels, out_channels, groups);
  weight = register_parameter("weight", Tensor::empty({out_channels, in_channels / groups, kernel_size.d,
                                                       kernel_size.h, kernel_size.w}));
  bias = register_parameter("bias", with_bias ? Tensor::empty({out_channels}) : Tensor());
  reset_parameters();
}

void Conv3d::reset_parameters() { reset_conv(weight, bias); }

Tensor Conv3d::forward(const Tensor& x) {
  return functional::conv3d(x, weight, bias, stride, padding, dilation, groups);
}

std::string Conv3d::extra_repr() const {
  const auto triple = [](functional::Size3 s) {
    return "(" + std::to_string(s.d) + ", " + std::to_string(s.h) + ", " + std::to_string(s.w) + ")";
  };
  std::string text = std::to_string(in_channels) + ", " + std::to_string(out_channels) +
                     ", kernel_size=" + triple(kernel_size) + ", stride=" + triple(stride);
  if (padding != functional::Size3(0)) text += ", padding=" + triple(padding);
  if (dilation != functional::Size3(1)) text += ", dilation=" + triple(dilation);
  if (groups != 1) text += ", groups=" + std::to_string(groups);
  if (!bias.defined()) text += ", bias=False";
  return text;
}

ConvTranspose2d::ConvTranspose2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size,
                                 Size2 stride, Size2 padding, Size2 output_padding, int64_t groups,
                                 bool with_bias, Size2 dilation)
    : in_channels(in_channels), out_channels(out_channels), kernel_size(kernel_size),
      stride(stride), padding(padding), output_padding(output_padding), groups(groups),
      dilation(dilation) {
  check_channels("ConvTranspose2d", in_channels, out_channels, groups);
  weight = register_parameter(
      "weight", Tensor::empty({in_channels, out_channels / groups, kernel_size.h, kernel_size.w}));
  bias = register_parameter("bias", with_bias ? Tensor::empty({out_channels}) : Tensor());
  reset_parameters();
}

void ConvTranspose2d::reset_parameters() { reset_conv(weight, bias); }

Tensor ConvTranspose2d::forward(const Tensor& x) {
  return functional::conv_transpose2d(x, weight, bias, stride, padding, output_padding, groups,
                                      dilation);
}

std::string ConvTranspose2d::extra_repr() const {
  std::string text = std::to_string(in_channels) + ", " + std::to_string(out_channels) +
                     ", kernel_size=" + size2_repr(kernel_size) + ", stride=" + size2_repr(stride);
  if (padding != Size2(0)) text += ", padding=" + size2_repr(padding);
  if (output_padding != Size2(0)) text += ", output_padding=" + size2_repr(output_padding);
  if (dilation != Size2(1)) text += ", dilation=" + size2_repr(dilation);
  if (groups != 1) text += ", groups=" + std::to_string(groups);
  if (!bias.defined()) text += ", bias=False";
  return text;
}

}  // namespace nabla::nn
