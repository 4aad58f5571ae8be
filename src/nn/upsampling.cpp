// Upsample, PixelShuffle and PixelUnshuffle: their settings and PyTorch's reprs.
#include "nabla/nn/upsampling.h"

#include "nn/repr.h"

namespace nabla::nn {

Tensor Upsample::forward(const Tensor& x) { return functional::interpolate(x, options); }

// As torch.nn.Upsample: "scale_factor=2.0, mode='nearest'" (size=(8, 8) when given a size).
std::string Upsample::extra_repr() const {
  const std::string what = options.scale_factor ? "scale_factor=" + python_float(*options.scale_factor)
                                                : "size=" + size2_repr(*options.size);
  return what + ", mode=" + (options.mode == functional::InterpolateMode::bilinear ? "'bilinear'" : "'nearest'");
}

Tensor PixelShuffle::forward(const Tensor& x) { return functional::pixel_shuffle(x, upscale_factor); }

std::string PixelShuffle::extra_repr() const { return "upscale_factor=" + std::to_string(upscale_factor); }

Tensor PixelUnshuffle::forward(const Tensor& x) { return functional::pixel_unshuffle(x, downscale_factor); }

std::string PixelUnshuffle::extra_repr() const {
  return "downscale_factor=" + std::to_string(downscale_factor);
}

}  // namespace nabla::nn
