// A model's layers, output shapes, parameter counts and forward FLOPs, found by running one
// forward pass with a hook on every leaf module (torchinfo's summary, Keras' model.summary()).
//
//   nn::ModelSummary s = nn::summary(*model, {1, 1, 28, 28});
//   std::cout << s.str();
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(NN);
#include <string>
#include <vector>

#include "nabla/nn/module.h"

namespace nabla::nn {

struct LayerSummary {
  std::string name;     // dotted path from the model, as in named_parameters(): "layer1.0.conv1"
  std::string type;     // type_name(): "Conv2d"
  Shape output_shape;   // batch dimension included
  int64_t params = 0;   // this layer's parameter elements; 0 on a second call of the same layer
  int64_t flops = 0;    // forward FLOPs per sample (see ModelSummary::flops)
};

struct ModelSummary {
  Shape input_shape;
  std::vector<LayerSummary> layers;  // one row per call of a leaf module (of any signature), in order
  int64_t total_params = 0;          // every parameter tensor once
  int64_t trainable_params = 0;      // those that require grad
  // Forward FLOPs per sample: 2 x the multiply-adds of Conv2d, ConvTranspose2d and Linear layers.
  // Bias adds, activations, normalisation, pooling and elementwise ops are not counted (they are
  // a few percent of a convolutional network's work and depend on how a kernel is written).
  int64_t flops = 0;
  // A table: name (type), output shape, params, FLOPs per row; totals and what FLOPs count.
  std::string str() const;
};

// Runs one forward pass of zeros of `input_shape` (batch first) through model(x), Module's one-tensor
// call, in eval mode without recording a
// graph, then restores each module's training mode and removes the hooks. Drawing no random
// numbers, it leaves the seeded generator where it was.
ModelSummary summary(Module& model, const Shape& input_shape, DType dtype = kDefaultDType);

// The multiply-adds of one forward call of `layer` (Conv2d, ConvTranspose2d, Linear; 0 for any
// other module) for the whole batch, given its input and output.
int64_t multiply_adds(const Module& layer, const Tensor& input, const Tensor& output);

}  // namespace nabla::nn
