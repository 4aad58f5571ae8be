// What the fused functions of src/ops share among themselves: the reduction of a loss, the dropout
// mask.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(CORE);
#include "nabla/functional.h"

namespace nabla::detail {

// The loss tensor reduced as asked.
Tensor reduce_loss(const Tensor& losses, functional::Reduction reduction);

// Inverted dropout's mask of a floating `dtype` and `shape`: 0 with probability p, 1 / (1 - p)
// otherwise. Each 64-bit draw of the default generator decides two elements from its two 32-bit
// halves (p is resolved to 2^-32): half the draws of one double per element, and an integer
// compare. dropout, dropout2d and the attention weights all draw their masks here, so the mask
// depends on the seed only, whichever of them (or whichever attention path) asks.
Tensor dropout_mask(const Shape& shape, DType dtype, Device device, double p);

}  // namespace nabla::detail
