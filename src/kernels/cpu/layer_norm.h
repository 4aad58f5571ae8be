// Layer normalisation over x viewed as [rows, features] (contiguous): each row is normalised by
// its own mean and variance, y = (x - mean) / sqrt(var + eps) * w + b, with w and b per feature.
// Two kernels, each a single sweep over the rows, where the same formula written with general
// ops takes about ten passes and as many temporaries.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(KERNELS);
#include <cstdint>

namespace nabla::kernels {

struct LayerNormShape {
  int64_t rows, features;
};

// y, and each row's mean and rstd = 1 / sqrt(var + eps) (biased variance) for the backward.
// weight and bias may be null (no affine transform).
template <class T>
void layer_norm_forward(const LayerNormShape& s, const T* x, const T* weight, const T* bias,
                        double eps, T* y, T* mean, T* rstd);

// The gradients of sum(y * gy): with xhat = (x - mean) * rstd, g = gy * weight and D features,
//   gx = rstd * (g - mean_row(g) - xhat * mean_row(g * xhat)),
//   gweight = sum over rows of gy * xhat,  gbias = sum over rows of gy.
// Any output may be null (not wanted); weight null means 1.
template <class T>
void layer_norm_backward(const LayerNormShape& s, const T* x, const T* gy, const T* mean,
                         const T* rstd, const T* weight, T* gx, T* gweight, T* gbias);

}  // namespace nabla::kernels
