// The training examples of word2vec (Mikolov et al. 2013): each word with the words around it,
// and the "noise" words drawn for negative sampling from the unigram distribution raised to the
// 3/4 power, which gives rare words more chances than their frequency alone would.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(MODELS);
#include <cstdint>
#include <vector>

#include "nabla/random.h"
#include "nabla/tensor.h"

namespace nabla::models {

// Draws ids with probability proportional to count^power in O(1) per draw (Walker's alias method,
// built with Vose's algorithm): a uniform column, then a biased coin between the column's own id
// and its alias.
class UnigramSampler {
 public:
  // Throws Error for a negative count, power < 0, or counts that are all zero.
  explicit UnigramSampler(const std::vector<int64_t>& counts, double power = 0.75);
  int64_t size() const { return static_cast<int64_t>(probability_.size()); }
  // The probability of drawing `id` (count^power normalised).
  double probability(int64_t id) const;
  int64_t sample(Generator& generator) const;
  // An i64 tensor of independent draws.
  Tensor sample(const Shape& shape, Generator& generator) const;

 private:
  std::vector<double> probability_;
  std::vector<double> accept_;    // chance of keeping the column's own id
  std::vector<int64_t> alias_;    // the id drawn otherwise
};

// Centre words and their contexts, as word2vec's C code takes them: at each position a window b
// is drawn uniformly from 1..window (so nearer words are used more often), and the context is the
// b words on either side within the sentence. Rows are `width` = 2 * window slots wide; unused
// slots hold id 0 and mask 0. A position with no neighbour (a one-word sentence) gives no row.
// Skip-gram uses every (centre, context) pair of a row; CBOW averages the row.
struct ContextWindows {
  explicit ContextWindows(int64_t window);
  int64_t window, width;
  std::vector<int64_t> centers;   // [n]
  std::vector<int64_t> contexts;  // [n, width] row-major
  std::vector<float> mask;        // [n, width]: 1 where the slot holds a context word
  int64_t size() const { return static_cast<int64_t>(centers.size()); }
  // Adds one row per position of `sentence`.
  void append(const std::vector<int64_t>& sentence, Generator& generator);
  // Every (centre, context) pair, for skip-gram.
  void pairs(std::vector<int64_t>& centers_out, std::vector<int64_t>& contexts_out) const;
};

}  // namespace nabla::models
