// BLEU (Papineni et al., 2002): how much of a set of machine outputs is found in reference
// answers, by n-gram overlap. The corpus form the papers report, not an average of sentence
// scores:
//
//   p_n  = sum over sentences of clipped n-gram matches / sum of candidate n-grams   (n = 1..N)
//          (a candidate n-gram counts at most as often as it occurs in any one reference)
//   BP   = 1 if c > r, else exp(1 - r / c)    c: total candidate length, r: the sum over
//          sentences of the reference length closest to the candidate's (the shorter on a tie)
//   BLEU = BP * exp(sum_n log(p_n) / N)       0 when some p_n is 0 (no smoothing)
//
// Tokens are strings; corpus_bleu_chars scores each character as a token, which is what the
// character-level seq2seq tasks (dates, addition) use.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(MODELS);
#include <cstdint>
#include <string>
#include <vector>

namespace nabla::models {

using Tokens = std::vector<std::string>;

struct BleuScore {
  double bleu = 0;
  std::vector<double> precisions;  // p_1 .. p_N
  double brevity_penalty = 0;
  int64_t candidate_length = 0, reference_length = 0;  // c and r
};

// One candidate per sentence and one or more references for each. Throws Error when the counts
// differ, a sentence has no reference, or max_order < 1. An empty corpus scores 0.
BleuScore corpus_bleu(const std::vector<Tokens>& candidates, const std::vector<std::vector<Tokens>>& references,
                      int64_t max_order = 4);

// Characters as tokens, one reference per sentence.
BleuScore corpus_bleu_chars(const std::vector<std::string>& candidates, const std::vector<std::string>& references,
                            int64_t max_order = 4);

}  // namespace nabla::models
