#include "kernels/cpu/conv.h"

#include <omp.h>

#include <algorithm>
#include <vector>

#include "kernels/cpu/gemm.h"

namespace nabla::kernels {
namespace {

// The outputs o in [0, count) whose input position o * stride + offset lies in [0, size): one
// range, so the loops below copy its middle without a bounds test per element.
struct Range {
  int64_t begin, end;
};
Range valid_outputs(int64_t count, int64_t stride, int64_t offset, int64_t size) {
  const int64_t begin = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  const int64_t end = size - offset <= 0 ? 0 : (size - offset + stride - 1) / stride;
  return {std::min(begin, count), std::clamp(end, std::min(begin, count), count)};
}

// The sizes one group of one sample works on.
struct GroupShape {
  int64_t in_channels;   // C_in / groups
  int64_t out_channels;  // C_out / groups
  int64_t patch;         // rows of the column matrix: in_channels * kH * kW
  int64_t out_plane;     // H_out * W_out
  int64_t in_plane;      // H * W
};
GroupShape group_shape(const ConvGeometry& g) {
  const int64_t in_channels = g.in_channels / g.groups;
  return {in_channels, g.out_channels / g.groups, in_channels * g.kernel_h * g.kernel_w,
          g.out_h * g.out_w, g.in_h * g.in_w};
}

// A 1x1 kernel with stride 1 and no padding reads the input itself as its column matrix.
bool is_pointwise(const ConvGeometry& g) {
  return g.kernel_h == 1 && g.kernel_w == 1 && g.stride_h == 1 && g.stride_w == 1 &&
         g.pad_h == 0 && g.pad_w == 0;
}

// cols [in_channels * kH * kW, H_out * W_out] of one group of one sample x [in_channels, H, W].
template <class T>
void im2col(const ConvGeometry& g, int64_t channels, const T* x, T* cols) {
  const int64_t plane = g.out_h * g.out_w;
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t ki = 0; ki < g.kernel_h; ++ki)
      for (int64_t kj = 0; kj < g.kernel_w; ++kj) {
        T* row = cols + ((c * g.kernel_h + ki) * g.kernel_w + kj) * plane;
        const int64_t offset_w = kj * g.dilation_w - g.pad_w;
        const Range valid = valid_outputs(g.out_w, g.stride_w, offset_w, g.in_w);
        for (int64_t oh = 0; oh < g.out_h; ++oh) {
          T* out = row + oh * g.out_w;
          const int64_t ih = oh * g.stride_h - g.pad_h + ki * g.dilation_h;
          if (ih < 0 || ih >= g.in_h) {
            std::fill(out, out + g.out_w, T(0));
            continue;
          }
          const T* in = x + (c * g.in_h + ih) * g.in_w + offset_w;
          std::fill(out, out + valid.begin, T(0));
          if (g.stride_w == 1) {
            std::copy(in + valid.begin, in + valid.end, out + valid.begin);
          } else {
            for (int64_t ow = valid.begin; ow < valid.end; ++ow) out[ow] = in[ow * g.stride_w];
          }
          std::fill(out + valid.end, out + g.out_w, T(0));
        }
      }
}

// The adjoint of im2col: adds every column entry back to the input position it was read from.
template <class T>
void col2im(const ConvGeometry& g, int64_t channels, const T* cols, T* x) {
  const int64_t plane = g.out_h * g.out_w;
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t ki = 0; ki < g.kernel_h; ++ki)
      for (int64_t kj = 0; kj < g.kernel_w; ++kj) {
        const T* row = cols + ((c * g.kernel_h + ki) * g.kernel_w + kj) * plane;
        const int64_t offset_w = kj * g.dilation_w - g.pad_w;
        const Range valid = valid_outputs(g.out_w, g.stride_w, offset_w, g.in_w);
        for (int64_t oh = 0; oh < g.out_h; ++oh) {
          const int64_t ih = oh * g.stride_h - g.pad_h + ki * g.dilation_h;
          if (ih < 0 || ih >= g.in_h) continue;
          const T* in = row + oh * g.out_w;
          T* out = x + (c * g.in_h + ih) * g.in_w + offset_w;
          for (int64_t ow = valid.begin; ow < valid.end; ++ow) out[ow * g.stride_w] += in[ow];
        }
      }
}

// Threads that share the samples: all of them when the batch can feed every thread, else one
// (the samples then run one by one and BLAS uses the threads inside each product).
int sample_threads(const ConvGeometry& g) {
  const int threads = omp_get_max_threads();
  return g.batch >= threads && !omp_in_parallel() ? threads : 1;
}

// Runs body(n, cols, thread) for every sample n, with one column buffer per thread.
template <class T, class Body>
void for_each_sample(const ConvGeometry& g, int threads, int64_t cols_size, Body body) {
#pragma omp parallel num_threads(threads) if (threads > 1)
  {
    std::vector<T> cols(static_cast<size_t>(cols_size));
    const int thread = omp_get_thread_num();
#pragma omp for schedule(static)
    for (int64_t n = 0; n < g.batch; ++n) body(n, cols.data(), thread);
  }
}

}  // namespace

template <class T>
void conv2d_forward(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* y) {
  const GroupShape s = group_shape(g);
  const bool pointwise = is_pointwise(g);
  for_each_sample<T>(g, sample_threads(g), pointwise ? 0 : s.patch * s.out_plane, [&](int64_t n, T* cols, int) {
    for (int64_t group = 0; group < g.groups; ++group) {
      const T* xg = x + (n * g.in_channels + group * s.in_channels) * s.in_plane;
      T* yg = y + (n * g.out_channels + group * s.out_channels) * s.out_plane;
      const T* b = xg;
      if (!pointwise) {
        im2col(g, s.in_channels, xg, cols);
        b = cols;
      }
      gemm<T>(false, false, s.out_channels, s.out_plane, s.patch, T(1),
              w + group * s.out_channels * s.patch, s.patch, b, s.out_plane, T(0), yg, s.out_plane);
      if (bias)
        for (int64_t c = 0; c < s.out_channels; ++c) {
          const T value = bias[group * s.out_channels + c];
          T* row = yg + c * s.out_plane;
          for (int64_t i = 0; i < s.out_plane; ++i) row[i] += value;
        }
    }
  });
}

template <class T>
void conv2d_input_grad(const ConvGeometry& g, const T* gy, const T* w, const T* bias, T* gx) {
  const GroupShape s = group_shape(g);
  const bool pointwise = is_pointwise(g);
  for_each_sample<T>(g, sample_threads(g), pointwise ? 0 : s.patch * s.out_plane, [&](int64_t n, T* cols, int) {
    for (int64_t group = 0; group < g.groups; ++group) {
      const T* gyg = gy + (n * g.out_channels + group * s.out_channels) * s.out_plane;
      T* gxg = gx + (n * g.in_channels + group * s.in_channels) * s.in_plane;
      const T* wg = w + group * s.out_channels * s.patch;
      if (pointwise) {
        gemm<T>(true, false, s.patch, s.out_plane, s.out_channels, T(1), wg, s.patch, gyg,
                s.out_plane, T(0), gxg, s.out_plane);
      } else {
        gemm<T>(true, false, s.patch, s.out_plane, s.out_channels, T(1), wg, s.patch, gyg,
                s.out_plane, T(0), cols, s.out_plane);
        std::fill(gxg, gxg + s.in_channels * s.in_plane, T(0));
        col2im(g, s.in_channels, cols, gxg);
      }
      if (bias)
        for (int64_t c = 0; c < s.in_channels; ++c) {
          const T value = bias[group * s.in_channels + c];
          T* plane = gxg + c * s.in_plane;
          for (int64_t i = 0; i < s.in_plane; ++i) plane[i] += value;
        }
    }
  });
}

template <class T>
void conv2d_weight_grad(const ConvGeometry& g, const T* x, const T* gy, T* gw, T* gb) {
  const GroupShape s = group_shape(g);
  const bool pointwise = is_pointwise(g);
  // One accumulator per thread (weights, then the bias), summed at the end: no two threads add
  // into the same numbers.
  const int64_t weight_size = g.out_channels * s.patch;
  const int64_t slot = weight_size + (gb ? g.out_channels : 0);
  const int threads = sample_threads(g);
  std::vector<T> partial(static_cast<size_t>(threads * slot), T(0));
  for_each_sample<T>(g, threads, pointwise ? 0 : s.patch * s.out_plane, [&](int64_t n, T* cols, int thread) {
    T* acc = partial.data() + thread * slot;
    for (int64_t group = 0; group < g.groups; ++group) {
      const T* xg = x + (n * g.in_channels + group * s.in_channels) * s.in_plane;
      const T* gyg = gy + (n * g.out_channels + group * s.out_channels) * s.out_plane;
      const T* b = xg;
      if (!pointwise) {
        im2col(g, s.in_channels, xg, cols);
        b = cols;
      }
      gemm<T>(false, true, s.out_channels, s.patch, s.out_plane, T(1), gyg, s.out_plane, b,
              s.out_plane, T(1), acc + group * s.out_channels * s.patch, s.patch);
      if (gb) {
        T* bias_acc = acc + weight_size + group * s.out_channels;
        for (int64_t c = 0; c < s.out_channels; ++c) {
          const T* row = gyg + c * s.out_plane;
          T total = 0;
          for (int64_t i = 0; i < s.out_plane; ++i) total += row[i];
          bias_acc[c] += total;
        }
      }
    }
  });
  for (int t = 1; t < threads; ++t) {
    const T* p = partial.data() + t * slot;
    for (int64_t i = 0; i < slot; ++i) partial[static_cast<size_t>(i)] += p[i];
  }
  std::copy(partial.begin(), partial.begin() + weight_size, gw);
  if (gb) std::copy(partial.begin() + weight_size, partial.begin() + slot, gb);
}

#define NABLA_INSTANTIATE(T)                                                                  \
  template void conv2d_forward<T>(const ConvGeometry&, const T*, const T*, const T*, T*);    \
  template void conv2d_input_grad<T>(const ConvGeometry&, const T*, const T*, const T*, T*); \
  template void conv2d_weight_grad<T>(const ConvGeometry&, const T*, const T*, T*, T*);
NABLA_INSTANTIATE(float)
NABLA_INSTANTIATE(double)
#undef NABLA_INSTANTIATE

}  // namespace nabla::kernels
