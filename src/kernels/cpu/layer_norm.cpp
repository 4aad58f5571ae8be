#include "kernels/cpu/layer_norm.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/cpu/parallel_threshold.h"

namespace nabla::kernels {
namespace {

bool worth_threads(const LayerNormShape& s) {
  return s.rows * s.features >= kParallelThreshold && omp_get_max_threads() > 1 && !omp_in_parallel();
}

}  // namespace

template <class T>
void layer_norm_forward(const LayerNormShape& s, const T* x, const T* weight, const T* bias,
                        double eps, T* y, T* mean, T* rstd) {
  const int64_t d = s.features;
#pragma omp parallel for schedule(static) if (worth_threads(s))
  for (int64_t r = 0; r < s.rows; ++r) {
    const T* in = x + r * d;
    T* out = y + r * d;
    // Two passes over a row that sits in L1: the mean, then the variance of the centred values,
    // which has no cancellation (E[x^2] - E[x]^2 would lose f32 digits for rows far from 0).
    // Accumulating in T keeps the loops vectorised; rows are short, so f32 sums stay accurate.
    T total = 0;
    for (int64_t i = 0; i < d; ++i) total += in[i];
    const T m = total / static_cast<T>(d);
    T squares = 0;
    for (int64_t i = 0; i < d; ++i) squares += (in[i] - m) * (in[i] - m);
    const T inv = static_cast<T>(1.0 / std::sqrt(static_cast<double>(squares) / static_cast<double>(d) + eps));
    mean[r] = m;
    rstd[r] = inv;
    if (weight && bias)
      for (int64_t i = 0; i < d; ++i) out[i] = (in[i] - m) * inv * weight[i] + bias[i];
    else if (weight)
      for (int64_t i = 0; i < d; ++i) out[i] = (in[i] - m) * inv * weight[i];
    else if (bias)
      for (int64_t i = 0; i < d; ++i) out[i] = (in[i] - m) * inv + bias[i];
    else
      for (int64_t i = 0; i < d; ++i) out[i] = (in[i] - m) * inv;
  }
}

template <class T>
void layer_norm_backward(const LayerNormShape& s, const T* x, const T* gy, const T* mean,
                         const T* rstd, const T* weight, T* gx, T* gweight, T* gbias) {
  const int64_t d = s.features;
  const bool want_params = gweight || gbias;
  // gweight and gbias sum over rows: each thread sums its own rows into its own slice of
  // `partial` (gweight's d values, then gbias's), and the slices are added at the end.
  const int threads = worth_threads(s) ? omp_get_max_threads() : 1;
  std::vector<T> partial(want_params ? static_cast<size_t>(threads * 2 * d) : 0, T(0));
#pragma omp parallel num_threads(threads) if (threads > 1)
  {
    T* pw = want_params ? partial.data() + static_cast<size_t>(omp_get_thread_num()) * 2 * d : nullptr;
    T* pb = pw ? pw + d : nullptr;
#pragma omp for schedule(static)
    for (int64_t r = 0; r < s.rows; ++r) {
      const T* in = x + r * d;
      const T* g = gy + r * d;
      const T m = mean[r], inv = rstd[r];
      if (pw)
        for (int64_t i = 0; i < d; ++i) {
          pw[i] += g[i] * (in[i] - m) * inv;
          pb[i] += g[i];
        }
      if (!gx) continue;
      T sum_g = 0, sum_g_xhat = 0;
      for (int64_t i = 0; i < d; ++i) {
        const T gi = weight ? g[i] * weight[i] : g[i];
        sum_g += gi;
        sum_g_xhat += gi * (in[i] - m);
      }
      // gx = inv * (gi - sum_g / d - xhat * sum_g_xhat * inv / d), with the row constants folded.
      const T a = sum_g / static_cast<T>(d);
      const T b = sum_g_xhat * inv * inv / static_cast<T>(d);
      T* out = gx + r * d;
      if (weight)
        for (int64_t i = 0; i < d; ++i) out[i] = inv * (g[i] * weight[i] - a - (in[i] - m) * b);
      else
        for (int64_t i = 0; i < d; ++i) out[i] = inv * (g[i] - a - (in[i] - m) * b);
    }
  }
  if (!want_params) return;
  for (int t = 1; t < threads; ++t)
    for (int64_t i = 0; i < 2 * d; ++i) partial[i] += partial[static_cast<size_t>(t * 2 * d + i)];
  if (gweight) std::copy(partial.begin(), partial.begin() + d, gweight);
  if (gbias) std::copy(partial.begin() + d, partial.begin() + 2 * d, gbias);
}

#define NABLA_INSTANTIATE(T)                                                                       \
  template void layer_norm_forward<T>(const LayerNormShape&, const T*, const T*, const T*, double, \
                                      T*, T*, T*);                                                 \
  template void layer_norm_backward<T>(const LayerNormShape&, const T*, const T*, const T*,        \
                                       const T*, const T*, T*, T*, T*);
NABLA_INSTANTIATE(float)
NABLA_INSTANTIATE(double)
#undef NABLA_INSTANTIATE

}  // namespace nabla::kernels
