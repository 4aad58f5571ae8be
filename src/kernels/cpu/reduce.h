// Reduction kernels over strided buffers.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(KERNELS);
#include <cstdint>
#include <vector>

#include "nabla/dtype.h"

namespace nabla::kernels {

// out[j] += in[i] where out is given with the INPUT's shape and stride 0 on every reduced axis,
// so the same strided walk serves any set of reduced axes. `out` must hold zeros on entry.
void sum(DType dtype, const std::vector<int64_t>& shape, const void* in,
         const std::vector<int64_t>& in_strides, void* out, const std::vector<int64_t>& out_strides);

enum class ArgReduce { max, min };

// Over the last axis of a contiguous [rows, n] buffer: the extreme value of each row (into
// `values`, when not null) and its first position (into `indices`, when not null). NaN wins, as
// in PyTorch.
void reduce_rows(ArgReduce op, DType dtype, int64_t rows, int64_t n, const void* in, void* values,
                 int64_t* indices);

}  // namespace nabla::kernels
