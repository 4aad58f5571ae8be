// Cross-entropy over class indices, fused: one pass over each row of logits [rows, classes] gives
// its log-sum-exp, its loss and its softmax (kept for a one-loop backward), where log_softmax and
// a gather would take four passes and two temporaries.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(KERNELS);
#include <cstdint>

namespace nabla::kernels {

struct CrossEntropyShape {
  int64_t rows, classes;
  int64_t ignore_index;  // rows with this target count for nothing
  double label_smoothing;
};

struct CrossEntropyCount {
  int64_t counted = 0;     // rows not ignored
  int64_t bad_row = -1;    // the first row whose target is outside [0, classes), or -1
  int64_t bad_target = 0;  // that target
};

// losses[i] = (1 - eps) (lse_i - x[i, t_i]) + eps mean_c (lse_i - x[i, c]) and probs[i] = softmax
// of row i; row_weight[i] = 1, or 0 with loss and probs 0 for an ignored row. Stops at a target out
// of range and reports it.
template <class T>
CrossEntropyCount cross_entropy_forward(const CrossEntropyShape& s, const T* logits,
                                        const int64_t* targets, T* probs, T* losses, T* row_weight);

// grad_logits = (probs - q) * r_i with q the smoothed one-hot target and
// r_i = row_weight[i] * scale * grad[i * grad_stride] (grad_stride 0: one gradient for the mean or
// sum of the losses, 1: one per row).
template <class T>
void cross_entropy_backward(const CrossEntropyShape& s, const T* probs, const int64_t* targets,
                            const T* row_weight, const T* grad, int64_t grad_stride, double scale,
                            T* grad_logits);

}  // namespace nabla::kernels
