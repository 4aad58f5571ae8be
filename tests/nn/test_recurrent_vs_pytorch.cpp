// RNN, LSTM, GRU and their cells against PyTorch 1.13 (tests/data/nn/recurrent_fixtures.json,
// written by make_recurrent_fixtures.py): PyTorch's parameters load by name with strict key
// checking, and the outputs, final states and the gradients of a scalar loss with respect to the
// input, the initial state and every parameter agree to 1e-10 in f64 and 1e-5 in f32.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "nabla/nabla.h"
#include "nabla/nn/recurrent.h"

#include "nn/pytorch_fixture.h"

using namespace nabla;
using nlohmann::json;
using fixture::expect_close;
using fixture::from_json;

namespace {

const json& fixtures() {
  static const json cases = fixture::read_cases("recurrent_fixtures.json");
  return cases;
}

Tensor leaf_from(const json& c, const std::string& key, DType dtype) {
  if (!c.contains(key)) return Tensor();
  Tensor t = from_json(c.at(key), dtype);
  t.requires_grad_();
  return t;
}

std::shared_ptr<nn::Module> make_module(const json& c) {
  const std::string type = c.at("module");
  const int64_t in = c.at("input_size"), hidden = c.at("hidden_size");
  const bool bias = c.at("bias");
  const std::string nonlinearity = c.value("nonlinearity", "tanh");
  if (type == "RNNCell") return std::make_shared<nn::RNNCell>(in, hidden, bias, nonlinearity);
  if (type == "LSTMCell") return std::make_shared<nn::LSTMCell>(in, hidden, bias);
  if (type == "GRUCell") return std::make_shared<nn::GRUCell>(in, hidden, bias);
  nn::RecurrentOptions options;
  options.num_layers = c.at("num_layers");
  options.bias = bias;
  options.batch_first = c.at("batch_first");
  options.bidirectional = c.at("bidirectional");
  if (type == "RNN") return std::make_shared<nn::RNN>(in, hidden, options, nonlinearity);
  if (type == "LSTM") return std::make_shared<nn::LSTM>(in, hidden, options);
  if (type == "GRU") return std::make_shared<nn::GRU>(in, hidden, options);
  throw std::runtime_error("unknown module " + type);
}

void check_case(const std::string& name) {
  const json& c = fixtures().at(name);
  for (DType dtype : {DType::f64, DType::f32}) {
    SCOPED_TRACE(name + " in " + to_string(dtype));
    const double tol = dtype == DType::f64 ? 1e-10 : 1e-5;
    const std::shared_ptr<nn::Module> module = make_module(c);
    module->to(dtype);
    nn::StateDict state;
    for (const auto& [key, value] : c.at("params").items()) state.emplace_back(key, from_json(value, dtype));
    module->load_state_dict(state);  // strict: names and shapes exactly PyTorch's

    const Tensor x = leaf_from(c, "x", dtype), h0 = leaf_from(c, "h0", dtype),
                 c0 = leaf_from(c, "c0", dtype);
    Tensor out, h_n, c_n;
    if (auto* cell = dynamic_cast<nn::RecurrentCell*>(module.get())) {
      const nn::RecurrentState next = cell->forward(x, {h0, c0});
      out = next.h;
      c_n = next.c;
    } else {
      const nn::RecurrentOutput result =
          dynamic_cast<nn::Recurrent&>(*module).forward(x, {h0, c0});
      out = result.output;
      h_n = result.state.h;
      c_n = result.state.c;
    }
    expect_close(out, c.at("out"), tol, "out");
    Tensor loss = sum(out * from_json(c.at("upstream_out"), dtype));
    if (c.contains("h_n")) {
      expect_close(h_n, c.at("h_n"), tol, "h_n");
      loss = loss + sum(h_n * from_json(c.at("upstream_h"), dtype));
    }
    if (c.contains("c_n")) {
      expect_close(c_n, c.at("c_n"), tol, "c_n");
      loss = loss + sum(c_n * from_json(c.at("upstream_c"), dtype));
    }
    loss.backward();
    expect_close(x.grad(), c.at("grad_x"), tol, "grad_x");
    if (h0.defined()) expect_close(h0.grad(), c.at("grad_h0"), tol, "grad_h0");
    if (c0.defined()) expect_close(c0.grad(), c.at("grad_c0"), tol, "grad_c0");
    for (const auto& [key, p] : module->named_parameters())
      expect_close(p.grad(), c.at("grad_params").at(key), tol, "grad of " + key);
  }
}

}  // namespace

TEST(RecurrentVsPyTorch, RNNTanh) { check_case("rnn_tanh"); }
TEST(RecurrentVsPyTorch, RNNReluTwoLayersBatchFirstWithH0) { check_case("rnn_relu_two_layers_batch_first_h0"); }
TEST(RecurrentVsPyTorch, LSTMWithInitialState) { check_case("lstm_h0_c0"); }
TEST(RecurrentVsPyTorch, LSTMTwoLayersBidirectional) { check_case("lstm_two_layers_bidirectional"); }
TEST(RecurrentVsPyTorch, LSTMTwoLayersBidirectionalBatchFirstWithState) {
  check_case("lstm_two_layers_bidirectional_batch_first_h0_c0");
}
TEST(RecurrentVsPyTorch, LSTMWithoutBias) { check_case("lstm_no_bias"); }
TEST(RecurrentVsPyTorch, GRUWithH0) { check_case("gru_h0"); }
TEST(RecurrentVsPyTorch, GRUThreeLayersBidirectionalBatchFirst) {
  check_case("gru_three_layers_bidirectional_batch_first");
}
TEST(RecurrentVsPyTorch, RNNCellRelu) { check_case("rnn_cell_relu"); }
TEST(RecurrentVsPyTorch, LSTMCell) { check_case("lstm_cell"); }
TEST(RecurrentVsPyTorch, GRUCell) { check_case("gru_cell"); }
