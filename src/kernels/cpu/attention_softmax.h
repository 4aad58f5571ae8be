// Softmax over the last axis with an additive mask folded in, and its backward: the two passes
// attention spends its non-GEMM time in. Written as kernels because the same maths in general ops
// (add the mask, max, subtract, exp, sum, divide) walks the [batch, heads, L, L] scores six times.
#pragma once
#include <cstdint>
#include <vector>

namespace nabla::kernels {

// The additive mask seen through a broadcast to the scores' shape: `strides` has one entry per
// axis of the scores (0 on broadcast axes). data == nullptr means no mask.
template <class T>
struct MaskView {
  const T* data = nullptr;
  std::vector<int64_t> strides;
};

// out[r, :] = softmax(scale * x[r, :] + mask[r, :]) for the contiguous rows of x, shaped `shape`
// (the last axis is the softmax axis). A row whose every entry is -inf (all keys masked) becomes all
// zeros instead of 0/0 = NaN.
template <class T>
void masked_softmax(const std::vector<int64_t>& shape, const T* x, T scale, const MaskView<T>& mask,
                    T* out);

// gx = y * (gy - sum(gy * y)) per row, y the softmax's output: its gradient in one pass per row.
template <class T>
void softmax_backward(int64_t rows, int64_t n, const T* y, const T* gy, T* gx);

}  // namespace nabla::kernels
