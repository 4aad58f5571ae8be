// One recurrent layer and direction over a whole sequence as ONE differentiable op, the engine
// under nn::RNN / LSTM / GRU and their cells (include/nabla/nn/recurrent.h). Not public API: the
// layers are.
//
// The caller does the input projection of all steps in one GEMM (input_gates = x W_ih^T + b_ih,
// [T, N, G*H]); this op does the recurrence: per step one GEMM h W_hh^T and one fused gate kernel.
// Its backward runs back-propagation through time with fused kernels, one GEMM per step for the
// gradient flowing to h_{t-1}, and then the weight and bias gradients of all steps at once (one
// GEMM over T*N rows) rather than T small ones. When the gradient is itself being differentiated
// (create_graph), the backward is instead the autograd of recurrent_sequence_reference, the same
// recurrence in general ops, so higher derivatives stay exact.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(CORE);
#include "nabla/tensor.h"

namespace nabla::detail {

enum class RecurrentCellKind { rnn_tanh, rnn_relu, lstm, gru };

// The number of gate blocks stacked in W_ih / W_hh: 1, 4 (i, f, g, o) or 3 (r, z, n).
int64_t gate_count(RecurrentCellKind kind);
const char* cell_name(RecurrentCellKind kind);  // "rnn_tanh", "lstm", ... for error messages

struct RecurrentRun {
  Tensor output;   // [T, N, H]: h at every time step, in time order
  Tensor h_final;  // [N, H]: the last h computed (at t = 0 when reverse)
  Tensor c_final;  // [N, H]: LSTM only
};

// input_gates [T, N, G*H], weight_hh [G*H, H], bias_hh [G*H] or undefined, h0 [N, H], c0 [N, H]
// (LSTM only, otherwise undefined). reverse runs t = T-1 down to 0 (the backward direction of a
// bidirectional layer).
RecurrentRun recurrent_sequence(RecurrentCellKind kind, const Tensor& input_gates,
                                const Tensor& weight_hh, const Tensor& bias_hh, const Tensor& h0,
                                const Tensor& c0, bool reverse);

// The same recurrence written step by step with general ops: the definition the fused op must
// match, used by its create_graph backward and by the tests.
RecurrentRun recurrent_sequence_reference(RecurrentCellKind kind, const Tensor& input_gates,
                                          const Tensor& weight_hh, const Tensor& bias_hh,
                                          const Tensor& h0, const Tensor& c0, bool reverse);

}  // namespace nabla::detail
