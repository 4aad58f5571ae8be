#include "kernels/cpu/recurrent.h"

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "kernels/cpu/parallel_threshold.h"

namespace nabla::kernels {
namespace {

// The gate loops count kParallelThreshold in hidden units of a step (N * H): a step's gate
// arithmetic is tens of microseconds, and it runs between two GEMMs that already use every thread
// (the LM benchmark's 20 x 650 stays on one thread, as PyTorch's elementwise grain of 32768 does).

// tanh for f32 as a rational function (Eigen's minimax fit, odd degree 13 over even degree 6),
// straight-line arithmetic the compiler vectorises where libm's tanhf is a call per element. Within
// 3.5e-7 of tanh everywhere (the clamp at 7.9 is where tanh is 1 to within that); below 4e-4 it
// returns x, which is tanh(x) to f32 precision.
[[gnu::always_inline]] inline float tanh_f32(float x) {
  const float clamped = std::min(std::max(x, -7.90531110763549805f), 7.90531110763549805f);
  const float x2 = clamped * clamped;
  float p = -2.76076847742355e-16f;
  p = p * x2 + 2.00018790482477e-13f;
  p = p * x2 - 8.60467152213735e-11f;
  p = p * x2 + 5.12229709037114e-08f;
  p = p * x2 + 1.48572235717979e-05f;
  p = p * x2 + 6.37261928875436e-04f;
  p = p * x2 + 4.89352455891786e-03f;
  float q = 1.19825839466702e-06f;
  q = q * x2 + 1.18534705686654e-04f;
  q = q * x2 + 2.26843463243900e-03f;
  q = q * x2 + 4.89352518554385e-03f;
  const float r = clamped * p / q;
  return std::abs(x) < 0.0004f ? x : r;
}

template <class T>
[[gnu::always_inline]] inline T tanh_of(T x) {
  if constexpr (std::is_same_v<T, float>) return tanh_f32(x);
  else return std::tanh(x);
}

template <class T>
[[gnu::always_inline]] inline T sigmoid(T x) {
  // sigmoid(x) = (1 + tanh(x / 2)) / 2: no exp to overflow, and the f32 tanh vectorises.
  return T(0.5) + T(0.5) * tanh_of(T(0.5) * x);
}

}  // namespace

template <class T>
void add_bias_rows(int64_t n, int64_t width, const T* src, const T* bias, T* rows) {
  for (int64_t r = 0; r < n; ++r) {
    const T* s = src + r * width;
    T* d = rows + r * width;
    if (bias)
      for (int64_t j = 0; j < width; ++j) d[j] = s[j] + bias[j];
    else
      for (int64_t j = 0; j < width; ++j) d[j] = s[j];
  }
}

template <class T>
void column_sums(int64_t rows, int64_t width, const T* x, T* sum) {
  std::vector<double> total(static_cast<size_t>(width), 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    const T* row = x + r * width;
    for (int64_t j = 0; j < width; ++j) total[static_cast<size_t>(j)] += row[j];
  }
  for (int64_t j = 0; j < width; ++j) sum[j] = static_cast<T>(total[static_cast<size_t>(j)]);
}

template <class T>
void lstm_cell_forward(int64_t n, int64_t hidden, T* gates, const T* c_prev, T* c, T* h) {
#pragma omp parallel for schedule(static) if (n * hidden >= kParallelThreshold)
  for (int64_t r = 0; r < n; ++r) {
    T* i = gates + r * 4 * hidden;
    T* f = i + hidden;
    T* g = f + hidden;
    T* o = g + hidden;
    const T* cp = c_prev + r * hidden;
    T* cr = c + r * hidden;
    T* hr = h + r * hidden;
    for (int64_t j = 0; j < hidden; ++j) {
      i[j] = sigmoid(i[j]);
      f[j] = sigmoid(f[j]);
      g[j] = tanh_of(g[j]);
      o[j] = sigmoid(o[j]);
      cr[j] = f[j] * cp[j] + i[j] * g[j];
      hr[j] = o[j] * tanh_of(cr[j]);
    }
  }
}

template <class T>
void lstm_cell_backward(int64_t n, int64_t hidden, const T* gates, const T* c_prev, const T* c,
                        const T* dh, T* dc, T* dgates) {
#pragma omp parallel for schedule(static) if (n * hidden >= kParallelThreshold)
  for (int64_t r = 0; r < n; ++r) {
    const T* i = gates + r * 4 * hidden;
    const T* f = i + hidden;
    const T* g = f + hidden;
    const T* o = g + hidden;
    T* di = dgates + r * 4 * hidden;
    T* df = di + hidden;
    T* dg = df + hidden;
    T* do_ = dg + hidden;
    const T* cp = c_prev + r * hidden;
    const T* cr = c + r * hidden;
    const T* dhr = dh + r * hidden;
    T* dcr = dc + r * hidden;
    for (int64_t j = 0; j < hidden; ++j) {
      const T tc = tanh_of(cr[j]);
      // h = o tanh(c): the gradient reaches o directly and c through tanh.
      const T dcj = dcr[j] + dhr[j] * o[j] * (T(1) - tc * tc);
      do_[j] = dhr[j] * tc * o[j] * (T(1) - o[j]);
      di[j] = dcj * g[j] * i[j] * (T(1) - i[j]);
      df[j] = dcj * cp[j] * f[j] * (T(1) - f[j]);
      dg[j] = dcj * i[j] * (T(1) - g[j] * g[j]);
      dcr[j] = dcj * f[j];
    }
  }
}

template <class T>
void gru_cell_forward(int64_t n, int64_t hidden, const T* x_gates, const T* h_gates,
                      const T* h_prev, T* saved, T* h) {
#pragma omp parallel for schedule(static) if (n * hidden >= kParallelThreshold)
  for (int64_t r = 0; r < n; ++r) {
    const T* xr = x_gates + r * 3 * hidden;
    const T* xz = xr + hidden;
    const T* xn = xz + hidden;
    const T* hr = h_gates + r * 3 * hidden;
    const T* hz = hr + hidden;
    const T* hn = hz + hidden;
    T* sr = saved + r * 4 * hidden;
    T* sz = sr + hidden;
    T* sn = sz + hidden;
    T* shn = sn + hidden;
    const T* hp = h_prev + r * hidden;
    T* out = h + r * hidden;
    for (int64_t j = 0; j < hidden; ++j) {
      sr[j] = sigmoid(xr[j] + hr[j]);
      sz[j] = sigmoid(xz[j] + hz[j]);
      sn[j] = tanh_of(xn[j] + sr[j] * hn[j]);
      shn[j] = hn[j];
      out[j] = (T(1) - sz[j]) * sn[j] + sz[j] * hp[j];
    }
  }
}

template <class T>
void gru_cell_backward(int64_t n, int64_t hidden, const T* saved, const T* h_prev, const T* dh,
                       T* dx_gates, T* dh_gates, T* dh_prev) {
#pragma omp parallel for schedule(static) if (n * hidden >= kParallelThreshold)
  for (int64_t r = 0; r < n; ++r) {
    const T* sr = saved + r * 4 * hidden;
    const T* sz = sr + hidden;
    const T* sn = sz + hidden;
    const T* shn = sn + hidden;
    const T* hp = h_prev + r * hidden;
    const T* d = dh + r * hidden;
    T* dxr = dx_gates + r * 3 * hidden;
    T* dxz = dxr + hidden;
    T* dxn = dxz + hidden;
    T* dhr = dh_gates + r * 3 * hidden;
    T* dhz = dhr + hidden;
    T* dhn = dhz + hidden;
    T* dp = dh_prev + r * hidden;
    for (int64_t j = 0; j < hidden; ++j) {
      const T dn_pre = d[j] * (T(1) - sz[j]) * (T(1) - sn[j] * sn[j]);
      const T dz_pre = d[j] * (hp[j] - sn[j]) * sz[j] * (T(1) - sz[j]);
      const T dr_pre = dn_pre * shn[j] * sr[j] * (T(1) - sr[j]);
      dxr[j] = dhr[j] = dr_pre;
      dxz[j] = dhz[j] = dz_pre;
      dxn[j] = dn_pre;
      dhn[j] = dn_pre * sr[j];
      dp[j] = d[j] * sz[j];
    }
  }
}

template <class T>
void rnn_cell_forward(int64_t count, bool relu, T* pre_then_h) {
#pragma omp parallel for schedule(static) if (count >= kParallelThreshold)
  for (int64_t k = 0; k < count; ++k) {
    const T v = pre_then_h[k];
    pre_then_h[k] = relu ? (v > T(0) ? v : T(0)) : tanh_of(v);
  }
}

template <class T>
void rnn_cell_backward(int64_t count, bool relu, const T* h, const T* dh, T* dpre) {
#pragma omp parallel for schedule(static) if (count >= kParallelThreshold)
  for (int64_t k = 0; k < count; ++k)
    dpre[k] = relu ? (h[k] > T(0) ? dh[k] : T(0)) : dh[k] * (T(1) - h[k] * h[k]);
}

#define NABLA_INSTANTIATE(T)                                                                   \
  template void add_bias_rows<T>(int64_t, int64_t, const T*, const T*, T*);                    \
  template void column_sums<T>(int64_t, int64_t, const T*, T*);                                \
  template void lstm_cell_forward<T>(int64_t, int64_t, T*, const T*, T*, T*);                  \
  template void lstm_cell_backward<T>(int64_t, int64_t, const T*, const T*, const T*,          \
                                      const T*, T*, T*);                                       \
  template void gru_cell_forward<T>(int64_t, int64_t, const T*, const T*, const T*, T*, T*);   \
  template void gru_cell_backward<T>(int64_t, int64_t, const T*, const T*, const T*, T*, T*,   \
                                     T*);                                                      \
  template void rnn_cell_forward<T>(int64_t, bool, T*);                                        \
  template void rnn_cell_backward<T>(int64_t, bool, const T*, const T*, T*);
NABLA_INSTANTIATE(float)
NABLA_INSTANTIATE(double)
#undef NABLA_INSTANTIATE

}  // namespace nabla::kernels
