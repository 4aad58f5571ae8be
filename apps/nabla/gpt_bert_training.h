// The training recipe `nabla gpt` and `nabla bert` share, on train::Trainer: AdamW with decoupled
// weight decay on the weight matrices and embeddings only (not on biases and LayerNorm gains, the
// usual recipe), a learning rate that warms up linearly and then follows a cosine to a tenth of its
// peak, stepped every batch (Transformers diverge without the warmup), and gradients clipped to a
// global norm. Each epoch ends with a validation pass and one row of metrics.csv, and a checkpoint
// in the run directory from which --resume continues.
//
// Each epoch visits the training examples in a fresh order drawn from (seed, epoch), so a resumed
// run sees the batches an uninterrupted one would; the last partial batch is left out. The command
// supplies the loss of a batch of examples; this file knows nothing about text.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "nabla/nn/module.h"
#include "nabla/random.h"
#include "nabla/train/trainer.h"

namespace nabla::cli {

struct LanguageModelTraining {
  int64_t epochs = 1;
  int64_t examples = 0;          // training examples (windows, sentences), shuffled each epoch
  int64_t batch_size = 0;        // examples per step
  uint64_t seed = 0;             // of the order of the examples
  int64_t batches_per_epoch() const { return batch_size > 0 ? examples / batch_size : 0; }
  double lr = 1e-3;              // the peak, reached at the end of the warmup
  double weight_decay = 0.1;     // AdamW's, decoupled, on parameters of two or more axes
  int64_t warmup_steps = 100;    // capped at a tenth of all steps
  double clip_norm = 1.0;        // 0: no clipping
  bool progress = true;
  bool resume = false;           // continue the run in `out` from its checkpoint
  std::string out;               // run directory for metrics.csv and checkpoints; empty: none
  // A generator the loss draws from besides the global one (BERT's masking), kept in checkpoints.
  Generator* data_generator = nullptr;
};

// The loss of a training batch, given the indices of its examples (a scalar that requires grad).
// The model is in training mode when it is called.
using TrainingLoss = std::function<Tensor(const std::vector<int64_t>& examples)>;
// Named validation metrics after an epoch (the model is in evaluation mode, without a graph);
// "val_loss" is shown on the progress line.
using Validation = std::function<train::Metrics()>;

// Runs the recipe and leaves the model in evaluation mode. Prints each epoch's row on stderr.
train::FitResult train_language_model(nn::Module& model, const LanguageModelTraining& options,
                                      const TrainingLoss& loss, const Validation& validate);

}  // namespace nabla::cli
