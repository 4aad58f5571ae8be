// The Trainer over a batch type of its own (not a DataLoader's): a least-squares fit of
// y = 3 x - 1 from shuffled mini-batches. Exact resume with the shuffling generator in the
// checkpoint, per-step schedules, gradient clipping, early stopping on a metric of the caller's, and
// Ctrl-C: a checkpoint after the step in progress and a resume from the middle of an epoch.
#include <gtest/gtest.h>

#include <csignal>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>

#include "nabla/functional.h"
#include "nabla/nabla.h"
#include "nabla/nn/layers.h"
#include "nabla/optim/optimizer.h"
#include "nabla/optim/scheduler.h"
#include "nabla/train/interrupt.h"
#include "nabla/train/trainer.h"

using namespace nabla;
namespace fs = std::filesystem;

namespace {

struct Pairs {  // a batch: inputs [n, 1] and targets [n, 1]
  Tensor x, y;
};

// 64 points of y = 3x - 1 in batches of 16, in an order drawn from `generator` each epoch.
struct LineData {
  Tensor x = arange(0, 64, 1, DType::f64).reshape({64, 1}) / 32.0 - 1.0;
  Tensor y = x * 3.0 - 1.0;
  Generator generator{11};

  train::Batches<Pairs> batches() {
    train::Batches<Pairs> b;
    b.count = 4;
    b.generator = &generator;
    b.for_each = [this](int64_t, const std::function<void(const Pairs&)>& visit) {
      std::vector<int64_t> order(64);
      std::iota(order.begin(), order.end(), int64_t{0});
      shuffle(order, generator);
      for (int64_t begin = 0; begin < 64; begin += 16) {
        const Tensor rows = from_vector(std::vector<int64_t>(order.begin() + begin, order.begin() + begin + 16));
        visit({index_select(x, 0, rows), index_select(y, 0, rows)});
      }
    };
    return b;
  }
};

const train::Step<Pairs> kSquaredError = [](nn::Module& model, const Pairs& b) -> train::StepResult {
  return {F::mse_loss(model(b.x), b.y), b.x.size(0)};
};

std::shared_ptr<nn::Linear> line_model() {
  manual_seed(3);
  auto model = std::make_shared<nn::Linear>(1, 1);
  model->to(DType::f64);
  return model;
}

std::string temp_dir(const char* name) {
  const fs::path dir = fs::temp_directory_path() / name;
  fs::remove_all(dir);
  return dir.string();
}

// Trains `epochs` epochs of SGD with a per-step warmup, resuming from `dir` when asked; the model
// described by `metadata` to the Trainer.
train::FitResult fit_line(const std::string& dir, int64_t epochs, bool resume, nn::StateDict* weights = nullptr,
                          const std::map<std::string, std::string>& metadata = {}) {
  auto model = line_model();
  LineData data;
  optim::SGD sgd(model->parameters(), {.lr = 0.1});
  optim::LinearWarmup warmup(sgd, 6, 0.25);
  train::Trainer trainer(*model, sgd, {.epochs = epochs, .out_dir = dir, .resume = resume, .progress = false,
                                       .report = [](const train::EpochRecord&) {}, .model_metadata = metadata});
  trainer.set_scheduler(&warmup, train::Trainer::ScheduleEvery::step);
  train::FitResult result = trainer.fit(data.batches(), kSquaredError);
  if (weights) *weights = model->state_dict();
  return result;
}

}  // namespace

TEST(Trainer, FitsALineFromBatchesOfItsOwnType) {
  const train::FitResult result = fit_line(temp_dir("nabla_trainer_fit"), 30, false);
  ASSERT_EQ(result.epochs.size(), 30u);
  EXPECT_GT(result.epochs.front().train_loss, 1.0);
  EXPECT_LT(result.epochs.back().train_loss, 1e-3);
  EXPECT_TRUE(std::isnan(result.epochs.back().train_accuracy));  // no step counted correct samples
}

TEST(Trainer, SchedulesPerStepAndLogsTheRateOfTheEpochsLastStep) {
  const train::FitResult result = fit_line(temp_dir("nabla_trainer_warmup"), 2, false);
  // 4 steps an epoch, warmup over 6 steps from 0.25 * 0.1: the first epoch's last step (the 4th)
  // runs at 0.1 * (0.25 + 0.75 * 3 / 6) = 0.0625, the second epoch's at the full 0.1.
  EXPECT_DOUBLE_EQ(result.epochs[0].lr, 0.0625);
  EXPECT_DOUBLE_EQ(result.epochs[1].lr, 0.1);
}

TEST(Trainer, ResumedRunMatchesAnUninterruptedOneWithItsShuffleGeneratorRestored) {
  nn::StateDict straight, resumed;
  fit_line(temp_dir("nabla_trainer_straight"), 5, false, &straight);
  const std::string dir = temp_dir("nabla_trainer_resumed");
  fit_line(dir, 2, false);
  const train::FitResult result = fit_line(dir, 5, true, &resumed);
  EXPECT_EQ(result.epochs_run, 5);
  ASSERT_EQ(result.epochs.size(), 5u);  // the first two read back from metrics.csv
  EXPECT_EQ(result.epochs[0].epoch, 1);
  ASSERT_EQ(straight.size(), resumed.size());
  for (size_t i = 0; i < straight.size(); ++i)
    EXPECT_EQ(straight[i].second.to_vector<double>(), resumed[i].second.to_vector<double>()) << straight[i].first;
}

TEST(Trainer, ClipsTheGradientNormBeforeEachUpdate) {
  auto model = line_model();
  const std::vector<double> before = model->weight.to_vector<double>();
  const double bias_before = model->bias.item();
  LineData data;
  optim::SGD sgd(model->parameters(), {.lr = 1.0});
  train::Batches<Pairs> one_batch = data.batches();
  one_batch.count = 1;
  one_batch.for_each = [&](int64_t, const std::function<void(const Pairs&)>& visit) { visit({data.x, data.y}); };
  train::Trainer trainer(*model, sgd, {.epochs = 1, .progress = false, .clip_grad_norm = 0.01,
                                       .report = [](const train::EpochRecord&) {}});
  trainer.fit(one_batch, kSquaredError);
  const double dw = model->weight.to_vector<double>()[0] - before[0], db = model->bias.item() - bias_before;
  // lr 1 times the clipped norm (clip_grad_norm_ divides by the norm + 1e-6, as PyTorch's)
  EXPECT_NEAR(std::sqrt(dw * dw + db * db), 0.01, 1e-7);
}

TEST(Trainer, StopsEarlyOnTheCallersMetricAndKeepsTheBestEpoch) {
  auto model = line_model();
  LineData data;
  optim::SGD sgd(model->parameters(), {.lr = 0.1});
  int64_t calls = 0;
  const std::vector<double> scores{0.5, 0.9, 0.8, 0.7, 0.6, 0.5};  // best after epoch 2
  train::FitOptions options{.epochs = 6, .progress = false, .monitor = "val_score",
                            .monitor_mode = train::EarlyStopping::Mode::max, .patience = 2,
                            .validate = [&](nn::Module& m) -> train::Metrics {
                              EXPECT_FALSE(m.is_training());  // validation runs in eval mode
                              EXPECT_FALSE(is_grad_enabled());
                              return {{"val_score", scores[static_cast<size_t>(calls++)]}};
                            },
                            .report = [](const train::EpochRecord&) {}};
  train::Trainer trainer(*model, sgd, options);
  const train::FitResult result = trainer.fit(data.batches(), kSquaredError);
  EXPECT_TRUE(result.stopped_early);
  EXPECT_EQ(result.epochs_run, 4);  // epochs 3 and 4 did not beat 0.9
  EXPECT_EQ(result.best_epoch, 2);
  EXPECT_DOUBLE_EQ(result.epochs[1].metric("val_score"), 0.9);
  EXPECT_TRUE(std::isnan(result.epochs[1].metric("val_loss")));  // no validation pass was given
}

TEST(Trainer, RefusesToResumeWithoutACheckpoint) {
  EXPECT_THROW(fit_line(temp_dir("nabla_trainer_nothing"), 2, true), IOError);
}

TEST(Trainer, RefusesToResumeTheCheckpointOfAnotherModelSayingWhoseItIs) {
  const std::string dir = temp_dir("nabla_trainer_other_model");
  const std::map<std::string, std::string> line = {{"kind", "line"}, {"width", "1"}};
  fit_line(dir, 1, false, nullptr, line);
  try {
    fit_line(dir, 2, true, nullptr, {{"kind", "curve"}, {"width", "1"}});
    ADD_FAILURE() << "resumed the checkpoint of another model";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), (fs::path(dir) / "checkpoint.safetensors").string() +
                                         ": this checkpoint belongs to another model: kind line (this run: "
                                         "curve); resume with the options it was trained with");
  }
  EXPECT_EQ(fit_line(dir, 2, true, nullptr, line).epochs_run, 2);  // the same model resumes
}

// ---- Ctrl-C: the first SIGINT stops after the step in progress, with a checkpoint ----------------

namespace {

// fit_line with noise drawn into each batch's targets as it is made and dropout on the prediction:
// both draw from the default generator, so a mid-epoch resume, which replays the batches before
// the stop, must put it back as it was after the last step done. A real SIGINT is raised during
// step `interrupt_at` (1-based, counted over the run; 0: none).
train::FitResult fit_noisy_line(const std::string& dir, int64_t epochs, bool resume, int64_t interrupt_at,
                                nn::StateDict* weights = nullptr) {
  auto model = line_model();
  LineData data;
  optim::SGD sgd(model->parameters(), {.lr = 0.1, .momentum = 0.9});
  int64_t steps = 0;
  const train::Step<Pairs> step = [&](nn::Module& m, const Pairs& b) -> train::StepResult {
    if (++steps == interrupt_at) std::raise(SIGINT);
    return {F::mse_loss(F::dropout(m(b.x), 0.2), b.y), b.x.size(0)};
  };
  train::Trainer trainer(*model, sgd, {.epochs = epochs, .out_dir = dir, .resume = resume, .progress = false,
                                       .log_every = 3, .report = [](const train::EpochRecord&) {}});
  train::Batches<Pairs> noisy = data.batches();
  noisy.for_each = [clean = noisy.for_each](int64_t epoch, const std::function<void(const Pairs&)>& visit) {
    clean(epoch, [&](const Pairs& b) { visit({b.x, b.y + randn(b.y.shape(), DType::f64) * 0.01}); });
  };
  train::FitResult result = trainer.fit(noisy, step);
  if (weights) *weights = model->state_dict();
  return result;
}

std::vector<nlohmann::json> read_events(const std::string& dir) {
  std::ifstream in(fs::path(dir) / "events.jsonl");
  std::vector<nlohmann::json> events;
  for (std::string line; std::getline(in, line);) events.push_back(nlohmann::json::parse(line));
  return events;
}

void expect_same_weights(const nn::StateDict& a, const nn::StateDict& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_EQ(a[i].second.to_vector<double>(), b[i].second.to_vector<double>()) << a[i].first;
}

}  // namespace

TEST(TrainerInterrupt, StopsAfterTheStepAndResumesMidEpochBitForBit) {
  nn::StateDict straight, resumed;
  const train::FitResult reference = fit_noisy_line(temp_dir("nabla_interrupt_straight"), 3, false, 0, &straight);
  const std::string dir = temp_dir("nabla_interrupt_resumed");
  try {
    fit_noisy_line(dir, 3, false, 6);  // epoch 2, batch 2 of 4
    FAIL() << "no Interrupted";
  } catch (const train::Interrupted& e) {
    EXPECT_NE(std::string(e.what()).find("interrupted in epoch 2/3 after batch 2 of 4"), std::string::npos) << e.what();
    EXPECT_EQ(e.checkpoint(), (fs::path(dir) / "checkpoint.safetensors").string());
    EXPECT_TRUE(fs::exists(e.checkpoint()));
  }
  const train::FitResult result = fit_noisy_line(dir, 3, true, 0, &resumed);
  expect_same_weights(straight, resumed);
  ASSERT_EQ(result.epochs.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(result.epochs[i].train_loss, reference.epochs[i].train_loss) << i;
}

TEST(TrainerInterrupt, AnInterruptInTheFirstEpochLeavesARunThatResumes) {
  nn::StateDict straight, resumed;
  fit_noisy_line(temp_dir("nabla_interrupt_first_straight"), 2, false, 0, &straight);
  const std::string dir = temp_dir("nabla_interrupt_first");
  EXPECT_THROW(fit_noisy_line(dir, 2, false, 1), train::Interrupted);
  fit_noisy_line(dir, 2, true, 0, &resumed);
  expect_same_weights(straight, resumed);
}

TEST(TrainerInterrupt, TheEventLogFollowsTheRunAcrossTheInterrupt) {
  const std::string dir = temp_dir("nabla_interrupt_events");
  EXPECT_THROW(fit_noisy_line(dir, 2, false, 5), train::Interrupted);
  fit_noisy_line(dir, 2, true, 0);
  std::vector<std::string> kinds;
  for (const auto& e : read_events(dir)) {
    kinds.push_back(e["event"]);
    EXPECT_TRUE(e["time"].is_number()) << e.dump();
  }
  // 8 steps with a line every 3rd: steps 3 before the stop at step 5, then 6 after the resume.
  EXPECT_EQ(kinds, (std::vector<std::string>{"start", "step", "epoch", "interrupted", "start", "step", "epoch", "done"}));
  const auto events = read_events(dir);
  EXPECT_EQ(events[1]["step"], 3);
  EXPECT_EQ(events[3]["epoch"], 2);
  EXPECT_EQ(events[3]["batch"], 1);
  EXPECT_EQ(events[4]["first_epoch"], 2);
  EXPECT_EQ(events[4]["first_batch"], 2);
  EXPECT_EQ(events[5]["step"], 6);
  EXPECT_EQ(events[7]["epochs_run"], 2);
}

TEST(TrainerInterrupt, WithoutAnOutputDirectoryItSaysNothingWasSaved) {
  try {
    fit_noisy_line("", 2, false, 2);
    FAIL() << "no Interrupted";
  } catch (const train::Interrupted& e) {
    EXPECT_NE(std::string(e.what()).find("nothing was saved"), std::string::npos) << e.what();
    EXPECT_EQ(e.checkpoint(), "");
  }
}

TEST(TrainerInterrupt, TheHandlerLivesOnlyDuringFitAndASecondCtrlCQuitsAtOnce) {
  struct sigaction before {}, after {};
  sigaction(SIGINT, nullptr, &before);
  fit_noisy_line(temp_dir("nabla_interrupt_restored"), 1, false, 0);
  sigaction(SIGINT, nullptr, &after);
  EXPECT_EQ(before.sa_handler, after.sa_handler);
  EXPECT_EXIT(
      {
        train::InterruptGuard guard;
        std::raise(SIGINT);  // asks to stop, and says so
        if (!train::InterruptGuard::requested()) std::exit(1);
        std::raise(SIGINT);  // ends the process
        std::exit(2);
      },
      ::testing::KilledBySignal(SIGINT), "Ctrl-C again to quit at once");
}
