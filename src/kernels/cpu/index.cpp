#include "kernels/cpu/index.h"

#include <cstring>

#include "kernels/cpu/parallel_threshold.h"

namespace nabla::kernels {

void index_select(DType dtype, int64_t outer, int64_t src_axis, int64_t inner, const void* src,
                  const int64_t* index, int64_t count, void* out) {
  const size_t row_bytes = static_cast<size_t>(inner) * itemsize(dtype);
  const char* s = static_cast<const char*>(src);
  char* o = static_cast<char*>(out);
#pragma omp parallel for if (outer * count * inner >= kParallelThreshold)
  for (int64_t b = 0; b < outer; ++b)
    for (int64_t i = 0; i < count; ++i)
      std::memcpy(o + (b * count + i) * row_bytes, s + (b * src_axis + index[i]) * row_bytes,
                  row_bytes);
}

void index_add(DType dtype, int64_t outer, int64_t dst_axis, int64_t inner, void* dst,
               const int64_t* index, int64_t count, const void* src) {
  dispatch(dtype, [&](auto t) {
    using T = decltype(t);
    T* d = static_cast<T*>(dst);
    const T* s = static_cast<const T*>(src);
    // Sequential over the index: two entries may name the same row.
    for (int64_t b = 0; b < outer; ++b)
      for (int64_t i = 0; i < count; ++i) {
        T* drow = d + (b * dst_axis + index[i]) * inner;
        const T* srow = s + (b * count + i) * inner;
        for (int64_t r = 0; r < inner; ++r) drow[r] += srow[r];
      }
  });
}

void gather(DType dtype, int64_t outer, int64_t src_axis, int64_t inner, const void* src,
            const int64_t* index, int64_t count, void* out) {
  dispatch_storage(dtype, [&](auto t) {
    using T = decltype(t);
    const T* s = static_cast<const T*>(src);
    T* o = static_cast<T*>(out);
    for (int64_t b = 0; b < outer; ++b)
      for (int64_t j = 0; j < count; ++j)
        for (int64_t r = 0; r < inner; ++r) {
          const int64_t at = (b * count + j) * inner + r;
          o[at] = s[(b * src_axis + index[at]) * inner + r];
        }
  });
}

void scatter_add(DType dtype, int64_t outer, int64_t dst_axis, int64_t inner, void* dst,
                 const int64_t* index, int64_t count, const void* src) {
  dispatch(dtype, [&](auto t) {
    using T = decltype(t);
    T* d = static_cast<T*>(dst);
    const T* s = static_cast<const T*>(src);
    for (int64_t b = 0; b < outer; ++b)
      for (int64_t j = 0; j < count; ++j)
        for (int64_t r = 0; r < inner; ++r) {
          const int64_t at = (b * count + j) * inner + r;
          d[(b * dst_axis + index[at]) * inner + r] += s[at];
        }
  });
}

}  // namespace nabla::kernels
