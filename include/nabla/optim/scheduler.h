// Learning-rate schedules, stepped once per epoch (or per batch) after optimizer.step(), as
// torch.optim.lr_scheduler. Constructing a scheduler records each parameter group's current lr as
// its base rate (PyTorch's initial_lr) and sets the rates for epoch 0; each step() advances one
// epoch and sets every group's next rate from its own base.
//
// The epoch-driven schedules are closed-form functions lr_at(epoch, base) of the base rate, so a resumed
// run only needs the epoch counter back (state_dict) to continue exactly where it stopped, and a
// schedule can be wrapped (LinearWarmup) without the two fighting over the optimizer's lr.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(NN);
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "nabla/optim/optimizer.h"

namespace nabla::optim {

// Scheduler state: plain numbers by name ("last_epoch", "base_lrs.0", ...).
using SchedulerState = std::map<std::string, double>;

class LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  LRScheduler(const LRScheduler&) = delete;
  LRScheduler& operator=(const LRScheduler&) = delete;

  // Advances one epoch and sets each group's lr to lr_at(the new epoch, its base rate).
  void step();
  // The rate this schedule gives at `epoch` (0 = the rate right after construction) to a group
  // whose base rate is `base_lr`.
  virtual double lr_at(int64_t epoch, double base_lr) const = 0;
  // Group 0's current rate, the one a progress line shows.
  double last_lr() const { return optimizer_.lr(); }
  int64_t last_epoch() const { return last_epoch_; }
  // One per parameter group, in the optimizer's order.
  const std::vector<double>& base_lrs() const { return base_lrs_; }

  virtual SchedulerState state_dict() const;
  // Restores the epoch (and base rates) and sets the optimizer's rates to match.
  virtual void load_state_dict(const SchedulerState& state);

 protected:
  explicit LRScheduler(Optimizer& optimizer);
  // Sets every group's lr for the current epoch; subclass constructors call it once they are
  // fully built (a base constructor cannot call lr_at).
  void apply();

  Optimizer& optimizer_;
  std::vector<double> base_lrs_;
  int64_t last_epoch_ = 0;
};

// lr = base * gamma^(epoch / step_size)  (integer division)
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1);
  double lr_at(int64_t epoch, double base_lr) const override;

 private:
  int64_t step_size_;
  double gamma_;
};

// lr = base * gamma^epoch
class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(Optimizer& optimizer, double gamma);
  double lr_at(int64_t epoch, double base_lr) const override;

 private:
  double gamma_;
};

// lr = base / (1 + decay_rate * epoch / decay_steps), Keras' InverseTimeDecay; with staircase the
// quotient is floored.
class InverseTimeLR : public LRScheduler {
 public:
  InverseTimeLR(Optimizer& optimizer, double decay_rate, int64_t decay_steps = 1,
                bool staircase = false);
  double lr_at(int64_t epoch, double base_lr) const override;

 private:
  double decay_rate_;
  int64_t decay_steps_;
  bool staircase_;
};

// lr = eta_min + (base - eta_min) * (1 + cos(pi * epoch / T_max)) / 2 (PyTorch's closed form; past
// T_max the cosine continues, so the rate climbs back, as in PyTorch).
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min = 0);
  double lr_at(int64_t epoch, double base_lr) const override;

 private:
  int64_t t_max_;
  double eta_min_;
};

// A linear ramp from start_factor * base to base over warmup_steps epochs (PyTorch's LinearLR with
// end_factor 1), then either the base rate (standalone) or the wrapped schedule, started from its
// own epoch 0 when the warmup ends (the usual "warmup, then cosine" recipe).
class LinearWarmup : public LRScheduler {
 public:
  LinearWarmup(Optimizer& optimizer, int64_t warmup_steps, double start_factor = 0.0,
               std::unique_ptr<LRScheduler> after = nullptr);
  double lr_at(int64_t epoch, double base_lr) const override;
  SchedulerState state_dict() const override;
  void load_state_dict(const SchedulerState& state) override;

 private:
  int64_t warmup_steps_;
  double start_factor_;
  std::unique_ptr<LRScheduler> after_;
};

// Cuts every group's rate by `factor` (to no less than min_lr) once a monitored metric has stopped
// improving for `patience` epochs, as torch.optim.lr_scheduler.ReduceLROnPlateau. Not an epoch
// function, so not an LRScheduler.
struct ReduceLROnPlateauOptions {
  enum class Mode { min, max };
  enum class ThresholdMode { rel, abs };
  Mode mode = Mode::min;
  double factor = 0.1;
  int64_t patience = 10;
  double threshold = 1e-4;
  ThresholdMode threshold_mode = ThresholdMode::rel;
  int64_t cooldown = 0;
  double min_lr = 0;
  double eps = 1e-8;  // reductions smaller than this are skipped
};

class ReduceLROnPlateau {
 public:
  explicit ReduceLROnPlateau(Optimizer& optimizer, ReduceLROnPlateauOptions options = {});
  // One epoch's value of the monitored metric (validation loss, accuracy, ...).
  void step(double metric);
  double last_lr() const { return optimizer_.lr(); }
  double best() const { return best_; }
  int64_t num_bad_epochs() const { return num_bad_epochs_; }

  SchedulerState state_dict() const;
  void load_state_dict(const SchedulerState& state);

 private:
  bool is_better(double metric) const;

  Optimizer& optimizer_;
  ReduceLROnPlateauOptions options_;
  double best_;
  int64_t num_bad_epochs_ = 0;
  int64_t cooldown_counter_ = 0;
  int64_t last_epoch_ = 0;
};

}  // namespace nabla::optim
