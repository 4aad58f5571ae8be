// GPT: a decoder-only Transformer, and sampling text from it; see include/nabla/nn/gpt.h.
#include "nabla/models/gpt.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "nabla/autograd.h"
#include "nabla/functional.h"
#include "nabla/nn/init.h"
#include "nabla/ops.h"
#include "models/transformer_config.h"

namespace nabla::models {

// ---- TiedLinear ---------------------------------------------------------------------------------------
TiedLinear::TiedLinear(Tensor shared_weight, bool with_bias) {
  if (!shared_weight.defined() || shared_weight.dim() != 2)
    throw ShapeError("TiedLinear: the weight must be [out, in], got " +
                     (shared_weight.defined() ? to_string(shared_weight.shape()) : std::string("undefined")));
  weight = register_parameter("weight", std::move(shared_weight));
  bias = register_parameter("bias", with_bias ? zeros({weight.size(0)}, weight.dtype()) : Tensor());
}

Tensor TiedLinear::forward(const Tensor& x) { return functional::linear(x, weight, bias); }

std::string TiedLinear::extra_repr() const {
  return "in_features=" + std::to_string(weight.size(1)) + ", out_features=" + std::to_string(weight.size(0)) +
         ", bias=" + (bias.defined() ? "True" : "False");
}

// ---- GPT ----------------------------------------------------------------------------------------------
namespace {

GPTConfig checked(GPTConfig c) { return detail::checked_transformer_config(c, "GPT"); }

}  // namespace

GPT::GPT(GPTConfig c) : config(checked(c)) {
  token_embedding = register_module("token_embedding", std::make_shared<nn::Embedding>(config.vocab_size, config.d_model));
  // GPT-2's initialisation, N(0, 0.02), as the position table has it: PyTorch's N(0, 1) would
  // make the tied head's first logits tens of units apart, and the first steps would only undo that.
  nn::init::normal_(token_embedding->weight, 0.0, 0.02);
  position_embedding = register_module("position_embedding",
                                       std::make_shared<nn::LearnedPositionalEmbedding>(config.context, config.d_model));
  embedding_dropout = register_module("embedding_dropout", std::make_shared<nn::Dropout>(config.dropout));
  nn::TransformerLayerOptions layer;
  layer.dim_feedforward = config.feedforward;
  layer.dropout = config.dropout;
  layer.activation = "gelu";
  layer.batch_first = true;
  layer.norm_first = true;
  transformer = register_module("transformer", std::make_shared<nn::TransformerEncoder>(
                                                   config.d_model, config.heads, config.layers, layer, /*final_norm=*/true));
  if (config.tie_weights)
    head = register_module("head", std::make_shared<TiedLinear>(token_embedding->weight));
  else
    head = register_module("head", std::make_shared<nn::Linear>(config.d_model, config.vocab_size));
}

Tensor GPT::forward(const Tensor& tokens) {
  if (tokens.dtype() != DType::i64)
    throw DTypeError("GPT: tokens must be i64, got " + std::string(to_string(tokens.dtype())));
  if (tokens.dim() != 2 || tokens.size(1) < 1 || tokens.size(1) > config.context)
    throw ShapeError("GPT: tokens must be [N, T] with 1 <= T <= context " + std::to_string(config.context) +
                     ", got " + to_string(tokens.shape()));
  Tensor h = embedding_dropout(position_embedding(token_embedding(tokens)));
  h = transformer(h, Tensor(), Tensor(), /*is_causal=*/true);
  return head(h);
}

std::string GPT::extra_repr() const {
  return "vocab_size=" + std::to_string(config.vocab_size) + ", context=" + std::to_string(config.context) +
         ", tie_weights=" + (config.tie_weights ? "True" : "False");
}

// ---- sampling -----------------------------------------------------------------------------------------
int64_t sample_token(const Tensor& logits, const SamplingOptions& options, Generator& generator) {
  if (!(options.temperature > 0))
    throw Error("sample_token: temperature must be positive, got " + std::to_string(options.temperature));
  if (options.top_k < 0) throw Error("sample_token: top_k must be >= 0, got " + std::to_string(options.top_k));
  if (logits.dim() != 1 || logits.numel() == 0)
    throw ShapeError("sample_token: logits must be a non-empty vector [V], got " + to_string(logits.shape()));
  const std::vector<double> values = logits.to_vector<double>();
  std::vector<int64_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  // Largest first; stable, so equal logits keep the lower id first and top_k = 1 is argmax.
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return values[a] > values[b]; });
  const size_t kept = options.top_k == 0 ? order.size() : std::min(order.size(), static_cast<size_t>(options.top_k));
  const double largest = values[order[0]];
  std::vector<double> weights(kept);
  double total = 0;
  for (size_t i = 0; i < kept; ++i) total += weights[i] = std::exp((values[order[i]] - largest) / options.temperature);
  double u = generator.uniform() * total;
  for (size_t i = 0; i < kept; ++i) {
    if (u < weights[i]) return order[i];
    u -= weights[i];
  }
  return order[kept - 1];  // u landed on the rounding error past the last weight
}

std::vector<int64_t> generate(GPT& model, const std::vector<int64_t>& prompt, const GenerationOptions& options,
                              Generator& generator) {
  if (prompt.empty()) throw Error("generate: the prompt is empty; give at least one token");
  if (options.new_tokens < 0) throw Error("generate: new_tokens must be >= 0, got " + std::to_string(options.new_tokens));
  const int64_t context = model.config.context;
  // The last forward pass reads the prompt and all but the last new token.
  const int64_t longest = static_cast<int64_t>(prompt.size()) + options.new_tokens - 1;
  if (options.overflow == ContextOverflow::refuse && longest > context)
    throw ShapeError("generate: a prompt of " + std::to_string(prompt.size()) + " tokens plus " +
                     std::to_string(options.new_tokens) + " new ones needs a window of " + std::to_string(longest) +
                     " tokens, longer than the model's context of " + std::to_string(context));
  const bool was_training = model.is_training();
  model.eval();
  NoGradGuard no_grad;
  std::vector<int64_t> sequence = prompt;
  try {
    for (int64_t step = 0; step < options.new_tokens; ++step) {
      const int64_t length = std::min<int64_t>(static_cast<int64_t>(sequence.size()), context);
      const std::vector<int64_t> window(sequence.end() - length, sequence.end());
      const Tensor logits = model(from_vector(window, {1, length}));
      sequence.push_back(sample_token(logits.select(0, 0).select(0, length - 1), options.sampling, generator));
    }
  } catch (...) {
    model.train(was_training);
    throw;
  }
  model.train(was_training);
  return sequence;
}

}  // namespace nabla::models
