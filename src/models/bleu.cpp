#include "nabla/models/bleu.h"

#include <cmath>
#include <cstdlib>
#include <map>

#include "nabla/error.h"

namespace nabla::models {
namespace {

using NgramCounts = std::map<Tokens, int64_t>;

NgramCounts count_ngrams(const Tokens& tokens, size_t n) {
  NgramCounts counts;
  for (size_t i = 0; i + n <= tokens.size(); ++i) ++counts[Tokens(tokens.begin() + i, tokens.begin() + i + n)];
  return counts;
}

// The reference length closest to the candidate's; the shorter one on a tie.
int64_t closest_reference_length(const std::vector<Tokens>& references, int64_t candidate_length) {
  int64_t best = static_cast<int64_t>(references.front().size());
  for (const Tokens& r : references) {
    const auto length = static_cast<int64_t>(r.size());
    const int64_t distance = std::abs(length - candidate_length), best_distance = std::abs(best - candidate_length);
    if (distance < best_distance || (distance == best_distance && length < best)) best = length;
  }
  return best;
}

}  // namespace

BleuScore corpus_bleu(const std::vector<Tokens>& candidates, const std::vector<std::vector<Tokens>>& references,
                      int64_t max_order) {
  if (max_order < 1) throw Error("corpus_bleu: max_order " + std::to_string(max_order) + " should be at least 1");
  if (candidates.size() != references.size())
    throw Error("corpus_bleu: " + std::to_string(candidates.size()) + " candidates but " +
                std::to_string(references.size()) + " reference lists");
  const auto order = static_cast<size_t>(max_order);
  std::vector<int64_t> matches(order, 0), totals(order, 0);
  BleuScore score;
  for (size_t s = 0; s < candidates.size(); ++s) {
    if (references[s].empty()) throw Error("corpus_bleu: sentence " + std::to_string(s) + " has no reference");
    const Tokens& candidate = candidates[s];
    score.candidate_length += static_cast<int64_t>(candidate.size());
    score.reference_length += closest_reference_length(references[s], static_cast<int64_t>(candidate.size()));
    for (size_t n = 1; n <= order; ++n) {
      // Clipping: an n-gram is credited at most as often as the most generous reference has it.
      NgramCounts most_in_a_reference;
      for (const Tokens& r : references[s])
        for (const auto& [ngram, count] : count_ngrams(r, n))
          most_in_a_reference[ngram] = std::max(most_in_a_reference[ngram], count);
      for (const auto& [ngram, count] : count_ngrams(candidate, n)) {
        const auto found = most_in_a_reference.find(ngram);
        if (found != most_in_a_reference.end()) matches[n - 1] += std::min(count, found->second);
        totals[n - 1] += count;
      }
    }
  }
  double log_mean = 0;
  bool some_zero = false;
  for (size_t n = 0; n < order; ++n) {
    const double p = totals[n] == 0 ? 0.0 : static_cast<double>(matches[n]) / static_cast<double>(totals[n]);
    score.precisions.push_back(p);
    if (p == 0) some_zero = true;
    else log_mean += std::log(p) / static_cast<double>(order);
  }
  const auto c = static_cast<double>(score.candidate_length), r = static_cast<double>(score.reference_length);
  score.brevity_penalty = c == 0 ? 0.0 : c > r ? 1.0 : std::exp(1.0 - r / c);
  score.bleu = some_zero ? 0.0 : score.brevity_penalty * std::exp(log_mean);
  return score;
}

BleuScore corpus_bleu_chars(const std::vector<std::string>& candidates, const std::vector<std::string>& references,
                            int64_t max_order) {
  auto characters = [](const std::string& text) {
    Tokens out;
    for (char ch : text) out.emplace_back(1, ch);
    return out;
  };
  if (candidates.size() != references.size())
    throw Error("corpus_bleu_chars: " + std::to_string(candidates.size()) + " candidates but " +
                std::to_string(references.size()) + " references");
  std::vector<Tokens> c;
  std::vector<std::vector<Tokens>> r;
  for (size_t i = 0; i < candidates.size(); ++i) {
    c.push_back(characters(candidates[i]));
    r.push_back({characters(references[i])});
  }
  return corpus_bleu(c, r, max_order);
}

}  // namespace nabla::models
