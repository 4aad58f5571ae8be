// The building blocks of the zoo's convolutional networks: convolution + batch norm + ReLU, the
// residual BasicBlock (ResNet) and the four-branch Inception block (GoogLeNet). Children are
// registered under torchvision's names and called through their holders, so forward hooks (the
// summary) see every layer and the state_dict keys match the PyTorch equivalent.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(MODELS);
#include <memory>
#include <string>

#include "nabla/nn/conv.h"
#include "nabla/nn/layers.h"

namespace nabla::models {

// Sequential(Conv2d without bias, BatchNorm2d, ReLU): the bias would be cancelled by the batch
// norm's mean subtraction (torchvision's Conv2dNormActivation).
std::shared_ptr<nn::Sequential> conv_bn_relu(int64_t in_channels, int64_t out_channels,
                                             int64_t kernel_size, int64_t stride = 1,
                                             int64_t padding = -1);  // -1: kernel_size / 2, "same"

// ResNet's basic block (He et al. 2016): relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)),
// two 3x3 convolutions. When the stride or the width changes, the shortcut is `downsample`, a 1x1
// convolution with batch norm (torchvision's option B); otherwise it is the identity.
class BasicBlock : public nn::UnaryModule {
 public:
  BasicBlock(int64_t in_channels, int64_t out_channels, int64_t stride = 1);
  Tensor forward(const Tensor& x) override;

 private:
  nn::ModuleHolder<nn::Conv2d> conv1_, conv2_;
  nn::ModuleHolder<nn::BatchNorm2d> bn1_, bn2_;
  nn::ModuleHolder<nn::ReLU> relu_;
  nn::ModuleHolder<nn::Sequential> downsample_;  // null: identity shortcut
};

// Inception block (Szegedy et al. 2015, with batch norm as torchvision's GoogLeNet): four branches
// over the same input, concatenated along channels:
//   branch1  1x1                                   -> ch1x1
//   branch2  1x1 -> ch3x3_reduce, 3x3              -> ch3x3
//   branch3  1x1 -> ch5x5_reduce, 3x3 (as torchvision's, where the paper has 5x5) -> ch5x5
//   branch4  3x3 max pool (stride 1), 1x1          -> pool_proj
// The 1x1 reductions are what make the wide 3x3 branches affordable.
struct InceptionWidths {
  int64_t ch1x1, ch3x3_reduce, ch3x3, ch5x5_reduce, ch5x5, pool_proj;
  int64_t out_channels() const { return ch1x1 + ch3x3 + ch5x5 + pool_proj; }
};

class InceptionBlock : public nn::UnaryModule {
 public:
  InceptionBlock(int64_t in_channels, const InceptionWidths& widths);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Inception"; }
  int64_t out_channels() const { return widths_.out_channels(); }

 private:
  InceptionWidths widths_;
  nn::ModuleHolder<nn::Sequential> branch1_, branch2_, branch3_, branch4_;
};

}  // namespace nabla::models
