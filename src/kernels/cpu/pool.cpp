#include "kernels/cpu/pool.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/cpu/parallel_threshold.h"

namespace nabla::kernels {
namespace {

// Windows [2i, 2i + 2) along the axis: the 2x2, stride-2 pooling most networks use.
bool is_pairs(const PoolWindows& w) {
  for (int64_t i = 0; i < w.size(); ++i)
    if (w.start[static_cast<size_t>(i)] != 2 * i || w.end[static_cast<size_t>(i)] != 2 * i + 2) return false;
  return true;
}

// One output row of 2x2, stride-2 max pooling from input rows r0 and r1 (row r0 starts at flat
// index base). Straight-line selects instead of a loop over the window: the general loop's
// unpredictable branches cost ten times as much on activations.
template <class T>
void max_pool_pairs_row(const T* __restrict r0, const T* __restrict r1, int64_t base, int64_t in_w,
                        int64_t out_w, T* __restrict out, int64_t* __restrict arg) {
  for (int64_t j = 0; j < out_w; ++j) {
    const T a = r0[2 * j], b = r0[2 * j + 1], c = r1[2 * j], d = r1[2 * j + 1];
    // NaN wins, as PyTorch's: v != v is the NaN test.
    const bool take_b = b > a || b != b;
    T best = take_b ? b : a;
    int64_t at = take_b ? 1 : 0;
    const bool take_c = c > best || c != c;
    best = take_c ? c : best;
    at = take_c ? in_w : at;
    const bool take_d = d > best || d != d;
    best = take_d ? d : best;
    at = take_d ? in_w + 1 : at;
    out[j] = best;
    arg[j] = base + 2 * j + at;
  }
}

}  // namespace

template <class T>
void max_pool2d_forward(int64_t planes, int64_t in_h, int64_t in_w, const PoolWindows& rows,
                        const PoolWindows& cols, const T* x, T* y, int64_t* argmax) {
  const int64_t out_h = rows.size(), out_w = cols.size(), out_plane = out_h * out_w;
  const int64_t *col_start = cols.start.data(), *col_end = cols.end.data();
  const int64_t row_step = rows.step, col_step = cols.step;
  const bool pairs = row_step == 1 && col_step == 1 && is_pairs(rows) && is_pairs(cols);
#pragma omp parallel for schedule(static) if (planes * in_h * in_w >= kParallelThreshold)
  for (int64_t p = 0; p < planes; ++p) {
    const T* in = x + p * in_h * in_w;
    if (pairs) {
      for (int64_t i = 0; i < out_h; ++i)
        max_pool_pairs_row(in + 2 * i * in_w, in + (2 * i + 1) * in_w, 2 * i * in_w, in_w, out_w,
                           y + p * out_plane + i * out_w, argmax + p * out_plane + i * out_w);
      continue;
    }
    for (int64_t i = 0; i < out_h; ++i) {
      // One output row at a time, window row by window row: each input row is read in order.
      T* out = y + p * out_plane + i * out_w;
      int64_t* arg = argmax + p * out_plane + i * out_w;
      const int64_t h0 = rows.start[static_cast<size_t>(i)], h1 = rows.end[static_cast<size_t>(i)];
      for (int64_t j = 0; j < out_w; ++j) {
        out[j] = -std::numeric_limits<T>::infinity();
        arg[j] = h0 * in_w + col_start[j];
      }
      for (int64_t h = h0; h < h1; h += row_step) {
        const T* row = in + h * in_w;
        for (int64_t j = 0; j < out_w; ++j) {
          T best = out[j];
          int64_t best_at = arg[j];
          for (int64_t w = col_start[j]; w < col_end[j]; w += col_step) {
            const T v = row[w];
            if (v > best || std::isnan(v)) {  // NaN wins, as PyTorch's
              best = v;
              best_at = h * in_w + w;
            }
          }
          out[j] = best;
          arg[j] = best_at;
        }
      }
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
