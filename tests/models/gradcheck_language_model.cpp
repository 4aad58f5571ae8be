// The LSTM language model in f64: first and second derivatives of the next-token loss with respect
// to every parameter, with the decoder tied to the embedding (the shared matrix sums the gradients
// of its two uses) and untied, two layers, over two stateful windows (the second starts from the
// first's detached state).
#include <gtest/gtest.h>

#include "nabla/functional.h"
#include "nabla/nabla.h"
#include "nabla/models/language_model.h"

using namespace nabla;

namespace {

void check_model(int64_t embedding_dim) {
  manual_seed(8);
  models::LSTMLanguageModel model({.vocab_size = 5, .embedding_dim = embedding_dim, .hidden_size = 3, .num_layers = 2,
                               .dropout = 0});
  model.to(DType::f64);
  const Tensor inputs = from_vector(std::vector<int64_t>{1, 2, 3, 4, 0, 1}, {2, 3});
  const Tensor targets = from_vector(std::vector<int64_t>{2, 3, 4, 0, 1, 2}, {2, 3});
  model.reset_state();
  model(from_vector(std::vector<int64_t>{4, 3, 2, 1}, {2, 2}));  // a first window: the state carries over
  const nn::RecurrentState carried = model.lstm->carried_state();
  auto f = [&](const std::vector<Tensor>&) {
    model.lstm->reset_state();
    const Tensor logits = model.lstm->forward(model.embedding->forward(inputs), carried).output;
    return functional::cross_entropy((*model.decoder)(logits).reshape({-1, 5}), targets.reshape({-1}));
  };
  const GradcheckResult first = gradcheck(f, model.parameters());
  EXPECT_TRUE(first.ok) << first.message;
  const GradcheckResult second = gradgradcheck(f, model.parameters());
  EXPECT_TRUE(second.ok) << "second order: " << second.message;
}

}  // namespace

TEST(LanguageModelGradcheck, TiedDecoder) { check_model(3); }
TEST(LanguageModelGradcheck, UntiedDecoder) { check_model(2); }
