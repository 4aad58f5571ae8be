// GPT and the BERT-style masked LM as whole models in f64: autograd's gradients with respect to
// their own parameters (gradcheck perturbs the tensors in place, so the model sees each change)
// against central differences, first and second order. The tied embedding is checked through
// both of its uses, the input lookup and the output projection.
#include <gtest/gtest.h>

#include "gradcheck_helpers.h"
#include "nabla/models/bert.h"
#include "nabla/models/gpt.h"

namespace nabla::nn {
namespace {

using test_support::check;

TEST(GptGradcheck, TiedEmbeddingPositionsAndAttentionWeights) {
  manual_seed(6);
  models::GPTConfig c;
  c.vocab_size = 5;
  c.context = 4;
  c.layers = 1;
  c.d_model = 4;
  c.heads = 2;
  c.feedforward = 6;
  c.dropout = 0.0;
  models::GPT model(c);
  model.to(DType::f64);
  const Tensor tokens = from_vector(std::vector<int64_t>{1, 4, 0, 2, 3, 3, 1, 0}, {2, 4});
  const auto& layer = *model.transformer->layers[0];
  const auto f = [&](const test_support::Ts&) { return model(tokens); };
  check(f, {model.token_embedding->weight, model.position_embedding->weight, layer.self_attn->in_proj_weight,
            layer.linear1->weight});
}

TEST(GptGradcheck, BertMaskedLmWithPadding) {
  manual_seed(7);
  models::BertConfig c;
  c.vocab_size = 6;
  c.context = 5;
  c.layers = 1;
  c.d_model = 4;
  c.heads = 2;
  c.feedforward = 6;
  c.dropout = 0.0;
  c.pad_id = 0;
  models::BertForMaskedLM model(c);
  model.to(DType::f64);
  const Tensor tokens = from_vector(std::vector<int64_t>{1, 4, 5, 2, 0, 3, 3, 1, 0, 0}, {2, 5});
  const auto f = [&](const test_support::Ts&) { return model(tokens); };
  check(f, {model.token_embedding->weight, model.encoder->layers[0]->self_attn->in_proj_weight,
            model.head_transform->weight, model.head->bias});
}

}  // namespace
}  // namespace nabla::nn
