#include "kernels/cpu/attention_softmax.h"

#include "kernels/cpu/parallel_threshold.h"

namespace nabla::kernels {

template <class T>
void masked_softmax(const std::vector<int64_t>& shape, const T* x, T scale, const MaskView<T>& mask,
                    T* out) {
  const int64_t n = shape.empty() ? 1 : shape.back();
  int64_t rows = 1;
  for (size_t i = 0; i + 1 < shape.size(); ++i) rows *= shape[i];
  if (n == 0 || rows == 0) return;
  const int64_t mask_step = mask.data ? mask.strides.back() : 0;
#pragma omp parallel for schedule(static) if (rows * n >= kParallelThreshold)
  for (int64_t r = 0; r < rows; ++r) {
    // The mask row: r decomposed over the leading axes, each weighed by the mask's stride.
    const T* m = nullptr;
    if (mask.data) {
      int64_t offset = 0, rest = r;
      for (size_t axis = shape.size() - 1; axis-- > 0;) {
        offset += (rest % shape[axis]) * mask.strides[axis];
        rest /= shape[axis];
      }
      m = mask.data + offset;
    }
    softmax_row(x + r * n, scale, m, mask_step, out + r * n, n);
  }
}

template <class T>
void softmax_backward(int64_t rows, int64_t n, const T* y, const T* gy, T* gx) {
#pragma omp parallel for schedule(static) if (rows * n >= kParallelThreshold)
  for (int64_t r = 0; r < rows; ++r) softmax_backward_row(y + r * n, gy + r * n, T(1), gx + r * n, n);
}

template void masked_softmax<float>(const std::vector<int64_t>&, const float*, float,
                                    const MaskView<float>&, float*);
template void masked_softmax<double>(const std::vector<int64_t>&, const double*, double,
                                     const MaskView<double>&, double*);
template void softmax_backward<float>(int64_t, int64_t, const float*, const float*, float*);
template void softmax_backward<double>(int64_t, int64_t, const double*, const double*, double*);

}  // namespace nabla::kernels
