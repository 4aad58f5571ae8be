// Numerical gradient checks in f64 of the recurrent layers and cells, first and second order.
// First order exercises the fused back-propagation through time; second order differentiates the
// gradient (create_graph), which goes through the general-ops form of the recurrence.
#include "gradcheck_helpers.h"
#include "nabla/nn/recurrent.h"

using namespace nabla;
using namespace nabla::test_support;

namespace {

// Every parameter of the module plus the given inputs, as gradcheck's inputs (gradcheck perturbs
// them in place, and the module reads the same tensors).
Ts with_parameters(const nn::Module& module, Ts inputs) {
  for (const Tensor& p : module.parameters()) inputs.push_back(p);
  return inputs;
}

template <class Cell>
void check_cell(bool lstm) {
  manual_seed(21);
  Cell cell(3, 2);
  cell.to(DType::f64);
  const Tensor x = leaf({2, 3}), h = leaf({2, 2}), c = leaf({2, 2});
  auto f = [&](const Ts& in) {
    const nn::RecurrentState next = cell.forward(in[0], {in[1], lstm ? in[2] : Tensor()});
    return lstm ? concat({next.h, next.c}, 1) : next.h;
  };
  check(f, with_parameters(cell, {x, h, c}));
}

}  // namespace

TEST(GradcheckRecurrent, RNNCellTanhAndRelu) {
  check_cell<nn::RNNCell>(false);
  manual_seed(22);
  nn::RNNCell relu_cell(3, 2, true, "relu");
  relu_cell.to(DType::f64);
  const Tensor x = leaf({2, 3}), h = leaf({2, 2});
  check([&](const Ts& in) { return relu_cell.forward(in[0], {in[1], Tensor()}).h; },
        with_parameters(relu_cell, {x, h}));
}

TEST(GradcheckRecurrent, LSTMCell) { check_cell<nn::LSTMCell>(true); }

TEST(GradcheckRecurrent, GRUCell) { check_cell<nn::GRUCell>(false); }

// Two layers, both directions, a given initial state, and every output: sequence and final state.
TEST(GradcheckRecurrent, TwoLayerBidirectionalLSTM) {
  manual_seed(23);
  nn::RecurrentOptions options;
  options.num_layers = 2;
  options.bidirectional = true;
  nn::LSTM lstm(2, 2, options);
  lstm.to(DType::f64);
  const Tensor x = leaf({3, 2, 2}), h0 = leaf({4, 2, 2}), c0 = leaf({4, 2, 2});
  auto f = [&](const Ts& in) {
    const nn::RecurrentOutput out = lstm.forward(in[0], {in[1], in[2]});
    return concat({out.output.reshape({-1}), out.state.h.reshape({-1}), out.state.c.reshape({-1})}, 0);
  };
  check(f, with_parameters(lstm, {x, h0, c0}));
}

TEST(GradcheckRecurrent, TwoLayerBidirectionalBatchFirstGRU) {
  manual_seed(24);
  nn::RecurrentOptions options;
  options.num_layers = 2;
  options.bidirectional = true;
  options.batch_first = true;
  nn::GRU gru(2, 2, options);
  gru.to(DType::f64);
  const Tensor x = leaf({2, 3, 2}), h0 = leaf({4, 2, 2});
  auto f = [&](const Ts& in) {
    const nn::RecurrentOutput out = gru.forward(in[0], {in[1], Tensor()});
    return concat({out.output.reshape({-1}), out.state.h.reshape({-1})}, 0);
  };
  check(f, with_parameters(gru, {x, h0}));
}

TEST(GradcheckRecurrent, RNNWithoutBias) {
  manual_seed(25);
  nn::RecurrentOptions options;
  options.bias = false;
  nn::RNN rnn(2, 3, options);
  rnn.to(DType::f64);
  const Tensor x = leaf({4, 2, 2});
  check([&](const Ts& in) { return rnn(in[0]); }, with_parameters(rnn, {x}));
}
