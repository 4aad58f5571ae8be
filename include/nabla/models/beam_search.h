// Beam search over the tokens of a decoder: keeps the `beam_width` most probable prefixes at every
// step instead of the single best one (greedy decoding, which beam width 1 reproduces exactly).
//
// The search does not know the model. It asks a BeamScorer for the log-probabilities of the next
// token of each live hypothesis, telling it which hypothesis of the previous step each one extends
// and by which token, so a model can carry its recurrent state along by gathering rows (see
// Seq2seq's scorer in nn/seq2seq.h) instead of re-reading the prefixes.
//
// Length handling: a hypothesis ends when it emits `end_token`; it is then finished and scored by
// its total log-probability divided by length^length_penalty, its length counting the end token
// (length_penalty 0, the default, ranks by probability alone; larger values favour longer
// answers, as Wu et al. 2016 normalise lengths). Hypotheses that reach max_length tokens without
// ending are finished where they stand. The search stops when every beam has finished, when
// max_length is reached, when beam_width hypotheses have finished, or - with length_penalty 0,
// where a score can only fall as a hypothesis grows - when no live hypothesis can still beat the
// best finished one. Ties between equal scores go to the lower token id, as argmax's do.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(MODELS);
#include <cstdint>
#include <vector>

namespace nabla::models {

class BeamScorer {
 public:
  virtual ~BeamScorer() = default;
  // One row of next-token log-probabilities per live hypothesis (all rows of equal length, the
  // vocabulary). Hypothesis i extends hypothesis parents[i] of the previous call by tokens[i]; the
  // first call has a single hypothesis, parents {0}, tokens {start_token}.
  virtual std::vector<std::vector<double>> next_log_probs(const std::vector<int64_t>& parents,
                                                          const std::vector<int64_t>& tokens) = 0;
};

struct BeamSearchOptions {
  int64_t beam_width = 4;
  int64_t max_length = 32;  // tokens generated, the end token included
  double length_penalty = 0;
};

struct Hypothesis {
  std::vector<int64_t> tokens;  // generated tokens, without the start token, with the end token if any
  double log_prob = 0;          // their summed log-probabilities
  double score = 0;             // log_prob / length^length_penalty: what hypotheses are ranked by
  bool finished = false;        // ended with the end token
};

// The best hypotheses, best first: those that ended and, when fewer than beam_width did, the live
// ones the search stopped with (finished == false); at most beam_width. Throws Error for
// a beam width or max length below 1 and ShapeError for rows of the wrong count or uneven length.
std::vector<Hypothesis> beam_search(BeamScorer& scorer, int64_t start_token, int64_t end_token,
                                    const BeamSearchOptions& options = {});

}  // namespace nabla::models
