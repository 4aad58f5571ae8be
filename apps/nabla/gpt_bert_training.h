// The training loop `nabla gpt` and `nabla bert` share: AdamW with decoupled weight decay, a
// learning rate that warms up linearly and then follows a cosine to a tenth of its peak, stepped
// every batch (Transformers diverge without the warmup), and gradients clipped to a global norm.
// Each epoch ends with a validation pass and one row of metrics.csv in the run directory.
//
// The command supplies the batches and the loss; this file knows nothing about text.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "nabla/nn/module.h"

namespace nabla::cli {

struct LanguageModelTraining {
  int64_t epochs = 1;
  int64_t batches_per_epoch = 0;
  double lr = 1e-3;              // the peak, reached at the end of the warmup
  double weight_decay = 0.1;     // AdamW's, decoupled
  int64_t warmup_steps = 100;    // capped at a tenth of all steps
  double clip_norm = 1.0;        // 0: no clipping
  bool progress = true;
  std::string out;               // run directory for metrics.csv; empty: none
};

// The loss of training batch `index` of `epoch` (a scalar that requires grad). The model is in
// training mode when it is called.
using TrainingLoss = std::function<Tensor(int64_t epoch, int64_t index)>;
// Named validation metrics after an epoch (the model is in evaluation mode, without a graph);
// "val_loss" is shown on the progress line.
using Validation = std::function<std::map<std::string, double>()>;

struct EpochMetrics {
  int64_t epoch = 0;      // 1-based
  double train_loss = 0;  // mean over the epoch's batches
  double lr = 0;          // at the end of the epoch
  double seconds = 0;     // training time of the epoch, validation excluded
  std::map<std::string, double> validation;
};

// Runs the loop and returns one entry per epoch. Writes each epoch's row to `out`/metrics.csv
// and prints it on stderr.
std::vector<EpochMetrics> train_language_model(nn::Module& model, const LanguageModelTraining& options,
                                               const TrainingLoss& loss, const Validation& validate);

}  // namespace nabla::cli
