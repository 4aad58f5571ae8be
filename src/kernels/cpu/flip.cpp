#include "kernels/cpu/flip.h"

#include "kernels/cpu/elementwise.h"

namespace nabla::kernels {

// A reversed axis is the same axis read from its last element with the stride negated, so the
// flip is the strided copy with the input's start and strides changed.
void flip(DType dtype, const std::vector<int64_t>& shape, void* out,
          const std::vector<int64_t>& out_strides, const void* in,
          const std::vector<int64_t>& in_strides, const std::vector<bool>& reversed) {
  for (int64_t size : shape)
    if (size == 0) return;  // nothing to copy, and no last element to start from
  const char* start = static_cast<const char*>(in);
  std::vector<int64_t> strides = in_strides;
  for (size_t a = 0; a < shape.size(); ++a) {
    if (!reversed[a]) continue;
    start += (shape[a] - 1) * in_strides[a] * static_cast<int64_t>(itemsize(dtype));
    strides[a] = -in_strides[a];
  }
  copy(dtype, dtype, shape, out, out_strides, start, strides);
}

}  // namespace nabla::kernels
