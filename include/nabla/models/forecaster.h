// An LSTM that forecasts the next H days of K variables from a window of past days.
//
// The input is the window layout of data/timeseries_windows.h: W history days followed by the H
// days to forecast, each a row of F features (the values, 0 where not yet known, an "observed"
// flag and calendar features known in advance). The LSTM reads all W + H rows, so at each day to
// forecast it has seen the whole history and that day's calendar (weekday, holiday); a linear
// head maps its hidden state at each of the last H steps to the K values of that day:
//
//   x [N, W + H, F] -> LSTM (batch_first) -> h [N, W + H, hidden] -> last H steps -> Linear -> [N, H, K]
//
// Parameters: lstm.weight_ih_l0, ... (torch.nn.LSTM's names) and head.weight, head.bias.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(MODELS);
#include <cstdint>
#include <memory>
#include <string>

#include "nabla/nn/layers.h"
#include "nabla/nn/module.h"
#include "nabla/nn/recurrent.h"

namespace nabla::models {

struct ForecasterOptions {
  int64_t hidden_size = 64;
  int64_t num_layers = 1;
  double dropout = 0.0;  // between LSTM layers, in training mode
};

class LstmForecaster : public nn::UnaryModule {
 public:
  LstmForecaster(int64_t features, int64_t outputs, int64_t horizon, ForecasterOptions options = {});
  // x [N, T, features] with T > horizon -> [N, horizon, outputs]. Throws ShapeError otherwise.
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;

  int64_t features, outputs, horizon;
  nn::ModuleHolder<nn::LSTM> lstm;
  nn::ModuleHolder<nn::Linear> head;
};

}  // namespace nabla::models
