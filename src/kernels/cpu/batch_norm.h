// Batch normalisation in training mode over x viewed as [N, C, L] (contiguous): per channel c,
// the mean and variance over its N * L values, then y = (x - mean) / sqrt(var + eps) * w + b.
// Three kernels, each one or two passes over x, where the same formula written with general ops
// takes a dozen.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(KERNELS);
#include <cstdint>

namespace nabla::kernels {

struct BatchNormShape {
  int64_t batch, channels, length;  // N, C, L
};

// mean[c] and the biased variance var[c] of each channel.
template <class T>
void batch_norm_statistics(const BatchNormShape& s, const T* x, T* mean, T* var);

// y = (x - mean) * invstd * weight + bias per channel; weight and bias may be null.
template <class T>
void batch_norm_apply(const BatchNormShape& s, const T* x, const T* mean, const T* invstd,
                      const T* weight, const T* bias, T* y);

// The gradients of sum(y * gy): with xhat = (x - mean) * invstd and M = N * L,
//   gbias = sum gy,  gweight = sum gy * xhat,
//   gx = weight * invstd * (gy - gbias / M - xhat * gweight / M).
// Any output may be null (not wanted); weight null means 1.
template <class T>
void batch_norm_backward(const BatchNormShape& s, const T* x, const T* gy, const T* mean,
                         const T* invstd, const T* weight, T* gx, T* gweight, T* gbias);

}  // namespace nabla::kernels
