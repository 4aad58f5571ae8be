// Transformer encoder and decoder layers and their stacks (torch.nn.TransformerEncoderLayer,
// TransformerDecoderLayer, TransformerEncoder, TransformerDecoder), with PyTorch's submodule names,
// so a state_dict saved from torch.nn loads unchanged.
//
// Inputs are [L, N, E] (PyTorch's default) or [N, L, E] with batch_first; unbatched [L, E] works
// too. Masks follow MultiheadAttention (nn/attention.h): attn masks [L, S] or [N * nhead, L, S],
// i64 with true = may not attend or floating additive; key padding masks [N, S], true = padding.
// is_causal adds the causal mask (position i attends to 0..i).
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(NN);
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nabla/nn/attention.h"
#include "nabla/nn/layers.h"
#include "nabla/nn/module.h"

namespace nabla::nn {

struct TransformerLayerOptions {
  int64_t dim_feedforward = 2048;
  double dropout = 0.1;
  std::string activation = "relu";  // "relu" or "gelu" (exact)
  double layer_norm_eps = 1e-5;
  bool batch_first = false;
  bool norm_first = false;  // pre-norm: x + f(norm(x)) instead of norm(x + f(x))
};

// Self-attention then a two-layer feed-forward network, each with a residual connection and a
// LayerNorm. Children: self_attn, linear1, dropout, linear2, norm1, norm2, dropout1, dropout2.
class TransformerEncoderLayer : public UnaryModule {
 public:
  TransformerEncoderLayer(int64_t d_model, int64_t nhead, TransformerLayerOptions options = {});
  Tensor forward(const Tensor& src) override;
  Tensor forward(const Tensor& src, const Tensor& src_mask, const Tensor& src_key_padding_mask = Tensor(),
                 bool is_causal = false);

  TransformerLayerOptions options;
  ModuleHolder<MultiheadAttention> self_attn;
  ModuleHolder<Linear> linear1, linear2;
  ModuleHolder<LayerNorm> norm1, norm2;
  ModuleHolder<Dropout> dropout, dropout1, dropout2;
};

// Self-attention over the target, attention over the encoder's output (memory), then the
// feed-forward network. Children: self_attn, multihead_attn, linear1, dropout, linear2, norm1,
// norm2, norm3, dropout1, dropout2, dropout3.
class TransformerDecoderLayer : public CallableModule<TransformerDecoderLayer> {
 public:
  TransformerDecoderLayer(int64_t d_model, int64_t nhead, TransformerLayerOptions options = {});
  // Needs the memory: it has no one-tensor forward, so a call without it does not compile.
  Tensor forward(const Tensor& tgt, const Tensor& memory, const Tensor& tgt_mask = Tensor(),
                 const Tensor& memory_mask = Tensor(), const Tensor& tgt_key_padding_mask = Tensor(),
                 const Tensor& memory_key_padding_mask = Tensor(), bool tgt_is_causal = false);

  TransformerLayerOptions options;
  ModuleHolder<MultiheadAttention> self_attn, multihead_attn;
  ModuleHolder<Linear> linear1, linear2;
  ModuleHolder<LayerNorm> norm1, norm2, norm3;
  ModuleHolder<Dropout> dropout, dropout1, dropout2, dropout3;
};

// num_layers encoder layers (a ModuleList child: layers.0, layers.1, ...) and an optional final LayerNorm
// (child `norm`, as PyTorch's norm argument; pre-norm stacks want it). Each layer is initialised
// independently (PyTorch deep-copies one layer, so its layers start equal).
class TransformerEncoder : public UnaryModule {
 public:
  TransformerEncoder(int64_t d_model, int64_t nhead, int64_t num_layers,
                     TransformerLayerOptions options = {}, bool final_norm = false);
  Tensor forward(const Tensor& src) override;
  Tensor forward(const Tensor& src, const Tensor& mask, const Tensor& src_key_padding_mask = Tensor(),
                 bool is_causal = false);

  std::vector<ModuleHolder<TransformerEncoderLayer>> layers;
  ModuleHolder<LayerNorm> norm;  // null without final_norm
};

class TransformerDecoder : public CallableModule<TransformerDecoder> {
 public:
  TransformerDecoder(int64_t d_model, int64_t nhead, int64_t num_layers,
                     TransformerLayerOptions options = {}, bool final_norm = false);
  Tensor forward(const Tensor& tgt, const Tensor& memory, const Tensor& tgt_mask = Tensor(),
                 const Tensor& memory_mask = Tensor(), const Tensor& tgt_key_padding_mask = Tensor(),
                 const Tensor& memory_key_padding_mask = Tensor(), bool tgt_is_causal = false);

  std::vector<ModuleHolder<TransformerDecoderLayer>> layers;
  ModuleHolder<LayerNorm> norm;
};

}  // namespace nabla::nn
