// Layers with PyTorch's default initialisation, drawn from nabla's seeded generator.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(NN);
#include <initializer_list>
#include <memory>
#include <optional>
#include <vector>

#include "nabla/nn/containers.h"
#include "nabla/nn/module.h"
#include "nabla/nn/module_holder.h"

namespace nabla::nn {

// y = x W^T + b; weight [out, in] with kaiming_uniform(a = sqrt(5)), bias U(-1/sqrt(in), 1/sqrt(in)).
class Linear : public UnaryModule {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias = true);
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  void reset_parameters();
  int64_t in_features, out_features;
  Tensor weight, bias;
};

// y = x1^T A x2 + b, called with (x1, x2); weight [out, in1, in2] and bias [out], both
// U(-1/sqrt(in1), 1/sqrt(in1)) as torch.nn.Bilinear.
class Bilinear : public CallableModule<Bilinear> {
 public:
  Bilinear(int64_t in1_features, int64_t in2_features, int64_t out_features, bool bias = true);
  Tensor forward(const Tensor& x1, const Tensor& x2);
  std::string extra_repr() const override;
  void reset_parameters();
  int64_t in1_features, in2_features, out_features;
  Tensor weight, bias;
};

class Flatten : public UnaryModule {
 public:
  explicit Flatten(int64_t start_dim = 1, int64_t end_dim = -1) : start_dim(start_dim), end_dim(end_dim) {}
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  int64_t start_dim, end_dim;
};

class ReLU : public UnaryModule {
 public:
  Tensor forward(const Tensor& x) override;
};

class Sigmoid : public UnaryModule {
 public:
  Tensor forward(const Tensor& x) override;
};

class Tanh : public UnaryModule {
 public:
  Tensor forward(const Tensor& x) override;
};

class LeakyReLU : public UnaryModule {
 public:
  explicit LeakyReLU(double negative_slope = 0.01) : negative_slope(negative_slope) {}
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  double negative_slope;
};

// Exact GELU, x Phi(x), as PyTorch's default approximate='none'.
class GELU : public UnaryModule {
 public:
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override { return "approximate='none'"; }
};

class Softmax : public UnaryModule {
 public:
  explicit Softmax(int64_t dim = -1) : dim(dim) {}
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  int64_t dim;
};

class LogSoftmax : public UnaryModule {
 public:
  explicit LogSoftmax(int64_t dim = -1) : dim(dim) {}
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  int64_t dim;
};

class Dropout : public UnaryModule {
 public:
  explicit Dropout(double p = 0.5);
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  double p;
};

// Zeroes whole channels of [N, C, H, W] (torch.nn.Dropout2d).
class Dropout2d : public UnaryModule {
 public:
  explicit Dropout2d(double p = 0.5);
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  double p;
};

// AlexNet's normalisation across neighbouring channels.
class LocalResponseNorm : public UnaryModule {
 public:
  explicit LocalResponseNorm(int64_t size, double alpha = 1e-4, double beta = 0.75, double k = 1.0)
      : size(size), alpha(alpha), beta(beta), k(k) {}
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  int64_t size;
  double alpha, beta, k;
};

// Batch normalisation per channel (the shared part of BatchNorm1d and BatchNorm2d, as PyTorch's
// _BatchNorm). Buffers running_mean (zeros), running_var (ones) and num_batches_tracked (i64, 0-d),
// as PyTorch's state_dict has them.
class BatchNorm : public UnaryModule {
 public:
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  int64_t num_features;
  double eps, momentum;
  bool affine, track_running_stats;
  Tensor weight, bias, running_mean, running_var, num_batches_tracked;

 protected:
  BatchNorm(int64_t num_features, double eps, double momentum, bool affine,
            bool track_running_stats);
  // The input ranks this layer accepts and how to name them in an error.
  virtual bool accepts_rank(int64_t rank) const = 0;
  virtual std::string expected_input() const = 0;
};

// Over [N, C] or [N, C, L].
class BatchNorm1d : public BatchNorm {
 public:
  explicit BatchNorm1d(int64_t num_features, double eps = 1e-5, double momentum = 0.1,
                       bool affine = true, bool track_running_stats = true)
      : BatchNorm(num_features, eps, momentum, affine, track_running_stats) {}

 protected:
  bool accepts_rank(int64_t rank) const override { return rank == 2 || rank == 3; }
  std::string expected_input() const override;
};

// Over images [N, C, H, W].
class BatchNorm2d : public BatchNorm {
 public:
  explicit BatchNorm2d(int64_t num_features, double eps = 1e-5, double momentum = 0.1,
                       bool affine = true, bool track_running_stats = true)
      : BatchNorm(num_features, eps, momentum, affine, track_running_stats) {}

 protected:
  bool accepts_rank(int64_t rank) const override { return rank == 4; }
  std::string expected_input() const override;
};

class LayerNorm : public UnaryModule {
 public:
  explicit LayerNorm(Shape normalized_shape, double eps = 1e-5, bool elementwise_affine = true);
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  Shape normalized_shape;
  double eps;
  bool elementwise_affine;
  Tensor weight, bias;
};

// weight [num_embeddings, embedding_dim] ~ N(0, 1); forward takes i64 indices of any shape.
// padding_idx (negative counts from the end), as PyTorch's: that row starts as zeros and never
// receives a gradient, so the padding token's embedding stays what it is however often it is read.
class Embedding : public UnaryModule {
 public:
  Embedding(int64_t num_embeddings, int64_t embedding_dim,
            std::optional<int64_t> padding_idx = std::nullopt);
  Tensor forward(const Tensor& indices) override;
  std::string extra_repr() const override;
  int64_t num_embeddings, embedding_dim;
  std::optional<int64_t> padding_idx;  // normalised to [0, num_embeddings)
  Tensor weight;
};

}  // namespace nabla::nn
