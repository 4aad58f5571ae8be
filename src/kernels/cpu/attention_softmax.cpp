#include "kernels/cpu/attention_softmax.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace nabla::kernels {
namespace {

constexpr int64_t kParallelThreshold = 32768;

}  // namespace

template <class T>
void masked_softmax(const std::vector<int64_t>& shape, const T* x, T scale, const MaskView<T>& mask,
                    T* out) {
  const int64_t n = shape.empty() ? 1 : shape.back();
  int64_t rows = 1;
  for (size_t i = 0; i + 1 < shape.size(); ++i) rows *= shape[i];
  if (n == 0 || rows == 0) return;
  const int64_t mask_step = mask.data ? mask.strides.back() : 0;
  constexpr T kMinusInf = -std::numeric_limits<T>::infinity();
#pragma omp parallel for schedule(static) if (rows * n >= kParallelThreshold)
  for (int64_t r = 0; r < rows; ++r) {
    const T* in = x + r * n;
    T* y = out + r * n;
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
    T top = kMinusInf;
    if (m) {
      for (int64_t j = 0; j < n; ++j) {
        y[j] = in[j] * scale + m[j * mask_step];
        top = std::max(top, y[j]);
      }
    } else {
      for (int64_t j = 0; j < n; ++j) {
        y[j] = in[j] * scale;
        top = std::max(top, y[j]);
      }
    }
    if (top == kMinusInf) {  // every key masked: no distribution to normalise, attend to nothing
      std::fill(y, y + n, T(0));
      continue;
    }
    T total = 0;
    for (int64_t j = 0; j < n; ++j) {
      y[j] = std::exp(y[j] - top);
      total += y[j];
    }
    const T scale = T(1) / total;
    for (int64_t j = 0; j < n; ++j) y[j] *= scale;
  }
}

template <class T>
void softmax_backward(int64_t rows, int64_t n, const T* y, const T* gy, T* gx) {
#pragma omp parallel for schedule(static) if (rows * n >= kParallelThreshold)
  for (int64_t r = 0; r < rows; ++r) {
    const T* yr = y + r * n;
    const T* gr = gy + r * n;
    T* out = gx + r * n;
    T dot = 0;
    for (int64_t j = 0; j < n; ++j) dot += gr[j] * yr[j];
    for (int64_t j = 0; j < n; ++j) out[j] = yr[j] * (gr[j] - dot);
  }
}

template void masked_softmax<float>(const std::vector<int64_t>&, const float*, float,
                                    const MaskView<float>&, float*);
template void masked_softmax<double>(const std::vector<int64_t>&, const double*, double,
                                     const MaskView<double>&, double*);
template void softmax_backward<float>(int64_t, int64_t, const float*, const float*, float*);
template void softmax_backward<double>(int64_t, int64_t, const double*, const double*, double*);

}  // namespace nabla::kernels
