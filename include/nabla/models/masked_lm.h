// BERT's masked-language-model corruption (Devlin et al. 2019, section 3.1): a token is chosen for
// prediction with probability 15%; a chosen token is replaced by [MASK] 80% of the time, by a
// random ordinary token 10% of the time and left as it is the remaining 10%, so the model cannot
// learn that only [MASK] positions matter. The labels hold the original token at chosen positions
// and ignore_index everywhere else, which is what cross_entropy's ignore_index skips: the loss
// counts the chosen positions only.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(MODELS);
#include <cstdint>
#include <vector>

#include "nabla/random.h"
#include "nabla/tensor.h"

namespace nabla::models {

struct MaskingOptions {
  int64_t mask_id = 0;                // the [MASK] token
  int64_t vocab_size = 0;             // token ids are in [0, vocab_size)
  std::vector<int64_t> special_ids;   // never chosen and never drawn as a random token ([CLS], [SEP], [PAD], [MASK], ...)
  double select_probability = 0.15;   // chance that an ordinary token is chosen
  double mask_fraction = 0.8;         // of the chosen: replaced by [MASK]
  double random_fraction = 0.1;       // of the chosen: replaced by a random ordinary token (the rest stay)
  int64_t ignore_index = -100;        // label of the positions that are not chosen
};

struct MaskedTokens {
  Tensor inputs;  // i64, the shape of the tokens: the corrupted sequence the model reads
  Tensor labels;  // i64, the same shape: the original token where chosen, ignore_index elsewhere
};

// Corrupts i64 `tokens` of any shape with draws from `generator` (so a seeded generator gives the
// same corruption). The random replacement is drawn uniformly from the ordinary (non-special) ids,
// so it never produces a [PAD] or a second [CLS]. Throws DTypeError for non-i64 tokens and Error
// for probabilities outside [0, 1], fractions summing past 1, a mask id or token outside the
// vocabulary, or a vocabulary with no ordinary token.
MaskedTokens mask_tokens(const Tensor& tokens, const MaskingOptions& options, Generator& generator);

}  // namespace nabla::models
