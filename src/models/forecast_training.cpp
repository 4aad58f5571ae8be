// Forecaster training loop and batched prediction; see forecast_training.h.
#include "nabla/models/forecast_training.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>

#include "nabla/autograd.h"
#include "nabla/error.h"
#include "nabla/functional.h"
#include "nabla/ops.h"
#include "nabla/optim/clip.h"
#include "nabla/optim/optimizer.h"
#include "nabla/random.h"

namespace nabla::models {

std::vector<double> fit_forecaster(nn::Module& model, const ForecastWindows& windows,
                                   const ForecastTrainingOptions& options) {
  if (options.epochs <= 0 || options.batch_size <= 0)
    throw Error("fit_forecaster: epochs " + std::to_string(options.epochs) + " and batch size " +
                std::to_string(options.batch_size) + " must be positive");
  const int64_t n = windows.size();
  if (n == 0) throw Error("fit_forecaster: no training windows");
  const std::vector<Tensor> params = model.parameters();
  optim::Adam optimizer(params, optim::AdamOptions{.lr = options.lr});
  Generator order(options.seed);
  std::vector<int64_t> indices(static_cast<size_t>(n));
  std::vector<double> losses;
  model.train();
  for (int64_t epoch = 0; epoch < options.epochs; ++epoch) {
    optimizer.set_lr(options.lr * 0.5 * (1 + std::cos(std::numbers::pi * static_cast<double>(epoch) /
                                                       static_cast<double>(options.epochs))));
    std::iota(indices.begin(), indices.end(), 0);
    for (int64_t i = n - 1; i > 0; --i)  // Fisher-Yates
      std::swap(indices[static_cast<size_t>(i)], indices[order.below(static_cast<uint64_t>(i + 1))]);
    double total = 0;
    for (int64_t begin = 0; begin < n; begin += options.batch_size) {
      const int64_t end = std::min(n, begin + options.batch_size);
      const Tensor batch = from_vector(std::vector<int64_t>(indices.begin() + begin, indices.begin() + end));
      const Tensor loss = functional::mse_loss(model(index_select(windows.inputs, 0, batch)),
                                               index_select(windows.targets, 0, batch));
      optimizer.zero_grad();
      loss.backward();
      if (options.clip > 0) optim::clip_grad_norm_(params, options.clip);
      optimizer.step();
      total += loss.item() * static_cast<double>(end - begin);
    }
    losses.push_back(total / static_cast<double>(n));
    if (options.on_epoch) options.on_epoch(epoch + 1, losses.back());
  }
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
