// Learning-rate schedules against PyTorch's sequences (tests/data/optim/make_fixture.py), and
// resuming a schedule from its saved state.
#include <gtest/gtest.h>

#include <cmath>

#include "nabla/optim/scheduler.h"
#include "optim/optim_fixture.h"

namespace nabla::optim {
namespace {

using test_fixture::expected;
using test_fixture::flat;

// One parameter, an optimizer at `lr`: the schedulers only touch the lr.
struct OneParam {
  Tensor param = zeros({1}).requires_grad_();
  SGD sgd;
  explicit OneParam(double lr) : sgd({param}, {.lr = lr}) {}
};

// lr after construction, then after each step, as make_fixture.py records it.
template <class Scheduler>
std::vector<double> lr_sequence(OneParam& setup, Scheduler& scheduler, size_t epochs) {
  std::vector<double> lrs{setup.sgd.lr()};
  for (size_t i = 0; i < epochs; ++i) {
    scheduler.step();
    lrs.push_back(setup.sgd.lr());
  }
  return lrs;
}

void expect_sequence(const std::vector<double>& got, const nlohmann::json& want_json) {
  const auto want = flat(want_json);
  ASSERT_EQ(got.size(), want.size());
  // PyTorch's chainable forms multiply step by step; ours are closed forms: same up to rounding.
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-14) << "epoch " << i;
}

const nlohmann::json& schedule(const char* name) { return expected()["schedulers"][name]; }

TEST(Schedulers, StepLRMatchesPyTorch) {
  OneParam s(0.1);
  StepLR scheduler(s.sgd, 3, 0.5);
  expect_sequence(lr_sequence(s, scheduler, 10), schedule("step_lr"));
}

TEST(Schedulers, ExponentialLRMatchesPyTorch) {
  OneParam s(0.1);
  ExponentialLR scheduler(s.sgd, 0.9);
  expect_sequence(lr_sequence(s, scheduler, 10), schedule("exponential_lr"));
}

TEST(Schedulers, CosineAnnealingLRMatchesPyTorchPastTMax) {
  OneParam s(0.1);
  CosineAnnealingLR scheduler(s.sgd, 5, 0.01);
  expect_sequence(lr_sequence(s, scheduler, 12), schedule("cosine_annealing_lr"));
}

TEST(Schedulers, LinearWarmupMatchesPyTorchLinearLR) {
  OneParam s(0.1);
  LinearWarmup scheduler(s.sgd, 4, 0.25);
  expect_sequence(lr_sequence(s, scheduler, 8), schedule("linear_lr"));
}

TEST(Schedulers, InverseTimeLRFollowsKerasFormula) {
  OneParam s(0.5);
  InverseTimeLR smooth(s.sgd, 0.5, 2);
  const auto lrs = lr_sequence(s, smooth, 4);
  for (size_t t = 0; t < lrs.size(); ++t) EXPECT_DOUBLE_EQ(lrs[t], 0.5 / (1 + 0.5 * t / 2.0));
  OneParam s2(0.5);
  InverseTimeLR stairs(s2.sgd, 0.5, 2, true);
  EXPECT_EQ(lr_sequence(s2, stairs, 4), (std::vector<double>{0.5, 0.5, 0.5 / 1.5, 0.5 / 1.5, 0.5 / 2}));
}

TEST(Schedulers, WarmupThenWrappedScheduleStartsItAtZero) {
  OneParam s(0.1);
  auto cosine = std::make_unique<CosineAnnealingLR>(s.sgd, 4, 0.0);
  LinearWarmup scheduler(s.sgd, 2, 0.0, std::move(cosine));
  const auto lrs = lr_sequence(s, scheduler, 6);
  const double pi = std::acos(-1.0);
  const std::vector<double> want{0.0, 0.05, 0.1, 0.05 * (1 + std::cos(pi / 4)), 0.05,
                                 0.05 * (1 + std::cos(3 * pi / 4)), 0.0};
  ASSERT_EQ(lrs.size(), want.size());
  for (size_t i = 0; i < lrs.size(); ++i) EXPECT_NEAR(lrs[i], want[i], 1e-15) << i;
}

// Every group follows the schedule from its own base rate, as PyTorch's initial_lr.
TEST(Schedulers, EachGroupFollowsTheScheduleFromItsOwnBase) {
  const auto& want = schedule("cosine_annealing_lr_groups");
  const auto base = flat(want["lrs"]);
  Tensor a = zeros({1}).requires_grad_(), b = zeros({1}).requires_grad_();
  SGD sgd({{.params = {a}, .lr = base[0]}, {.params = {b}, .lr = base[1]}});
  CosineAnnealingLR scheduler(sgd, 5, 0.01);
  EXPECT_EQ(scheduler.base_lrs(), base);
  std::vector<std::vector<double>> lrs(2);
  for (size_t epoch = 0; epoch <= 7; ++epoch) {
    if (epoch > 0) scheduler.step();
    for (size_t g = 0; g < 2; ++g) lrs[g].push_back(sgd.lr(g));
  }
  for (size_t g = 0; g < 2; ++g) expect_sequence(lrs[g], want["sequences"][g]);

  ReduceLROnPlateau plateau(sgd, {.factor = 0.5, .patience = 0});
  const double lr0 = sgd.lr(0), lr1 = sgd.lr(1);
  plateau.step(1.0);
  plateau.step(2.0);  // worse: both groups are halved
  EXPECT_EQ(sgd.lr(0), lr0 * 0.5);
  EXPECT_EQ(sgd.lr(1), lr1 * 0.5);
}

TEST(Schedulers, ReduceLROnPlateauMatchesPyTorchInMinAndMaxModes) {
  {
    OneParam s(0.1);
    ReduceLROnPlateau plateau(s.sgd, {.factor = 0.5, .patience = 2, .threshold = 0.05,
                                      .cooldown = 1, .min_lr = 0.02});
    std::vector<double> lrs{s.sgd.lr()};
    for (double m : flat(schedule("plateau_min")["metrics"])) {
      plateau.step(m);
      lrs.push_back(s.sgd.lr());
    }
    expect_sequence(lrs, schedule("plateau_min")["lrs"]);
  }
  {
    OneParam s(0.1);
    using Options = ReduceLROnPlateauOptions;
    ReduceLROnPlateau plateau(s.sgd, {.mode = Options::Mode::max, .factor = 0.1, .patience = 1,
                                      .threshold = 0.01, .threshold_mode = Options::ThresholdMode::abs});
    std::vector<double> lrs{s.sgd.lr()};
    for (double m : flat(schedule("plateau_max_abs")["metrics"])) {
      plateau.step(m);
      lrs.push_back(s.sgd.lr());
    }
    expect_sequence(lrs, schedule("plateau_max_abs")["lrs"]);
  }
}

// A schedule restored from its state (into a fresh scheduler over a fresh optimizer) continues
// exactly as the original does.
TEST(Schedulers, StateRoundTripContinuesTheSchedule) {
  OneParam original(0.1);
  LinearWarmup warm(original.sgd, 3, 0.1, std::make_unique<StepLR>(original.sgd, 2, 0.5));
  for (int i = 0; i < 4; ++i) warm.step();
  const SchedulerState saved = warm.state_dict();
  EXPECT_EQ(saved.at("last_epoch"), 4);
  EXPECT_TRUE(saved.count("after.base_lrs.0"));

  OneParam fresh(0.1);
  LinearWarmup resumed(fresh.sgd, 3, 0.1, std::make_unique<StepLR>(fresh.sgd, 2, 0.5));
  resumed.load_state_dict(saved);
  EXPECT_EQ(fresh.sgd.lr(), original.sgd.lr());
  for (int i = 0; i < 5; ++i) {
    warm.step();
    resumed.step();
    EXPECT_EQ(fresh.sgd.lr(), original.sgd.lr()) << i;
  }

  OneParam p(0.1), q(0.1);
  ReduceLROnPlateau a(p.sgd, {.patience = 1}), b(q.sgd, {.patience = 1});
  a.step(1.0);
  a.step(2.0);
  b.load_state_dict(a.state_dict());
  q.sgd.set_lr(p.sgd.lr());  // the lr itself travels with the optimizer's state
  for (double m : {3.0, 0.5, 0.6, 0.7}) {
    a.step(m);
    b.step(m);
    EXPECT_EQ(p.sgd.lr(), q.sgd.lr());
  }
  EXPECT_THROW(b.load_state_dict({{"best", 1.0}}), Error);
}

TEST(Schedulers, RejectBadArguments) {
  OneParam s(0.1);
  EXPECT_THROW(StepLR(s.sgd, 0), Error);
  EXPECT_THROW(CosineAnnealingLR(s.sgd, 0), Error);
  EXPECT_THROW(LinearWarmup(s.sgd, 0), Error);
  EXPECT_THROW(ReduceLROnPlateau(s.sgd, {.factor = 1.0}), Error);
}

}  // namespace
}  // namespace nabla::optim
