// Layers: thin modules over the ops and fused functions, with PyTorch's default initialisation.
#include "nabla/nn/layers.h"

#include <charconv>
#include <cmath>

#include "nabla/functional.h"
#include "nabla/nn/init.h"
#include "nabla/ops.h"
#include "nn/repr.h"

namespace nabla::nn {

std::string python_float(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  std::string text(buffer, result.ptr);
  if (text.find_first_of(".eni") == std::string::npos) text += ".0";  // Python prints 1.0, not 1
  return text;
}

std::string python_bool(bool value) { return value ? "True" : "False"; }

std::string size2_repr(functional::Size2 s) {
  return "(" + std::to_string(s.h) + ", " + std::to_string(s.w) + ")";
}

// ---- Linear ---------------------------------------------------------------------------------------
Linear::Linear(int64_t in_features, int64_t out_features, bool with_bias)
    : in_features(in_features), out_features(out_features) {
  if (in_features < 0 || out_features < 0)
    throw ShapeError("Linear: feature counts must be non-negative, got " + std::to_string(in_features) +
                     " and " + std::to_string(out_features));
  weight = register_parameter("weight", Tensor::empty({out_features, in_features}));
  bias = register_parameter("bias", with_bias ? Tensor::empty({out_features}) : Tensor());
  reset_parameters();
}

void Linear::reset_parameters() {
  // PyTorch's choice: kaiming_uniform(a = sqrt(5)) gives U(-1/sqrt(in), 1/sqrt(in)) for the weight,
  // and the bias draws from the same range.
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const double bound = in_features > 0 ? 1.0 / std::sqrt(static_cast<double>(in_features)) : 0.0;
    init::uniform_(bias, -bound, bound);
  }
}

Tensor Linear::forward(const Tensor& x) { return functional::linear(x, weight, bias); }

std::string Linear::extra_repr() const {
  return "in_features=" + std::to_string(in_features) + ", out_features=" + std::to_string(out_features) +
         ", bias=" + python_bool(bias.defined());
}

// ---- Bilinear -------------------------------------------------------------------------------------
Bilinear::Bilinear(int64_t in1_features, int64_t in2_features, int64_t out_features, bool with_bias)
    : in1_features(in1_features), in2_features(in2_features), out_features(out_features) {
  if (in1_features < 1 || in2_features < 1 || out_features < 0)
    throw ShapeError("Bilinear: feature counts must be positive, got " + std::to_string(in1_features) + ", " +
                     std::to_string(in2_features) + " and " + std::to_string(out_features));
  weight = register_parameter("weight", Tensor::empty({out_features, in1_features, in2_features}));
  bias = register_parameter("bias", with_bias ? Tensor::empty({out_features}) : Tensor());
  reset_parameters();
}

void Bilinear::reset_parameters() {
  const double bound = 1.0 / std::sqrt(static_cast<double>(in1_features));
  init::uniform_(weight, -bound, bound);
  if (bias.defined()) init::uniform_(bias, -bound, bound);
}

Tensor Bilinear::forward(const Tensor& x1, const Tensor& x2) {
  return functional::bilinear(x1, x2, weight, bias);
}

std::string Bilinear::extra_repr() const {
  return "in1_features=" + std::to_string(in1_features) + ", in2_features=" + std::to_string(in2_features) +
         ", out_features=" + std::to_string(out_features) + ", bias=" + python_bool(bias.defined());
}

// ---- shape and activations ---------------------------------------------------------------------------
Tensor Flatten::forward(const Tensor& x) { return flatten(x, start_dim, end_dim); }
std::string Flatten::extra_repr() const {
  return "start_dim=" + std::to_string(start_dim) + ", end_dim=" + std::to_string(end_dim);
}

Tensor ReLU::forward(const Tensor& x) { return relu(x); }
Tensor Sigmoid::forward(const Tensor& x) { return sigmoid(x); }
Tensor Tanh::forward(const Tensor& x) { return tanh(x); }
Tensor GELU::forward(const Tensor& x) { return gelu(x); }

Tensor LeakyReLU::forward(const Tensor& x) { return leaky_relu(x, negative_slope); }
std::string LeakyReLU::extra_repr() const { return "negative_slope=" + python_float(negative_slope); }

Tensor Softmax::forward(const Tensor& x) { return softmax(x, dim); }
std::string Softmax::extra_repr() const { return "dim=" + std::to_string(dim); }

Tensor LogSoftmax::forward(const Tensor& x) { return log_softmax(x, dim); }
std::string LogSoftmax::extra_repr() const { return "dim=" + std::to_string(dim); }

Dropout::Dropout(double p) : p(p) {
  if (!(p >= 0.0 && p <= 1.0)) throw Error("Dropout: probability must be in [0, 1], got " + std::to_string(p));
}
Tensor Dropout::forward(const Tensor& x) { return functional::dropout(x, p, is_training()); }
std::string Dropout::extra_repr() const { return "p=" + python_float(p) + ", inplace=False"; }

Dropout2d::Dropout2d(double p) : p(p) {
  if (!(p >= 0.0 && p <= 1.0))
    throw Error("Dropout2d: probability must be in [0, 1], got " + std::to_string(p));
}

Tensor Dropout2d::forward(const Tensor& x) { return functional::dropout2d(x, p, is_training()); }

std::string Dropout2d::extra_repr() const { return "p=" + python_float(p) + ", inplace=False"; }

Tensor LocalResponseNorm::forward(const Tensor& x) {
  return functional::local_response_norm(x, size, alpha, beta, k);
}

std::string LocalResponseNorm::extra_repr() const {
  return std::to_string(size) + ", alpha=" + python_float(alpha) + ", beta=" + python_float(beta) +
         ", k=" + python_float(k);
}

// ---- normalisation -------------------------------------------------------------------------------------
BatchNorm::BatchNorm(int64_t num_features, double eps, double momentum, bool affine,
                     bool track_running_stats)
    : num_features(num_features), eps(eps), momentum(momentum), affine(affine),
      track_running_stats(track_running_stats) {
  weight = register_parameter("weight", affine ? ones({num_features}) : Tensor());
  bias = register_parameter("bias", affine ? zeros({num_features}) : Tensor());
  if (track_running_stats) {
    running_mean = register_buffer("running_mean", zeros({num_features}));
    running_var = register_buffer("running_var", ones({num_features}));
    num_batches_tracked = register_buffer("num_batches_tracked", zeros({}, DType::i64));
  }
}

Tensor BatchNorm::forward(const Tensor& x) {
  if (!accepts_rank(x.dim()) || x.shape()[1] != num_features)
    throw ShapeError(type_name() + "(" + std::to_string(num_features) + "): expected input " +
                     expected_input() + ", got " + to_string(x.shape()));
  // Without running statistics, evaluation normalises with the batch, as PyTorch does.
  const bool use_batch_stats = is_training() || !track_running_stats;
  Tensor y = functional::batch_norm(x, running_mean, running_var, weight, bias, use_batch_stats,
                                    momentum, eps);
  if (is_training() && track_running_stats) ++*num_batches_tracked.data<int64_t>();  // after a good step
  return y;
}

std::string BatchNorm::extra_repr() const {
  return std::to_string(num_features) + ", eps=" + python_float(eps) + ", momentum=" + python_float(momentum) +
         ", affine=" + python_bool(affine) + ", track_running_stats=" + python_bool(track_running_stats);
}

std::string BatchNorm1d::expected_input() const {
  const std::string c = std::to_string(num_features);
  return "[N, " + c + "] or [N, " + c + ", L]";
}

std::string BatchNorm2d::expected_input() const {
  return "[N, " + std::to_string(num_features) + ", H, W]";
}

LayerNorm::LayerNorm(Shape normalized_shape, double eps, bool elementwise_affine)
    : normalized_shape(std::move(normalized_shape)), eps(eps), elementwise_affine(elementwise_affine) {
  weight = register_parameter("weight", elementwise_affine ? ones(this->normalized_shape) : Tensor());
  bias = register_parameter("bias", elementwise_affine ? zeros(this->normalized_shape) : Tensor());
}

Tensor LayerNorm::forward(const Tensor& x) {
  return functional::layer_norm(x, normalized_shape, weight, bias, eps);
}

std::string LayerNorm::extra_repr() const {
  std::string shape = "(";
  for (size_t i = 0; i < normalized_shape.size(); ++i)
    shape += (i ? ", " : "") + std::to_string(normalized_shape[i]);
  shape += normalized_shape.size() == 1 ? ",)" : ")";
  return shape + ", eps=" + python_float(eps) + ", elementwise_affine=" + python_bool(elementwise_affine);
}

// ---- Embedding ------------------------------------------------------------------------------------------
Embedding::Embedding(int64_t num_embeddings, int64_t embedding_dim, std::optional<int64_t> padding_idx)
    : num_embeddings(num_embeddings), embedding_dim(embedding_dim) {
  if (padding_idx) {
    const int64_t row = *padding_idx < 0 ? *padding_idx + num_embeddings : *padding_idx;
    if (row < 0 || row >= num_embeddings)
      throw IndexError("Embedding: padding_idx " + std::to_string(*padding_idx) +
                       " is outside the " + std::to_string(num_embeddings) + " embeddings");
    this->padding_idx = row;
  }
  weight = register_parameter("weight", Tensor::empty({num_embeddings, embedding_dim}));
  init::normal_(weight, 0.0, 1.0);
  if (this->padding_idx) init::zeros_(weight.select(0, *this->padding_idx));
}

Tensor Embedding::forward(const Tensor& indices) {
  const Tensor looked_up = functional::embedding(indices, weight);
  if (!padding_idx) return looked_up;
  // Padding positions take the same values through a detached copy, so no gradient flows from
  // them into the padding row.
  const Tensor is_padding =
      eq(indices, full({}, static_cast<double>(*padding_idx), DType::i64)).unsqueeze(-1).to(weight.dtype());
  return where(is_padding, looked_up.detach(), looked_up);
}

std::string Embedding::extra_repr() const {
  return std::to_string(num_embeddings) + ", " + std::to_string(embedding_dim) +
         (padding_idx ? ", padding_idx=" + std::to_string(*padding_idx) : std::string());
}

}  // namespace nabla::nn
