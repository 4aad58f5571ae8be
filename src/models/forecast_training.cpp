// Forecaster training loop and batched prediction; see forecast_training.h.
#include "nabla/models/forecast_training.h"

#include <algorithm>
#include <numeric>

#include "nabla/autograd.h"
#include "nabla/error.h"
#include "nabla/functional.h"
#include "nabla/ops.h"
#include "nabla/optim/optimizer.h"
#include "nabla/optim/scheduler.h"
#include "nabla/random.h"
#include "nabla/train/trainer.h"

namespace nabla::models {
namespace {

struct ForecastBatch {
  Tensor inputs, targets;
};

}  // namespace

std::vector<double> fit_forecaster(nn::Module& model, const ForecastWindows& windows,
                                   const ForecastTrainingOptions& options) {
  if (options.epochs <= 0 || options.batch_size <= 0)
    throw Error("fit_forecaster: epochs " + std::to_string(options.epochs) + " and batch size " +
                std::to_string(options.batch_size) + " must be positive");
  const int64_t n = windows.size();
  if (n == 0) throw Error("fit_forecaster: no training windows");
  optim::Adam optimizer(model.parameters(), optim::AdamOptions{.lr = options.lr});
  optim::CosineAnnealingLR schedule(optimizer, options.epochs);

  // Each epoch shuffles the windows afresh from one generator the checkpoint keeps.
  Generator order_generator(options.seed);
  std::vector<int64_t> indices(static_cast<size_t>(n));
  train::Batches<ForecastBatch> batches;
  batches.count = (n + options.batch_size - 1) / options.batch_size;
  batches.generator = &order_generator;
  batches.for_each = [&](int64_t, const std::function<void(const ForecastBatch&)>& visit) {
    std::iota(indices.begin(), indices.end(), 0);
    shuffle(indices, order_generator);
    for (int64_t begin = 0; begin < n; begin += options.batch_size) {
      const int64_t end = std::min(n, begin + options.batch_size);
      const Tensor rows = from_vector(std::vector<int64_t>(indices.begin() + begin, indices.begin() + end));
      visit({index_select(windows.inputs, 0, rows), index_select(windows.targets, 0, rows)});
    }
  };
  train::Trainer trainer(model, optimizer,
                         {.epochs = options.epochs, .out_dir = options.out_dir, .resume = options.resume,
                          .progress = options.progress, .clip_grad_norm = options.clip,
                          .report = [&](const train::EpochRecord& e) {
                            if (options.on_epoch) options.on_epoch(e.epoch, e.train_loss);
                          }});
  trainer.set_scheduler(&schedule);
  const train::FitResult result =
      trainer.fit<ForecastBatch>(batches, [](nn::Module& m, const ForecastBatch& b) -> train::StepResult {
        return {functional::mse_loss(m(b.inputs), b.targets), b.inputs.size(0)};
      });
  std::vector<double> losses;
  for (const train::EpochRecord& e : result.epochs) losses.push_back(e.train_loss);
  return losses;
}

Tensor predict_forecasts(nn::Module& model, const Tensor& inputs, int64_t batch_size) {
  if (batch_size <= 0) throw Error("predict_forecasts: batch size " + std::to_string(batch_size) + " must be positive");
  const bool was_training = model.is_training();
  model.eval();
  NoGradGuard no_grad;
  std::vector<Tensor> parts;
  for (int64_t begin = 0; begin < inputs.size(0); begin += batch_size)
    parts.push_back(model(inputs.slice(0, begin, std::min(inputs.size(0), begin + batch_size))));
  model.train(was_training);
  return concat(parts, 0);
}

}  // namespace nabla::models
