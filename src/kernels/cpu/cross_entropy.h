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

// With eps the label smoothing, w the class weights (all 1 when class_weight is null) and
// l_c = lse_i - x[i, c]:
//   losses[i] = (1 - eps) w[t_i] l_{t_i} + eps / classes * sum_c w[c] l_c,
// PyTorch's weighted, smoothed cross entropy; probs[i] = softmax of row i; row_weight[i] = w[t_i],
// the row's share of the mean's denominator. An ignored row gets loss, probs and row_weight 0.
// Stops at a target out of range and reports it.
template <class T>
CrossEntropyCount cross_entropy_forward(const CrossEntropyShape& s, const T* logits,
                                        const int64_t* targets, const T* class_weight, T* probs,
                                        T* losses, T* row_weight);

// The gradient of row i's loss is r_i (a_i probs[i] - b_i) with
//   a_i = (1 - eps) w[t_i] + eps / classes * sum_c w[c],   b_i[c] = (1 - eps) w[t_i] [c = t_i] + eps / classes * w[c]
// (a_i = 1 and b_i the smoothed one-hot target without weights), r_i = scale * grad[i * grad_stride]
// (grad_stride 0: one gradient for the mean or sum of the losses, 1: one per row), and 0 for an
// ignored row.
template <class T>
void cross_entropy_backward(const CrossEntropyShape& s, const T* probs, const int64_t* targets,
                            const T* class_weight, const T* grad, int64_t grad_stride, double scale,
                            T* grad_logits);

}  // namespace nabla::kernels
