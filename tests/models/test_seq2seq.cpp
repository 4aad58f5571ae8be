// Seq2seq: shapes and parameter names of every variant, the loss ignores padding, reading the
// question backwards equals feeding it reversed, attention weights are distributions that skip
// padding, beam width 1 equals greedy, and bad input is an error (a tiny model learning to
// reverse short strings: slow_models_learn.cpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <type_traits>

#include "nabla/models/seq2seq_data.h"
#include "nabla/functional.h"
#include "nabla/nabla.h"
#include "nabla/models/seq2seq.h"

namespace nabla::nn {
namespace {

models::Seq2seqOptions small(const std::string& variant, int64_t vocab = 8, int64_t hidden = 6) {
  models::Seq2seqOptions o{.vocab_size = vocab, .embedding_dim = 4, .hidden_size = hidden, .max_source_length = 6,
                   .max_target_length = 5};
  apply_seq2seq_variant(variant, o);
  return o;
}

// Two questions, the second padded; answers of 2 and 1 characters (then end, then padding).
struct Toy {
  Tensor source = from_vector(std::vector<int64_t>{3, 4, 5, 6, 7, 3, 5, 5, 0, 0, 0, 0}, {2, 6});
  Tensor input = from_vector(std::vector<int64_t>{1, 4, 5, 1, 6, 0}, {2, 3});
  Tensor target = from_vector(std::vector<int64_t>{4, 5, 2, 6, 2, 0}, {2, 3});
};

TEST(Seq2seq, ShapesAndParameterNames) {
  for (const std::string variant : {"plain", "reverse", "peeky", "reverse-peeky", "attention"}) {
    manual_seed(0);
    models::Seq2seq model(small(variant));
    const Toy toy;
    EXPECT_EQ(model.forward(toy.source, toy.input).shape(), (Shape{2, 3, 8})) << variant;
    std::vector<std::string> names;
    for (const auto& [name, p] : model.named_parameters()) names.push_back(name);
    EXPECT_EQ(names.front(), "encoder_embedding.weight") << variant;
    EXPECT_TRUE(std::count(names.begin(), names.end(), "decoder.weight_ih_l0")) << variant;
    EXPECT_EQ(names.back(), "output.bias") << variant;
    const bool peeky = variant.find("peeky") != std::string::npos;
    EXPECT_EQ(model.decoder->input_size, 4 + (peeky ? 6 : 0)) << variant;
    EXPECT_EQ(model.output->in_features, variant == "plain" || variant == "reverse" ? 6 : 12) << variant;
  }
  models::Seq2seqOptions options;
  EXPECT_THROW(apply_seq2seq_variant("sideways", options), Error);
}

TEST(Seq2seq, LossIsCrossEntropyOverTheTokensThatAreNotPadding) {
  manual_seed(1);
  models::Seq2seq model(small("attention"));
  const Toy toy;
  const Tensor logits = model.forward(toy.source, toy.input).reshape({6, 8});
  // Rows 0, 1, 2, 3, 4 are real targets; row 5 is padding.
  const Tensor real = index_select(logits, 0, from_vector(std::vector<int64_t>{0, 1, 2, 3, 4}, {5}));
  const Tensor expected = functional::cross_entropy(real, from_vector(std::vector<int64_t>{4, 5, 2, 6, 2}, {5}));
  EXPECT_NEAR(model.loss(toy.source, toy.input, toy.target).item(), expected.item(), 1e-6);
}

TEST(Seq2seq, ReversingTheSourceEqualsFeedingItReversed) {
  manual_seed(2);
  models::Seq2seq backwards(small("reverse-peeky"));
  models::Seq2seq forwards(small("peeky"));
  forwards.load_state_dict(backwards.state_dict());
  const Toy toy;
  const Tensor flipped = index_select(toy.source, 1, from_vector(std::vector<int64_t>{5, 4, 3, 2, 1, 0}, {6}));
  EXPECT_TRUE(allclose(backwards.forward(toy.source, toy.input), forwards.forward(flipped, toy.input), 1e-6, 1e-6));
}

TEST(Seq2seq, AttentionWeightsAreDistributionsOverTheRealCharacters) {
  manual_seed(3);
  models::Seq2seq model(small("reverse-attention"));
  const Toy toy;
  const Tensor w = model.attention_weights(toy.source.select(0, 1), {4, 5, 2});  // "355" and padding
  ASSERT_EQ(w.shape(), (Shape{3, 6}));
  const std::vector<float> v = w.to_vector<float>();
  for (int64_t t = 0; t < 3; ++t) {
    float total = 0;
    for (int64_t s = 0; s < 6; ++s) total += v[static_cast<size_t>(t * 6 + s)];
    EXPECT_NEAR(total, 1.0f, 1e-5f);
    for (int64_t s = 3; s < 6; ++s) EXPECT_EQ(v[static_cast<size_t>(t * 6 + s)], 0.0f) << "padding attended";
  }
  models::Seq2seq plain(small("plain"));
  EXPECT_THROW(plain.attention_weights(toy.source.select(0, 0), {4, 2}), Error);
}

TEST(Seq2seq, BeamWidthOneIsGreedy) {
  for (const std::string variant : {"plain", "peeky", "attention"}) {
    manual_seed(4);
    models::Seq2seq model(small(variant, 8, 16));
    const Toy toy;
    const std::vector<std::vector<int64_t>> greedy = model.greedy(toy.source);
    ASSERT_EQ(greedy.size(), 2u);
    for (int64_t i = 0; i < 2; ++i) {
      const std::vector<models::Hypothesis> beam = model.beam_search(toy.source.select(0, i), 1);
      std::vector<int64_t> tokens = beam.at(0).tokens;
      if (beam[0].finished) tokens.pop_back();  // the end token
      EXPECT_EQ(tokens, greedy[static_cast<size_t>(i)]) << variant << " question " << i;
      // A wider beam is never less probable than width 1.
      EXPECT_GE(model.beam_search(toy.source.select(0, i), 3).at(0).log_prob, beam[0].log_prob - 1e-9);
    }
  }
}

TEST(Seq2seq, BadInputIsAnError) {
  models::Seq2seq model(small("attention"));
  const Toy toy;
  EXPECT_THROW(model.forward(zeros({2, 7}, DType::i64), toy.input), ShapeError);  // longer than 6
  EXPECT_THROW(model.greedy(zeros({1, 9}, DType::i64)), ShapeError);
  EXPECT_THROW(model.forward(zeros({2, 6}), toy.input), DTypeError);
  EXPECT_THROW(model.forward(toy.source, zeros({3, 3}, DType::i64)), ShapeError);
  // The source alone does not compile; only the type-erased call checks it at run time.
  static_assert(!std::is_invocable_v<models::Seq2seq&, Tensor>);
  static_assert(!std::is_invocable_v<nn::ModuleHolder<models::Seq2seq>, Tensor>);
  static_assert(std::is_invocable_v<models::Seq2seq&, Tensor, Tensor>);
  nn::Module& any_module = model;
  EXPECT_THROW(any_module(toy.source), Error);
  EXPECT_THROW(model.forward(full({2, 6}, 8, DType::i64), toy.input), IndexError);  // id outside the vocabulary
  EXPECT_THROW(models::Seq2seq(models::Seq2seqOptions{.vocab_size = 2}), Error);
}

}  // namespace
}  // namespace nabla::nn
