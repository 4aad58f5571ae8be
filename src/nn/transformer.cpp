// Transformer layers as PyTorch 1.13 writes them (torch/nn/modules/transformer.py): the same
// blocks, residuals and norms, in the same order, so the same weights give the same numbers.
#include "nabla/nn/transformer.h"

#include "nabla/functional.h"
#include "nabla/nn/containers.h"
#include "nabla/ops.h"

namespace nabla::nn {
namespace {

Tensor activate(const std::string& activation, const Tensor& x) {
  return activation == "gelu" ? gelu(x) : relu(x);
}

void check_options(const char* layer, int64_t d_model, int64_t nhead, const TransformerLayerOptions& o) {
  if (o.activation != "relu" && o.activation != "gelu")
    throw Error(std::string(layer) + ": activation must be \"relu\" or \"gelu\", got \"" + o.activation + "\"");
  if (o.dim_feedforward < 1)
    throw ShapeError(std::string(layer) + ": dim_feedforward must be positive, got " +
                     std::to_string(o.dim_feedforward));
  if (d_model < 1 || nhead < 1 || d_model % nhead != 0)
    throw ShapeError(std::string(layer) + ": d_model " + std::to_string(d_model) +
                     " must be positive and divisible by nhead " + std::to_string(nhead));
}

MultiheadAttentionOptions attention_options(const TransformerLayerOptions& o) {
  MultiheadAttentionOptions a;
  a.dropout = o.dropout;
  a.batch_first = o.batch_first;
  return a;
}

// Attention without weights (the layers never return them), with the given masks.
Tensor attend(MultiheadAttention& attention, const Tensor& query, const Tensor& key_value,
              const Tensor& attn_mask, const Tensor& key_padding_mask, bool is_causal) {
  AttentionCallOptions options;
  options.attn_mask = attn_mask;
  options.key_padding_mask = key_padding_mask;
  options.is_causal = is_causal;
  options.need_weights = false;
  return call(attention, query, key_value, key_value, options).output;
}

// linear2(dropout(activation(linear1(x)))): the position-wise feed-forward block.
Tensor feed_forward(const TransformerLayerOptions& o, Linear& linear1, Dropout& dropout, Linear& linear2,
                    const Tensor& x) {
  return linear2(dropout(activate(o.activation, linear1(x))));
}

}  // namespace

// ---- encoder layer ----------------------------------------------------------------------------------
TransformerEncoderLayer::TransformerEncoderLayer(int64_t d_model, int64_t nhead, TransformerLayerOptions o)
    : options(o) {
  check_options("TransformerEncoderLayer", d_model, nhead, o);
  self_attn = register_module("self_attn", std::make_shared<MultiheadAttention>(d_model, nhead, attention_options(o)));
  linear1 = register_module("linear1", std::make_shared<Linear>(d_model, o.dim_feedforward));
  dropout = register_module("dropout", std::make_shared<Dropout>(o.dropout));
  linear2 = register_module("linear2", std::make_shared<Linear>(o.dim_feedforward, d_model));
  norm1 = register_module("norm1", std::make_shared<LayerNorm>(Shape{d_model}, o.layer_norm_eps));
  norm2 = register_module("norm2", std::make_shared<LayerNorm>(Shape{d_model}, o.layer_norm_eps));
  dropout1 = register_module("dropout1", std::make_shared<Dropout>(o.dropout));
  dropout2 = register_module("dropout2", std::make_shared<Dropout>(o.dropout));
}

Tensor TransformerEncoderLayer::forward(const Tensor& src) { return forward(src, Tensor()); }

Tensor TransformerEncoderLayer::forward(const Tensor& src, const Tensor& src_mask,
                                        const Tensor& src_key_padding_mask, bool is_causal) {
  const auto self_attention = [&](const Tensor& x) {
    return dropout1(attend(*self_attn, x, x, src_mask, src_key_padding_mask, is_causal));
  };
  const auto ff = [&](const Tensor& x) {
    return dropout2(feed_forward(options, *linear1, *dropout, *linear2, x));
  };
  if (options.norm_first) {
    const Tensor x = src + self_attention(norm1(src));
    return x + ff(norm2(x));
  }
  const Tensor x = norm1(src + self_attention(src));
  return norm2(x + ff(x));
}

// ---- decoder layer ----------------------------------------------------------------------------------
TransformerDecoderLayer::TransformerDecoderLayer(int64_t d_model, int64_t nhead, TransformerLayerOptions o)
    : options(o) {
  check_options("TransformerDecoderLayer", d_model, nhead, o);
  self_attn = register_module("self_attn", std::make_shared<MultiheadAttention>(d_model, nhead, attention_options(o)));
  multihead_attn = register_module("multihead_attn", std::make_shared<MultiheadAttention>(d_model, nhead, attention_options(o)));
  linear1 = register_module("linear1", std::make_shared<Linear>(d_model, o.dim_feedforward));
  dropout = register_module("dropout", std::make_shared<Dropout>(o.dropout));
  linear2 = register_module("linear2", std::make_shared<Linear>(o.dim_feedforward, d_model));
  norm1 = register_module("norm1", std::make_shared<LayerNorm>(Shape{d_model}, o.layer_norm_eps));
  norm2 = register_module("norm2", std::make_shared<LayerNorm>(Shape{d_model}, o.layer_norm_eps));
  norm3 = register_module("norm3", std::make_shared<LayerNorm>(Shape{d_model}, o.layer_norm_eps));
  dropout1 = register_module("dropout1", std::make_shared<Dropout>(o.dropout));
  dropout2 = register_module("dropout2", std::make_shared<Dropout>(o.dropout));
  dropout3 = register_module("dropout3", std::make_shared<Dropout>(o.dropout));
}

Tensor TransformerDecoderLayer::forward(const Tensor& tgt, const Tensor& memory, const Tensor& tgt_mask,
                                        const Tensor& memory_mask, const Tensor& tgt_key_padding_mask,
                                        const Tensor& memory_key_padding_mask, bool tgt_is_causal) {
  const auto self_attention = [&](const Tensor& x) {
    return dropout1(attend(*self_attn, x, x, tgt_mask, tgt_key_padding_mask, tgt_is_causal));
  };
  const auto cross_attention = [&](const Tensor& x) {
    return dropout2(attend(*multihead_attn, x, memory, memory_mask, memory_key_padding_mask, false));
  };
  const auto ff = [&](const Tensor& x) {
    return dropout3(feed_forward(options, *linear1, *dropout, *linear2, x));
  };
  if (options.norm_first) {
    Tensor x = tgt + self_attention(norm1(tgt));
    x = x + cross_attention(norm2(x));
    return x + ff(norm3(x));
  }
  Tensor x = norm1(tgt + self_attention(tgt));
  x = norm2(x + cross_attention(x));
  return norm3(x + ff(x));
}

// ---- stacks -----------------------------------------------------------------------------------------
TransformerEncoder::TransformerEncoder(int64_t d_model, int64_t nhead, int64_t num_layers,
                                       TransformerLayerOptions options, bool final_norm) {
  if (num_layers < 1)
    throw ShapeError("TransformerEncoder: num_layers must be positive, got " + std::to_string(num_layers));
  auto list = register_module("layers", std::make_shared<ModuleList>());
  for (int64_t i = 0; i < num_layers; ++i) {
    layers.push_back(std::make_shared<TransformerEncoderLayer>(d_model, nhead, options));
    list->push_back(layers.back());
  }
  if (final_norm) norm = register_module("norm", std::make_shared<LayerNorm>(Shape{d_model}, options.layer_norm_eps));
}

Tensor TransformerEncoder::forward(const Tensor& src) { return forward(src, Tensor()); }

Tensor TransformerEncoder::forward(const Tensor& src, const Tensor& mask, const Tensor& src_key_padding_mask,
                                   bool is_causal) {
  Tensor x = src;
  for (const auto& layer : layers) x = layer(x, mask, src_key_padding_mask, is_causal);
  return norm ? norm(x) : x;
}

TransformerDecoder::TransformerDecoder(int64_t d_model, int64_t nhead, int64_t num_layers,
                                       TransformerLayerOptions options, bool final_norm) {
  if (num_layers < 1)
    throw ShapeError("TransformerDecoder: num_layers must be positive, got " + std::to_string(num_layers));
  auto list = register_module("layers", std::make_shared<ModuleList>());
  for (int64_t i = 0; i < num_layers; ++i) {
    layers.push_back(std::make_shared<TransformerDecoderLayer>(d_model, nhead, options));
    list->push_back(layers.back());
  }
  if (final_norm) norm = register_module("norm", std::make_shared<LayerNorm>(Shape{d_model}, options.layer_norm_eps));
}

Tensor TransformerDecoder::forward(const Tensor& tgt, const Tensor& memory, const Tensor& tgt_mask,
                                   const Tensor& memory_mask, const Tensor& tgt_key_padding_mask,
                                   const Tensor& memory_key_padding_mask, bool tgt_is_causal) {
  Tensor x = tgt;
  for (const auto& layer : layers)
    x = layer(x, memory, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask, tgt_is_causal);
  return norm ? norm(x) : x;
}

}  // namespace nabla::nn
