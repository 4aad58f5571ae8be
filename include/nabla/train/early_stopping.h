// Early stopping: watch one validation number per epoch, remember the best, and say when it has
// not improved for `patience` epochs in a row.
//
//   EarlyStopping stopper({.patience = 5, .min_delta = 1e-4, .mode = EarlyStopping::Mode::min});
//   for (int epoch = 1; ; ++epoch) {
//     double val_loss = ...;
//     if (stopper.update(val_loss)) save_checkpoint("best.ckpt");  // a new best
//     if (stopper.should_stop()) break;
//   }
//
// The rule is Keras's: a value improves on the best only if it beats it by more than min_delta
// (a plateau of tiny gains counts as no progress), an improvement resets the count of bad epochs,
// and training stops once that count reaches patience. A NaN never improves anything, so a
// diverged run stops instead of being stuck "best" forever.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(TRAIN);
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "nabla/error.h"

namespace nabla::train {

class EarlyStopping {
 public:
  enum class Mode {
    min,  // lower is better (losses)
    max,  // higher is better (accuracies)
  };
  struct Options {
    int64_t patience = 5;   // epochs without improvement tolerated before stopping
    double min_delta = 0;   // the smallest change that counts as an improvement
    Mode mode = Mode::min;
  };
  // Everything needed to resume a run exactly, e.g. from a checkpoint.
  struct State {
    double best = 0;
    int64_t best_epoch = -1;  // the 0-based index of the update that set `best`; -1 before any
    int64_t epochs_seen = 0;
    int64_t epochs_without_improvement = 0;
  };

  // (Two constructors rather than `Options options = {}`: g++ rejects a default argument of a
  // nested type with member initialisers.)
  EarlyStopping() : EarlyStopping(Options{}) {}
  explicit EarlyStopping(Options options) : options_(options) {
    if (options_.patience < 0) {
      throw Error("EarlyStopping: patience must be >= 0, got " + std::to_string(options_.patience));
    }
    if (!(options_.min_delta >= 0)) {
      throw Error("EarlyStopping: min_delta must be >= 0, got " +
                  std::to_string(options_.min_delta));
    }
    reset();
  }

  // Records one epoch's value. Returns true when it is a new best (the moment to save the best
  // checkpoint).
  bool update(double value) {
    last_improved_ = is_improvement(value);
    if (last_improved_) {
      state_.best = value;
      state_.best_epoch = state_.epochs_seen;
      state_.epochs_without_improvement = 0;
    } else {
      ++state_.epochs_without_improvement;
    }
    ++state_.epochs_seen;
    return last_improved_;
  }

  // Whether `value` would be a new best, without recording it.
  bool is_improvement(double value) const {
    if (std::isnan(value)) return false;
    return options_.mode == Mode::min ? value < state_.best - options_.min_delta
                                      : value > state_.best + options_.min_delta;
  }

  // True once `patience` epochs in a row brought no improvement (with patience 0: at the first
  // epoch that does not improve; an improving epoch never stops).
  bool should_stop() const {
    return state_.epochs_without_improvement > 0 &&
           state_.epochs_without_improvement >= options_.patience;
  }
  // Whether the last update() was a new best.
  bool improved() const { return last_improved_; }
  // The best value so far: +inf (mode min) or -inf (mode max) before any update.
  double best() const { return state_.best; }
  int64_t best_epoch() const { return state_.best_epoch; }
  int64_t epochs_without_improvement() const { return state_.epochs_without_improvement; }
  const Options& options() const { return options_; }

  const State& state() const { return state_; }
  void load_state(const State& state) {
    state_ = state;
    last_improved_ = false;
  }
  void reset() {
    const double worst = std::numeric_limits<double>::infinity();
    state_ = State{options_.mode == Mode::min ? worst : -worst, -1, 0, 0};
    last_improved_ = false;
  }

 private:
  Options options_;
  State state_;
  bool last_improved_ = false;
};

}  // namespace nabla::train
