// In-place initialisers (torch.nn.init): draw a tensor from the default generator, write it into
// the parameter's storage without recording anything.
#include "nabla/nn/init.h"

#include <cmath>

#include "nabla/autograd.h"
#include "nabla/ops.h"

namespace nabla::nn::init {
namespace {

const Tensor& fill_with(const Tensor& t, const Tensor& values) {
  NoGradGuard no_grad;
  copy_(t, values);
  return t;
}

double fan_for(const Tensor& t, FanMode mode) {
  const auto [fan_in, fan_out] = fans(t);
  return static_cast<double>(mode == FanMode::fan_in ? fan_in : fan_out);
}

void require_defined(const Tensor& t, const char* op) {
  if (!t.defined()) throw Error(std::string(op) + ": the tensor is undefined");
  if (!is_floating(t.dtype()))
    throw DTypeError(std::string(op) + ": needs a floating tensor, got " + to_string(t.dtype()));
}

}  // namespace

double calculate_gain(const std::string& nonlinearity, double param) {
  if (nonlinearity == "linear" || nonlinearity == "sigmoid" || nonlinearity.rfind("conv", 0) == 0)
    return 1.0;
  if (nonlinearity == "tanh") return 5.0 / 3.0;
  if (nonlinearity == "relu") return std::sqrt(2.0);
  if (nonlinearity == "leaky_relu") return std::sqrt(2.0 / (1.0 + param * param));
  if (nonlinearity == "selu") return 3.0 / 4.0;
  throw Error("calculate_gain: unsupported nonlinearity '" + nonlinearity + "'");
}

std::pair<int64_t, int64_t> fans(const Tensor& t) {
  if (t.dim() < 2)
    throw ShapeError("init: fan in and fan out need a tensor with at least 2 axes, got " + to_string(t.shape()));
  int64_t receptive = 1;
  for (int64_t i = 2; i < t.dim(); ++i) receptive *= t.shape()[static_cast<size_t>(i)];
  return {t.shape()[1] * receptive, t.shape()[0] * receptive};
}

Tensor uniform_(const Tensor& t, double low, double high) {
  require_defined(t, "uniform_");
  return fill_with(t, uniform(t.shape(), low, high, t.dtype()));
}

Tensor normal_(const Tensor& t, double mean, double stddev) {
  require_defined(t, "normal_");
  return fill_with(t, normal(t.shape(), mean, stddev, t.dtype()));
}

Tensor constant_(const Tensor& t, double value) {
  require_defined(t, "constant_");
  return fill_with(t, scalar(value, t.dtype()));
}

Tensor zeros_(const Tensor& t) { return constant_(t, 0.0); }
Tensor ones_(const Tensor& t) { return constant_(t, 1.0); }

Tensor xavier_uniform_(const Tensor& t, double gain) {
  require_defined(t, "xavier_uniform_");
  const auto [fan_in, fan_out] = fans(t);
  const double stddev = gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out));
  const double bound = std::sqrt(3.0) * stddev;
  return uniform_(t, -bound, bound);
}

Tensor xavier_normal_(const Tensor& t, double gain) {
  require_defined(t, "xavier_normal_");
  const auto [fan_in, fan_out] = fans(t);
  return normal_(t, 0.0, gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out)));
}

Tensor kaiming_uniform_(const Tensor& t, double a, FanMode mode, const std::string& nonlinearity) {
  require_defined(t, "kaiming_uniform_");
  const double fan = fan_for(t, mode);
  if (fan == 0) return t;  // PyTorch warns and leaves a zero-element tensor alone
  const double bound = std::sqrt(3.0) * calculate_gain(nonlinearity, a) / std::sqrt(fan);
  return uniform_(t, -bound, bound);
}

Tensor kaiming_normal_(const Tensor& t, double a, FanMode mode, const std::string& nonlinearity) {
  require_defined(t, "kaiming_normal_");
  const double fan = fan_for(t, mode);
  if (fan == 0) return t;
  return normal_(t, 0.0, calculate_gain(nonlinearity, a) / std::sqrt(fan));
}

}  // namespace nabla::nn::init
