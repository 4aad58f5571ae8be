// Position information for attention, which by itself ignores order: the fixed sinusoids of
// "Attention Is All You Need" and a learned table (GPT, BERT).
//
// Sequence axis: both modules take x [N, L, d_model] (batch first) by default, or [L, N, d_model]
// with batch_first = false (PyTorch's Transformer default); an unbatched [L, d_model] works either
// way. The encoding of position t is added to x[:, t] (or x[t]).
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(NN);
#include <cstdint>

#include "nabla/nn/module.h"

namespace nabla::nn {

// PE[t, 2i] = sin(t / 10000^(2i / d)), PE[t, 2i + 1] = cos(t / 10000^(2i / d)), held in the buffer
// `pe` [max_len, d_model] (a buffer: saved in the state_dict, not trained). forward(x) = x + PE[:L].
class SinusoidalPositionalEncoding : public UnaryModule {
 public:
  SinusoidalPositionalEncoding(int64_t d_model, int64_t max_len = 5000, bool batch_first = true);
  Tensor forward(const Tensor& x) override;
  // The first `length` rows of the table, [length, d_model].
  Tensor encoding(int64_t length) const;
  std::string extra_repr() const override;
  int64_t d_model, max_len;
  bool batch_first;
  Tensor pe;
};

// A trained table: parameter `weight` [max_len, d_model] ~ N(0, 0.02^2) (GPT-2's choice; the
// embeddings add to token embeddings of the same scale). forward(x) = x + weight[:L].
class LearnedPositionalEmbedding : public UnaryModule {
 public:
  LearnedPositionalEmbedding(int64_t max_len, int64_t d_model, bool batch_first = true);
  Tensor forward(const Tensor& x) override;
  // The first `length` rows of the table, [length, d_model] (differentiable).
  Tensor encoding(int64_t length) const;
  std::string extra_repr() const override;
  int64_t max_len, d_model;
  bool batch_first;
  Tensor weight;
};

}  // namespace nabla::nn
