// One seeded generator per process: same seed, same threads, same results.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(CORE);
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace nabla {

class Generator {
 public:
  explicit Generator(uint64_t seed = 0) : engine_(seed) {}
  void seed(uint64_t seed) { engine_.seed(seed); }
  uint64_t next_u64() { return engine_(); }
  double uniform();  // [0, 1), 53 random bits
  double normal();   // standard normal (Box-Muller, both values used)
  // Uniform integer in [0, n).
  uint64_t below(uint64_t n);
  // The full state as text, so a checkpoint can restore it exactly.
  std::string state() const;
  void set_state(const std::string& state);

 private:
  std::mt19937_64 engine_;
  bool has_spare_normal_ = false;
  double spare_normal_ = 0;
};

// Fisher-Yates from the back with `generator`, as numpy's permutation: the same order on every
// standard library (std::shuffle's algorithm is left to the library).
template <class T>
void shuffle(std::vector<T>& values, Generator& generator) {
  for (size_t i = values.size(); i > 1; --i) std::swap(values[i - 1], values[generator.below(i)]);
}

// The process-wide generator used by randn, rand, dropout, shuffling, ...
Generator& default_generator();
void manual_seed(uint64_t seed);

}  // namespace nabla
