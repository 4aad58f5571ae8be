#include "nabla/optim/scheduler.h"

#include <cmath>
#include <limits>
#include <numbers>

namespace nabla::optim {
namespace {

double required(const SchedulerState& state, const std::string& key, const char* who) {
  const auto it = state.find(key);
  if (it == state.end()) throw Error(std::string(who) + ".load_state_dict: no entry '" + key + "'");
  return it->second;
}

void require_positive(int64_t value, const char* what, const char* who) {
  if (value <= 0) throw Error(std::string(who) + ": " + what + " must be positive, got " + std::to_string(value));
}

}  // namespace

// ---- LRScheduler --------------------------------------------------------------------------------------

LRScheduler::LRScheduler(Optimizer& optimizer) : optimizer_(optimizer) {
  for (size_t g = 0; g < optimizer.num_groups(); ++g) base_lrs_.push_back(optimizer.lr(g));
}

void LRScheduler::apply() {
  for (size_t g = 0; g < base_lrs_.size(); ++g) optimizer_.set_lr(g, lr_at(last_epoch_, base_lrs_[g]));
}

void LRScheduler::step() {
  ++last_epoch_;
  apply();
}

SchedulerState LRScheduler::state_dict() const {
  SchedulerState state{{"last_epoch", static_cast<double>(last_epoch_)}};
  for (size_t g = 0; g < base_lrs_.size(); ++g) state["base_lrs." + std::to_string(g)] = base_lrs_[g];
  return state;
}

void LRScheduler::load_state_dict(const SchedulerState& state) {
  const int64_t last_epoch = static_cast<int64_t>(required(state, "last_epoch", "LRScheduler"));
  std::vector<double> base_lrs;
  for (size_t g = 0; g < base_lrs_.size(); ++g)
    base_lrs.push_back(required(state, "base_lrs." + std::to_string(g), "LRScheduler"));
  last_epoch_ = last_epoch;
  base_lrs_ = std::move(base_lrs);
  apply();
}

// ---- closed-form schedules ---------------------------------------------------------------------------------

StepLR::StepLR(Optimizer& optimizer, int64_t step_size, double gamma)
    : LRScheduler(optimizer), step_size_(step_size), gamma_(gamma) {
  require_positive(step_size, "step_size", "StepLR");
  apply();
}

double StepLR::lr_at(int64_t epoch, double base_lr) const {
  return base_lr * std::pow(gamma_, static_cast<double>(epoch / step_size_));
}

ExponentialLR::ExponentialLR(Optimizer& optimizer, double gamma) : LRScheduler(optimizer), gamma_(gamma) {
  apply();
}

double ExponentialLR::lr_at(int64_t epoch, double base_lr) const {
  return base_lr * std::pow(gamma_, static_cast<double>(epoch));
}

InverseTimeLR::InverseTimeLR(Optimizer& optimizer, double decay_rate, int64_t decay_steps, bool staircase)
    : LRScheduler(optimizer), decay_rate_(decay_rate), decay_steps_(decay_steps), staircase_(staircase) {
  require_positive(decay_steps, "decay_steps", "InverseTimeLR");
  if (!(decay_rate >= 0)) throw Error("InverseTimeLR: decay_rate must be >= 0, got " + std::to_string(decay_rate));
  apply();
}

double InverseTimeLR::lr_at(int64_t epoch, double base_lr) const {
  double t = static_cast<double>(epoch) / static_cast<double>(decay_steps_);
  if (staircase_) t = std::floor(t);
  return base_lr / (1 + decay_rate_ * t);
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min)
    : LRScheduler(optimizer), t_max_(T_max), eta_min_(eta_min) {
  require_positive(T_max, "T_max", "CosineAnnealingLR");
  apply();
}

double CosineAnnealingLR::lr_at(int64_t epoch, double base_lr) const {
  const double phase = std::numbers::pi * static_cast<double>(epoch) / static_cast<double>(t_max_);
  return eta_min_ + (base_lr - eta_min_) * (1 + std::cos(phase)) / 2;
}

// ---- LinearWarmup ---------------------------------------------------------------------------------------------

LinearWarmup::LinearWarmup(Optimizer& optimizer, int64_t warmup_steps, double start_factor,
                           std::unique_ptr<LRScheduler> after)
    : LRScheduler(optimizer), warmup_steps_(warmup_steps), start_factor_(start_factor),
      after_(std::move(after)) {
  require_positive(warmup_steps, "warmup_steps", "LinearWarmup");
  if (!(start_factor >= 0 && start_factor <= 1))
    throw Error("LinearWarmup: start_factor must lie in [0, 1], got " + std::to_string(start_factor));
  // The wrapped schedule set the optimizer's lr to its own epoch-0 rate; ramp up to its base.
  if (after_) base_lrs_ = after_->base_lrs();
  apply();
}

double LinearWarmup::lr_at(int64_t epoch, double base_lr) const {
  if (epoch < warmup_steps_) {
    const double progress = static_cast<double>(epoch) / static_cast<double>(warmup_steps_);
    return base_lr * (start_factor_ + (1 - start_factor_) * progress);
  }
  return after_ ? after_->lr_at(epoch - warmup_steps_, base_lr) : base_lr;
}

SchedulerState LinearWarmup::state_dict() const {
  SchedulerState state = LRScheduler::state_dict();
  if (after_)
    for (const auto& [key, value] : after_->state_dict()) state["after." + key] = value;
  return state;
}

void LinearWarmup::load_state_dict(const SchedulerState& state) {
  if (after_) {
    // Restore the wrapped schedule's base first; then ours decides the optimizer's lr.
    SchedulerState inner;
    for (const auto& [key, value] : state)
      if (key.rfind("after.", 0) == 0) inner[key.substr(6)] = value;
    after_->load_state_dict(inner);
  }
  LRScheduler::load_state_dict(state);
}

// ---- ReduceLROnPlateau -----------------------------------------------------------------------------------------

ReduceLROnPlateau::ReduceLROnPlateau(Optimizer& optimizer, ReduceLROnPlateauOptions options)
    : optimizer_(optimizer), options_(options) {
  if (!(options.factor < 1 && options.factor >= 0))
    throw Error("ReduceLROnPlateau: factor must lie in [0, 1), got " + std::to_string(options.factor));
  if (options.patience < 0 || options.cooldown < 0)
    throw Error("ReduceLROnPlateau: patience and cooldown must be >= 0");
  best_ = options.mode == ReduceLROnPlateauOptions::Mode::min ? std::numeric_limits<double>::infinity()
                                                              : -std::numeric_limits<double>::infinity();
}

bool ReduceLROnPlateau::is_better(double metric) const {
  using M = ReduceLROnPlateauOptions::Mode;
  using TM = ReduceLROnPlateauOptions::ThresholdMode;
  const double t = options_.threshold;
  if (options_.mode == M::min)
    return options_.threshold_mode == TM::rel ? metric < best_ * (1 - t) : metric < best_ - t;
  return options_.threshold_mode == TM::rel ? metric > best_ * (1 + t) : metric > best_ + t;
}

void ReduceLROnPlateau::step(double metric) {
  ++last_epoch_;
  if (is_better(metric)) {
    best_ = metric;
    num_bad_epochs_ = 0;
  } else {
    ++num_bad_epochs_;
  }
  if (cooldown_counter_ > 0) {
    // Epochs right after a cut do not count against the new rate.
    --cooldown_counter_;
    num_bad_epochs_ = 0;
  }
  if (num_bad_epochs_ > options_.patience) {
    for (size_t g = 0; g < optimizer_.num_groups(); ++g) {
      const double old_lr = optimizer_.lr(g);
      const double new_lr = std::max(old_lr * options_.factor, options_.min_lr);
      if (old_lr - new_lr > options_.eps) optimizer_.set_lr(g, new_lr);
    }
    cooldown_counter_ = options_.cooldown;
    num_bad_epochs_ = 0;
  }
}

SchedulerState ReduceLROnPlateau::state_dict() const {
  return {{"best", best_},
          {"num_bad_epochs", static_cast<double>(num_bad_epochs_)},
          {"cooldown_counter", static_cast<double>(cooldown_counter_)},
          {"last_epoch", static_cast<double>(last_epoch_)}};
}

void ReduceLROnPlateau::load_state_dict(const SchedulerState& state) {
  const char* who = "ReduceLROnPlateau";
  best_ = required(state, "best", who);
  num_bad_epochs_ = static_cast<int64_t>(required(state, "num_bad_epochs", who));
  cooldown_counter_ = static_cast<int64_t>(required(state, "cooldown_counter", who));
  last_epoch_ = static_cast<int64_t>(required(state, "last_epoch", who));
}

}  // namespace nabla::optim
