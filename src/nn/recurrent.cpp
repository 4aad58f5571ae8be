// RNN, LSTM, GRU and their cells: the parameters, PyTorch's initialisation, the loop over layers
// and directions, and the user-facing checks. The recurrence itself is one fused op per layer and
// direction (src/ops/recurrent.cpp).
#include "nabla/nn/recurrent.h"

#include <cmath>

#include "nabla/functional.h"
#include "nabla/nn/init.h"
#include "nabla/ops.h"
#include "nn/repr.h"

namespace nabla::nn {
namespace {

using functional::RecurrentCellKind;

RecurrentCellKind cell_kind(Recurrent::Kind kind) {
  switch (kind) {
    case Recurrent::Kind::rnn_tanh: return RecurrentCellKind::rnn_tanh;
    case Recurrent::Kind::rnn_relu: return RecurrentCellKind::rnn_relu;
    case Recurrent::Kind::lstm: return RecurrentCellKind::lstm;
    case Recurrent::Kind::gru: return RecurrentCellKind::gru;
  }
  return RecurrentCellKind::lstm;
}

// "RNN", "LSTM" or "GRU": what error messages raised before the object is complete call it.
std::string layer_name(Recurrent::Kind kind) {
  switch (kind) {
    case Recurrent::Kind::lstm: return "LSTM";
    case Recurrent::Kind::gru: return "GRU";
    default: return "RNN";
  }
}

Recurrent::Kind rnn_kind(const std::string& layer, const std::string& nonlinearity) {
  if (nonlinearity == "tanh") return Recurrent::Kind::rnn_tanh;
  if (nonlinearity == "relu") return Recurrent::Kind::rnn_relu;
  throw Error(layer + ": unknown nonlinearity '" + nonlinearity + "' (expected 'tanh' or 'relu')");
}

// U(-1/sqrt(H), 1/sqrt(H)) for every weight and bias, as torch.nn's RNNBase and RNNCellBase.
void reset_uniform(const std::vector<Tensor>& parameters, int64_t hidden_size) {
  const double bound = 1.0 / std::sqrt(static_cast<double>(hidden_size));
  for (const Tensor& p : parameters) init::uniform_(p, -bound, bound);
}

void check_sizes(const std::string& layer, int64_t input_size, int64_t hidden_size) {
  if (input_size < 1 || hidden_size < 1)
    throw ShapeError(layer + ": input_size " + std::to_string(input_size) + " and hidden_size " +
                     std::to_string(hidden_size) + " must be positive");
}

void check_dtype(const std::string& layer, const Tensor& x, const Tensor& weight) {
  if (x.dtype() != weight.dtype())
    throw DTypeError(layer + ": input is " + to_string(x.dtype()) + " but the parameters are " +
                     to_string(weight.dtype()));
}

}  // namespace

// ---- Recurrent ------------------------------------------------------------------------------------

Recurrent::Recurrent(Kind kind, int64_t input_size, int64_t hidden_size, RecurrentOptions options)
    : kind(kind), input_size(input_size), hidden_size(hidden_size), options(options) {
  const std::string layer = layer_name(kind);
  check_sizes(layer, input_size, hidden_size);
  if (options.num_layers < 1)
    throw Error(layer + ": num_layers must be at least 1, got " + std::to_string(options.num_layers));
  if (!(options.dropout >= 0.0 && options.dropout <= 1.0))
    throw Error(layer + ": dropout must be in [0, 1], got " + std::to_string(options.dropout));
  const int64_t width = gate_count() * hidden_size;
  for (int64_t layer_index = 0; layer_index < options.num_layers; ++layer_index) {
    const int64_t layer_input = layer_index == 0 ? input_size : hidden_size * num_directions();
    for (int64_t direction = 0; direction < num_directions(); ++direction) {
      const std::string suffix =
          "_l" + std::to_string(layer_index) + (direction == 1 ? "_reverse" : "");
      LayerWeights w;
      w.weight_ih = register_parameter("weight_ih" + suffix, Tensor::empty({width, layer_input}));
      w.weight_hh = register_parameter("weight_hh" + suffix, Tensor::empty({width, hidden_size}));
      if (options.bias) {
        w.bias_ih = register_parameter("bias_ih" + suffix, Tensor::empty({width}));
        w.bias_hh = register_parameter("bias_hh" + suffix, Tensor::empty({width}));
      }
      weights_.push_back(w);
    }
  }
  reset_parameters();
}

int64_t Recurrent::gate_count() const { return functional::gate_count(cell_kind(kind)); }

const Recurrent::LayerWeights& Recurrent::weights(int64_t layer, int64_t direction) const {
  if (layer < 0 || layer >= options.num_layers || direction < 0 || direction >= num_directions())
    throw IndexError(type_name() + ": no layer " + std::to_string(layer) + " direction " +
                     std::to_string(direction));
  return weights_.at(static_cast<size_t>(layer * num_directions() + direction));
}

void Recurrent::reset_parameters() { reset_uniform(parameters(), hidden_size); }

RecurrentOutput Recurrent::forward(const Tensor& x, const RecurrentState& initial) {
  const std::string layer = type_name();
  if (x.dim() == 2 && x.size(1) == input_size) {
    // One unbatched sequence [T, I] with states [L*D, H], as PyTorch: a batch of one, squeezed.
    auto batch_of_one = [](const Tensor& t) { return t.defined() ? t.unsqueeze(1) : t; };
    auto squeezed = [](const Tensor& t) { return t.defined() ? t.squeeze(1) : t; };
    const RecurrentOutput out =
        run(x.unsqueeze(1), {batch_of_one(initial.h), batch_of_one(initial.c)});
    return {squeezed(out.output), {squeezed(out.state.h), squeezed(out.state.c)}};
  }
  if (x.dim() != 3 || x.size(2) != input_size)
    throw ShapeError(layer + ": expects input " +
                     (options.batch_first ? std::string("[N, T, ") : std::string("[T, N, ")) +
                     std::to_string(input_size) + "] (or [T, " + std::to_string(input_size) +
                     "] unbatched), got " + to_string(x.shape()));
  if (!options.batch_first) return run(x, initial);
  RecurrentOutput out = run(x.transpose(0, 1), initial);
  out.output = out.output.transpose(0, 1);
  return out;
}

RecurrentOutput Recurrent::run(const Tensor& sequence, const RecurrentState& initial) {
  const std::string layer = type_name();
  check_dtype(layer, sequence, weights_.front().weight_ih);
  const int64_t batch = sequence.size(1), stacked = options.num_layers * num_directions();
  const Shape state_shape{stacked, batch, hidden_size};

  const bool lstm = kind == Kind::lstm;
  RecurrentState start = initial;
  if (!start.h.defined() && !start.c.defined() && stateful) start = carried_;
  if (!lstm && start.c.defined())
    throw ShapeError(layer + ": only an LSTM has a cell state c, but one was given");
  for (const Tensor* t : {&start.h, &start.c})
    if (t->defined() && t->shape() != state_shape)
      throw ShapeError(layer + ": initial state of shape " + to_string(t->shape()) +
                       " should be " + to_string(state_shape) +
                       " ([num_layers * num_directions, N, hidden_size])" +
                       (t == &start.h && stateful && !initial.h.defined()
                            ? "; the carried state is from a batch of another size, call reset_state()"
                            : ""));
  auto initial_row = [&](const Tensor& all, int64_t index) {
    return all.defined() ? all.select(0, index) : zeros({batch, hidden_size}, sequence.dtype());
  };

  Tensor layer_input = sequence;
  std::vector<Tensor> h_finals, c_finals;
  for (int64_t layer_index = 0; layer_index < options.num_layers; ++layer_index) {
    std::vector<Tensor> outputs;
    for (int64_t direction = 0; direction < num_directions(); ++direction) {
      const LayerWeights& w = weights(layer_index, direction);
      const int64_t index = layer_index * num_directions() + direction;
      // The input projection of every time step at once: one GEMM.
      const Tensor input_gates = functional::linear(layer_input, w.weight_ih, w.bias_ih);
      const functional::RecurrentRun run = functional::recurrent_sequence(
          cell_kind(kind), input_gates, w.weight_hh, w.bias_hh, initial_row(start.h, index),
          lstm ? initial_row(start.c, index) : Tensor(), direction == 1);
      outputs.push_back(run.output);
      h_finals.push_back(run.h_final);
      if (lstm) c_finals.push_back(run.c_final);
    }
    layer_input = outputs.size() == 1 ? outputs[0] : concat(outputs, 2);
    if (layer_index + 1 < options.num_layers)
      layer_input = functional::dropout(layer_input, options.dropout, is_training());
  }

  RecurrentOutput result;
  result.output = layer_input;
  result.state.h = stack(h_finals, 0);
  if (lstm) result.state.c = stack(c_finals, 0);
  if (stateful)
    carried_ = {result.state.h.detach(), lstm ? result.state.c.detach() : Tensor()};
  return result;
}

Tensor Recurrent::forward(const Tensor& x) { return forward(x, {}).output; }

std::string Recurrent::extra_repr() const {
  std::string text = std::to_string(input_size) + ", " + std::to_string(hidden_size);
  if (options.num_layers != 1) text += ", num_layers=" + std::to_string(options.num_layers);
  if (!options.bias) text += ", bias=False";
  if (options.batch_first) text += ", batch_first=True";
  if (options.dropout != 0.0) text += ", dropout=" + python_float(options.dropout);
  if (options.bidirectional) text += ", bidirectional=True";
  return text;
}

RNN::RNN(int64_t input_size, int64_t hidden_size, RecurrentOptions options,
         const std::string& nonlinearity)
    : Recurrent(rnn_kind("RNN", nonlinearity), input_size, hidden_size, options) {}

LSTM::LSTM(int64_t input_size, int64_t hidden_size, RecurrentOptions options)
    : Recurrent(Kind::lstm, input_size, hidden_size, options) {}

GRU::GRU(int64_t input_size, int64_t hidden_size, RecurrentOptions options)
    : Recurrent(Kind::gru, input_size, hidden_size, options) {}

// ---- cells ---------------------------------------------------------------------------------------

RecurrentCell::RecurrentCell(Recurrent::Kind kind, int64_t input_size, int64_t hidden_size, bool bias)
    : kind(kind), input_size(input_size), hidden_size(hidden_size) {
  check_sizes(layer_name(kind) + "Cell", input_size, hidden_size);
  const int64_t width = functional::gate_count(cell_kind(kind)) * hidden_size;
  weight_ih = register_parameter("weight_ih", Tensor::empty({width, input_size}));
  weight_hh = register_parameter("weight_hh", Tensor::empty({width, hidden_size}));
  if (bias) {
    bias_ih = register_parameter("bias_ih", Tensor::empty({width}));
    bias_hh = register_parameter("bias_hh", Tensor::empty({width}));
  }
  reset_parameters();
}

void RecurrentCell::reset_parameters() { reset_uniform(parameters(), hidden_size); }

RecurrentState RecurrentCell::forward(const Tensor& x, const RecurrentState& state) {
  const std::string layer = type_name();
  if (x.dim() == 1 && x.size(0) == input_size) {
    // One unbatched input [I] with states [H], as PyTorch: a batch of one, squeezed.
    auto batch_of_one = [](const Tensor& t) { return t.defined() ? t.unsqueeze(0) : t; };
    auto squeezed = [](const Tensor& t) { return t.defined() ? t.squeeze(0) : t; };
    const RecurrentState next = forward(x.unsqueeze(0), {batch_of_one(state.h), batch_of_one(state.c)});
    return {squeezed(next.h), squeezed(next.c)};
  }
  if (x.dim() != 2 || x.size(1) != input_size)
    throw ShapeError(layer + ": expects input [N, " + std::to_string(input_size) + "] (or [" +
                     std::to_string(input_size) + "] unbatched), got " + to_string(x.shape()));
  check_dtype(layer, x, weight_ih);
  const bool lstm = kind == Recurrent::Kind::lstm;
  const Shape state_shape{x.size(0), hidden_size};
  if (!lstm && state.c.defined())
    throw ShapeError(layer + ": only an LSTMCell has a cell state c, but one was given");
  for (const Tensor* t : {&state.h, &state.c})
    if (t->defined() && t->shape() != state_shape)
      throw ShapeError(layer + ": state of shape " + to_string(t->shape()) + " should be " +
                       to_string(state_shape) + " for input " + to_string(x.shape()));
  auto or_zeros = [&](const Tensor& t) { return t.defined() ? t : zeros(state_shape, x.dtype()); };
  // A sequence of one step through the same fused op as the layers.
  const Tensor input_gates = unsqueeze(functional::linear(x, weight_ih, bias_ih), 0);
  const functional::RecurrentRun run =
      functional::recurrent_sequence(cell_kind(kind), input_gates, weight_hh, bias_hh,
                                     or_zeros(state.h), lstm ? or_zeros(state.c) : Tensor(), false);
  return {run.h_final, run.c_final};
}

std::string RecurrentCell::extra_repr() const {
  std::string text = std::to_string(input_size) + ", " + std::to_string(hidden_size);
  if (!bias_ih.defined()) text += ", bias=False";
  if (kind == Recurrent::Kind::rnn_relu) text += ", nonlinearity=relu";
  return text;
}

RNNCell::RNNCell(int64_t input_size, int64_t hidden_size, bool bias, const std::string& nonlinearity)
    : RecurrentCell(rnn_kind("RNNCell", nonlinearity), input_size, hidden_size, bias) {}

LSTMCell::LSTMCell(int64_t input_size, int64_t hidden_size, bool bias)
    : RecurrentCell(Recurrent::Kind::lstm, input_size, hidden_size, bias) {}

GRUCell::GRUCell(int64_t input_size, int64_t hidden_size, bool bias)
    : RecurrentCell(Recurrent::Kind::gru, input_size, hidden_size, bias) {}

}  // namespace nabla::nn
