// What Tensor::empty and the creation functions share: an uninitialised tensor whose errors (a
// negative or overflowing shape, memory the machine does not have) name the function called.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(CORE);

#include "nabla/tensor.h"

namespace nabla::detail {

Tensor empty_for(const Shape& shape, DType dtype, Device device, const char* op);

}  // namespace nabla::detail
