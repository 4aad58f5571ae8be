// BERT's masking rule: the 15% / 80-10-10 statistics, specials left alone, labels only where
// chosen, determinism under a seed, and errors for bad input.
#include <gtest/gtest.h>

#include <cmath>

#include "nabla/models/masked_lm.h"
#include "nabla/nabla.h"

namespace nabla::data {
namespace {

// Ids 0-3 are [PAD], [CLS], [SEP], [MASK]; 4 .. 23 are ordinary.
constexpr int64_t kPad = 0, kCls = 1, kSep = 2, kMask = 3, kVocab = 24;

models::MaskingOptions bert_options() {
  models::MaskingOptions o;
  o.mask_id = kMask;
  o.vocab_size = kVocab;
  o.special_ids = {kPad, kCls, kSep, kMask};
  return o;
}

// [CLS] w w ... w [SEP] [PAD] [PAD] per row, the words cycling through the ordinary ids.
Tensor sentences(int64_t rows, int64_t length) {
  std::vector<int64_t> ids;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t t = 0; t < length; ++t) {
      if (t == 0) ids.push_back(kCls);
      else if (t == length - 3) ids.push_back(kSep);
      else if (t > length - 3) ids.push_back(kPad);
      else ids.push_back(4 + (r * 7 + t) % (kVocab - 4));
    }
  return from_vector(ids, {rows, length});
}

TEST(MaskedLm, FollowsTheFifteenPercentAndEightyTenTenRule) {
  const Tensor tokens = sentences(400, 64);
  Generator generator(7);
  const models::MaskedTokens m = mask_tokens(tokens, bert_options(), generator);
  const auto original = tokens.to_vector<int64_t>();
  const auto inputs = m.inputs.to_vector<int64_t>();
  const auto labels = m.labels.to_vector<int64_t>();
  int64_t ordinary = 0, chosen = 0, masked = 0, replaced = 0, kept = 0;
  for (size_t i = 0; i < original.size(); ++i) {
    if (original[i] >= 4) ++ordinary;
    if (labels[i] == -100) {
      EXPECT_EQ(inputs[i], original[i]) << "position " << i << " was not chosen but changed";
      continue;
    }
    ++chosen;
    EXPECT_EQ(labels[i], original[i]) << "the label of a chosen position is its original token";
    if (inputs[i] == kMask) ++masked;
    else if (inputs[i] == original[i]) ++kept;
    else ++replaced;
  }
  // 400 * 60 ordinary tokens: the chosen fraction has a standard deviation of 0.0023, the
  // fractions among the ~3,600 chosen about 0.007 (mask) and 0.005 (the others); 4 sigma bounds.
  const double chosen_fraction = static_cast<double>(chosen) / static_cast<double>(ordinary);
  EXPECT_NEAR(chosen_fraction, 0.15, 0.01);
  const double n = static_cast<double>(chosen);
  EXPECT_NEAR(masked / n, 0.8, 0.03);
  // A random replacement equal to the original (1 in 20 ordinary ids) counts as kept.
  EXPECT_NEAR(replaced / n, 0.1 * 19.0 / 20.0, 0.02);
  EXPECT_NEAR(kept / n, 0.1 + 0.1 / 20.0, 0.02);
}

TEST(MaskedLm, LeavesSpecialTokensAloneAndNeverDrawsThem) {
  const Tensor tokens = sentences(200, 32);
  Generator generator(3);
  models::MaskingOptions o = bert_options();
  o.select_probability = 1.0;  // every ordinary token is chosen
  o.mask_fraction = 0.0;
  o.random_fraction = 1.0;     // and replaced by a random one
  const models::MaskedTokens m = mask_tokens(tokens, o, generator);
  const auto original = tokens.to_vector<int64_t>();
  const auto inputs = m.inputs.to_vector<int64_t>();
  const auto labels = m.labels.to_vector<int64_t>();
  for (size_t i = 0; i < original.size(); ++i) {
    if (original[i] < 4) {
      EXPECT_EQ(inputs[i], original[i]) << "special token changed at " << i;
      EXPECT_EQ(labels[i], -100) << "special token chosen at " << i;
    } else {
      EXPECT_EQ(labels[i], original[i]);
      EXPECT_GE(inputs[i], 4) << "a random replacement drew a special token at " << i;
      EXPECT_LT(inputs[i], kVocab);
    }
  }
}

TEST(MaskedLm, SameSeedSameCorruptionAndShapeKept) {
  const Tensor tokens = sentences(8, 16);
  Generator a(11), b(11), c(12);
  const models::MaskedTokens x = mask_tokens(tokens, bert_options(), a);
  const models::MaskedTokens y = mask_tokens(tokens, bert_options(), b);
  const models::MaskedTokens z = mask_tokens(tokens, bert_options(), c);
  EXPECT_EQ(x.inputs.shape(), (Shape{8, 16}));
  EXPECT_EQ(x.labels.dtype(), DType::i64);
  EXPECT_EQ(x.inputs.to_vector<int64_t>(), y.inputs.to_vector<int64_t>());
  EXPECT_EQ(x.labels.to_vector<int64_t>(), y.labels.to_vector<int64_t>());
  EXPECT_NE(x.labels.to_vector<int64_t>(), z.labels.to_vector<int64_t>());
}

TEST(MaskedLm, RejectsBadInput) {
  Generator g(0);
  EXPECT_THROW(mask_tokens(zeros({2, 3}), bert_options(), g), DTypeError);
  EXPECT_THROW(mask_tokens(from_vector(std::vector<int64_t>{1, 24}), bert_options(), g), IndexError);
  models::MaskingOptions o = bert_options();
  o.mask_fraction = 0.95;
  EXPECT_THROW(mask_tokens(sentences(1, 8), o, g), Error);
  o = bert_options();
  o.select_probability = 1.5;
  EXPECT_THROW(mask_tokens(sentences(1, 8), o, g), Error);
  o = bert_options();
  o.mask_id = 99;
  EXPECT_THROW(mask_tokens(sentences(1, 8), o, g), Error);
  o = bert_options();
  o.vocab_size = 4;  // only specials
  EXPECT_THROW(mask_tokens(from_vector(std::vector<int64_t>{1, 2}), o, g), Error);
}

}  // namespace
}  // namespace nabla::data
