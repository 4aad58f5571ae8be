// Seq2seq end to end in f64: the teacher-forced loss's first and second derivatives with respect
// to every parameter of the peeky and the attention model (which add concatenation, broadcasting
// of the encoder state and masked attention to the LSTMs' own checks), with padding in both
// sequences.
#include <gtest/gtest.h>

#include "nabla/nabla.h"
#include "nabla/models/seq2seq.h"

using namespace nabla;

namespace {

void check_variant(const std::string& variant) {
  manual_seed(11);
  models::Seq2seqOptions o{.vocab_size = 6, .embedding_dim = 2, .hidden_size = 3, .max_source_length = 4,
                       .max_target_length = 3};
  models::apply_seq2seq_variant(variant, o);
  models::Seq2seq model(o);
  model.to(DType::f64);
  const Tensor source = from_vector(std::vector<int64_t>{3, 4, 5, 0, 5, 3, 0, 0}, {2, 4});
  const Tensor input = from_vector(std::vector<int64_t>{1, 4, 5, 1, 3, 0}, {2, 3});
  const Tensor target = from_vector(std::vector<int64_t>{4, 5, 2, 3, 2, 0}, {2, 3});
  // gradcheck perturbs the parameters in place; the model reads the same tensors.
  auto f = [&](const std::vector<Tensor>&) { return model.loss(source, input, target); };
  const GradcheckResult first = gradcheck(f, model.parameters());
  EXPECT_TRUE(first.ok) << variant << ": " << first.message;
  const GradcheckResult second = gradgradcheck(f, model.parameters());
  EXPECT_TRUE(second.ok) << variant << ": second order: " << second.message;
}

}  // namespace

TEST(GradcheckSeq2seq, PeekyDecoderWithReversedSource) { check_variant("reverse-peeky"); }

TEST(GradcheckSeq2seq, AttentionDecoder) { check_variant("attention"); }
