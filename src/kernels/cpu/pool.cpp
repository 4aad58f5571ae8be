#include "kernels/cpu/pool.h"

#include <algorithm>
#include <cmath>

namespace nabla::kernels {
namespace {

constexpr int64_t kParallelThreshold = 32768;  // elements below which threads cost more than they save

}  // namespace

template <class T>
void max_pool2d_forward(int64_t planes, int64_t in_h, int64_t in_w, const PoolWindows& rows,
                        const PoolWindows& cols, const T* x, T* y, int64_t* argmax) {
  const int64_t out_h = rows.size(), out_w = cols.size(), out_plane = out_h * out_w;
#pragma omp parallel for schedule(static) if (planes * in_h * in_w >= kParallelThreshold)
  for (int64_t p = 0; p < planes; ++p) {
    const T* in = x + p * in_h * in_w;
    T* out = y + p * out_plane;
    int64_t* arg = argmax + p * out_plane;
    for (int64_t i = 0; i < out_h; ++i)
      for (int64_t j = 0; j < out_w; ++j) {
        int64_t best = rows.start[i] * in_w + cols.start[j];
        T best_value = in[best];
        for (int64_t h = rows.start[i]; h < rows.end[i]; ++h)
          for (int64_t w = cols.start[j]; w < cols.end[j]; ++w) {
            const T v = in[h * in_w + w];
            if (v > best_value || (std::isnan(v) && !std::isnan(best_value))) {
              best_value = v;
              best = h * in_w + w;
            }
          }
        out[i * out_w + j] = best_value;
        arg[i * out_w + j] = best;
      }
  }
}

template <class T>
void max_pool2d_backward(int64_t planes, int64_t in_h, int64_t in_w, int64_t out_plane,
                         const T* gy, const int64_t* argmax, T* gx) {
  const int64_t in_plane = in_h * in_w;
#pragma omp parallel for schedule(static) if (planes * in_plane >= kParallelThreshold)
  for (int64_t p = 0; p < planes; ++p) {
    T* g = gx + p * in_plane;
    std::fill(g, g + in_plane, T(0));
    const T* grad = gy + p * out_plane;
    const int64_t* arg = argmax + p * out_plane;
    for (int64_t k = 0; k < out_plane; ++k) g[arg[k]] += grad[k];
  }
}

template <class T>
void avg_pool2d_forward(int64_t planes, int64_t in_h, int64_t in_w, const PoolWindows& rows,
                        const PoolWindows& cols, const T* x, T* y) {
  const int64_t out_h = rows.size(), out_w = cols.size();
#pragma omp parallel for schedule(static) if (planes * in_h * in_w >= kParallelThreshold)
  for (int64_t p = 0; p < planes; ++p) {
    const T* in = x + p * in_h * in_w;
    T* out = y + p * out_h * out_w;
    for (int64_t i = 0; i < out_h; ++i)
      for (int64_t j = 0; j < out_w; ++j) {
        T total = 0;
        for (int64_t h = rows.start[i]; h < rows.end[i]; ++h)
          for (int64_t w = cols.start[j]; w < cols.end[j]; ++w) total += in[h * in_w + w];
        out[i * out_w + j] = total / static_cast<T>(rows.divisor[i] * cols.divisor[j]);
      }
  }
}

template <class T>
void avg_pool2d_backward(int64_t planes, int64_t in_h, int64_t in_w, const PoolWindows& rows,
                         const PoolWindows& cols, const T* gy, T* gx) {
  const int64_t out_h = rows.size(), out_w = cols.size(), in_plane = in_h * in_w;
#pragma omp parallel for schedule(static) if (planes * in_plane >= kParallelThreshold)
  for (int64_t p = 0; p < planes; ++p) {
    T* g = gx + p * in_plane;
    std::fill(g, g + in_plane, T(0));
    const T* grad = gy + p * out_h * out_w;
    for (int64_t i = 0; i < out_h; ++i)
      for (int64_t j = 0; j < out_w; ++j) {
        const T share = grad[i * out_w + j] / static_cast<T>(rows.divisor[i] * cols.divisor[j]);
        for (int64_t h = rows.start[i]; h < rows.end[i]; ++h)
          for (int64_t w = cols.start[j]; w < cols.end[j]; ++w) g[h * in_w + w] += share;
      }
  }
}

#define NABLA_INSTANTIATE(T)                                                                      \
  template void max_pool2d_forward<T>(int64_t, int64_t, int64_t, const PoolWindows&,             \
                                      const PoolWindows&, const T*, T*, int64_t*);               \
  template void max_pool2d_backward<T>(int64_t, int64_t, int64_t, int64_t, const T*,             \
                                       const int64_t*, T*);                                      \
  template void avg_pool2d_forward<T>(int64_t, int64_t, int64_t, const PoolWindows&,             \
                                      const PoolWindows&, const T*, T*);                         \
  template void avg_pool2d_backward<T>(int64_t, int64_t, int64_t, const PoolWindows&,            \
                                       const PoolWindows&, const T*, T*);
NABLA_INSTANTIATE(float)
NABLA_INSTANTIATE(double)
#undef NABLA_INSTANTIATE

}  // namespace nabla::kernels
