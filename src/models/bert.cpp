// A BERT-style encoder with its masked-language-model head; see include/nabla/nn/bert.h.
#include "nabla/models/bert.h"

#include <string>

#include "nabla/functional.h"
#include "nabla/nn/init.h"
#include "nabla/ops.h"
#include "models/transformer_config.h"

namespace nabla::models {
namespace {

BertConfig checked(BertConfig c) {
  c = detail::checked_transformer_config(c, "BertForMaskedLM");
  if (c.pad_id < 0 || c.pad_id >= c.vocab_size)
    throw Error("BertForMaskedLM: pad_id " + std::to_string(c.pad_id) + " is outside the vocabulary of " +
                std::to_string(c.vocab_size));
  return c;
}

}  // namespace

BertForMaskedLM::BertForMaskedLM(BertConfig c) : config(checked(c)) {
  token_embedding = register_module("token_embedding", std::make_shared<nn::Embedding>(config.vocab_size, config.d_model));
  // BERT's initialisation, N(0, 0.02) (the position table's too), keeps the tied output's first
  // logits close together.
  nn::init::normal_(token_embedding->weight, 0.0, 0.02);
  position_embedding = register_module("position_embedding",
                                       std::make_shared<nn::LearnedPositionalEmbedding>(config.context, config.d_model));
  embedding_norm = register_module("embedding_norm", std::make_shared<nn::LayerNorm>(Shape{config.d_model}, 1e-12));
  embedding_dropout = register_module("embedding_dropout", std::make_shared<nn::Dropout>(config.dropout));
  nn::TransformerLayerOptions layer;
  layer.dim_feedforward = config.feedforward;
  layer.dropout = config.dropout;
  layer.activation = "gelu";
  layer.batch_first = true;
  encoder = register_module("encoder",
                            std::make_shared<nn::TransformerEncoder>(config.d_model, config.heads, config.layers, layer));
  head_transform = register_module("head_transform", std::make_shared<nn::Linear>(config.d_model, config.d_model));
  head_norm = register_module("head_norm", std::make_shared<nn::LayerNorm>(Shape{config.d_model}, 1e-12));
  head = register_module("head", std::make_shared<TiedLinear>(token_embedding->weight));
}

Tensor BertForMaskedLM::forward(const Tensor& tokens) {
  if (tokens.dtype() != DType::i64)
    throw DTypeError("BertForMaskedLM: tokens must be i64, got " + std::string(to_string(tokens.dtype())));
  if (tokens.dim() != 2 || tokens.size(1) < 1 || tokens.size(1) > config.context)
    throw ShapeError("BertForMaskedLM: tokens must be [N, T] with 1 <= T <= context " +
                     std::to_string(config.context) + ", got " + to_string(tokens.shape()));
  // i64 key-padding mask, nonzero = a [PAD] key that no query may attend to (PyTorch's meaning).
  const Tensor padding = eq(tokens, full_like(tokens, static_cast<double>(config.pad_id)));
  Tensor h = position_embedding(token_embedding(tokens));
  h = embedding_dropout(embedding_norm(h));
  h = encoder(h, Tensor(), padding);
  h = head_norm(gelu(head_transform(h)));
  return head(h);
}

std::string BertForMaskedLM::extra_repr() const {
  return "vocab_size=" + std::to_string(config.vocab_size) + ", context=" + std::to_string(config.context) +
         ", pad_id=" + std::to_string(config.pad_id);
}

}  // namespace nabla::models
