// Resampling layers over images [N, C, H, W] (torch.nn.Upsample, PixelShuffle, PixelUnshuffle);
// the work is in functional::interpolate and pixel_shuffle.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(NN);
#include "nabla/functional.h"
#include "nabla/nn/module.h"

namespace nabla::nn {

// Upsample({.scale_factor = 2}) or Upsample({.size = Size2(8, 8), .mode = bilinear, ...}).
class Upsample : public UnaryModule {
 public:
  explicit Upsample(functional::InterpolateOptions options) : options(options) {}
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  functional::InterpolateOptions options;
};

class PixelShuffle : public UnaryModule {
 public:
  explicit PixelShuffle(int64_t upscale_factor) : upscale_factor(upscale_factor) {}
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  int64_t upscale_factor;
};

class PixelUnshuffle : public UnaryModule {
 public:
  explicit PixelUnshuffle(int64_t downscale_factor) : downscale_factor(downscale_factor) {}
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  int64_t downscale_factor;
};

}  // namespace nabla::nn
