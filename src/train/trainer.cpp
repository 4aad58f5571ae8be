#include "nabla/train/trainer.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "nabla/autograd.h"
#include "nabla/io/safetensors.h"
#include "nabla/ops.h"
#include "nabla/optim/clip.h"
#include "nabla/train/checkpoint.h"
#include "nabla/train/csv_logger.h"
#include "nabla/train/interrupt.h"
#include "nabla/train/progress.h"

namespace nabla::train {
namespace {

namespace fs = std::filesystem;

constexpr double kMissing = LearningHistory::kMissing;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Running sums over the batches of one pass.
struct PassTotals {
  double value_sum = 0;
  int64_t samples = 0, correct = 0;
  bool counts_correct = false;
  void add(const StepResult& r, double value) {
    value_sum += value * static_cast<double>(r.samples);
    samples += r.samples;
    if (r.correct) {
      counts_correct = true;
      correct += *r.correct;
    }
  }
  double mean() const { return samples ? value_sum / static_cast<double>(samples) : kMissing; }
  double accuracy() const {
    return counts_correct && samples ? static_cast<double>(correct) / static_cast<double>(samples) : kMissing;
  }
};

int64_t leading_size(const Tensor& t) { return t.dim() > 0 ? t.shape()[0] : 1; }

// The default report: "epoch 2/5: train loss 0.41, accuracy 0.85; validation loss 0.39,
// accuracy 0.86 (12.3 s)".
void report_on_stderr(const EpochRecord& r) {
  std::ostringstream line;
  line << "epoch " << r.epoch << "/" << r.epochs << ": train loss " << r.train_loss;
  if (!std::isnan(r.train_accuracy)) line << ", accuracy " << r.train_accuracy;
  const char* separator = "; validation ";
  for (const auto& [name, value] : r.validation) {
    line << separator << (name.rfind("val_", 0) == 0 ? name.substr(4) : name) << " " << value;
    separator = ", ";
  }
  line << " (" << r.seconds << " s)\n";
  std::cerr << line.str();
}

// The epoch's figures by name, as both logs show them.
EventFields epoch_fields(const EpochRecord& r) {
  EventFields fields{{"epoch", static_cast<double>(r.epoch)}, {"train_loss", r.train_loss}};
  if (!std::isnan(r.train_accuracy)) fields.emplace_back("train_accuracy", r.train_accuracy);
  for (const auto& [name, value] : r.validation) fields.emplace_back(name, value);
  fields.emplace_back("lr", r.lr);
  fields.emplace_back("seconds", r.seconds);
  return fields;
}

CsvRow csv_row(const EpochRecord& r) {
  CsvRow row;
  for (const auto& [name, value] : epoch_fields(r)) {
    if (name == "epoch") row.emplace_back(name, r.epoch);  // an integer column
    else row.emplace_back(name, value);
  }
  return row;
}

// The records of the epochs before a resume, from the log they were written to.
std::vector<EpochRecord> read_records(const fs::path& csv, int64_t epochs) {
  std::vector<EpochRecord> records;
  if (!fs::exists(csv)) return records;
  const CsvTable table = read_csv(csv);
  for (const auto& cells : table.rows) {
    EpochRecord r;
    r.epochs = epochs;
    for (size_t i = 0; i < table.columns.size() && i < cells.size(); ++i) {
      const std::string& name = table.columns[i];
      const double value = cells[i].empty() ? kMissing : std::strtod(cells[i].c_str(), nullptr);
      if (name == "epoch") r.epoch = static_cast<int64_t>(value);
      else if (name == "train_loss") r.train_loss = value;
      else if (name == "train_accuracy") r.train_accuracy = value;
      else if (name == "lr") r.lr = value;
      else if (name == "seconds") r.seconds = value;
      else r.validation.emplace_back(name, value);
    }
    records.push_back(std::move(r));
  }
  return records;
}

void add_to_history(LearningHistory& history, const EpochRecord& r) {
  history.add_epoch(static_cast<double>(r.epoch), r.train_loss, r.metric("val_loss"), r.train_accuracy,
                    r.metric("val_accuracy"));
}

}  // namespace

double EpochRecord::metric(const std::string& name) const {
  for (const auto& [key, value] : validation)
    if (key == name) return value;
  return kMissing;
}

Batches<data::Batch> batches_from(data::DataLoader& loader, std::optional<uint64_t> seed) {
  Batches<data::Batch> batches;
  batches.count = loader.num_batches();
  batches.for_each = [&loader, seed](int64_t epoch, const std::function<void(const data::Batch&)>& visit) {
    if (seed) loader.generator().seed(*seed * 1000003 + static_cast<uint64_t>(epoch));
    for (const data::Batch& b : loader) visit(b);
  };
  return batches;
}

Step<data::Batch> classification_step(LossFn loss) {
  return [loss = std::move(loss)](nn::Module& model, const data::Batch& batch) {
    const Tensor output = model(batch.input);
    StepResult r{loss(output, batch.target), leading_size(batch.target)};
    if (output.dim() == 2 && batch.target.dtype() == DType::i64)
      r.correct = static_cast<int64_t>(sum(eq(argmax(output.detach(), 1), batch.target)).item());
    return r;
  };
}

Evaluation evaluate(nn::Module& model, const Batches<data::Batch>& data, const LossFn& loss, int64_t num_classes) {
  NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  Evaluation result;
  result.confusion = ConfusionMatrix(std::max<int64_t>(num_classes, 1));
  double loss_sum = 0;
  int64_t samples = 0;
  data.for_each(0, [&](const data::Batch& b) {
    const Tensor output = model(b.input);
    const int64_t n = leading_size(b.target);
    loss_sum += loss(output, b.target).item() * static_cast<double>(n);
    samples += n;
    if (num_classes > 0) result.confusion.add_scores(output, b.target);
  });
  model.train(was_training);
  result.loss = samples ? loss_sum / static_cast<double>(samples) : kMissing;
  result.accuracy = num_classes > 0 ? result.confusion.accuracy() : kMissing;
  return result;
}

Trainer::Trainer(nn::Module& model, optim::Optimizer& optimizer, FitOptions options)
    : model_(model),
      optimizer_(optimizer),
      options_(std::move(options)),
      stopping_(EarlyStopping::Options{options_.patience, 0, options_.monitor_mode}) {
  if (!options_.report) options_.report = report_on_stderr;
}

namespace {
// Thrown out of a pass's for_each to leave it after the step in progress.
struct StopAfterStep {};
}  // namespace

std::optional<EpochRecord> Trainer::train_epoch(const Pass& train, int64_t epoch,
                                                std::optional<PartialEpoch>& partial) {
  model_.train();
  EpochRecord record;
  record.epoch = epoch + 1;
  record.epochs = options_.epochs;
  const auto start = std::chrono::steady_clock::now();
  const std::string data_generator_at_start = train.generator ? train.generator->state() : "";
  // A resumed epoch replays its first `skip` batches without stepping; the generator the steps
  // draw from (dropout) is put back as it was after the last of them.
  PassTotals totals;
  int64_t skip = 0;
  double seconds_before = 0;
  const std::string generator_after_skip = default_generator().state();
  if (partial) {
    totals = {partial->value_sum, partial->samples, partial->correct, partial->counts_correct};
    skip = partial->batches_done;
    seconds_before = partial->seconds;
    record.lr = partial->lr;
    partial.reset();
  }
  int64_t batch = 0;
  try {
    ProgressOptions po;
    po.description = "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(options_.epochs);
    std::optional<ProgressBar> bar;
    if (options_.progress) bar.emplace(train.count - skip, std::cerr, po);
    train.for_each(epoch, [&](const StepThunk& step) {
      if (batch < skip) {
        if (++batch == skip) default_generator().set_state(generator_after_skip);
        return;
      }
      optimizer_.zero_grad();
      const StepResult r = step();
      r.loss.backward();
      if (options_.clip_grad_norm > 0) optim::clip_grad_norm_(optimizer_.params(), options_.clip_grad_norm);
      optimizer_.step();
      record.lr = optimizer_.lr();
      if (scheduler_ && schedule_every_ == ScheduleEvery::step) scheduler_->step();
      const double value = r.value ? *r.value : r.loss.item();
      if (!std::isfinite(value))
        throw Error("training diverged: the loss became " + std::to_string(value) + " in epoch " +
                    std::to_string(epoch + 1) + "; try a smaller learning rate");
      totals.add(r, value);
      ++batch;
      if (bar) bar->step(r.samples, value);
      const int64_t global_step = epoch * train.count + batch;
      if (events_ && options_.log_every > 0 && global_step % options_.log_every == 0) {
        const double seconds = seconds_since(start);
        events_->write("step", {{"epoch", epoch + 1}, {"batch", static_cast<double>(batch)},
                                {"step", static_cast<double>(global_step)}, {"loss", totals.mean()},
                                {"accuracy", totals.accuracy()}, {"lr", record.lr},
                                {"samples_per_second", seconds > 0 ? static_cast<double>(totals.samples) / seconds : kMissing}});
      }
      if (InterruptGuard::requested() && batch < train.count) throw StopAfterStep{};
    });
  } catch (const StopAfterStep&) {
    partial = PartialEpoch{batch, totals.value_sum, totals.samples, totals.correct, totals.counts_correct,
                           seconds_before + seconds_since(start), record.lr, data_generator_at_start};
    return std::nullopt;
  }
  record.seconds = seconds_before + seconds_since(start);
  record.train_loss = totals.mean();
  record.train_accuracy = totals.accuracy();
  return record;
}

Metrics Trainer::validate(const Pass* validation, int64_t epoch) {
  Metrics metrics;
  if (!validation && !options_.validate) return metrics;
  NoGradGuard no_grad;
  model_.eval();
  if (validation) {
    PassTotals totals;
    validation->for_each(epoch, [&](const StepThunk& step) {
      const StepResult r = step();
      totals.add(r, r.value ? *r.value : r.loss.item());
    });
    metrics.emplace_back("val_loss", totals.mean());
    if (totals.counts_correct) metrics.emplace_back("val_accuracy", totals.accuracy());
  }
  if (options_.validate)
    for (auto& m : options_.validate(model_)) metrics.push_back(std::move(m));
  model_.train();
  return metrics;
}

std::string Trainer::checkpoint_path() const {
  return (fs::path(options_.out_dir) / "checkpoint.safetensors").string();
}

void Trainer::save_state(int64_t epochs_done, const FitResult& result, const Pass& train,
                         const PartialEpoch* partial) const {
  Checkpoint c;
  c.model = model_.state_dict();
  c.optimizer = optimizer_.state_dict();
  if (scheduler_) c.scheduler = scheduler_->state_dict();
  c.training = {{"epochs_done", std::to_string(epochs_done)},
                {"generator", default_generator().state()},
                {"best_monitor", exact_decimal(stopping_.state().best)},
                {"best_epoch", std::to_string(result.best_epoch)},
                {"epochs_validated", std::to_string(stopping_.state().epochs_seen)},
                {"epochs_without_improvement", std::to_string(stopping_.state().epochs_without_improvement)}};
  // The data generator as the next epoch to run starts (for an interrupted one, as it started).
  if (train.generator)
    c.training["data_generator"] = partial ? partial->data_generator_at_start : train.generator->state();
  if (partial) {
    c.training["epoch_batches_done"] = std::to_string(partial->batches_done);
    c.training["epoch_value_sum"] = exact_decimal(partial->value_sum);
    c.training["epoch_samples"] = std::to_string(partial->samples);
    c.training["epoch_correct"] = std::to_string(partial->correct);
    c.training["epoch_counts_correct"] = partial->counts_correct ? "1" : "0";
    c.training["epoch_seconds"] = exact_decimal(partial->seconds);
    c.training["epoch_lr"] = exact_decimal(partial->lr);
  }
  for (const auto& [key, value] : options_.model_metadata) c.training["model." + key] = value;
  save_checkpoint(checkpoint_path(), c);
}

int64_t Trainer::restore_state(FitResult& result, const Pass& train, std::optional<PartialEpoch>& partial) {
  const std::string path = checkpoint_path();
  if (!fs::exists(path)) throw IOError(path + ": no checkpoint to resume from");
  const Checkpoint c = load_checkpoint(path);
  // Another model's checkpoint would fail on the names of its weights; say whose it is instead.
  std::string differences;
  for (const auto& [key, value] : options_.model_metadata) {
    const auto recorded = c.training.find("model." + key);
    if (recorded != c.training.end() && recorded->second != value)
      differences += (differences.empty() ? "" : ", ") + key + " " + recorded->second + " (this run: " + value + ")";
  }
  if (!differences.empty())
    throw Error(path + ": this checkpoint belongs to another model: " + differences +
                "; resume with the options it was trained with");
  model_.load_state_dict(c.model);
  optimizer_.load_state_dict(c.optimizer);
  if (scheduler_) scheduler_->load_state_dict(c.scheduler);
  auto field = [&](const char* key) {
    const auto it = c.training.find(key);
    if (it == c.training.end()) throw IOError(path + ": checkpoint lacks training." + key);
    return it->second;
  };
  default_generator().set_state(field("generator"));
  if (train.generator) train.generator->set_state(field("data_generator"));
  result.best_epoch = std::stoll(field("best_epoch"));
  stopping_.load_state({std::stod(field("best_monitor")), result.best_epoch - 1,
                        std::stoll(field("epochs_validated")), std::stoll(field("epochs_without_improvement"))});
  result.epochs = read_records(fs::path(options_.out_dir) / "metrics.csv", options_.epochs);
  for (const EpochRecord& r : result.epochs) add_to_history(result.history, r);
  if (c.training.count("epoch_batches_done"))  // written by an interrupt, mid-epoch
    partial = PartialEpoch{std::stoll(field("epoch_batches_done")), std::stod(field("epoch_value_sum")),
                           std::stoll(field("epoch_samples")),      std::stoll(field("epoch_correct")),
                           field("epoch_counts_correct") == "1",   std::stod(field("epoch_seconds")),
                           std::stod(field("epoch_lr")),
                           train.generator ? field("data_generator") : std::string()};
  return std::stoll(field("epochs_done"));
}

FitResult Trainer::run(const Pass& train, const Pass* validation) {
  InterruptGuard interrupts;
  FitResult result;
  const bool writes = !options_.out_dir.empty();
  if (writes) fs::create_directories(options_.out_dir);
  int64_t first_epoch = 0;
  std::optional<PartialEpoch> partial;
  if (options_.resume) first_epoch = restore_state(result, train, partial);
  result.epochs_run = first_epoch;
  std::optional<CsvLogger> log;
  if (writes) {
    log.emplace(fs::path(options_.out_dir) / "metrics.csv",
                options_.resume ? CsvLogger::Mode::append : CsvLogger::Mode::overwrite);
    if (!options_.resume) fs::remove(fs::path(options_.out_dir) / "events.jsonl");
    events_.emplace(fs::path(options_.out_dir) / "events.jsonl");
    events_->write("start", {{"epochs", static_cast<double>(options_.epochs)},
                             {"first_epoch", static_cast<double>(first_epoch + 1)},
                             {"first_batch", partial ? static_cast<double>(partial->batches_done + 1) : 1},
                             {"batches_per_epoch", static_cast<double>(train.count)}});
  }
  // After an interrupt: the checkpoint is written (mid-epoch, or the epoch's own when the
  // interrupt came during validation), then the caller hears where the run stopped.
  auto stop = [&](int64_t epoch, int64_t batches_done) {
    std::string where = "interrupted in epoch " + std::to_string(epoch + 1) + "/" + std::to_string(options_.epochs);
    where += batches_done < train.count ? " after batch " + std::to_string(batches_done) + " of " + std::to_string(train.count)
                                        : " at its end";
    if (!writes) throw Interrupted(where + "; nothing was saved (no output directory)", "");
    events_->write("interrupted", {{"epoch", static_cast<double>(epoch + 1)}, {"batch", static_cast<double>(batches_done)}});
    throw Interrupted(where + "; checkpoint " + checkpoint_path() + " written, resume from it to continue",
                      checkpoint_path());
  };

  for (int64_t epoch = first_epoch; epoch < options_.epochs; ++epoch) {
    std::optional<EpochRecord> done = train_epoch(train, epoch, partial);
    if (!done) {
      if (writes) save_state(epoch, result, train, &*partial);
      stop(epoch, partial->batches_done);
    }
    EpochRecord record = std::move(*done);
    result.train_seconds += record.seconds;
    record.validation = validate(validation, epoch);
    add_to_history(result.history, record);
    result.epochs_run = record.epoch;

    // Epochs without the monitored metric (no validation) neither improve nor count towards a stop.
    const double monitored = record.metric(options_.monitor);
    const bool improved = !std::isnan(monitored) && stopping_.update(monitored);
    if (improved) result.best_epoch = record.epoch;
    if (scheduler_ && schedule_every_ == ScheduleEvery::epoch) scheduler_->step();

    if (writes) {
      log->write(csv_row(record));
      events_->write("epoch", epoch_fields(record));
      write_learning_curves(fs::path(options_.out_dir) / "curves.svg", result.history);
      if (improved)
        io::save_safetensors((fs::path(options_.out_dir) / "best.safetensors").string(), model_.state_dict(),
                             options_.model_metadata);
      save_state(record.epoch, result, train);
    }
    options_.report(record);
    result.epochs.push_back(std::move(record));
    if (InterruptGuard::requested()) stop(epoch, train.count);

    if (options_.patience > 0 && !std::isnan(monitored) && stopping_.should_stop()) {
      result.stopped_early = true;
      std::cerr << "early stop: " << options_.monitor << " has not improved for " << options_.patience
                << " epochs\n";
      break;
    }
  }
  if (writes)
    events_->write("done", {{"epochs_run", static_cast<double>(result.epochs_run)},
                            {"best_epoch", static_cast<double>(result.best_epoch)},
                            {"stopped_early", result.stopped_early ? 1.0 : 0.0},
                            {"train_seconds", result.train_seconds}});
  events_.reset();
  return result;
}

}  // namespace nabla::train
