// The LSTM language model and sampling from it.
#include "nabla/models/language_model.h"

#include "nabla/autograd.h"
#include "nabla/functional.h"
#include "nabla/nn/init.h"
#include "nabla/ops.h"

namespace nabla::models {
namespace F = functional;

LSTMLanguageModel::LSTMLanguageModel(LanguageModelConfig config_) : config(config_) {
  if (config.vocab_size < 1 || config.embedding_dim < 1 || config.hidden_size < 1 || config.num_layers < 1)
    throw Error("LSTMLanguageModel: vocab_size, embedding_dim, hidden_size and num_layers must be positive, got " +
                std::to_string(config.vocab_size) + ", " + std::to_string(config.embedding_dim) + ", " +
                std::to_string(config.hidden_size) + ", " + std::to_string(config.num_layers));
  if (!(config.dropout >= 0 && config.dropout < 1))
    throw Error("LSTMLanguageModel: dropout must be in [0, 1), got " + std::to_string(config.dropout));
  embedding = register_module("embedding", std::make_shared<nn::Embedding>(config.vocab_size, config.embedding_dim));
  lstm = register_module("lstm", std::make_shared<nn::LSTM>(config.embedding_dim, config.hidden_size,
                                                        nn::RecurrentOptions{.num_layers = config.num_layers,
                                                                         .batch_first = true,
                                                                         .dropout = config.dropout}));
  lstm->stateful = true;
  if (config.tie_weights && config.embedding_dim == config.hidden_size)
    decoder = register_module("decoder", std::make_shared<TiedLinear>(embedding->weight));
  else
    decoder = register_module("decoder", std::make_shared<nn::Linear>(config.hidden_size, config.vocab_size));
  // Small embeddings, as Zaremba's U(-0.1, 0.1): N(0, 1) rows would dominate the tied decoder.
  NoGradGuard no_grad;
  nn::init::uniform_(embedding->weight, -0.1, 0.1);
}

bool LSTMLanguageModel::tied() const { return dynamic_cast<const TiedLinear*>(decoder.get()) != nullptr; }

Tensor LSTMLanguageModel::forward(const Tensor& tokens) {
  if (tokens.dim() != 2)
    throw ShapeError("LSTMLanguageModel: tokens must be [N, T], got " + to_string(tokens.shape()));
  const Tensor embedded = F::dropout(embedding(tokens), config.dropout, is_training());
  const Tensor hidden = F::dropout(lstm(embedded), config.dropout, is_training());
  return decoder(hidden);
}

std::string LSTMLanguageModel::extra_repr() const {
  return "vocab_size=" + std::to_string(config.vocab_size) + ", tied=" + (tied() ? "true" : "false");
}

std::vector<int64_t> sample_continuation(LSTMLanguageModel& model, const std::vector<int64_t>& prompt,
                                         int64_t count, const SamplingOptions& options, Generator& generator) {
  if (prompt.empty()) throw Error("sample_continuation: the prompt is empty; give at least one token");
  if (count < 0) throw Error("sample_continuation: count must be >= 0, got " + std::to_string(count));
  const bool was_training = model.is_training();
  model.eval();
  NoGradGuard no_grad;
  std::vector<int64_t> generated;
  try {
    // Not stateful while sampling: the carried training state stays as it was, and the sample
    // starts from zeros whatever training last saw.
    model.lstm->stateful = false;
    nn::RecurrentState state;
    Tensor input = from_vector(prompt, {1, static_cast<int64_t>(prompt.size())});
    for (int64_t step = 0; step < count; ++step) {
      const nn::RecurrentOutput out = model.lstm(model.embedding(input), state);
      state = out.state;
      const Tensor last = out.output.select(1, out.output.size(1) - 1);  // [1, H]
      const int64_t next = sample_token(model.decoder(last).select(0, 0), options, generator);
      generated.push_back(next);
      input = from_vector(std::vector<int64_t>{next}, {1, 1});
    }
  } catch (...) {
    model.lstm->stateful = true;
    model.train(was_training);
    throw;
  }
  model.lstm->stateful = true;
  model.train(was_training);
  return generated;
}

}  // namespace nabla::models
