// The BERT-style masked LM: [PAD] keys are invisible, every position sees both directions, the head
// is tied to the token embedding, and bad input is an error.
#include <gtest/gtest.h>

#include "nabla/nabla.h"
#include "nabla/models/bert.h"

namespace nabla::nn {
namespace {

models::BertConfig tiny() {
  models::BertConfig c;
  c.vocab_size = 12;
  c.context = 10;
  c.layers = 2;
  c.d_model = 16;
  c.heads = 2;
  c.dropout = 0.0;
  c.pad_id = 0;
  return c;
}

TEST(Bert, PaddingDoesNotChangeTheRealTokensLogits) {
  manual_seed(4);
  models::BertForMaskedLM model(tiny());
  model.eval();
  const Tensor short_batch = from_vector(std::vector<int64_t>{1, 5, 7, 3, 2}, {1, 5});
  const Tensor padded = from_vector(std::vector<int64_t>{1, 5, 7, 3, 2, 0, 0, 0}, {1, 8});
  const Tensor a = model(short_batch), b = model(padded).slice(1, 0, 5);
  EXPECT_TRUE(allclose(a, b, 1e-5, 1e-6));
  EXPECT_EQ(model(padded).shape(), (Shape{1, 8, 12}));
}

TEST(Bert, AttendsInBothDirections) {
  manual_seed(5);
  models::BertForMaskedLM model(tiny());
  model.eval();
  const Tensor x = from_vector(std::vector<int64_t>{1, 5, 7, 3, 2}, {1, 5});
  const Tensor y = from_vector(std::vector<int64_t>{1, 5, 7, 3, 9}, {1, 5});  // only the last token differs
  EXPECT_FALSE(allclose(model(x).slice(1, 0, 1), model(y).slice(1, 0, 1), 1e-5, 1e-6))
      << "the first position sees the last (unlike GPT)";
}

TEST(Bert, HeadIsTiedAndErrorsAreReported) {
  models::BertForMaskedLM model(tiny());
  EXPECT_TRUE(model.head->weight.is_same(model.token_embedding->weight));
  EXPECT_THROW(model(from_vector(std::vector<int64_t>(11, 1), {1, 11})), ShapeError);  // longer than context
  EXPECT_THROW(model(zeros({1, 3})), DTypeError);
  EXPECT_THROW(model(from_vector(std::vector<int64_t>{1, 12}, {1, 2})), IndexError);
  models::BertConfig bad = tiny();
  bad.pad_id = 12;
  EXPECT_THROW(models::BertForMaskedLM{bad}, Error);
}

}  // namespace
}  // namespace nabla::nn
