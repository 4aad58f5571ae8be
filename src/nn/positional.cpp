// Positional encodings: a table indexed by position, added along the sequence axis.
#include "nabla/nn/positional.h"

#include <cmath>
#include <functional>

#include "nabla/nn/init.h"
#include "nabla/ops.h"
#include "nn/repr.h"

namespace nabla::nn {
namespace {

void check_sizes(const char* layer, int64_t max_len, int64_t d_model) {
  if (max_len < 1 || d_model < 1)
    throw ShapeError(std::string(layer) + ": max_len " + std::to_string(max_len) + " and d_model " +
                     std::to_string(d_model) + " must be positive");
}

void check_length(const char* layer, int64_t length, int64_t max_len) {
  if (length < 0 || length > max_len)
    throw ShapeError(std::string(layer) + ": a sequence of length " + std::to_string(length) +
                     " is longer than max_len " + std::to_string(max_len));
}

// x + table[:L] with the table [L, d] broadcast along x's batch axis.
Tensor add_positions(const char* layer, const Tensor& x, int64_t d_model, int64_t max_len,
                     bool batch_first, const std::function<Tensor(int64_t)>& encoding) {
  if (!(x.dim() == 2 || x.dim() == 3) || x.shape().back() != d_model)
    throw ShapeError(std::string(layer) + ": expects " +
                     (batch_first ? "[N, L, " : "[L, N, ") + std::to_string(d_model) + "] or [L, " +
                     std::to_string(d_model) + "], got " + to_string(x.shape()));
  const bool seq_first = x.dim() == 2 || !batch_first;
  const int64_t length = x.shape()[seq_first ? 0 : 1];
  check_length(layer, length, max_len);
  const Tensor table = encoding(length);  // [L, d]
  return x + (x.dim() == 3 && seq_first ? unsqueeze(table, 1) : table);
}

}  // namespace

SinusoidalPositionalEncoding::SinusoidalPositionalEncoding(int64_t d_model, int64_t max_len, bool batch_first)
    : d_model(d_model), max_len(max_len), batch_first(batch_first) {
  check_sizes("SinusoidalPositionalEncoding", max_len, d_model);
  Tensor table = Tensor::empty({max_len, d_model});
  float* p = table.data<float>();
  for (int64_t t = 0; t < max_len; ++t)
    for (int64_t i = 0; i < d_model; ++i) {
      // Pairs (2j, 2j + 1) share the frequency 1 / 10000^(2j / d).
      const double frequency = std::exp(-std::log(10000.0) * static_cast<double>(i - i % 2) / static_cast<double>(d_model));
      const double angle = static_cast<double>(t) * frequency;
      p[t * d_model + i] = static_cast<float>(i % 2 == 0 ? std::sin(angle) : std::cos(angle));
    }
  pe = register_buffer("pe", table);
}

Tensor SinusoidalPositionalEncoding::encoding(int64_t length) const {
  check_length("SinusoidalPositionalEncoding", length, max_len);
  return slice(pe, 0, 0, length);
}

Tensor SinusoidalPositionalEncoding::forward(const Tensor& x) {
  return add_positions("SinusoidalPositionalEncoding", x, d_model, max_len, batch_first,
                       [this](int64_t length) { return encoding(length); });
}

std::string SinusoidalPositionalEncoding::extra_repr() const {
  return "d_model=" + std::to_string(d_model) + ", max_len=" + std::to_string(max_len) +
         ", batch_first=" + python_bool(batch_first);
}

LearnedPositionalEmbedding::LearnedPositionalEmbedding(int64_t max_len, int64_t d_model, bool batch_first)
    : max_len(max_len), d_model(d_model), batch_first(batch_first) {
  check_sizes("LearnedPositionalEmbedding", max_len, d_model);
  weight = register_parameter("weight", Tensor::empty({max_len, d_model}));
  init::normal_(weight, 0.0, 0.02);
}

Tensor LearnedPositionalEmbedding::encoding(int64_t length) const {
  check_length("LearnedPositionalEmbedding", length, max_len);
  return slice(weight, 0, 0, length);
}

Tensor LearnedPositionalEmbedding::forward(const Tensor& x) {
  return add_positions("LearnedPositionalEmbedding", x, d_model, max_len, batch_first,
                       [this](int64_t length) { return encoding(length); });
}

std::string LearnedPositionalEmbedding::extra_repr() const {
  return std::to_string(max_len) + ", " + std::to_string(d_model) + ", batch_first=" + python_bool(batch_first);
}

}  // namespace nabla::nn
