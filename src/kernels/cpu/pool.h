// Pooling over the planes of [N, C, H, W] (N * C planes, each H x W, contiguous). Every pooling
// layer is a set of windows per axis: output row i reads input rows [start[i], end[i]), already
// clipped to the input, and likewise for columns. Average pooling divides by
// divisor[i] * divisor[j] per axis (the window size with or without padding), so max, average,
// ceil-mode and adaptive pooling all share these loops.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(KERNELS);
#include <cstdint>
#include <vector>

namespace nabla::kernels {

struct PoolWindows {
  std::vector<int64_t> start, end;  // clipped to [0, input size)
  std::vector<int64_t> divisor;     // average pooling only
  // The distance between a window's taps: start, start + step, ... below end (max pooling's
  // dilation; 1 for every other pooling).
  int64_t step = 1;
  int64_t size() const { return static_cast<int64_t>(start.size()); }
};

// y = the maximum of each window (its taps `step` apart), argmax = its flat index h * W + w within
// the plane (the first one on ties; NaN wins, as PyTorch's). Every window holds at least one tap.
template <class T>
void max_pool2d_forward(int64_t planes, int64_t in_h, int64_t in_w, const PoolWindows& rows,
                        const PoolWindows& cols, const T* x, T* y, int64_t* argmax);
// gx = 0, then gx[argmax] += gy per plane. Overwrites gx.
template <class T>
void max_pool2d_backward(int64_t planes, int64_t in_h, int64_t in_w, int64_t out_plane,
                         const T* gy, const int64_t* argmax, T* gx);

template <class T>
void avg_pool2d_forward(int64_t planes, int64_t in_h, int64_t in_w, const PoolWindows& rows,
                        const PoolWindows& cols, const T* x, T* y);
// The adjoint: spreads each gy / divisor over its window. Overwrites gx.
template <class T>
void avg_pool2d_backward(int64_t planes, int64_t in_h, int64_t in_w, const PoolWindows& rows,
                         const PoolWindows& cols, const T* gy, T* gx);

}  // namespace nabla::kernels
