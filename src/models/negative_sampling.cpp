// Walker's alias table for unigram^0.75 negatives, and word2vec's reduced-window contexts.
#include "nabla/models/negative_sampling.h"

#include <cmath>
#include <string>

namespace nabla::models {

UnigramSampler::UnigramSampler(const std::vector<int64_t>& counts, double power) {
  if (!(power >= 0)) throw Error("UnigramSampler: power must be >= 0, got " + std::to_string(power));
  const size_t n = counts.size();
  probability_.resize(n);
  double total = 0;
  for (size_t i = 0; i < n; ++i) {
    if (counts[i] < 0)
      throw Error("UnigramSampler: negative count " + std::to_string(counts[i]) + " for id " + std::to_string(i));
    probability_[i] = counts[i] > 0 ? std::pow(static_cast<double>(counts[i]), power) : 0.0;
    total += probability_[i];
  }
  if (!(total > 0)) throw Error("UnigramSampler: all " + std::to_string(n) + " counts are zero");
  for (double& p : probability_) p /= total;

  // Vose: scale to mean 1, then pair each under-full column with an over-full one that tops it up.
  accept_.assign(n, 1.0);
  alias_.resize(n);
  std::vector<double> scaled(n);
  std::vector<size_t> small, large;
  for (size_t i = 0; i < n; ++i) {
    alias_[i] = static_cast<int64_t>(i);
    scaled[i] = probability_[i] * static_cast<double>(n);
    (scaled[i] < 1.0 ? small : large).push_back(i);
  }
  while (!small.empty() && !large.empty()) {
    const size_t s = small.back(), l = large.back();
    small.pop_back();
    accept_[s] = scaled[s];
    alias_[s] = static_cast<int64_t>(l);
    scaled[l] -= 1.0 - scaled[s];
    if (scaled[l] < 1.0) {
      large.pop_back();
      small.push_back(l);
    }
  }
  // What is left is full up to rounding: accept_ stays 1.
}

double UnigramSampler::probability(int64_t id) const {
  if (id < 0 || id >= size())
    throw IndexError("UnigramSampler: id " + std::to_string(id) + " outside [0, " + std::to_string(size()) + ")");
  return probability_[static_cast<size_t>(id)];
}

int64_t UnigramSampler::sample(Generator& generator) const {
  const size_t column = generator.below(probability_.size());
  return generator.uniform() < accept_[column] ? static_cast<int64_t>(column) : alias_[column];
}

Tensor UnigramSampler::sample(const Shape& shape, Generator& generator) const {
  Tensor out = Tensor::empty(shape, DType::i64);
  int64_t* data = out.data<int64_t>();
  for (int64_t i = 0; i < out.numel(); ++i) data[i] = sample(generator);
  return out;
}

ContextWindows::ContextWindows(int64_t window_) : window(window_), width(2 * window_) {
  if (window < 1) throw Error("ContextWindows: window must be at least 1, got " + std::to_string(window));
}

void ContextWindows::append(const std::vector<int64_t>& sentence, Generator& generator) {
  const int64_t n = static_cast<int64_t>(sentence.size());
  if (n < 2) return;
  for (int64_t t = 0; t < n; ++t) {
    const int64_t b = 1 + static_cast<int64_t>(generator.below(static_cast<uint64_t>(window)));
    centers.push_back(sentence[static_cast<size_t>(t)]);
    int64_t slot = 0;
    for (int64_t j = std::max<int64_t>(0, t - b); j <= std::min(n - 1, t + b); ++j) {
      if (j == t) continue;
      contexts.push_back(sentence[static_cast<size_t>(j)]);
      mask.push_back(1.0f);
      ++slot;
    }
    for (; slot < width; ++slot) {
      contexts.push_back(0);
      mask.push_back(0.0f);
    }
  }
}

void ContextWindows::pairs(std::vector<int64_t>& centers_out, std::vector<int64_t>& contexts_out) const {
  centers_out.clear();
  contexts_out.clear();
  for (int64_t r = 0; r < size(); ++r)
    for (int64_t s = 0; s < width; ++s)
      if (mask[static_cast<size_t>(r * width + s)] != 0) {
        centers_out.push_back(centers[static_cast<size_t>(r)]);
        contexts_out.push_back(contexts[static_cast<size_t>(r * width + s)]);
      }
}

}  // namespace nabla::models
