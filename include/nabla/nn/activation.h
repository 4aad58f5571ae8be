// The activation modules of torch.nn beyond ReLU, Sigmoid, Tanh, LeakyReLU and GELU (layers.h):
// thin modules over the ops of the same names (include/nabla/ops.h), with torch's defaults and
// reprs. PReLU is the one with a parameter, its learned slope.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(NN);
#include <cstdint>
#include <string>

#include "nabla/nn/module.h"

namespace nabla::nn {

class ELU : public UnaryModule {
 public:
  explicit ELU(double alpha = 1.0) : alpha(alpha) {}
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  double alpha;
};

class SELU : public UnaryModule {
 public:
  Tensor forward(const Tensor& x) override;
};

class CELU : public UnaryModule {
 public:
  explicit CELU(double alpha = 1.0);
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  double alpha;
};

class Softplus : public UnaryModule {
 public:
  explicit Softplus(double beta = 1.0, double threshold = 20.0) : beta(beta), threshold(threshold) {}
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  double beta, threshold;
};

class Softsign : public UnaryModule {
 public:
  Tensor forward(const Tensor& x) override;
};

// x > 0 ? x : weight x with weight [num_parameters] learned, all init at first: one slope shared
// by every channel (num_parameters 1) or one per channel of [N, C, ...] (num_parameters C).
class PReLU : public UnaryModule {
 public:
  explicit PReLU(int64_t num_parameters = 1, double init = 0.25);
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  int64_t num_parameters;
  Tensor weight;
};

class Hardtanh : public UnaryModule {
 public:
  explicit Hardtanh(double min_val = -1.0, double max_val = 1.0);
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  double min_val, max_val;
};

class Hardsigmoid : public UnaryModule {
 public:
  Tensor forward(const Tensor& x) override;
};

class Hardswish : public UnaryModule {
 public:
  Tensor forward(const Tensor& x) override;
};

// x sigmoid(x), also called swish.
class SiLU : public UnaryModule {
 public:
  Tensor forward(const Tensor& x) override;
};

class Mish : public UnaryModule {
 public:
  Tensor forward(const Tensor& x) override;
};

}  // namespace nabla::nn
