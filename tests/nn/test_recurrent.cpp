// RNN, LSTM, GRU and their cells: shapes and parameter layouts, the fused op against its
// general-ops definition, statefulness, directions, dropout, errors; and the pieces a sequence
// model needs around them (time-distributed Linear, cross entropy over [N*T, C] with
// ignore_index, Embedding's sparse backward). PyTorch's numbers are in test_recurrent_vs_pytorch.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>

#include "nabla/nabla.h"
#include "nabla/nn/all.h"
#include "kernels/cpu/recurrent.h"

using namespace nabla;
using functional::RecurrentCellKind;

namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

void expect_contains(const std::string& text, const std::string& part) {
  EXPECT_NE(text.find(part), std::string::npos) << "'" << text << "' lacks '" << part << "'";
}

void expect_near_all(const Tensor& a, const Tensor& b, double tol, const std::string& what) {
  ASSERT_EQ(to_string(a.shape()), to_string(b.shape())) << what;
  const auto x = a.to_vector<double>(), y = b.to_vector<double>();
  for (size_t i = 0; i < x.size(); ++i) ASSERT_NEAR(x[i], y[i], tol) << what << " element " << i;
}

// time-reversed along axis 0
Tensor reversed(const Tensor& x) {
  std::vector<int64_t> order;
  for (int64_t t = x.size(0) - 1; t >= 0; --t) order.push_back(t);
  return index_select(x, 0, from_vector(order));
}

}  // namespace

TEST(Recurrent, ShapesAndParameterLayoutAsPyTorch) {
  nn::RecurrentOptions options;
  options.num_layers = 2;
  options.bidirectional = true;
  nn::LSTM lstm(4, 3, options);
  const nn::NamedTensors params = lstm.named_parameters();
  const std::vector<std::pair<std::string, std::string>> expected{
      {"weight_ih_l0", "[12,4]"}, {"weight_hh_l0", "[12,3]"}, {"bias_ih_l0", "[12]"}, {"bias_hh_l0", "[12]"},
      {"weight_ih_l0_reverse", "[12,4]"}, {"weight_hh_l0_reverse", "[12,3]"},
      {"bias_ih_l0_reverse", "[12]"}, {"bias_hh_l0_reverse", "[12]"},
      {"weight_ih_l1", "[12,6]"}, {"weight_hh_l1", "[12,3]"}, {"bias_ih_l1", "[12]"}, {"bias_hh_l1", "[12]"},
      {"weight_ih_l1_reverse", "[12,6]"}, {"weight_hh_l1_reverse", "[12,3]"},
      {"bias_ih_l1_reverse", "[12]"}, {"bias_hh_l1_reverse", "[12]"}};
  ASSERT_EQ(params.size(), expected.size());
  for (size_t i = 0; i < params.size(); ++i) {
    EXPECT_EQ(params[i].first, expected[i].first);
    EXPECT_EQ(to_string(params[i].second.shape()), expected[i].second) << params[i].first;
    // U(-1/sqrt(3), 1/sqrt(3))
    EXPECT_LE(max(abs(params[i].second)).item(), 1.0 / std::sqrt(3.0));
  }
  const nn::RecurrentOutput out = lstm.forward(randn({5, 2, 4}), {});
  EXPECT_EQ(to_string(out.output.shape()), "[5,2,6]");
  EXPECT_EQ(to_string(out.state.h.shape()), "[4,2,3]");
  EXPECT_EQ(to_string(out.state.c.shape()), "[4,2,3]");
  EXPECT_EQ(lstm.str(), "LSTM(4, 3, num_layers=2, bidirectional=True)");

  options.batch_first = true;
  options.bidirectional = false;
  options.bias = false;
  nn::GRU gru(4, 3, options);
  EXPECT_EQ(gru.named_parameters().size(), 4u);  // no biases
  EXPECT_EQ(to_string(gru.named_parameters()[0].second.shape()), "[9,4]");
  const nn::RecurrentOutput g = gru.forward(randn({2, 5, 4}), {});
  EXPECT_EQ(to_string(g.output.shape()), "[2,5,3]");
  EXPECT_EQ(to_string(g.state.h.shape()), "[2,2,3]");
  EXPECT_FALSE(g.state.c.defined());
  EXPECT_EQ(gru.str(), "GRU(4, 3, num_layers=2, bias=False, batch_first=True)");

  nn::RNNCell cell(4, 2, true, "relu");
  EXPECT_EQ(cell.str(), "RNNCell(4, 2, nonlinearity=relu)");
  EXPECT_EQ(to_string(cell.forward(randn({3, 4}), {}).h.shape()), "[3,2]");
}

// The fused op (forward kernels, hand-written BPTT) against the same recurrence in general ops,
// values and all five input gradients, for every cell and both directions.
TEST(Recurrent, FusedSequenceMatchesGeneralOps) {
  manual_seed(11);
  const int64_t steps = 4, batch = 3, hidden = 5;
  for (RecurrentCellKind kind : {RecurrentCellKind::rnn_tanh, RecurrentCellKind::rnn_relu,
                                 RecurrentCellKind::lstm, RecurrentCellKind::gru}) {
    for (bool reverse : {false, true}) {
      SCOPED_TRACE(std::string(functional::cell_name(kind)) + (reverse ? " reverse" : ""));
      const int64_t width = functional::gate_count(kind) * hidden;
      const bool lstm = kind == RecurrentCellKind::lstm;
      std::vector<Tensor> in{randn({steps, batch, width}, DType::f64), randn({width, hidden}, DType::f64) * 0.5,
                             randn({width}, DType::f64), randn({batch, hidden}, DType::f64),
                             lstm ? randn({batch, hidden}, DType::f64) : Tensor()};
      for (Tensor& t : in)
        if (t.defined()) t.requires_grad_();
      auto run = [&](bool fused) {
        const auto f = fused ? functional::recurrent_sequence : functional::recurrent_sequence_reference;
        return f(kind, in[0], in[1], in[2], in[3], in[4], reverse);
      };
      const functional::RecurrentRun a = run(true), b = run(false);
      expect_near_all(a.output, b.output, 1e-12, "output");
      expect_near_all(a.h_final, b.h_final, 1e-12, "h_final");
      // The final h is the output at the last step run.
      expect_near_all(a.h_final, a.output.select(0, reverse ? 0 : steps - 1), 0, "h_final in output");
      if (lstm) expect_near_all(a.c_final, b.c_final, 1e-12, "c_final");
      const Tensor w_out = randn({steps, batch, hidden}, DType::f64), w_h = randn({batch, hidden}, DType::f64);
      auto loss = [&](const functional::RecurrentRun& r) {
        Tensor l = sum(r.output * w_out) + sum(r.h_final * w_h);
        return lstm ? l + sum(r.c_final * w_h * 2.0) : l;
      };
      std::vector<Tensor> targets;
      for (const Tensor& t : in)
        if (t.defined()) targets.push_back(t);
      const std::vector<Tensor> ga = grad({loss(a)}, targets), gb = grad({loss(b)}, targets);
      for (size_t i = 0; i < targets.size(); ++i)
        expect_near_all(ga[i], gb[i], 1e-11, "gradient " + std::to_string(i));
    }
  }
}

// Without recording, the fused op keeps one step's scratch (cell states alternate between two
// rows) instead of every step's: the values must not change, in either direction.
TEST(Recurrent, InferenceWithoutGraphGivesTheSameValues) {
  manual_seed(3);
  nn::RecurrentOptions options;
  options.num_layers = 2;
  options.bidirectional = true;
  nn::LSTM lstm(3, 4, options);
  const Tensor x = randn({6, 2, 3});
  const nn::RecurrentOutput recorded = lstm.forward(x, {});
  EXPECT_TRUE(recorded.output.requires_grad());
  NoGradGuard no_grad;
  const nn::RecurrentOutput plain = lstm.forward(x, {});
  EXPECT_FALSE(plain.output.requires_grad());
  expect_near_all(plain.output, recorded.output, 0, "output");
  expect_near_all(plain.state.c, recorded.state.c, 0, "c");
}

TEST(Recurrent, BatchFirstIsTheTransposedSequence) {
  manual_seed(5);
  nn::RecurrentOptions options;
  options.bidirectional = true;
  nn::GRU time_first(3, 4, options);
  options.batch_first = true;
  nn::GRU batch_first(3, 4, options);
  batch_first.load_state_dict(time_first.state_dict());
  const Tensor x = randn({5, 2, 3});
  const nn::RecurrentOutput a = time_first.forward(x, {});
  const nn::RecurrentOutput b = batch_first.forward(x.transpose(0, 1), {});
  expect_near_all(b.output, a.output.transpose(0, 1), 1e-6, "output");
  expect_near_all(b.state.h, a.state.h, 1e-6, "h");  // states stay [L*D, N, H]
}

// The reverse half of a bidirectional layer is a forward layer run over the reversed sequence,
// with its output reversed back; the final state of the reverse direction is its h at t = 0.
TEST(Recurrent, BidirectionalReverseHalfRunsBackwardInTime) {
  manual_seed(6);
  nn::RecurrentOptions options;
  options.bidirectional = true;
  nn::LSTM both(3, 4, options);
  nn::LSTM forward_only(3, 4);
  const auto& w = both.weights(0, 1);
  forward_only.load_state_dict({{"weight_ih_l0", w.weight_ih}, {"weight_hh_l0", w.weight_hh},
                                {"bias_ih_l0", w.bias_ih}, {"bias_hh_l0", w.bias_hh}});
  const Tensor x = randn({5, 2, 3});
  const nn::RecurrentOutput b = both.forward(x, {});
  const nn::RecurrentOutput f = forward_only.forward(reversed(x), {});
  expect_near_all(slice(b.output, 2, 4, 8), reversed(f.output), 1e-6, "reverse half");
  expect_near_all(b.state.h.select(0, 1), f.state.h.select(0, 0), 1e-6, "reverse final h");
  expect_near_all(b.state.h.select(0, 1), b.output.select(0, 0).slice(1, 4, 8), 0, "h at t = 0");
}

TEST(Recurrent, GivenInitialStateIsUsed) {
  manual_seed(9);
  nn::RecurrentOptions options;
  options.num_layers = 2;
  nn::LSTM lstm(3, 4, options);
  const Tensor x = randn({4, 2, 3});
  const Tensor zeros_h = zeros({2, 2, 4});
  expect_near_all(lstm.forward(x, {zeros_h, zeros_h}).output, lstm(x), 0, "zeros = none");
  // Running the second half of a sequence from the first half's final state equals the whole.
  const nn::RecurrentOutput whole = lstm.forward(x, {});
  const nn::RecurrentOutput first = lstm.forward(slice(x, 0, 0, 2), {});
  const nn::RecurrentOutput second = lstm.forward(slice(x, 0, 2, 4), first.state);
  expect_near_all(second.output, slice(whole.output, 0, 2, 4), 1e-6, "continued output");
  expect_near_all(second.state.c, whole.state.c, 1e-6, "continued c");
}

TEST(Recurrent, StatefulCarriesTheDetachedStateUntilReset) {
  manual_seed(10);
  nn::GRU gru(3, 4);
  const Tensor x = randn({6, 2, 3});
  const Tensor whole = gru(x);
  gru.stateful = true;
  const Tensor first = gru(slice(x, 0, 0, 3));
  EXPECT_FALSE(gru.carried_state().h.requires_grad());  // truncated back-propagation
  const Tensor second = gru(slice(x, 0, 3, 6));
  expect_near_all(concat({first, second}, 0), whole, 1e-6, "two halves = whole");
  gru.reset_state();
  expect_near_all(gru(slice(x, 0, 0, 3)), slice(whole, 0, 0, 3), 1e-6, "after reset");
  // A batch of another size cannot continue the carried state.
  expect_contains(error_of([&] { gru(randn({2, 5, 3})); }), "reset_state");
}

TEST(Recurrent, DropoutBetweenLayersOnlyInTraining) {
  manual_seed(12);
  nn::RecurrentOptions options;
  options.num_layers = 2;
  options.dropout = 0.5;
  nn::LSTM with_dropout(3, 8, options);
  options.dropout = 0.0;
  nn::LSTM without(3, 8, options);
  without.load_state_dict(with_dropout.state_dict());
  const Tensor x = randn({5, 4, 3});
  // Training: masks differ between calls, and the result differs from no dropout.
  EXPECT_FALSE(allclose(with_dropout(x), with_dropout(x)));
  EXPECT_FALSE(allclose(with_dropout(x), without(x)));
  // Evaluation: no dropout at all.
  with_dropout.eval();
  expect_near_all(with_dropout(x), without(x), 0, "eval");
  // One layer: nothing to drop between layers, even with dropout set and training on.
  options.num_layers = 1;
  options.dropout = 0.9;
  nn::LSTM single(3, 8, options);
  EXPECT_TRUE(allclose(single(x), single(x)));
}

TEST(Recurrent, CellIsOneStepOfTheLayer) {
  manual_seed(13);
  for (const std::string type : {"RNN", "LSTM", "GRU"}) {
    SCOPED_TRACE(type);
    std::shared_ptr<nn::Recurrent> layer;
    std::shared_ptr<nn::RecurrentCell> cell;
    if (type == "RNN") layer = std::make_shared<nn::RNN>(3, 4), cell = std::make_shared<nn::RNNCell>(3, 4);
    if (type == "LSTM") layer = std::make_shared<nn::LSTM>(3, 4), cell = std::make_shared<nn::LSTMCell>(3, 4);
    if (type == "GRU") layer = std::make_shared<nn::GRU>(3, 4), cell = std::make_shared<nn::GRUCell>(3, 4);
    const auto& w = layer->weights(0, 0);
    cell->load_state_dict({{"weight_ih", w.weight_ih}, {"weight_hh", w.weight_hh},
                           {"bias_ih", w.bias_ih}, {"bias_hh", w.bias_hh}});
    const Tensor x = randn({3, 2, 3});
    const nn::RecurrentOutput whole = layer->forward(x, {});
    nn::RecurrentState state;
    for (int64_t t = 0; t < 3; ++t) {
      state = cell->forward(x.select(0, t), state);
      expect_near_all(state.h, whole.output.select(0, t), 1e-6, "step " + std::to_string(t));
    }
    if (type == "LSTM") expect_near_all(state.c, whole.state.c.select(0, 0), 1e-6, "c");
  }
}

// An unbatched sequence [T, I] (states [L*D, H]) is a batch of one, as PyTorch; so for cells.
TEST(Recurrent, UnbatchedInputIsABatchOfOne) {
  manual_seed(17);
  nn::RecurrentOptions options;
  options.num_layers = 2;
  options.batch_first = true;  // ignored for unbatched input, as in PyTorch
  nn::LSTM lstm(3, 4, options);
  const Tensor x = randn({5, 3}), h0 = randn({2, 4}), c0 = randn({2, 4});
  const nn::RecurrentOutput single = lstm.forward(x, {h0, c0});
  const nn::RecurrentOutput batched =
      lstm.forward(x.unsqueeze(0), {h0.unsqueeze(1), c0.unsqueeze(1)});
  EXPECT_EQ(to_string(single.output.shape()), "[5,4]");
  EXPECT_EQ(to_string(single.state.c.shape()), "[2,4]");
  expect_near_all(single.output, batched.output.select(0, 0), 0, "output");
  expect_near_all(single.state.h, batched.state.h.select(1, 0), 0, "h");
  nn::GRUCell cell(3, 4);
  const nn::RecurrentState one = cell.forward(x.select(0, 0), {h0.select(0, 0), Tensor()});
  EXPECT_EQ(to_string(one.h.shape()), "[4]");
  expect_near_all(one.h, cell.forward(x.slice(0, 0, 1), {h0.slice(0, 0, 1), Tensor()}).h.select(0, 0), 0,
                  "cell");
}

TEST(Recurrent, ErrorsNameTheLayerAndShapes) {
  nn::LSTM lstm(3, 4);
  expect_contains(error_of([&] { lstm(randn({5, 2, 3, 1})); }),
                  "LSTM: expects input [T, N, 3] (or [T, 3] unbatched), got [5,2,3,1]");
  expect_contains(error_of([&] { lstm(randn({5, 2, 7})); }), "[5,2,7]");
  expect_contains(error_of([&] { lstm.forward(randn({5, 2, 3}), {randn({1, 3, 4}), Tensor()}); }),
                  "LSTM: initial state of shape [1,3,4] should be [1,2,4]");
  expect_contains(error_of([&] { lstm(randn({5, 2, 3}, DType::f64)); }), "LSTM: input is f64");
  expect_contains(error_of([&] { lstm(randn({0, 2, 3})); }), "at least one time step");
  nn::GRU gru(3, 4);
  expect_contains(error_of([&] { gru.forward(randn({5, 2, 3}), {Tensor(), zeros({1, 2, 4})}); }),
                  "GRU: only an LSTM has a cell state");
  expect_contains(error_of([] { nn::RNN(3, 4, {}, "sigmoid"); }), "RNN: unknown nonlinearity 'sigmoid'");
  expect_contains(error_of([] { nn::LSTM(0, 4); }), "LSTM: input_size 0");
  nn::RecurrentOptions bad;
  bad.num_layers = 0;
  expect_contains(error_of([&] { nn::GRU(3, 4, bad); }), "GRU: num_layers");
  nn::LSTMCell cell(3, 4);
  expect_contains(error_of([&] { cell.forward(randn({2, 5}), {}); }),
                  "LSTMCell: expects input [N, 3] (or [3] unbatched), got [2,5]");
  expect_contains(error_of([&] { cell.forward(randn({2, 3}), {randn({3, 4}), Tensor()}); }),
                  "LSTMCell: state of shape [3,4] should be [2,4]");
}

// ---- the pieces around a recurrent layer -------------------------------------------------------

// A Linear over [N, T, F] is the same Linear at every time step (Keras' TimeDistributed).
TEST(SequenceModelPieces, LinearIsTimeDistributed) {
  manual_seed(14);
  nn::Linear linear(5, 3);
  const Tensor x = randn({2, 4, 5});
  const Tensor y = linear(x);
  ASSERT_EQ(to_string(y.shape()), "[2,4,3]");
  for (int64_t t = 0; t < 4; ++t)
    expect_near_all(y.select(1, t), linear(x.select(1, t)), 1e-6, "step " + std::to_string(t));
}

// Logits [N, T, C] flattened to [N*T, C] with padded targets: the mean runs over the kept tokens
// only, and ignored tokens get no gradient.
TEST(SequenceModelPieces, CrossEntropyOverFlattenedTimeWithIgnoreIndex) {
  manual_seed(15);
  Tensor logits = randn({2, 3, 4}, DType::f64);
  logits.requires_grad_();
  const Tensor targets = from_vector(std::vector<int64_t>{1, 3, -100, 0, -100, 2}, {2, 3});
  functional::CrossEntropyOptions options;
  const Tensor loss = functional::cross_entropy(logits.reshape({6, 4}), targets.reshape({6}), options);
  const Tensor log_p = log_softmax(logits.reshape({6, 4}), 1).detach();
  const auto lp = log_p.to_vector<double>();
  const double expected = -(lp[0 * 4 + 1] + lp[1 * 4 + 3] + lp[3 * 4 + 0] + lp[5 * 4 + 2]) / 4.0;
  EXPECT_NEAR(loss.item(), expected, 1e-12);
  loss.backward();
  const Tensor g = logits.grad().reshape({6, 4});
  EXPECT_EQ(sum(abs(g.select(0, 2))).item(), 0.0);
  EXPECT_EQ(sum(abs(g.select(0, 4))).item(), 0.0);
  EXPECT_GT(sum(abs(g.select(0, 0))).item(), 0.0);
}

TEST(SequenceModelPieces, EmbeddingGradientTouchesOnlyUsedRows) {
  manual_seed(16);
  nn::Embedding embedding(10, 3);
  const Tensor tokens = from_vector(std::vector<int64_t>{2, 7, 2, 5}, {2, 2});
  const Tensor out = embedding(tokens);
  ASSERT_EQ(to_string(out.shape()), "[2,2,3]");
  sum(out).backward();
  const auto g = embedding.weight.grad().to_vector<double>();
  for (int64_t row = 0; row < 10; ++row)
    for (int64_t j = 0; j < 3; ++j) {
      const double expected = row == 2 ? 2.0 : (row == 5 || row == 7 ? 1.0 : 0.0);
      EXPECT_EQ(g[static_cast<size_t>(row * 3 + j)], expected) << "row " << row;
    }
}

// The f32 gate kernels use a rational tanh (and sigmoid through it) instead of libm: over a sweep
// of pre-activations far into saturation they agree with the f64 kernels (libm) to 1e-6.
TEST(RecurrentKernels, FastF32ActivationsMatchF64) {
  const int64_t hidden = 1001;
  std::vector<float> gates32(4 * hidden), c32(hidden), h32(hidden), c_prev32(hidden, 0.5f);
  std::vector<double> gates64(4 * hidden), c64(hidden), h64(hidden), c_prev64(hidden, 0.5);
  for (int64_t j = 0; j < hidden; ++j)
    for (int64_t k = 0; k < 4; ++k) {
      // Gate k sweeps [-20, 20] at its own phase, so every combination of regimes occurs.
      const float v = -20.0f + 40.0f * static_cast<float>((j * (k + 1) * 7) % hidden) / (hidden - 1);
      gates32[k * hidden + j] = v;
      gates64[k * hidden + j] = v;
    }
  kernels::lstm_cell_forward<float>(1, hidden, gates32.data(), c_prev32.data(), c32.data(), h32.data());
  kernels::lstm_cell_forward<double>(1, hidden, gates64.data(), c_prev64.data(), c64.data(), h64.data());
  for (int64_t i = 0; i < 4 * hidden; ++i) ASSERT_NEAR(gates32[i], gates64[i], 1e-6) << "gate " << i;
  for (int64_t j = 0; j < hidden; ++j) {
    ASSERT_NEAR(c32[j], c64[j], 1e-6) << j;
    ASSERT_NEAR(h32[j], h64[j], 1e-6) << j;
  }
  std::vector<float> x32{-30.0f, -8.0f, -1e-5f, 0.0f, 3e-4f, 0.5f, 7.0f, 30.0f};
  std::vector<double> x64(x32.begin(), x32.end());
  kernels::rnn_cell_forward<float>(8, false, x32.data());
  for (size_t i = 0; i < x32.size(); ++i) EXPECT_NEAR(x32[i], std::tanh(x64[i]), 4e-7) << x64[i];
}

// padding_idx as PyTorch's: the row starts as zeros, is looked up as usual, and gets no gradient.
TEST(SequenceModelPieces, EmbeddingPaddingIdx) {
  manual_seed(18);
  nn::Embedding embedding(6, 2, -1);  // counts from the end: row 5
  ASSERT_TRUE(embedding.padding_idx.has_value());
  EXPECT_EQ(*embedding.padding_idx, 5);
  EXPECT_EQ(embedding.str(), "Embedding(6, 2, padding_idx=5)");
  EXPECT_EQ(sum(abs(embedding.weight.select(0, 5))).item(), 0.0);
  EXPECT_GT(sum(abs(embedding.weight.select(0, 1))).item(), 0.0);
  // A pad row set by hand is what a pad token reads.
  {
    NoGradGuard no_grad;
    nn::init::constant_(embedding.weight.select(0, 5), 0.5);
  }
  const Tensor tokens = from_vector(std::vector<int64_t>{1, 5, 5, 3}, {2, 2});
  const Tensor out = embedding(tokens);
  expect_near_all(out.select(0, 1).select(0, 0), full({2}, 0.5), 0, "pad row read");
  sum(out * 3.0).backward();
  const auto g = embedding.weight.grad().to_vector<double>();
  for (int64_t row = 0; row < 6; ++row)
    for (int64_t j = 0; j < 2; ++j)
      EXPECT_EQ(g[static_cast<size_t>(row * 2 + j)], row == 1 || row == 3 ? 3.0 : 0.0) << "row " << row;
  expect_contains(error_of([] { nn::Embedding(6, 2, 6); }), "Embedding: padding_idx 6 is outside the 6 embeddings");
}
