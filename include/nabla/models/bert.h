// A BERT-style encoder with its masked-language-model head (Devlin et al. 2019), small enough to
// pretrain on a CPU in minutes.
//
// tokens [N, T] -> token embedding + learned position embedding -> LayerNorm -> dropout -> `layers`
// post-norm blocks of bidirectional self-attention (every position sees every other non-[PAD]
// position) -> the MLM head: Linear, GELU, LayerNorm, then a projection onto the vocabulary that
// reuses the token embedding (as BERT's does) plus a bias -> logits [N, T, vocab].
//
// The blocks are torch.nn.TransformerEncoder(TransformerEncoderLayer(d_model, heads, feedforward,
// dropout, activation="gelu", batch_first=True), layers) (post-norm, as BERT), called with a
// key-padding mask built from the [PAD] positions; parameter names are PyTorch's (token_embedding,
// position_embedding, embedding_norm, encoder.layers.0.self_attn.in_proj_weight, ...,
// head_transform, head_norm, head.weight = token_embedding.weight, head.bias), as
// tests/data/models/make_gpt_fixture.py builds it from torch.nn. BERT's segment embeddings and next-sentence task are left out: the
// pretraining here is masked-token prediction over single sentences, where they would be constant.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(MODELS);
#include <cstdint>
#include <memory>
#include <vector>

#include "nabla/models/gpt.h"
#include "nabla/nn/layers.h"
#include "nabla/nn/module.h"
#include "nabla/nn/positional.h"
#include "nabla/nn/transformer.h"

namespace nabla::models {

struct BertConfig {
  int64_t vocab_size = 0;
  int64_t context = 64;     // the longest sequence, [CLS] and [SEP] included
  int64_t layers = 2;
  int64_t d_model = 128;
  int64_t heads = 4;
  int64_t feedforward = 0;  // 0 means 4 * d_model
  double dropout = 0.1;
  int64_t pad_id = 0;       // keys with this token are ignored by attention
};

class BertForMaskedLM : public nn::UnaryModule {
 public:
  explicit BertForMaskedLM(BertConfig config);
  // i64 tokens [N, T], 1 <= T <= context -> logits [N, T, vocab] at every position (the loss picks
  // the masked ones through its ignore_index). Errors as GPT::forward.
  Tensor forward(const Tensor& tokens) override;
  std::string extra_repr() const override;

  const BertConfig config;
  nn::ModuleHolder<nn::Embedding> token_embedding;
  nn::ModuleHolder<nn::LearnedPositionalEmbedding> position_embedding;
  nn::ModuleHolder<nn::LayerNorm> embedding_norm;
  nn::ModuleHolder<nn::Dropout> embedding_dropout;
  nn::ModuleHolder<nn::TransformerEncoder> encoder;
  nn::ModuleHolder<nn::Linear> head_transform;
  nn::ModuleHolder<nn::LayerNorm> head_norm;
  nn::ModuleHolder<TiedLinear> head;  // over token_embedding.weight
};

}  // namespace nabla::models
