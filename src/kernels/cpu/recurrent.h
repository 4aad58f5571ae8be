// The gate arithmetic of one recurrent time step, forward and backward, over a batch of N rows
// (row-major, gates side by side in PyTorch's order). The matrix products around them are GEMMs
// done by the caller (src/ops/recurrent.cpp); these loops are everything between two GEMMs, in
// one pass over memory instead of the dozen an expression of general ops would take.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(KERNELS);
#include <cstdint>

namespace nabla::kernels {

// rows[n, :] = src[n, :] + bias (bias may be null): the starting value a GEMM accumulates onto.
template <class T>
void add_bias_rows(int64_t n, int64_t width, const T* src, const T* bias, T* rows);

// Column sums of a [rows, width] matrix into sum[width] (a bias gradient), accumulated in double.
template <class T>
void column_sums(int64_t rows, int64_t width, const T* x, T* sum);

// LSTM. gates [N, 4H] holds the pre-activations W_ih x + b_ih + W_hh h + b_hh on entry and the
// activations i, f, g, o on exit; c = f * c_prev + i * g and h = o * tanh(c).
template <class T>
void lstm_cell_forward(int64_t n, int64_t hidden, T* gates, const T* c_prev, T* c, T* h);

// From the activations, c_prev and c of the step, the gradient dh of h and dc of c (on entry the
// gradient reaching c from later steps; on exit the gradient of c_prev), the gradients of the
// four pre-activations: dgates [N, 4H].
template <class T>
void lstm_cell_backward(int64_t n, int64_t hidden, const T* gates, const T* c_prev, const T* c,
                        const T* dh, T* dc, T* dgates);

// GRU. x_gates = W_ih x + b_ih and h_gates = W_hh h_prev + b_hh, both [N, 3H] (r, z, n);
// r, z = sigmoid(x_. + h_.), n = tanh(x_n + r * h_n), h = (1 - z) * n + z * h_prev. Saves
// saved [N, 4H] = r, z, n, h_n for the backward.
template <class T>
void gru_cell_forward(int64_t n, int64_t hidden, const T* x_gates, const T* h_gates,
                      const T* h_prev, T* saved, T* h);

// From saved, h_prev and dh: dx_gates and dh_gates [N, 3H] (they differ in the n block by the
// factor r) and the direct part of h_prev's gradient, dh * z (the caller adds dh_gates W_hh).
template <class T>
void gru_cell_backward(int64_t n, int64_t hidden, const T* saved, const T* h_prev, const T* dh,
                       T* dx_gates, T* dh_gates, T* dh_prev);

// Elman RNN: h = tanh(pre) or relu(pre), in place over count values; the backward from h itself.
template <class T>
void rnn_cell_forward(int64_t count, bool relu, T* pre_then_h);
template <class T>
void rnn_cell_backward(int64_t count, bool relu, const T* h, const T* dh, T* dpre);

}  // namespace nabla::kernels
