// BERT's 15% / 80-10-10 masking rule; see include/nabla/data/masked_lm.h.
#include "nabla/models/masked_lm.h"

#include <algorithm>
#include <string>

#include "nabla/error.h"

namespace nabla::models {
namespace {

void check_options(const MaskingOptions& o) {
  auto probability = [](double p, const char* what) {
    if (!(p >= 0 && p <= 1))
      throw Error(std::string("mask_tokens: ") + what + " must be in [0, 1], got " + std::to_string(p));
  };
  probability(o.select_probability, "select_probability");
  probability(o.mask_fraction, "mask_fraction");
  probability(o.random_fraction, "random_fraction");
  if (o.mask_fraction + o.random_fraction > 1 + 1e-12)
    throw Error("mask_tokens: mask_fraction + random_fraction must not exceed 1, got " +
                std::to_string(o.mask_fraction + o.random_fraction));
  if (o.mask_id < 0 || o.mask_id >= o.vocab_size)
    throw Error("mask_tokens: mask id " + std::to_string(o.mask_id) + " is outside the vocabulary of " +
                std::to_string(o.vocab_size) + " tokens");
}

}  // namespace

MaskedTokens mask_tokens(const Tensor& tokens, const MaskingOptions& options, Generator& generator) {
  if (tokens.dtype() != DType::i64)
    throw DTypeError("mask_tokens: tokens must be i64, got " + std::string(to_string(tokens.dtype())));
  check_options(options);
  std::vector<bool> is_special(static_cast<size_t>(options.vocab_size), false);
  for (int64_t id : options.special_ids)
    if (id >= 0 && id < options.vocab_size) is_special[static_cast<size_t>(id)] = true;
  is_special[static_cast<size_t>(options.mask_id)] = true;
  std::vector<int64_t> ordinary;
  for (int64_t id = 0; id < options.vocab_size; ++id)
    if (!is_special[static_cast<size_t>(id)]) ordinary.push_back(id);
  if (ordinary.empty()) throw Error("mask_tokens: the vocabulary has no ordinary (non-special) token");

  std::vector<int64_t> inputs = tokens.to_vector<int64_t>();
  std::vector<int64_t> labels(inputs.size(), options.ignore_index);
  for (size_t i = 0; i < inputs.size(); ++i) {
    const int64_t token = inputs[i];
    if (token < 0 || token >= options.vocab_size)
      throw IndexError("mask_tokens: token " + std::to_string(token) + " at position " + std::to_string(i) +
                       " is outside the vocabulary of " + std::to_string(options.vocab_size) + " tokens");
    if (is_special[static_cast<size_t>(token)]) continue;
    if (generator.uniform() >= options.select_probability) continue;
    labels[i] = token;
    // One draw decides among the three replacements, so the split is exactly 80-10-10 in
    // expectation whatever the select probability.
    const double u = generator.uniform();
    if (u < options.mask_fraction)
      inputs[i] = options.mask_id;
    else if (u < options.mask_fraction + options.random_fraction)
      inputs[i] = ordinary[generator.below(ordinary.size())];
  }
  return {from_vector(inputs, tokens.shape()), from_vector(labels, tokens.shape())};
}

}  // namespace nabla::models
