// Corpus BLEU on values worked out by hand: the paper's clipping example, a 4-gram score with the
// brevity penalty, pooling over sentences (not averaging), zero precision, errors.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "nabla/error.h"
#include "nabla/models/bleu.h"

namespace nabla::train {
namespace {

models::Tokens words(const std::string& text) {
  std::istringstream in(text);
  models::Tokens out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

TEST(Bleu, IdenticalSentencesScoreOne) {
  const models::BleuScore s = models::corpus_bleu({words("the cat sat on the mat")}, {{words("the cat sat on the mat")}});
  EXPECT_DOUBLE_EQ(s.bleu, 1.0);
  EXPECT_DOUBLE_EQ(s.brevity_penalty, 1.0);
  EXPECT_EQ(s.precisions, (std::vector<double>{1, 1, 1, 1}));
  EXPECT_DOUBLE_EQ(models::corpus_bleu_chars({"1994-09-27"}, {"1994-09-27"}).bleu, 1.0);
}

TEST(Bleu, ClipsCountsAsThePaperDoes) {
  // Papineni et al. 2002, section 2.1: "the" is credited at most twice (reference 1 has it twice).
  const models::BleuScore s = models::corpus_bleu({words("the the the the the the the")},
                                  {{words("the cat is on the mat"), words("there is a cat on the mat")}}, 1);
  EXPECT_DOUBLE_EQ(s.precisions[0], 2.0 / 7);
  EXPECT_EQ(s.candidate_length, 7);
  EXPECT_EQ(s.reference_length, 7);  // the closer of 6 and 7
  EXPECT_DOUBLE_EQ(s.bleu, 2.0 / 7);
}

TEST(Bleu, FourGramsWithTheBrevityPenalty) {
  // candidate a b c d e f, reference a b c d x f g: matches 5/6, 3/5, 2/4, 1/3; c = 6 < r = 7.
  const models::BleuScore s = models::corpus_bleu({words("a b c d e f")}, {{words("a b c d x f g")}});
  EXPECT_DOUBLE_EQ(s.precisions[0], 5.0 / 6);
  EXPECT_DOUBLE_EQ(s.precisions[1], 3.0 / 5);
  EXPECT_DOUBLE_EQ(s.precisions[2], 2.0 / 4);
  EXPECT_DOUBLE_EQ(s.precisions[3], 1.0 / 3);
  EXPECT_DOUBLE_EQ(s.brevity_penalty, std::exp(1 - 7.0 / 6));
  EXPECT_NEAR(s.bleu, std::exp(1 - 7.0 / 6) * std::pow(1.0 / 12, 0.25), 1e-12);
  EXPECT_NEAR(s.bleu, 0.454802, 1e-6);
}

TEST(Bleu, PoolsCountsOverTheCorpus) {
  // Sentence 2 alone has no bigram match (BLEU 0), but the corpus pools: p = 5/6, 3/4, 2/2, 1/1.
  const models::BleuScore s = models::corpus_bleu({words("a b c d"), words("x y")}, {{words("a b c d")}, {words("x z")}});
  EXPECT_DOUBLE_EQ(s.precisions[1], 3.0 / 4);
  EXPECT_NEAR(s.bleu, std::pow(5.0 / 6 * 3.0 / 4, 0.25), 1e-12);
  EXPECT_DOUBLE_EQ(models::corpus_bleu({words("x y")}, {{words("x z")}}).bleu, 0.0);
  // Longer candidates are not penalised; the reference length is the closest, shorter on a tie.
  const models::BleuScore tie = models::corpus_bleu({words("a b c d e")}, {{words("a b c d"), words("a b c d e f")}});
  EXPECT_EQ(tie.reference_length, 4);
  EXPECT_DOUBLE_EQ(tie.brevity_penalty, 1.0);
}

TEST(Bleu, BadInputIsAnError) {
  EXPECT_THROW(models::corpus_bleu({words("a")}, {}), Error);
  EXPECT_THROW(models::corpus_bleu({words("a")}, {{}}), Error);
  EXPECT_THROW(models::corpus_bleu({words("a")}, {{words("a")}}, 0), Error);
  EXPECT_THROW(models::corpus_bleu_chars({"a", "b"}, {"a"}), Error);
  EXPECT_DOUBLE_EQ(models::corpus_bleu({}, {}).bleu, 0.0);
}

}  // namespace
}  // namespace nabla::train
