// Training and running a forecaster on the windows of data/timeseries_windows.h.
//
// fit_forecaster: Adam on the mean squared error of the scaled values (log1p, standardised per
// series, so every campaign weighs alike whatever its size), shuffled mini-batches drawn from
// `seed`, the gradient norm clipped, and the learning rate annealed by a cosine from `lr` to 0 over
// the epochs (a late low rate settles the noisy day-to-day fit). It runs on train::Trainer, so a run
// with an output directory writes its log and checkpoints there and can be resumed exactly.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(MODELS);
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "nabla/models/timeseries_windows.h"
#include "nabla/nn/module.h"

namespace nabla::models {

struct ForecastTrainingOptions {
  int64_t epochs = 20;
  int64_t batch_size = 64;
  double lr = 3e-3;
  double clip = 1.0;  // maximum gradient norm; 0 turns clipping off
  uint64_t seed = 0;  // the order of the windows
  std::string out_dir{};  // metrics.csv, curves.svg and checkpoint.safetensors; empty: none
  bool resume = false;    // continue the run in out_dir from its checkpoint
  bool progress = false;  // a progress bar on stderr
  // Called after every epoch with its number (from 1) and mean training loss.
  std::function<void(int64_t epoch, double loss)> on_epoch{};
};

// Trains `model` (inputs [N, T, F] -> [N, H, K]) on `windows`; returns each epoch's mean loss
// (with resume, those before it too).
// Throws Error for non-positive epochs or batch size, or no windows.
std::vector<double> fit_forecaster(nn::Module& model, const ForecastWindows& windows,
                                   const ForecastTrainingOptions& options = {});

// The model's forecasts for every window, in eval mode and without a graph, `batch_size` windows
// at a time; the model's training mode is restored afterwards.
Tensor predict_forecasts(nn::Module& model, const Tensor& inputs, int64_t batch_size = 1024);

}  // namespace nabla::models
