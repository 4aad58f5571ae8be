// The LSTM forecaster; the layout is documented in forecaster.h.
#include "nabla/models/forecaster.h"

#include "nabla/error.h"
#include "nabla/ops.h"

namespace nabla::models {

LstmForecaster::LstmForecaster(int64_t features, int64_t outputs, int64_t horizon, ForecasterOptions options)
    : features(features), outputs(outputs), horizon(horizon) {
  if (features <= 0 || outputs <= 0 || horizon <= 0 || options.hidden_size <= 0 || options.num_layers <= 0)
    throw Error("LstmForecaster: features " + std::to_string(features) + ", outputs " + std::to_string(outputs) +
                ", horizon " + std::to_string(horizon) + ", hidden_size " + std::to_string(options.hidden_size) +
                " and num_layers " + std::to_string(options.num_layers) + " must be positive");
  lstm = register_module("lstm", std::make_shared<nn::LSTM>(features, options.hidden_size,
                                                        nn::RecurrentOptions{.num_layers = options.num_layers,
                                                                         .batch_first = true,
                                                                         .dropout = options.dropout}));
  head = register_module("head", std::make_shared<nn::Linear>(options.hidden_size, outputs));
}

Tensor LstmForecaster::forward(const Tensor& x) {
  if (x.dim() != 3 || x.size(2) != features || x.size(1) <= horizon)
    throw ShapeError("LstmForecaster: input " + to_string(x.shape()) + ", expected [N, T, " + std::to_string(features) +
                     "] with T > horizon " + std::to_string(horizon));
  const Tensor hidden = lstm(x);  // [N, T, hidden]
  const int64_t steps = x.size(1);
  return head(hidden.slice(1, steps - horizon, steps));
}

std::string LstmForecaster::extra_repr() const {
  return "features=" + std::to_string(features) + ", outputs=" + std::to_string(outputs) +
         ", horizon=" + std::to_string(horizon);
}

}  // namespace nabla::models
