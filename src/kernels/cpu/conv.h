// 2-D convolution as the course teaches it: im2col unfolds every receptive field of a sample into
// a column, so the convolution of a whole sample becomes one matrix product with the weights.
//
// One geometry describes a convolution x [N, C_in, H, W] * w [C_out, C_in/groups, kH, kW] ->
// y [N, C_out, H_out, W_out]. Its three products are:
//   forward       y  = W  cols(x)                       (conv2d)
//   input grad    gx = col2im(W^T gy)                   (conv_transpose2d is this, with y as input)
//   weight grad   gw = sum_n gy cols(x)^T
// Samples run in parallel, each with its own column buffer (BLAS then runs on one thread); a
// batch smaller than the thread count runs sample by sample with BLAS threaded instead.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(KERNELS);
#include <cstdint>

namespace nabla::kernels {

struct ConvGeometry {
  int64_t batch, in_channels, in_h, in_w;
  int64_t out_channels, out_h, out_w;
  int64_t kernel_h, kernel_w;
  int64_t stride_h, stride_w;
  int64_t pad_h, pad_w;
  int64_t dilation_h, dilation_w;
  int64_t groups;
};

// y = conv(x, w) + bias (bias may be null). Overwrites y.
template <class T>
void conv2d_forward(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* y);

// gx = the adjoint of conv(., w) applied to gy, + bias per input channel (bias may be null; it is
// conv_transpose2d's bias). Overwrites gx.
template <class T>
void conv2d_input_grad(const ConvGeometry& g, const T* gy, const T* w, const T* bias, T* gx);

// gw = the gradient of sum(y * gy) with respect to w, and, when gb is not null, gb = the bias
// gradient (gy summed per channel, while each sample's gy is in cache). Overwrites gw and gb.
template <class T>
void conv2d_weight_grad(const ConvGeometry& g, const T* x, const T* gy, T* gw, T* gb = nullptr);

}  // namespace nabla::kernels
