// Max unpooling (torch.nn.MaxUnpool2d): the partial inverse of max pooling, which puts each pooled
// value back at the position its index names and zeros everywhere else. Planes are the N * C
// planes of [N, C, H, W], contiguous.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(KERNELS);
#include <cstdint>

namespace nabla::kernels {

struct UnpoolCheck {
  int64_t bad_position = -1;  // the first flat position of x whose index is outside the plane, or -1
  int64_t bad_index = 0;      // that index
};

// y = 0, then y[p][indices[p][k]] = x[p][k] for every plane p and position k < in_plane (when two
// positions name one index the later one wins, as PyTorch's). Stops at an index outside
// [0, out_plane) and reports it.
template <class T>
UnpoolCheck max_unpool2d_forward(int64_t planes, int64_t in_plane, int64_t out_plane, const T* x,
                                 const int64_t* indices, T* y);

}  // namespace nabla::kernels
