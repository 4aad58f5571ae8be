#include "nabla/models/cnn_blocks.h"

#include "nabla/nn/pooling.h"
#include "nabla/ops.h"

namespace nabla::models {

std::shared_ptr<nn::Sequential> conv_bn_relu(int64_t in_channels, int64_t out_channels,
                                             int64_t kernel_size, int64_t stride, int64_t padding) {
  if (padding < 0) padding = kernel_size / 2;
  return std::make_shared<nn::Sequential>(std::initializer_list<nn::ModulePtr>{
      std::make_shared<nn::Conv2d>(in_channels, out_channels, kernel_size, stride, padding, 1, 1,
                                   /*bias=*/false),
      std::make_shared<nn::BatchNorm2d>(out_channels), std::make_shared<nn::ReLU>()});
}

// ---- BasicBlock ---------------------------------------------------------------------------------
BasicBlock::BasicBlock(int64_t in_channels, int64_t out_channels, int64_t stride) {
  conv1_ = register_module("conv1", std::make_shared<nn::Conv2d>(in_channels, out_channels, 3, stride, 1,
                                                                 1, 1, /*bias=*/false));
  bn1_ = register_module("bn1", std::make_shared<nn::BatchNorm2d>(out_channels));
  relu_ = register_module("relu", std::make_shared<nn::ReLU>());
  conv2_ = register_module("conv2", std::make_shared<nn::Conv2d>(out_channels, out_channels, 3, 1, 1, 1, 1,
                                                                 /*bias=*/false));
  bn2_ = register_module("bn2", std::make_shared<nn::BatchNorm2d>(out_channels));
  if (stride != 1 || in_channels != out_channels) {
    downsample_ = register_module(
        "downsample", std::make_shared<nn::Sequential>(std::initializer_list<nn::ModulePtr>{
                          std::make_shared<nn::Conv2d>(in_channels, out_channels, 1, stride, 0, 1, 1,
                                                       /*bias=*/false),
                          std::make_shared<nn::BatchNorm2d>(out_channels)}));
  }
}

Tensor BasicBlock::forward(const Tensor& x) {
  Tensor out = relu_(bn1_(conv1_(x)));
  out = bn2_(conv2_(out));
  const Tensor shortcut = downsample_ ? downsample_(x) : x;
  return relu_(out + shortcut);
}

// ---- InceptionBlock -----------------------------------------------------------------------------
InceptionBlock::InceptionBlock(int64_t in_channels, const InceptionWidths& w) : widths_(w) {
  branch1_ = register_module("branch1", conv_bn_relu(in_channels, w.ch1x1, 1));
  branch2_ = register_module("branch2", std::make_shared<nn::Sequential>(std::initializer_list<nn::ModulePtr>{
                                            conv_bn_relu(in_channels, w.ch3x3_reduce, 1),
                                            conv_bn_relu(w.ch3x3_reduce, w.ch3x3, 3)}));
  branch3_ = register_module("branch3", std::make_shared<nn::Sequential>(std::initializer_list<nn::ModulePtr>{
                                            conv_bn_relu(in_channels, w.ch5x5_reduce, 1),
                                            conv_bn_relu(w.ch5x5_reduce, w.ch5x5, 3)}));
  branch4_ = register_module("branch4", std::make_shared<nn::Sequential>(std::initializer_list<nn::ModulePtr>{
                                            std::make_shared<nn::MaxPool2d>(3, 1, 1),
                                            conv_bn_relu(in_channels, w.pool_proj, 1)}));
}

Tensor InceptionBlock::forward(const Tensor& x) {
  return concat({branch1_(x), branch2_(x), branch3_(x), branch4_(x)}, 1);
}

}  // namespace nabla::models
