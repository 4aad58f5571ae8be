// Beam search on hand-built scorers whose best sequence is known: width 1 is greedy, a wider beam
// finds the more probable sequence greedy misses, sequences that never end stop at max_length.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "nabla/error.h"
#include "nabla/models/beam_search.h"

namespace nabla::nn {
namespace {

constexpr int64_t kStart = 0, kEnd = 1, kA = 2, kB = 3;

// Next-token probabilities by prefix (the tokens after start); prefixes not listed end for sure.
// It keeps the prefixes itself, from the parents and tokens beam search hands it.
class TableScorer : public models::BeamScorer {
 public:
  explicit TableScorer(std::map<std::vector<int64_t>, std::vector<double>> table) : table_(std::move(table)) {}
  std::vector<std::vector<double>> next_log_probs(const std::vector<int64_t>& parents,
                                                  const std::vector<int64_t>& tokens) override {
    std::vector<std::vector<int64_t>> prefixes;
    for (size_t i = 0; i < parents.size(); ++i) {
      std::vector<int64_t> p = calls_ == 0 ? std::vector<int64_t>{} : prefixes_.at(static_cast<size_t>(parents[i]));
      if (calls_ > 0) p.push_back(tokens[i]);
      prefixes.push_back(p);
    }
    ++calls_;
    prefixes_ = prefixes;
    std::vector<std::vector<double>> rows;
    for (const auto& p : prefixes) {
      const auto found = table_.find(p);
      const std::vector<double> probs = found == table_.end() ? std::vector<double>{0, 1, 0, 0} : found->second;
      std::vector<double> row;
      for (double q : probs) row.push_back(std::log(q));
      rows.push_back(row);
    }
    return rows;
  }
  int64_t calls_ = 0;

 private:
  std::map<std::vector<int64_t>, std::vector<double>> table_;
  std::vector<std::vector<int64_t>> prefixes_;
};

// Greedy takes A (0.6) and then ends: 0.6 * 0.4 = 0.24. B, end has 0.4 * 0.9 = 0.36.
TableScorer greedy_trap() {
  return TableScorer({{{}, {0, 0, 0.6, 0.4}}, {{kA}, {0, 0.4, 0.3, 0.3}}, {{kB}, {0, 0.9, 0.05, 0.05}}});
}

TEST(BeamSearch, WidthOneIsGreedy) {
  TableScorer scorer = greedy_trap();
  const std::vector<models::Hypothesis> best = beam_search(scorer, kStart, kEnd, {.beam_width = 1});
  ASSERT_EQ(best.size(), 1u);
  EXPECT_EQ(best[0].tokens, (std::vector<int64_t>{kA, kEnd}));
  EXPECT_NEAR(best[0].log_prob, std::log(0.24), 1e-12);
  EXPECT_TRUE(best[0].finished);
}

TEST(BeamSearch, AWiderBeamFindsTheMoreProbableSequence) {
  TableScorer scorer = greedy_trap();
  const std::vector<models::Hypothesis> best = beam_search(scorer, kStart, kEnd, {.beam_width = 2});
  ASSERT_EQ(best.size(), 2u);
  EXPECT_EQ(best[0].tokens, (std::vector<int64_t>{kB, kEnd}));
  EXPECT_NEAR(best[0].log_prob, std::log(0.36), 1e-12);
  EXPECT_EQ(best[1].tokens, (std::vector<int64_t>{kA, kEnd}));
  EXPECT_NEAR(best[1].score, std::log(0.24), 1e-12);
  EXPECT_EQ(scorer.calls_, 2);  // both finished after two steps
}

TEST(BeamSearch, StopsOnceNothingLiveCanWin) {
  // A, end = 0.9 finishes at step 2; the live B, A (0.1 * 0.5) can never beat it: no third step.
  TableScorer scorer({{{}, {0, 0, 0.9, 0.1}}, {{kA}, {0, 1, 0, 0}}, {{kB}, {0, 0.5, 0.5, 0}}, {{kB, kA}, {0, 0, 1, 0}}});
  const std::vector<models::Hypothesis> best = beam_search(scorer, kStart, kEnd, {.beam_width = 3, .max_length = 10});
  EXPECT_EQ(best[0].tokens, (std::vector<int64_t>{kA, kEnd}));
  EXPECT_EQ(scorer.calls_, 2);
}

TEST(BeamSearch, SequencesThatNeverEndStopAtMaxLength) {
  TableScorer scorer({{{}, {0, 0, 1, 0}}, {{kA}, {0, 0, 1, 0}}, {{kA, kA}, {0, 0, 1, 0}}, {{kA, kA, kA}, {0, 0, 1, 0}}});
  const std::vector<models::Hypothesis> best = beam_search(scorer, kStart, kEnd, {.beam_width = 1, .max_length = 3});
  ASSERT_EQ(best.size(), 1u);
  EXPECT_EQ(best[0].tokens, (std::vector<int64_t>{kA, kA, kA}));
  EXPECT_FALSE(best[0].finished);
}

TEST(BeamSearch, LengthPenaltyFavoursLongerAnswers) {
  // end now: 0.5 (score log 0.5 / 1); A, end: 0.5 * 0.9 = 0.45 but divided by length 2.
  TableScorer plain({{{}, {0, 0.5, 0.5, 0}}, {{kA}, {0, 0.9, 0.1, 0}}});
  EXPECT_EQ(beam_search(plain, kStart, kEnd, {.beam_width = 2})[0].tokens, (std::vector<int64_t>{kEnd}));
  TableScorer normalised({{{}, {0, 0.5, 0.5, 0}}, {{kA}, {0, 0.9, 0.1, 0}}});
  const auto best = beam_search(normalised, kStart, kEnd, {.beam_width = 2, .length_penalty = 1});
  EXPECT_EQ(best[0].tokens, (std::vector<int64_t>{kA, kEnd}));
  EXPECT_NEAR(best[0].score, std::log(0.45) / 2, 1e-12);
}

TEST(BeamSearch, BadOptionsAreErrors) {
  TableScorer scorer = greedy_trap();
  EXPECT_THROW(beam_search(scorer, kStart, kEnd, {.beam_width = 0}), Error);
  EXPECT_THROW(beam_search(scorer, kStart, kEnd, {.max_length = 0}), Error);
}

}  // namespace
}  // namespace nabla::nn
