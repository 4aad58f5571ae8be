// The training loop: epochs of forward, loss, backward and optimizer step, with a progress bar,
// per-epoch validation, a learning-rate schedule, early stopping, the best weights kept, a CSV log,
// learning curves, and a checkpoint after every epoch from which --resume continues exactly.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(TRAIN);
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nabla/data/dataloader.h"
#include "nabla/nn/module.h"
#include "nabla/optim/optimizer.h"
#include "nabla/optim/scheduler.h"
#include "nabla/train/early_stopping.h"
#include "nabla/train/metrics.h"
#include "nabla/train/plot.h"

namespace nabla::train {

// One pass over a data set: calls `visit(input, target)` for each batch. The data layer's
// DataLoader adapts to it in one line; the trainer needs nothing else from it.
struct BatchSource {
  std::function<void(const std::function<void(const Tensor& input, const Tensor& target)>& visit)> for_each;
  int64_t batches = 0;  // batches per pass, for the progress bar
  // Called before each training epoch with its index, so shuffling can depend on the epoch
  // (and a resumed run sees the same order as an uninterrupted one).
  std::function<void(int64_t epoch)> set_epoch;
};

// A DataLoader as a BatchSource. With a seed, each training epoch's order comes from the loader's
// generator reseeded with (seed, epoch), so a resumed run shuffles exactly as one that never stopped.
BatchSource batches_from(data::DataLoader& loader, std::optional<uint64_t> seed = std::nullopt);

// Loss of a batch: logits and targets to a scalar.
using LossFn = std::function<Tensor(const Tensor& output, const Tensor& target)>;

struct FitOptions {
  int64_t epochs = 5;
  std::string out_dir;        // checkpoint.safetensors, best.safetensors, metrics.csv, curves.svg; empty: none
  bool resume = false;        // continue from out_dir/checkpoint.safetensors
  int64_t patience = 0;       // early stopping on validation loss after this many epochs; 0: off
  bool progress = true;       // progress bar on stderr
  int64_t num_classes = 0;    // for accuracy; 0: regression (no accuracy)
  // Extra metadata written with the best model's weights (the model's architecture, say).
  std::map<std::string, std::string> model_metadata;
};

struct Evaluation {
  double loss = 0;
  double accuracy = 0;
  ConfusionMatrix confusion{1};
};

struct FitResult {
  int64_t epochs_run = 0;     // epochs completed, counting those before a resume
  double train_seconds = 0;   // wall time of training epochs in this process
  std::vector<double> epoch_seconds;
  LearningHistory history;
  int64_t best_epoch = -1;    // 1-based epoch of the lowest validation loss
  bool stopped_early = false;
};

// Mean loss and accuracy over a data set, without recording a graph, in eval mode.
Evaluation evaluate(nn::Module& model, const BatchSource& data, const LossFn& loss, int64_t num_classes);

class Trainer {
 public:
  Trainer(nn::Module& model, optim::Optimizer& optimizer, LossFn loss, FitOptions options);
  // A per-epoch schedule (stepped after each epoch); optional.
  void set_scheduler(optim::LRScheduler* scheduler) { scheduler_ = scheduler; }
  FitResult fit(const BatchSource& train, const BatchSource* validation);

 private:
  void save_state(int64_t epochs_done, const FitResult& result) const;
  int64_t restore_state(FitResult& result);

  nn::Module& model_;
  optim::Optimizer& optimizer_;
  LossFn loss_;
  FitOptions options_;
  optim::LRScheduler* scheduler_ = nullptr;
  EarlyStopping stopping_;  // tracks the best validation loss, whether or not it may stop the run
};

}  // namespace nabla::train
