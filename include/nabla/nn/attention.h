// Attention modules: PyTorch's MultiheadAttention, and the two scores of seq2seq attention
// (Luong's dot product, Bahdanau's additive). The functions they are built on
// (scaled_dot_product_attention, masked_softmax, causal and additive masks) are ops, in
// nabla/functional.h, which also says how masks are read.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(NN);
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>

#include "nabla/functional.h"
#include "nabla/nn/layers.h"
#include "nabla/nn/module.h"

namespace nabla::functional {
// An attention call's output and weights, for the forward hooks (nn::flatten_tensors).
inline auto tensors_of(const AttentionResult& result) { return std::tie(result.output, result.weights); }
}  // namespace nabla::functional

namespace nabla::nn {

using functional::AttentionResult;

struct MultiheadAttentionOptions {
  double dropout = 0.0;  // on the attention weights, in training
  bool bias = true;
  bool batch_first = false;         // inputs [N, L, E] instead of PyTorch's default [L, N, E]
  std::optional<int64_t> kdim = {};  // key / value feature sizes when they differ from embed_dim
  std::optional<int64_t> vdim = {};
};

struct AttentionCallOptions {
  Tensor key_padding_mask;  // [N, S]: true (nonzero) = ignore that key; or floating additive
  Tensor attn_mask;         // [L, S] or [N * num_heads, L, S]: true = may not attend; or additive
  bool is_causal = false;   // query i sees keys 0..i (combines with attn_mask)
  bool need_weights = true;
  bool average_attn_weights = true;  // weights [N, L, S] averaged over heads, else [N, H, L, S]
};
// The masks take part in a call's tensors for the forward hooks (nn::flatten_tensors).
inline auto tensors_of(const AttentionCallOptions& call) { return std::tie(call.key_padding_mask, call.attn_mask); }

// torch.nn.MultiheadAttention: heads of size embed_dim / num_heads attend in parallel.
// Parameters as PyTorch names them: in_proj_weight [3E, E] (q, k, v stacked; xavier_uniform),
// in_proj_bias [3E] (zeros), out_proj.weight [E, E], out_proj.bias [E] (zeros). With kdim or vdim
// different from embed_dim the projections are separate: q_proj_weight [E, E], k_proj_weight
// [E, kdim], v_proj_weight [E, vdim], and there is no in_proj_weight. Unbatched inputs [L, E]
// are accepted as well.
class MultiheadAttention : public UnaryModule {
 public:
  MultiheadAttention(int64_t embed_dim, int64_t num_heads, MultiheadAttentionOptions options = {});
  // Self-attention, no masks; the weights are not computed.
  Tensor forward(const Tensor& x) override;
  // query [L, N, E] (or [N, L, E] batch_first), key [S, N, kdim], value [S, N, vdim]
  // -> {output shaped like query, weights (undefined unless need_weights)}.
  AttentionResult forward(const Tensor& query, const Tensor& key, const Tensor& value,
                          const AttentionCallOptions& call = {});
  void reset_parameters();

  int64_t embed_dim, num_heads, head_dim, kdim, vdim;
  double dropout;
  bool batch_first;
  Tensor in_proj_weight, q_proj_weight, k_proj_weight, v_proj_weight, in_proj_bias;
  ModuleHolder<Linear> out_proj;
};

// Luong's (dot-product) attention: score(q, k) = q . k, weights = softmax over the T keys,
// context = weights . values. No parameters. query [N, H] or [N, Lq, H], keys [N, T, H], values
// [N, T, Hv], mask [N, T] (true = a real key) -> context [N, Hv] or [N, Lq, Hv], weights [N, T]
// or [N, Lq, T].
class DotProductAttention : public UnaryModule {
 public:
  AttentionResult forward(const Tensor& query, const Tensor& keys, const Tensor& values,
                          const Tensor& mask = Tensor());
  // Self-attention over x [N, T, H].
  Tensor forward(const Tensor& x) override;
};

// Bahdanau's (additive) attention: score(q, k) = v^T tanh(W_q q + W_k k), the rest as
// DotProductAttention. Parameters query_proj.weight [hidden, query_dim], key_proj.weight
// [hidden, key_dim], v.weight [1, hidden] (no biases).
class AdditiveAttention : public UnaryModule {
 public:
  AdditiveAttention(int64_t query_dim, int64_t key_dim, int64_t hidden_dim);
  AttentionResult forward(const Tensor& query, const Tensor& keys, const Tensor& values,
                          const Tensor& mask = Tensor());
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  int64_t query_dim, key_dim, hidden_dim;
  ModuleHolder<Linear> query_proj, key_proj, v;
};

}  // namespace nabla::nn
