// Softmax over the last axis with an additive mask folded in, and its backward: the two passes
// attention spends its non-GEMM time in. Written as kernels because the same maths in general ops
// (add the mask, max, subtract, exp, sum, divide) walks the [batch, heads, L, L] scores six times.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(KERNELS);
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace nabla::kernels {

// y[j] = softmax(scale * x[j] + mask[j * mask_step]) over one row of n (mask may be null; y may be
// x). A row whose every entry is -inf (all keys masked) becomes all zeros instead of 0/0 = NaN.
template <class T>
inline void softmax_row(const T* x, T scale, const T* mask, int64_t mask_step, T* y, int64_t n) {
  T top = -std::numeric_limits<T>::infinity();
  if (mask) {
    for (int64_t j = 0; j < n; ++j) {
      y[j] = x[j] * scale + mask[j * mask_step];
      top = std::max(top, y[j]);
    }
  } else {
    for (int64_t j = 0; j < n; ++j) {
      y[j] = x[j] * scale;
      top = std::max(top, y[j]);
    }
  }
  if (top == -std::numeric_limits<T>::infinity()) {  // every key masked: attend to nothing
    std::fill(y, y + n, T(0));
    return;
  }
  T total = 0;
  for (int64_t j = 0; j < n; ++j) {
    y[j] = std::exp(y[j] - top);
    total += y[j];
  }
  const T inverse = T(1) / total;
  for (int64_t j = 0; j < n; ++j) y[j] *= inverse;
}

// gx[j] = scale * y[j] * (gy[j] - sum_i gy[i] y[i]) over one row (gx may be gy): the gradient of
// the softmax above with respect to x.
template <class T>
inline void softmax_backward_row(const T* y, const T* gy, T scale, T* gx, int64_t n) {
  T dot = 0;
  for (int64_t j = 0; j < n; ++j) dot += gy[j] * y[j];
  for (int64_t j = 0; j < n; ++j) gx[j] = scale * y[j] * (gy[j] - dot);
}

// The additive mask seen through a broadcast to the scores' shape: `strides` has one entry per
// axis of the scores (0 on broadcast axes). data == nullptr means no mask.
template <class T>
struct MaskView {
  const T* data = nullptr;
  std::vector<int64_t> strides;
};

// out[r, :] = softmax_row(x[r, :], scale, mask[r, :]) for the contiguous rows of x, shaped `shape`
// (the last axis is the softmax axis).
template <class T>
void masked_softmax(const std::vector<int64_t>& shape, const T* x, T scale, const MaskView<T>& mask,
                    T* out);

// softmax_backward_row with scale 1 over `rows` contiguous rows of n.
template <class T>
void softmax_backward(int64_t rows, int64_t n, const T* y, const T* gy, T* gx);

}  // namespace nabla::kernels
