// Sequence to sequence (Sutskever et al. 2014; the course's chapters 7-8): an LSTM encoder reads
// the question, an LSTM decoder writes the answer one token at a time starting from the encoder's
// final state.
//
//   encoder   Embedding(V, E) -> LSTM(E, H)                  final state (h, c), all states hs
//   decoder   Embedding(V, E) -> LSTM(E [+ H], H) -> Linear([H +] H, V)
//
// Variants (the course's comparison):
//   plain      the decoder starts from the encoder's (h, c)
//   reverse    any variant may read the question backwards (options.reverse_source), which puts
//              its first characters next to the answer's first ones (Sutskever et al.)
//   peeky      the encoder's final h is also concatenated to every decoder input and to the input
//              of the output layer, so every step sees it (the course's PeekySeq2seq)
//   attention  each decoder output h_t attends over all encoder states: a = softmax(hs h_t),
//              context = a hs (dot-product attention, Luong et al. 2015, nn::DotProductAttention),
//              and the output layer reads [context, h_t] (the course's AttentionSeq2seq). Padding
//              in the question is masked out of the attention.
//
// Training is teacher forcing: forward(source, decoder_input) reads the true previous characters
// and gives logits for every step at once; loss() is cross entropy that ignores padding. Inference
// feeds the model's own output back: greedy() for a batch, beam_search() for one question.
//
// Parameter names: encoder_embedding.weight, encoder.weight_ih_l0, ..., decoder_embedding.weight,
// decoder.weight_ih_l0, ..., output.weight, output.bias.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(MODELS);
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nabla/nn/attention.h"
#include "nabla/models/beam_search.h"
#include "nabla/nn/layers.h"
#include "nabla/nn/module.h"
#include "nabla/nn/recurrent.h"

namespace nabla::models {

enum class Seq2seqDecoder { plain, peeky, attention };

struct Seq2seqOptions {
  int64_t vocab_size = 0;
  int64_t embedding_dim = 16;
  int64_t hidden_size = 256;
  Seq2seqDecoder decoder = Seq2seqDecoder::plain;
  bool reverse_source = false;
  int64_t max_source_length = 32;  // longer questions are a ShapeError
  int64_t max_target_length = 16;  // the most tokens greedy and beam search generate, end included
  int64_t pad_id = 0, start_id = 1, end_id = 2;  // as CharVocabulary's
};

// "plain", "reverse", "peeky", "reverse-peeky", "attention", "reverse-attention" -> the decoder
// and reversal; anything else is an Error naming the choices.
void apply_seq2seq_variant(const std::string& variant, Seq2seqOptions& options);

class Seq2seq : public nn::CallableModule<Seq2seq> {
 public:
  explicit Seq2seq(Seq2seqOptions options);

  // source [B, S], decoder_input [B, T] (i64 ids) -> logits [B, T, V]. There is no one-tensor
  // forward: a call without the decoder input does not compile.
  Tensor forward(const Tensor& source, const Tensor& decoder_input);
  // Mean cross entropy over the target tokens that are not padding (pad_id).
  Tensor loss(const Tensor& source, const Tensor& decoder_input, const Tensor& decoder_target);

  // Answers for a batch of questions, each step taking the most probable token: token ids without
  // the end token (max_target_length of them when the end never comes). No graph.
  std::vector<std::vector<int64_t>> greedy(const Tensor& source);
  // The best hypotheses for one question (source [S] or [1, S]). No graph.
  std::vector<Hypothesis> beam_search(const Tensor& source, int64_t beam_width, double length_penalty = 0);
  // The attention weights [T, S] the decoder used while writing `answer` (ids without the start
  // token, e.g. a greedy answer and its end token) for one question, teacher-forced; columns follow
  // the question's characters as written (reversal undone). Error unless the decoder attends.
  Tensor attention_weights(const Tensor& source, const std::vector<int64_t>& answer);

  std::string extra_repr() const override;

  Seq2seqOptions options;
  nn::ModuleHolder<nn::Embedding> encoder_embedding, decoder_embedding;
  nn::ModuleHolder<nn::LSTM> encoder, decoder;
  nn::ModuleHolder<nn::Linear> output;
  nn::ModuleHolder<nn::DotProductAttention> attention;  // with the attention decoder only

  // What the decoder reads of the question: every encoder state, the padding mask and the final
  // state, one row per question (rows may repeat: beam search gathers them).
  struct Encoded {
    Tensor states;       // hs [B, S, H]
    Tensor mask;         // [B, S] i64: 1 for a real character, 0 for padding
    nn::RecurrentState last;  // (h, c), each [1, B, H]
  };
  Encoded encode(const Tensor& source);
  // Decoder steps over decoder_input [B, T] from `state`: logits [B, T, V], the state after the
  // last step, and (attention only) the weights [B, T, S].
  struct Decoded {
    Tensor logits;
    nn::RecurrentState state;
    Tensor weights;
  };
  Decoded decode(const Encoded& encoded, const Tensor& decoder_input, const nn::RecurrentState& state);

 private:
  void check_source(const Tensor& source, const char* who) const;
};

}  // namespace nabla::models
