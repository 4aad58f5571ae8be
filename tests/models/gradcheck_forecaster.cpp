// Numerical gradient check in f64 of the LSTM forecaster (LSTM, the slice of the last horizon
// steps and the linear head), with respect to its input and every parameter, first and second
// order.
#include "gradcheck_helpers.h"
#include "nabla/models/forecaster.h"

using namespace nabla;
using namespace nabla::test_support;

TEST(GradcheckForecaster, InputAndParameters) {
  manual_seed(31);
  models::LstmForecaster model(3, 2, 2, {.hidden_size = 3});
  model.to(DType::f64);
  Ts inputs = {leaf({2, 4, 3})};
  for (const Tensor& p : model.parameters()) inputs.push_back(p);
  check([&](const Ts& in) { return model(in[0]); }, inputs);
}
