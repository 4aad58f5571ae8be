// Sorting along one axis, as positions: the values follow by gathering with them, which is also
// how their gradient scatters back. The tensor is seen as contiguous [outer, n, inner] blocks.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(KERNELS);
#include <cstdint>

#include "nabla/dtype.h"

namespace nabla::kernels {

// For every line in[o, :, r], the positions along n of its k smallest values (its k largest when
// descending), in sorted order, into indices[o, :, r] of a contiguous [outer, k, inner] buffer.
// The order is stable (equal values keep their order along the line) and NaN counts as larger than
// every number, as PyTorch's sort does.
void sort_indices(DType dtype, int64_t outer, int64_t n, int64_t inner, int64_t k, bool descending,
                  const void* in, int64_t* indices);

}  // namespace nabla::kernels
