// The zoo's convolutional networks, each sized for 1x28x28 images (MNIST, Fashion-MNIST) and
// ending in `classes` logits. `nabla summary --model NAME` prints any of them layer by layer;
// tests/apps/cnn_zoo_reference.py builds the same architectures in PyTorch.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(MODELS);
#include <string>
#include <vector>

#include "nabla/nn/module.h"

namespace nabla::models {

// The course's SimpleConvNet: conv 30 5x5, ReLU, 2x2 max pool, Linear 100, ReLU, Linear.
nn::ModulePtr simple_cnn(int64_t classes = 10);

// LeNet-5 (LeCun et al. 1998) as usually modernised: ReLU and max pooling in place of the
// scaled tanh and trainable subsampling; the first convolution pads by 2, so 28x28 inputs give
// the paper's 32x32 geometry (16 x 5 x 5 features into Linear 120, 84).
nn::ModulePtr lenet5(int64_t classes = 10);

// AlexNet (Krizhevsky et al. 2012) scaled to 28x28: the same five convolutions, overlapping 3x3/2
// max pooling, local response normalisation after the first two, dropout before the first two
// fully connected layers; a quarter of the channels (24, 64, 96, 96, 64) and an eighth of the
// fully connected width (512), a 5x5 stride-1 first layer in place of 11x11 stride 4.
nn::ModulePtr alexnet(int64_t classes = 10);

// VGG-style (Simonyan and Zisserman 2014): stages of 3x3 convolutions (each with batch norm and
// ReLU) at one width, a 2x2 max pool after each stage, then Linear, ReLU, dropout, Linear.
nn::ModulePtr vgg(int64_t classes = 10);

// ResNet for 28x28 (He et al. 2016, the CIFAR variant): a 3x3 stem, three stages of BasicBlocks
// at 16, 32, 64 channels on 28, 14, 7 pixels, global average pooling, Linear.
nn::ModulePtr resnet(int64_t classes = 10);

// GoogLeNet-style: a stem, two Inception blocks at 14x14, one at 7x7 (GoogLeNet's 3a, 3b, 4a
// widths divided by 4), global average pooling, dropout, Linear.
nn::ModulePtr inception(int64_t classes = 10);

// The course's DeepConvNet: six 3x3 convolutions 16, 16, 32, 32, 64, 64 with ReLU, a 2x2 max pool
// after every two, Linear 50, ReLU, dropout 0.5, Linear, dropout 0.5 (the course applies dropout
// to the logits too), He initialisation (normal, std sqrt(2 / fan_in)) and zero biases.
nn::ModulePtr deep_cnn(int64_t classes = 10);

// The names above as the command line spells them, and the builder for one of them; throws for
// any other name.
std::vector<std::string> cnn_model_names();
nn::ModulePtr make_cnn(const std::string& name, int64_t classes);

}  // namespace nabla::models
