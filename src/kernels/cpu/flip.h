// Reversing a tensor along some of its axes.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(KERNELS);
#include <cstdint>
#include <vector>

#include "nabla/dtype.h"

namespace nabla::kernels {

// out = in reversed along every axis a with reversed[a] true; both are strided over `shape`.
void flip(DType dtype, const std::vector<int64_t>& shape, void* out,
          const std::vector<int64_t>& out_strides, const void* in,
          const std::vector<int64_t>& in_strides, const std::vector<bool>& reversed);

}  // namespace nabla::kernels
