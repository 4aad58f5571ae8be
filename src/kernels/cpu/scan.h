// Cumulative scans (running sums and products) along one axis. The tensor is seen as contiguous
// [outer, n, inner] blocks, as the index kernels see it, so any axis is the middle one.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(KERNELS);
#include <cstdint>

#include "nabla/dtype.h"

namespace nabla::kernels {

enum class ScanOp { sum, prod };

// out[o, i, r] = in[o, 0, r] (op) in[o, 1, r] (op) ... (op) in[o, i, r]. Floats accumulate in
// double and integers in int64, as PyTorch's CPU scans do, so long scans in f32 stay accurate.
void cumulative(ScanOp op, DType dtype, int64_t outer, int64_t n, int64_t inner, const void* in,
                void* out);

}  // namespace nabla::kernels
