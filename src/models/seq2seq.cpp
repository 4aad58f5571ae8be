#include "nabla/models/seq2seq.h"

#include "nabla/autograd.h"
#include "nabla/functional.h"
#include "nabla/ops.h"

namespace nabla::models {
namespace {

// x with `axis` read backwards.
Tensor reversed(const Tensor& x, int64_t axis) {
  const int64_t n = x.size(axis);
  std::vector<int64_t> backwards(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) backwards[static_cast<size_t>(i)] = n - 1 - i;
  return index_select(x, axis, from_vector(backwards, {n}));
}

const char* decoder_name(Seq2seqDecoder d) {
  switch (d) {
    case Seq2seqDecoder::plain: return "plain";
    case Seq2seqDecoder::peeky: return "peeky";
    case Seq2seqDecoder::attention: return "attention";
  }
  return "?";
}

// Seq2seq's decoder as beam search sees it: one question's encoding, and the decoder state of every
// live hypothesis, gathered from its parent's row at each step.
class Seq2seqBeamScorer : public BeamScorer {
 public:
  Seq2seqBeamScorer(Seq2seq& model, Seq2seq::Encoded encoded)
      : model_(model), encoded_(std::move(encoded)), state_(encoded_.last) {}

  std::vector<std::vector<double>> next_log_probs(const std::vector<int64_t>& parents,
                                                  const std::vector<int64_t>& tokens) override {
    const auto n = static_cast<int64_t>(parents.size());
    const Tensor from_parent = from_vector(parents, {n});
    const nn::RecurrentState state{index_select(state_.h, 1, from_parent), index_select(state_.c, 1, from_parent)};
    // Every hypothesis answers the same question: its encoding, repeated n times.
    const Tensor question = zeros({n}, DType::i64);
    const Seq2seq::Encoded rows{index_select(encoded_.states, 0, question), index_select(encoded_.mask, 0, question),
                                {index_select(encoded_.last.h, 1, question), index_select(encoded_.last.c, 1, question)}};
    const Seq2seq::Decoded d = model_.decode(rows, from_vector(tokens, {n, 1}), state);
    state_ = d.state;
    const int64_t vocab = d.logits.size(2);
    const std::vector<double> flat = log_softmax(d.logits.reshape({n, vocab}), -1).to_vector<double>();
    std::vector<std::vector<double>> out;
    for (int64_t i = 0; i < n; ++i) out.emplace_back(flat.begin() + i * vocab, flat.begin() + (i + 1) * vocab);
    return out;
  }

 private:
  Seq2seq& model_;
  Seq2seq::Encoded encoded_;
  nn::RecurrentState state_;
};

}  // namespace

void apply_seq2seq_variant(const std::string& variant, Seq2seqOptions& options) {
  const bool reverse = variant.rfind("reverse", 0) == 0;
  const std::string decoder = variant == "reverse" ? "plain" : reverse ? variant.substr(8) : variant;
  options.reverse_source = reverse;
  if (decoder == "plain") options.decoder = Seq2seqDecoder::plain;
  else if (decoder == "peeky") options.decoder = Seq2seqDecoder::peeky;
  else if (decoder == "attention") options.decoder = Seq2seqDecoder::attention;
  else
    throw Error("Seq2seq: unknown variant '" + variant +
                "' (plain, reverse, peeky, reverse-peeky, attention, reverse-attention)");
}

Seq2seq::Seq2seq(Seq2seqOptions o) : options(o) {
  if (o.vocab_size < 4 || o.embedding_dim < 1 || o.hidden_size < 1 || o.max_source_length < 1 ||
      o.max_target_length < 1)
    throw Error("Seq2seq: vocab_size " + std::to_string(o.vocab_size) + " (at least 4: three special ids and a "
                "character), embedding_dim " + std::to_string(o.embedding_dim) + ", hidden_size " +
                std::to_string(o.hidden_size) + " and the maximum lengths should be positive");
  const int64_t h = o.hidden_size;
  const bool peeky = o.decoder == Seq2seqDecoder::peeky;
  const nn::RecurrentOptions batch_first{.batch_first = true};
  encoder_embedding = register_module("encoder_embedding", std::make_shared<nn::Embedding>(o.vocab_size, o.embedding_dim));
  encoder = register_module("encoder", std::make_shared<nn::LSTM>(o.embedding_dim, h, batch_first));
  decoder_embedding = register_module("decoder_embedding", std::make_shared<nn::Embedding>(o.vocab_size, o.embedding_dim));
  decoder = register_module("decoder", std::make_shared<nn::LSTM>(o.embedding_dim + (peeky ? h : 0), h, batch_first));
  if (o.decoder == Seq2seqDecoder::attention)
    attention = register_module("attention", std::make_shared<nn::DotProductAttention>());
  output = register_module("output", std::make_shared<nn::Linear>(o.decoder == Seq2seqDecoder::plain ? h : 2 * h, o.vocab_size));
}

void Seq2seq::check_source(const Tensor& source, const char* who) const {
  if (source.dtype() != DType::i64)
    throw DTypeError(std::string("Seq2seq::") + who + ": the source should hold i64 ids, got " + to_string(source.dtype()));
  if (source.dim() != 2 || source.size(1) < 1 || source.size(0) < 1)
    throw ShapeError(std::string("Seq2seq::") + who + ": the source should be [B, S] ids, got " + to_string(source.shape()));
  if (source.size(1) > options.max_source_length)
    throw ShapeError(std::string("Seq2seq::") + who + ": the source of shape " + to_string(source.shape()) + " has " +
                     std::to_string(source.size(1)) + " characters, more than the model's maximum " +
                     std::to_string(options.max_source_length));
}

Seq2seq::Encoded Seq2seq::encode(const Tensor& source) {
  check_source(source, "encode");
  const Tensor question = options.reverse_source ? reversed(source, 1) : source;
  nn::RecurrentOutput r = encoder(encoder_embedding(question), nn::RecurrentState{});
  return {r.output, ne(question, full_like(question, static_cast<double>(options.pad_id))), r.state};
}

Seq2seq::Decoded Seq2seq::decode(const Encoded& encoded, const Tensor& decoder_input, const nn::RecurrentState& state) {
  Tensor x = decoder_embedding(decoder_input);  // [B, T, E]
  const int64_t b = x.size(0), t = x.size(1), h = options.hidden_size;
  Tensor peek;
  if (options.decoder == Seq2seqDecoder::peeky) {
    peek = encoded.last.h.select(0, 0).unsqueeze(1).expand({b, t, h});
    x = concat({peek, x}, 2);
  }
  nn::RecurrentOutput r = decoder(x, state);
  Tensor features = r.output;  // [B, T, H]
  Tensor weights;
  if (options.decoder == Seq2seqDecoder::attention) {
    functional::AttentionResult a = attention(r.output, encoded.states, encoded.states, encoded.mask);
    features = concat({a.output, r.output}, 2);
    weights = a.weights;
  } else if (options.decoder == Seq2seqDecoder::peeky) {
    features = concat({peek, r.output}, 2);
  }
  return {output(features), r.state, weights};
}

Tensor Seq2seq::forward(const Tensor& source, const Tensor& decoder_input) {
  if (decoder_input.dtype() != DType::i64 || decoder_input.dim() != 2 || decoder_input.size(0) != source.size(0))
    throw ShapeError("Seq2seq: the decoder input should be [B, T] i64 ids with the source's B, got " +
                     to_string(decoder_input.shape()) + " " + to_string(decoder_input.dtype()) + " for a source of " +
                     to_string(source.shape()));
  const Encoded encoded = encode(source);
  return decode(encoded, decoder_input, encoded.last).logits;
}

Tensor Seq2seq::loss(const Tensor& source, const Tensor& decoder_input, const Tensor& decoder_target) {
  if (decoder_target.shape() != decoder_input.shape())
    throw ShapeError("Seq2seq::loss: decoder target " + to_string(decoder_target.shape()) +
                     " and decoder input " + to_string(decoder_input.shape()) + " should have one shape");
  const Tensor logits = nn::call(*this, source, decoder_input);
  const int64_t rows = logits.size(0) * logits.size(1);
  // The mean over the positions that hold a target token: padding is ignored.
  return functional::cross_entropy(logits.reshape({rows, options.vocab_size}), decoder_target.reshape({rows}),
                                   {.ignore_index = options.pad_id});
}

std::vector<std::vector<int64_t>> Seq2seq::greedy(const Tensor& source) {
  NoGradGuard no_grad;
  const Encoded encoded = encode(source);
  const int64_t b = source.size(0);
  std::vector<std::vector<int64_t>> answers(static_cast<size_t>(b));
  std::vector<bool> done(static_cast<size_t>(b), false);
  Tensor tokens = full({b, 1}, static_cast<double>(options.start_id), DType::i64);
  nn::RecurrentState state = encoded.last;
  for (int64_t step = 0; step < options.max_target_length; ++step) {
    Decoded d = decode(encoded, tokens, state);
    state = d.state;
    const Tensor next = argmax(d.logits.select(1, 0), -1);  // [B]
    const std::vector<int64_t> ids = next.to_vector<int64_t>();
    bool all_done = true;
    for (size_t i = 0; i < ids.size(); ++i) {
      if (done[i]) continue;
      if (ids[i] == options.end_id) done[i] = true;
      else answers[i].push_back(ids[i]);
      all_done = all_done && done[i];
    }
    if (all_done) break;
    tokens = next.reshape({b, 1});
  }
  return answers;
}

std::vector<Hypothesis> Seq2seq::beam_search(const Tensor& source, int64_t beam_width, double length_penalty) {
  NoGradGuard no_grad;
  const Tensor question = source.dim() == 1 ? source.unsqueeze(0) : source;
  if (question.dim() != 2 || question.size(0) != 1)
    throw ShapeError("Seq2seq::beam_search: one question [S] or [1, S], got " + to_string(source.shape()));
  Seq2seqBeamScorer scorer(*this, encode(question));
  return models::beam_search(scorer, options.start_id, options.end_id,
                         {.beam_width = beam_width, .max_length = options.max_target_length,
                          .length_penalty = length_penalty});
}

Tensor Seq2seq::attention_weights(const Tensor& source, const std::vector<int64_t>& answer) {
  if (options.decoder != Seq2seqDecoder::attention)
    throw Error(std::string("Seq2seq::attention_weights: the ") + decoder_name(options.decoder) +
                " decoder has no attention");
  if (answer.empty()) throw Error("Seq2seq::attention_weights: the answer has no tokens");
  NoGradGuard no_grad;
  const Tensor question = source.dim() == 1 ? source.unsqueeze(0) : source;
  const Encoded encoded = encode(question);
  std::vector<int64_t> inputs{options.start_id};
  inputs.insert(inputs.end(), answer.begin(), answer.end() - 1);
  const auto t = static_cast<int64_t>(inputs.size());
  const Tensor weights = decode(encoded, from_vector(inputs, {1, t}), encoded.last).weights.select(0, 0);
  return options.reverse_source ? reversed(weights, 1) : weights;
}

std::string Seq2seq::extra_repr() const {
  return "vocab_size=" + std::to_string(options.vocab_size) + ", embedding_dim=" + std::to_string(options.embedding_dim) +
         ", hidden_size=" + std::to_string(options.hidden_size) + ", decoder=" + decoder_name(options.decoder) +
         ", reverse_source=" + (options.reverse_source ? "True" : "False");
}

}  // namespace nabla::models
