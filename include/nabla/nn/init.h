// Parameter initialisation (torch.nn.init), in place on the tensor's storage under NoGradGuard,
// drawing from nabla's default_generator(). Each returns its argument for chaining.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(NN);
#include <string>

#include "nabla/tensor.h"

namespace nabla::nn::init {

enum class FanMode { fan_in, fan_out };

// torch.nn.init.calculate_gain for "linear", "conv*", "sigmoid", "tanh", "relu", "leaky_relu"
// (param = negative slope, default 0.01), "selu".
double calculate_gain(const std::string& nonlinearity, double param = 0.01);
// fan_in = size(1) * receptive field, fan_out = size(0) * receptive field; needs >= 2 axes.
std::pair<int64_t, int64_t> fans(const Tensor& t);

Tensor uniform_(const Tensor& t, double low = 0.0, double high = 1.0);
Tensor normal_(const Tensor& t, double mean = 0.0, double stddev = 1.0);
Tensor constant_(const Tensor& t, double value);
Tensor zeros_(const Tensor& t);
Tensor ones_(const Tensor& t);
Tensor xavier_uniform_(const Tensor& t, double gain = 1.0);
Tensor xavier_normal_(const Tensor& t, double gain = 1.0);
Tensor kaiming_uniform_(const Tensor& t, double a = 0.0, FanMode mode = FanMode::fan_in,
                        const std::string& nonlinearity = "leaky_relu");
Tensor kaiming_normal_(const Tensor& t, double a = 0.0, FanMode mode = FanMode::fan_in,
                       const std::string& nonlinearity = "leaky_relu");

}  // namespace nabla::nn::init
