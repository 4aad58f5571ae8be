// The training loop, one for every application: epochs of step, backward, clipping and optimizer
// update over any kind of batch, with a progress bar, per-epoch validation, a learning-rate
// schedule stepped per epoch or per batch, early stopping on any validation metric, the best
// weights kept, a CSV log per epoch and a JSON-lines event log per N steps, learning curves, and a
// checkpoint after every epoch, and on Ctrl-C after the step in progress (interrupt.h), from which
// a resumed run continues exactly as one that never stopped.
//
// What is trained and on what is the caller's: a pass over the data (`Batches<Batch>`, any batch
// type) and a step (model, batch) -> loss. For a classifier on a DataLoader:
//
//   train::Trainer trainer(model, optimizer, {.epochs = 5, .out_dir = "runs/mlp"});
//   trainer.fit(train::batches_from(train_loader, seed), train::classification_step(loss),
//               &validation_batches);
//
// and for a sequence model, say, a batch is whatever the data generator produces:
//
//   train::Batches<Seq2seqBatch> batches = ...;
//   trainer.fit(batches, [](nn::Module& m, const Seq2seqBatch& b) -> train::StepResult {
//     return {static_cast<Seq2seq&>(m).loss(b.source, b.decoder_input, b.decoder_target)};
//   });
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(TRAIN);
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "nabla/data/dataloader.h"
#include "nabla/nn/module.h"
#include "nabla/optim/optimizer.h"
#include "nabla/optim/scheduler.h"
#include "nabla/random.h"
#include "nabla/train/early_stopping.h"
#include "nabla/train/event_log.h"
#include "nabla/train/metrics.h"
#include "nabla/train/plot.h"

namespace nabla::train {

// What one step on one batch gives back: the loss to differentiate, the number of samples it
// stands for (it weighs the batch in the epoch's mean loss), and, for a classifier, how many of
// them it got right (for accuracy). `value` is the figure averaged into the epoch's loss when it
// is not the loss itself (a summed loss differentiated as a mean, say).
struct StepResult {
  Tensor loss;
  int64_t samples = 1;
  std::optional<int64_t> correct = std::nullopt;
  std::optional<double> value = std::nullopt;
};

// One pass over a data set of any batch type: `for_each(epoch, visit)` calls visit once per batch.
// Shuffling must be a function of the epoch (reseed from it) or draw from `generator`, whose
// state the checkpoint keeps: either way a resumed run sees the same batches.
template <class Batch>
struct Batches {
  int64_t count = 0;  // batches per pass, for the progress bar
  std::function<void(int64_t epoch, const std::function<void(const Batch&)>& visit)> for_each;
  Generator* generator = nullptr;
};

template <class Batch>
using Step = std::function<StepResult(nn::Module& model, const Batch& batch)>;

// A DataLoader as Batches. With a seed, each epoch's order comes from the loader's generator
// reseeded with (seed, epoch).
Batches<data::Batch> batches_from(data::DataLoader& loader, std::optional<uint64_t> seed = std::nullopt);

// Loss of a classifier's batch: logits and targets to a scalar.
using LossFn = std::function<Tensor(const Tensor& output, const Tensor& target)>;
// model(input) -> loss(output, target), counting correct argmax predictions when the output is
// [N, classes] and the target i64 class indices.
Step<data::Batch> classification_step(LossFn loss);

using Metrics = std::vector<std::pair<std::string, double>>;

// One row of the log: the epoch's figures, as the CSV and the report show them.
struct EpochRecord {
  int64_t epoch = 0;       // 1-based
  int64_t epochs = 0;      // of the whole run
  double train_loss = 0;   // sample-weighted mean over the epoch's batches
  double train_accuracy = LearningHistory::kMissing;  // when the step counts correct samples
  Metrics validation;      // val_loss, val_accuracy, then the extra metrics
  double lr = 0;           // the rate the epoch trained with (its last batch's)
  double seconds = 0;      // training time, validation excluded
  // The named validation figure, NaN when absent.
  double metric(const std::string& name) const;
};

// Designated initialisers name what they set; every member has a default (hence the {}s, which
// keep g++ from warning about the members left out).
struct FitOptions {
  int64_t epochs = 5;
  // checkpoint.safetensors, best.safetensors, metrics.csv, events.jsonl, curves.svg; empty: none
  std::string out_dir{};
  bool resume = false;        // continue from out_dir/checkpoint.safetensors
  bool progress = true;       // progress bar on stderr
  int64_t log_every = 50;     // steps between "step" lines of events.jsonl; 0: epochs only
  double clip_grad_norm = 0;  // clip the gradients' global norm to this before each update; 0: off
  // Early stopping and the best weights follow this validation metric.
  std::string monitor = "val_loss";
  EarlyStopping::Mode monitor_mode = EarlyStopping::Mode::min;
  int64_t patience = 0;       // stop after this many epochs without a better `monitor`; 0: never
  // Metrics computed after each epoch, in eval mode without a graph, beside the validation pass's
  // val_loss and val_accuracy (BLEU, perplexity, exact match, ...). Name them val_*.
  std::function<Metrics(nn::Module& model)> validate{};
  // Called after every epoch; by default a line on stderr.
  std::function<void(const EpochRecord&)> report{};
  // Extra metadata written with the best model's weights (the model's architecture, say). The
  // checkpoint records it too, and a resume whose model_metadata differs is refused by name
  // rather than by the weights that do not fit.
  std::map<std::string, std::string> model_metadata{};
};

struct FitResult {
  int64_t epochs_run = 0;     // epochs completed, counting those before a resume
  double train_seconds = 0;   // wall time of training epochs in this process
  std::vector<EpochRecord> epochs;  // every epoch, those before a resume read back from metrics.csv
  LearningHistory history;
  int64_t best_epoch = -1;    // 1-based epoch of the best `monitor`
  bool stopped_early = false;
};

struct Evaluation {
  double loss = 0;
  double accuracy = 0;
  ConfusionMatrix confusion{1};
};

// Mean loss and accuracy of a classifier over a data set, without recording a graph, in eval mode.
Evaluation evaluate(nn::Module& model, const Batches<data::Batch>& data, const LossFn& loss, int64_t num_classes);

class Trainer {
 public:
  enum class ScheduleEvery { epoch, step };

  Trainer(nn::Module& model, optim::Optimizer& optimizer, FitOptions options);
  // A schedule stepped after each epoch (the default) or after each optimizer step; optional.
  void set_scheduler(optim::LRScheduler* scheduler, ScheduleEvery every = ScheduleEvery::epoch) {
    scheduler_ = scheduler;
    schedule_every_ = every;
  }

  template <class Batch>
  FitResult fit(const Batches<Batch>& train, const Step<Batch>& step, const Batches<Batch>* validation = nullptr) {
    const Pass train_pass = as_pass(train, step);
    std::optional<Pass> validation_pass;
    if (validation) validation_pass = as_pass(*validation, step);
    return run(train_pass, validation_pass ? &*validation_pass : nullptr);
  }

 private:
  // A pass with the batch type erased: it hands the loop one thunk per batch that runs the step.
  using StepThunk = std::function<StepResult()>;
  struct Pass {
    int64_t count = 0;
    std::function<void(int64_t epoch, const std::function<void(const StepThunk&)>& each)> for_each;
    Generator* generator = nullptr;
  };
  template <class Batch>
  Pass as_pass(const Batches<Batch>& batches, const Step<Batch>& step) {
    return Pass{batches.count,
                [this, &batches, &step](int64_t epoch, const std::function<void(const StepThunk&)>& each) {
                  batches.for_each(epoch, [&](const Batch& b) { each([&] { return step(model_, b); }); });
                },
                batches.generator};
  }

  // An epoch stopped by an interrupt after `batches_done` steps: its running figures, and the
  // data generator as the epoch began (a resumed run replays the epoch's batches up to there).
  struct PartialEpoch {
    int64_t batches_done = 0;
    double value_sum = 0;
    int64_t samples = 0, correct = 0;
    bool counts_correct = false;
    double seconds = 0, lr = 0;
    std::string data_generator_at_start;
  };

  FitResult run(const Pass& train, const Pass* validation);
  // The epoch's record; nullopt when an interrupt stopped it, `partial` then saying where. A
  // `partial` given in continues that epoch.
  std::optional<EpochRecord> train_epoch(const Pass& train, int64_t epoch, std::optional<PartialEpoch>& partial);
  Metrics validate(const Pass* validation, int64_t epoch);
  void save_state(int64_t epochs_done, const FitResult& result, const Pass& train,
                  const PartialEpoch* partial = nullptr) const;
  int64_t restore_state(FitResult& result, const Pass& train, std::optional<PartialEpoch>& partial);
  std::string checkpoint_path() const;

  nn::Module& model_;
  optim::Optimizer& optimizer_;
  FitOptions options_;
  optim::LRScheduler* scheduler_ = nullptr;
  ScheduleEvery schedule_every_ = ScheduleEvery::epoch;
  EarlyStopping stopping_;  // tracks the best `monitor`, whether or not it may stop the run
  std::optional<EventLog> events_;
};

}  // namespace nabla::train
