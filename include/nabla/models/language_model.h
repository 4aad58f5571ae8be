// An LSTM language model (Zaremba et al. 2014; the course's BetterRnnlm): token embedding ->
// dropout -> a stack of LSTM layers (dropout between them) -> dropout -> Linear to the vocabulary.
// When the embedding and hidden sizes are equal the decoder reuses the embedding matrix (Press &
// Wolf 2017; Inan et al. 2017), which saves V * H parameters and usually lowers perplexity.
//
// The LSTM is batch-first and stateful: trained over a continuous stream cut into windows
// (data::StreamBatches), each window starts from the previous window's final state, detached, so
// the gradient is truncated at the window boundary while the state carries context across it.
// Parameter names: embedding.weight, lstm.weight_ih_l0, ..., decoder.weight (the embedding itself
// when tied), decoder.bias.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(MODELS);
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nabla/models/gpt.h"  // TiedLinear, SamplingOptions, sample_token
#include "nabla/nn/layers.h"
#include "nabla/nn/module.h"
#include "nabla/nn/recurrent.h"
#include "nabla/random.h"

namespace nabla::models {

struct LanguageModelConfig {
  int64_t vocab_size = 0;
  int64_t embedding_dim = 256;
  int64_t hidden_size = 256;
  int64_t num_layers = 2;
  double dropout = 0.5;     // on the embeddings, between LSTM layers and before the decoder
  bool tie_weights = true;  // only possible (and only done) when embedding_dim == hidden_size
};

class LSTMLanguageModel : public nn::UnaryModule {
 public:
  // Throws Error for a non-positive size or a dropout outside [0, 1).
  explicit LSTMLanguageModel(LanguageModelConfig config);
  // i64 tokens [N, T] -> logits [N, T, vocab], continuing from the carried state (see reset_state).
  Tensor forward(const Tensor& tokens) override;
  std::string extra_repr() const override;
  // Forget the carried state: the next window starts from zeros (each epoch, and before validation).
  void reset_state() { lstm->reset_state(); }
  bool tied() const;

  const LanguageModelConfig config;
  nn::ModuleHolder<nn::Embedding> embedding;
  nn::ModuleHolder<nn::LSTM> lstm;
  nn::ModuleHolder<nn::UnaryModule> decoder;  // Linear, or TiedLinear over embedding.weight
};

// `count` new tokens after `prompt` (at least one token), each drawn from the model's next-token
// distribution with `options` (temperature, top_k; top_k = 1 is greedy). The model runs in eval
// mode without recording a graph, starting from a zero state; its carried training state and mode
// are restored afterwards. Returns the new tokens only.
std::vector<int64_t> sample_continuation(LSTMLanguageModel& model, const std::vector<int64_t>& prompt,
                                         int64_t count, const SamplingOptions& options, Generator& generator);

}  // namespace nabla::models
