#include "nabla/models/beam_search.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "nabla/error.h"

namespace nabla::models {
namespace {

struct Candidate {
  int64_t parent, token;
  double log_prob;
};

double length_normalised(double log_prob, size_t length, double penalty) {
  return penalty == 0 ? log_prob : log_prob / std::pow(static_cast<double>(length), penalty);
}

}  // namespace

std::vector<Hypothesis> beam_search(BeamScorer& scorer, int64_t start_token, int64_t end_token,
                                    const BeamSearchOptions& options) {
  if (options.beam_width < 1 || options.max_length < 1)
    throw Error("beam_search: beam width " + std::to_string(options.beam_width) + " and max length " +
                std::to_string(options.max_length) + " should be at least 1");
  const auto width = static_cast<size_t>(options.beam_width);
  std::vector<Hypothesis> live{Hypothesis{}}, finished;
  std::vector<int64_t> parents{0}, tokens{start_token};

  for (int64_t step = 0; step < options.max_length && !live.empty(); ++step) {
    const std::vector<std::vector<double>> rows = scorer.next_log_probs(parents, tokens);
    if (rows.size() != live.size())
      throw ShapeError("beam_search: the scorer gave " + std::to_string(rows.size()) + " rows for " +
                       std::to_string(live.size()) + " hypotheses");
    std::vector<Candidate> candidates;
    for (size_t h = 0; h < rows.size(); ++h) {
      if (rows[h].size() != rows[0].size() || rows[h].empty())
        throw ShapeError("beam_search: the scorer's rows should be non-empty and of one length, got " +
                         std::to_string(rows[0].size()) + " and " + std::to_string(rows[h].size()));
      for (size_t t = 0; t < rows[h].size(); ++t)
        candidates.push_back({static_cast<int64_t>(h), static_cast<int64_t>(t), live[h].log_prob + rows[h][t]});
    }
    // Best first; a stable sort keeps (hypothesis, token) order among ties, so width 1 picks the
    // lowest token id, as argmax does.
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const Candidate& a, const Candidate& b) { return a.log_prob > b.log_prob; });

    // The best `width` candidates decide: those that end are finished, the others live on. Only
    // live candidates refill the beam beyond them, so it never shrinks while hypotheses remain.
    std::vector<Hypothesis> next;
    parents.clear();
    tokens.clear();
    for (size_t rank = 0; rank < candidates.size() && next.size() < width; ++rank) {
      const Candidate& c = candidates[rank];
      Hypothesis grown = live[static_cast<size_t>(c.parent)];
      grown.tokens.push_back(c.token);
      grown.log_prob = c.log_prob;
      grown.score = length_normalised(c.log_prob, grown.tokens.size(), options.length_penalty);
      if (c.token == end_token) {
        if (rank < width) {
          grown.finished = true;
          finished.push_back(std::move(grown));
        }
        continue;
      }
      next.push_back(std::move(grown));
      parents.push_back(c.parent);
      tokens.push_back(c.token);
    }
    live = std::move(next);

    if (finished.size() >= width) break;
    if (options.length_penalty == 0 && !finished.empty() && !live.empty()) {
      double best_finished = -std::numeric_limits<double>::infinity();
      for (const Hypothesis& f : finished) best_finished = std::max(best_finished, f.score);
      // live is sorted best first: log-probabilities only fall from here on.
      if (live.front().log_prob <= best_finished) break;
    }
  }

  // Hypotheses cut off by max_length count as answers too, when nothing better ended.
  if (finished.size() < width)
    for (Hypothesis& h : live) finished.push_back(std::move(h));
  std::stable_sort(finished.begin(), finished.end(),
                   [](const Hypothesis& a, const Hypothesis& b) { return a.score > b.score; });
  if (finished.size() > width) finished.resize(width);
  return finished;
}

}  // namespace nabla::models
