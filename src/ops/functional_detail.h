// What the fused functions and the nn layer share but users should not need: in-place writes into
// existing storage (running statistics, load_state_dict, init), which bypass autograd on purpose.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(CORE);
#include "nabla/functional.h"

namespace nabla::detail {

// dst[...] = src[...] elementwise, converting dtypes; src broadcasts to dst's shape. No autograd:
// callers hold NoGradGuard or write into buffers that never require grad.
void assign(const Tensor& dst, const Tensor& src);

// The loss tensor reduced as asked.
Tensor reduce_loss(const Tensor& losses, functional::Reduction reduction);

}  // namespace nabla::detail
