// A GPT-style decoder-only Transformer (Radford et al. 2018, 2019) and text generation from it.
//
// tokens [N, T] -> token embedding + learned position embedding -> dropout -> `layers` pre-norm
// blocks of causal self-attention and a GELU feed-forward -> a final LayerNorm -> Linear head ->
// logits [N, T, vocab]. Causal: the logits at position t depend on tokens 0..t only, so one forward
// pass trains all T next-token predictions at once.
//
// The blocks are torch.nn.TransformerEncoder(TransformerEncoderLayer(d_model, heads, feedforward,
// dropout, activation="gelu", batch_first=True, norm_first=True), layers, norm=LayerNorm(d_model))
// called with the causal mask, which is what GPT-2's stack computes; the parameter names are
// PyTorch's, so the same model built from torch.nn (tests/data/models/make_gpt_fixture.py) loads
// unchanged:
//   token_embedding.weight [V, E], position_embedding.weight [context, E],
//   transformer.layers.0.self_attn.in_proj_weight, ..., transformer.layers.0.linear1.weight, ...,
//   transformer.norm.weight/bias, head.weight [V, E] (the token embedding itself when tied), head.bias [V].
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(MODELS);
#include <cstdint>
#include <memory>
#include <vector>

#include "nabla/nn/layers.h"
#include "nabla/nn/module.h"
#include "nabla/nn/positional.h"
#include "nabla/nn/transformer.h"
#include "nabla/random.h"

namespace nabla::models {

// y = x W^T + b with the parameter names of Linear (weight [out, in], bias [out]) over a weight that
// another layer may own: GPT's head tied to the token embedding, as PyTorch's
// `head.weight = token_embedding.weight`. Module::parameters() lists a shared tensor once, so the
// optimizer updates it once with the sum of both gradients.
class TiedLinear : public nn::UnaryModule {
 public:
  TiedLinear(Tensor weight, bool bias = true);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Linear"; }
  std::string extra_repr() const override;
  Tensor weight, bias;
};

struct GPTConfig {
  int64_t vocab_size = 0;
  int64_t context = 128;      // the longest sequence the model reads (positions 0 .. context-1)
  int64_t layers = 4;
  int64_t d_model = 128;
  int64_t heads = 4;
  int64_t feedforward = 0;    // hidden width of each block's MLP; 0 means 4 * d_model, as GPT's
  double dropout = 0.1;       // on embeddings, attention weights and residual branches, in training
  bool tie_weights = true;    // the head reuses the token embedding (Press & Wolf 2017)
};

class GPT : public nn::UnaryModule {
 public:
  explicit GPT(GPTConfig config);
  // i64 tokens [N, T] with 1 <= T <= context -> logits [N, T, vocab]. Throws ShapeError for any
  // other shape or a longer sequence, DTypeError for non-i64 tokens, IndexError for a token
  // outside the vocabulary.
  Tensor forward(const Tensor& tokens) override;
  std::string extra_repr() const override;

  const GPTConfig config;
  nn::ModuleHolder<nn::Embedding> token_embedding;
  nn::ModuleHolder<nn::LearnedPositionalEmbedding> position_embedding;
  nn::ModuleHolder<nn::Dropout> embedding_dropout;
  nn::ModuleHolder<nn::TransformerEncoder> transformer;  // pre-norm layers and the final LayerNorm
  nn::ModuleHolder<nn::UnaryModule> head;  // Linear, or TiedLinear over token_embedding.weight
};

// How the next token is drawn from the logits.
struct SamplingOptions {
  double temperature = 1.0;  // logits are divided by it: below 1 sharpens, above 1 flattens; > 0
  int64_t top_k = 0;         // only the k most likely tokens can be drawn; 0 = all, 1 = greedy
};

// One token id drawn from logits [V] (any floating dtype): softmax(logits / temperature) restricted
// to the top_k largest logits (ties broken towards the lower id, so top_k = 1 is exactly argmax).
// Throws Error for temperature <= 0 or top_k < 0, ShapeError for logits that are not 1-D.
int64_t sample_token(const Tensor& logits, const SamplingOptions& options, Generator& generator);

// What generate does with a sequence longer than the model's context.
enum class ContextOverflow {
  crop,    // condition on the last `context` tokens only (the model never saw positions beyond it)
  refuse,  // throw ShapeError, naming the lengths
};

struct GenerationOptions {
  int64_t new_tokens = 100;
  SamplingOptions sampling;
  ContextOverflow overflow = ContextOverflow::crop;
};

// The prompt followed by `new_tokens` tokens drawn one at a time, each conditioned on everything
// before it (cropped to the last `context` tokens when overflow is crop; with refuse, a prompt that
// would grow past the context is rejected before anything is drawn). Runs in evaluation mode
// without recording a graph and restores the model's mode. Throws Error for an empty prompt.
std::vector<int64_t> generate(GPT& model, const std::vector<int64_t>& prompt,
                              const GenerationOptions& options, Generator& generator);

}  // namespace nabla::models
