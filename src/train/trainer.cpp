#include "nabla/train/trainer.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>

#include "nabla/autograd.h"
#include "nabla/io/safetensors.h"
#include "nabla/ops.h"
#include "nabla/random.h"
#include "nabla/train/checkpoint.h"
#include "nabla/train/csv_logger.h"
#include "nabla/train/progress.h"

namespace nabla::train {
namespace {

namespace fs = std::filesystem;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Running sums over the batches of one pass.
struct PassTotals {
  double loss_sum = 0;
  int64_t samples = 0, correct = 0;
  void add(const Tensor& output, const Tensor& target, double batch_loss, int64_t num_classes) {
    const int64_t n = target.dim() > 0 ? target.shape()[0] : 1;
    loss_sum += batch_loss * static_cast<double>(n);
    samples += n;
    if (num_classes > 0 && output.dim() == 2 && target.dtype() == DType::i64)
      correct += static_cast<int64_t>(sum(eq(argmax(output.detach(), 1), target)).item());
  }
  double loss() const { return samples ? loss_sum / static_cast<double>(samples) : NAN; }
  double accuracy() const { return samples ? static_cast<double>(correct) / static_cast<double>(samples) : NAN; }
};

}  // namespace

BatchSource batches_from(data::DataLoader& loader, std::optional<uint64_t> seed) {
  BatchSource source;
  source.batches = loader.num_batches();
  source.for_each = [&loader](const auto& visit) {
    for (const data::Batch& b : loader) visit(b.input, b.target);
  };
  if (seed)
    source.set_epoch = [&loader, seed](int64_t epoch) {
      loader.generator().seed(*seed * 1000003 + static_cast<uint64_t>(epoch));
    };
  return source;
}

Evaluation evaluate(nn::Module& model, const BatchSource& data, const LossFn& loss, int64_t num_classes) {
  NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  Evaluation result;
  result.confusion = ConfusionMatrix(std::max<int64_t>(num_classes, 1));
  PassTotals totals;
  data.for_each([&](const Tensor& x, const Tensor& y) {
    const Tensor out = model(x);
    totals.add(out, y, loss(out, y).item(), num_classes);
    if (num_classes > 0) result.confusion.add_scores(out, y);
  });
  model.train(was_training);
  result.loss = totals.loss();
  result.accuracy = totals.accuracy();
  return result;
}

Trainer::Trainer(nn::Module& model, optim::Optimizer& optimizer, LossFn loss, FitOptions options)
    : model_(model),
      optimizer_(optimizer),
      loss_(std::move(loss)),
      options_(std::move(options)),
      stopping_(EarlyStopping::Options{options_.patience, 0, EarlyStopping::Mode::min}) {}

void Trainer::save_state(int64_t epochs_done, const FitResult& result) const {
  Checkpoint c;
  c.model = model_.state_dict();
  c.optimizer = optimizer_.state_dict();
  if (scheduler_) c.scheduler = scheduler_->state_dict();
  c.training = {{"epochs_done", std::to_string(epochs_done)},
                {"generator", default_generator().state()},
                {"best_validation_loss", exact_decimal(stopping_.state().best)},
                {"best_epoch", std::to_string(result.best_epoch)},
                {"epochs_validated", std::to_string(stopping_.state().epochs_seen)},
                {"epochs_without_improvement", std::to_string(stopping_.state().epochs_without_improvement)}};
  save_checkpoint((fs::path(options_.out_dir) / "checkpoint.safetensors").string(), c);
}

int64_t Trainer::restore_state(FitResult& result) {
  const std::string path = (fs::path(options_.out_dir) / "checkpoint.safetensors").string();
  if (!fs::exists(path)) throw IOError(path + ": no checkpoint to resume from");
  const Checkpoint c = load_checkpoint(path);
  model_.load_state_dict(c.model);
  optimizer_.load_state_dict(c.optimizer);
  if (scheduler_) scheduler_->load_state_dict(c.scheduler);
  auto field = [&](const char* key) {
    const auto it = c.training.find(key);
    if (it == c.training.end()) throw IOError(path + ": checkpoint lacks training." + key);
    return it->second;
  };
  default_generator().set_state(field("generator"));
  result.best_epoch = std::stoll(field("best_epoch"));
  stopping_.load_state({std::stod(field("best_validation_loss")), result.best_epoch - 1,
                        std::stoll(field("epochs_validated")), std::stoll(field("epochs_without_improvement"))});
  const fs::path csv = fs::path(options_.out_dir) / "metrics.csv";
  if (fs::exists(csv)) result.history = read_learning_history(csv);
  return std::stoll(field("epochs_done"));
}

FitResult Trainer::fit(const BatchSource& train, const BatchSource* validation) {
  FitResult result;
  const bool writes = !options_.out_dir.empty();
  if (writes) fs::create_directories(options_.out_dir);
  int64_t first_epoch = 0;
  if (options_.resume) first_epoch = restore_state(result);
  std::optional<CsvLogger> log;
  if (writes)
    log.emplace(fs::path(options_.out_dir) / "metrics.csv",
                options_.resume ? CsvLogger::Mode::append : CsvLogger::Mode::overwrite);

  for (int64_t epoch = first_epoch; epoch < options_.epochs; ++epoch) {
    model_.train();
    if (train.set_epoch) train.set_epoch(epoch);
    const auto start = std::chrono::steady_clock::now();
    PassTotals totals;
    {
      ProgressOptions po;
      po.description = "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(options_.epochs);
      std::optional<ProgressBar> bar;
      if (options_.progress) bar.emplace(train.batches, std::cerr, po);
      train.for_each([&](const Tensor& x, const Tensor& y) {
        optimizer_.zero_grad();
        const Tensor out = model_(x);
        const Tensor loss = loss_(out, y);
        loss.backward();
        optimizer_.step();
        const double value = loss.item();
        if (!std::isfinite(value))
          throw Error("training diverged: the loss became " + std::to_string(value) + " in epoch " +
                      std::to_string(epoch + 1) + "; try a smaller learning rate");
        totals.add(out, y, value, options_.num_classes);
        if (bar) bar->step(y.dim() > 0 ? y.shape()[0] : 1, value);
      });
    }
    const double seconds = seconds_since(start);
    result.epoch_seconds.push_back(seconds);
    result.train_seconds += seconds;

    Evaluation val;
    val.loss = val.accuracy = NAN;
    if (validation) val = evaluate(model_, *validation, loss_, options_.num_classes);
    const double accuracy = options_.num_classes > 0 ? totals.accuracy() : NAN;
    result.history.add_epoch(static_cast<double>(epoch + 1), totals.loss(), val.loss, accuracy, val.accuracy);
    result.epochs_run = epoch + 1;

    const bool improved = validation && stopping_.update(val.loss);
    if (improved) result.best_epoch = epoch + 1;
    const double lr_used = optimizer_.lr();
    if (scheduler_) scheduler_->step();

    if (writes) {
      log->write({{"epoch", epoch + 1}, {"train_loss", totals.loss()}, {"train_accuracy", accuracy},
                  {"val_loss", val.loss}, {"val_accuracy", val.accuracy}, {"lr", lr_used}, {"seconds", seconds}});
      write_learning_curves(fs::path(options_.out_dir) / "curves.svg", result.history);
      if (improved)
        io::save_safetensors((fs::path(options_.out_dir) / "best.safetensors").string(), model_.state_dict(),
                             options_.model_metadata);
      save_state(epoch + 1, result);
    }
    std::cerr << "epoch " << epoch + 1 << ": train loss " << totals.loss();
    if (options_.num_classes > 0) std::cerr << ", accuracy " << accuracy;
    if (validation) std::cerr << "; validation loss " << val.loss << ", accuracy " << val.accuracy;
    std::cerr << " (" << seconds << " s)\n";

    if (validation && options_.patience > 0 && stopping_.should_stop()) {
      result.stopped_early = true;
      std::cerr << "early stop: validation loss has not improved for " << options_.patience << " epochs\n";
      break;
    }
  }
  return result;
}

}  // namespace nabla::train
