// Gather/scatter kernels. Tensors are seen as [outer, axis, inner] contiguous blocks; index
// values are checked by the caller.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(KERNELS);
#include <cstdint>

#include "nabla/dtype.h"

namespace nabla::kernels {

// out[o, i, r] = src[o, index[i], r];   out is [outer, count, inner], src is [outer, src_axis, inner]
void index_select(DType dtype, int64_t outer, int64_t src_axis, int64_t inner, const void* src,
                  const int64_t* index, int64_t count, void* out);
// dst[o, index[i], r] += src[o, i, r];  src is [outer, count, inner], dst is [outer, dst_axis, inner]
void index_add(DType dtype, int64_t outer, int64_t dst_axis, int64_t inner, void* dst,
               const int64_t* index, int64_t count, const void* src);
// out[o, j, r] = src[o, index[o, j, r], r];  index and out are [outer, count, inner]
void gather(DType dtype, int64_t outer, int64_t src_axis, int64_t inner, const void* src,
            const int64_t* index, int64_t count, void* out);
// dst[o, index[o, j, r], r] += src[o, j, r]
void scatter_add(DType dtype, int64_t outer, int64_t dst_axis, int64_t inner, void* dst,
                 const int64_t* index, int64_t count, const void* src);

}  // namespace nabla::kernels
