// The checks GPT and BERT share on their size fields (vocab_size, context, layers, d_model, heads,
// feedforward, dropout), with the default feed-forward width filled in; each model names itself.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(MODELS);
#include <cstdint>
#include <string>

#include "nabla/error.h"

namespace nabla::models::detail {

template <class Config>
Config checked_transformer_config(Config c, const std::string& model) {
  auto positive = [&](int64_t v, const char* what) {
    if (v <= 0) throw Error(model + ": " + what + " must be positive, got " + std::to_string(v));
  };
  positive(c.vocab_size, "vocab_size");
  positive(c.context, "context");
  positive(c.layers, "layers");
  positive(c.d_model, "d_model");
  positive(c.heads, "heads");
  if (c.d_model % c.heads != 0)
    throw ShapeError(model + ": d_model " + std::to_string(c.d_model) + " is not divisible by " +
                     std::to_string(c.heads) + " heads");
  if (c.feedforward == 0) c.feedforward = 4 * c.d_model;
  positive(c.feedforward, "feedforward");
  if (!(c.dropout >= 0 && c.dropout < 1))
    throw Error(model + ": dropout must be in [0, 1), got " + std::to_string(c.dropout));
  return c;
}

}  // namespace nabla::models::detail
