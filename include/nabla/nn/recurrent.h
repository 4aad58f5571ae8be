// Recurrent layers over sequences: RNN (Elman), LSTM and GRU, multi-layer and bidirectional, and
// their one-step cells, with PyTorch's parameter names, gate layouts and initialisation, so a
// state_dict exported from torch.nn loads unchanged.
//
// A sequence is [T, N, I] (time first, PyTorch's default) or [N, T, I] with batch_first. Layer k
// of direction d reads the previous layer's output (both directions concatenated) and owns
//   weight_ih_l{k}[_reverse] [G*H, I_k], weight_hh_l{k}[_reverse] [G*H, H],
//   bias_ih_l{k}[_reverse] [G*H],       bias_hh_l{k}[_reverse] [G*H],
// where G is the number of gates stacked in that order: 1 for RNN, 4 for LSTM (i, f, g, o), 3 for
// GRU (r, z, n). All are drawn from U(-1/sqrt(H), 1/sqrt(H)) as torch.nn does.
//
//   RNN   h' = tanh(W_ih x + b_ih + W_hh h + b_hh)            (or relu)
//   LSTM  i, f, o = sigmoid(.), g = tanh(.) of W_ih x + b_ih + W_hh h + b_hh, split in four;
//         c' = f * c + i * g,  h' = o * tanh(c')
//   GRU   r, z = sigmoid(W_i{r,z} x + b_i{r,z} + W_h{r,z} h + b_h{r,z}),
//         n = tanh(W_in x + b_in + r * (W_hn h + b_hn)),  h' = (1 - z) * n + z * h
//
// Training is fast because the whole of one layer's sequence is one autograd node: the input
// projection of all T steps is one GEMM, each step is one GEMM plus one fused gate kernel, and in
// the backward the weight gradients of all steps are again one GEMM each (src/ops/recurrent.cpp).
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(NN);
#include <cstdint>
#include <string>
#include <tuple>

#include "nabla/nn/module.h"

namespace nabla::nn {

struct RecurrentOptions {
  int64_t num_layers = 1;
  bool bias = true;
  bool batch_first = false;  // as PyTorch: x is [T, N, I], or [N, T, I] when batch_first
  double dropout = 0.0;      // on the outputs of every layer but the last, in training mode only
  bool bidirectional = false;
};

// Hidden state, each [num_layers * num_directions, N, H] (layer-major, forward before reverse, as
// PyTorch); c only for LSTM. Undefined tensors mean zeros. A cell's state is [N, H].
struct RecurrentState {
  Tensor h;
  Tensor c;
};
inline auto tensors_of(const RecurrentState& state) { return std::tie(state.h, state.c); }  // for hooks

// output [T, N, D*H] ([N, T, D*H] when batch_first): the last layer's h at every step, the two
// directions concatenated; state: the final state of every layer and direction.
struct RecurrentOutput {
  Tensor output;
  RecurrentState state;
};
inline auto tensors_of(const RecurrentOutput& out) { return std::tie(out.output, out.state); }  // for hooks

// What RNN, LSTM and GRU share: the stacked parameters and the loop over layers and directions.
class Recurrent : public UnaryModule {
 public:
  enum class Kind { rnn_tanh, rnn_relu, lstm, gru };

  // x [T, N, I] ([N, T, I] when batch_first), or one unbatched sequence [T, I] with states
  // [L*D, H] and output [T, D*H], as PyTorch: lstm(x, state) -> {output, final state}.
  RecurrentOutput forward(const Tensor& x, const RecurrentState& initial);
  // The output sequence only, from the initial state {} (zeros, or the carried one if stateful).
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  void reset_parameters();

  // Keras-style statefulness for truncated back-propagation through time: when on, a forward
  // with no initial state starts from the previous call's final state, detached from its graph;
  // reset_state() forgets it (e.g. at the start of an epoch).
  bool stateful = false;
  void reset_state() { carried_ = {}; }
  const RecurrentState& carried_state() const { return carried_; }

  Kind kind;
  int64_t input_size, hidden_size;
  RecurrentOptions options;
  int64_t num_directions() const { return options.bidirectional ? 2 : 1; }
  int64_t gate_count() const;

  // The four parameters of one layer and direction (biases undefined without bias).
  struct LayerWeights {
    Tensor weight_ih, weight_hh, bias_ih, bias_hh;
  };
  const LayerWeights& weights(int64_t layer, int64_t direction) const;

 protected:
  Recurrent(Kind kind, int64_t input_size, int64_t hidden_size, RecurrentOptions options);

 private:
  // The layers over a time-first sequence [T, N, I].
  RecurrentOutput run(const Tensor& sequence, const RecurrentState& initial);

  std::vector<LayerWeights> weights_;  // layer-major, forward direction first
  RecurrentState carried_;
};

class RNN : public Recurrent {
 public:
  // nonlinearity: "tanh" or "relu".
  RNN(int64_t input_size, int64_t hidden_size, RecurrentOptions options = {},
      const std::string& nonlinearity = "tanh");
};

class LSTM : public Recurrent {
 public:
  LSTM(int64_t input_size, int64_t hidden_size, RecurrentOptions options = {});
};

class GRU : public Recurrent {
 public:
  GRU(int64_t input_size, int64_t hidden_size, RecurrentOptions options = {});
};

// One time step, for loops the caller writes itself (decoders feeding back their own output):
// weight_ih [G*H, I], weight_hh [G*H, H], bias_ih, bias_hh [G*H].
class RecurrentCell : public UnaryModule {
 public:
  // x [N, I], state [N, H] each (undefined means zeros) -> the next state. An unbatched x [I]
  // takes and gives states [H].
  RecurrentState forward(const Tensor& x, const RecurrentState& state);
  // The next h from a zero state.
  Tensor forward(const Tensor& x) override { return forward(x, {}).h; }
  std::string extra_repr() const override;
  void reset_parameters();

  Recurrent::Kind kind;
  int64_t input_size, hidden_size;
  Tensor weight_ih, weight_hh, bias_ih, bias_hh;

 protected:
  RecurrentCell(Recurrent::Kind kind, int64_t input_size, int64_t hidden_size, bool bias);
};

class RNNCell : public RecurrentCell {
 public:
  RNNCell(int64_t input_size, int64_t hidden_size, bool bias = true,
          const std::string& nonlinearity = "tanh");
};

class LSTMCell : public RecurrentCell {
 public:
  LSTMCell(int64_t input_size, int64_t hidden_size, bool bias = true);
};

class GRUCell : public RecurrentCell {
 public:
  GRUCell(int64_t input_size, int64_t hidden_size, bool bias = true);
};

}  // namespace nabla::nn
