// Resampling images [N, C, H, W]: interpolate (nearest and bilinear, PyTorch's source-position
// rules) and pixel shuffle. Interpolation is separable: along each axis an output reads one
// input position (nearest) or blends two (bilinear), which is an index_select of those positions,
// weighted. The positions and weights are computed once on the host and are constants, so the
// gradient is index_select's (an index_add back to the positions read) and differentiates again.
#include <algorithm>
#include <cmath>
#include <string>

#include "nabla/functional.h"
#include "ops/op_utils.h"

namespace nabla::functional {
namespace {

// Where output i reads along an axis of `in` resampled to `out`. `scale` is in / out, or
// 1 / scale_factor when the caller gave a factor (PyTorch uses the factor itself then, not the
// rounded sizes' ratio).
double source_position(int64_t i, int64_t in, int64_t out, double scale, bool align_corners) {
  if (align_corners) return out > 1 ? static_cast<double>(i) * static_cast<double>(in - 1) / static_cast<double>(out - 1) : 0.0;
  return std::max((static_cast<double>(i) + 0.5) * scale - 0.5, 0.0);
}

Tensor constant_indices(const std::vector<int64_t>& values, const Tensor& like) {
  return from_vector(values).to(like.device());
}

// x resampled along `axis` from `in` to `out` positions.
Tensor resample_axis(const Tensor& x, int64_t axis, int64_t out, double scale, InterpolateMode mode,
                     bool align_corners) {
  const int64_t in = x.shape()[static_cast<size_t>(axis)];
  if (mode == InterpolateMode::nearest) {
    // PyTorch's 'nearest': floor(i * scale), clipped to the last input, in float as its CPU kernel
    // computes it (so a product just below an integer rounds the same way).
    const float scale_f = static_cast<float>(scale);
    std::vector<int64_t> nearest;
    for (int64_t i = 0; i < out; ++i)
      nearest.push_back(std::min(static_cast<int64_t>(std::floor(static_cast<float>(i) * scale_f)), in - 1));
    return index_select(x, axis, constant_indices(nearest, x));
  }
  std::vector<int64_t> lower, upper;
  std::vector<double> upper_weight;
  for (int64_t i = 0; i < out; ++i) {
    const double source = source_position(i, in, out, scale, align_corners);
    const int64_t below = std::min(static_cast<int64_t>(std::floor(source)), in - 1);
    lower.push_back(below);
    upper.push_back(std::min(below + 1, in - 1));
    upper_weight.push_back(source - static_cast<double>(below));
  }
  // The weights broadcast along `axis` only.
  Shape weight_shape(static_cast<size_t>(x.dim()), 1);
  weight_shape[static_cast<size_t>(axis)] = out;
  const Tensor lambda = from_vector(upper_weight, weight_shape, x.dtype()).to(x.device());
  return index_select(x, axis, constant_indices(lower, x)) * (1.0 - lambda) +
         index_select(x, axis, constant_indices(upper, x)) * lambda;
}

std::string str(Size2 s) { return "(" + std::to_string(s.h) + ", " + std::to_string(s.w) + ")"; }

}  // namespace

Tensor interpolate(const Tensor& x, const InterpolateOptions& options) {
  detail::require_floating(x, "interpolate");
  if (x.dim() != 4)
    throw ShapeError("interpolate: expects input [N, C, H, W], got " + to_string(x.shape()));
  if (options.size.has_value() == options.scale_factor.has_value())
    throw Error("interpolate: give exactly one of size and scale_factor");
  if (options.align_corners && options.mode == InterpolateMode::nearest)
    throw Error("interpolate: align_corners applies to bilinear interpolation only, not nearest");
  const int64_t in_h = x.shape()[2], in_w = x.shape()[3];
  Size2 size{0, 0};
  double scale_h = 0, scale_w = 0;
  if (options.size) {
    size = *options.size;
    scale_h = static_cast<double>(in_h) / static_cast<double>(size.h);
    scale_w = static_cast<double>(in_w) / static_cast<double>(size.w);
  } else {
    const double factor = *options.scale_factor;
    if (!(factor > 0))
      throw Error("interpolate: scale_factor must be positive, got " + std::to_string(factor));
    size = {static_cast<int64_t>(std::floor(static_cast<double>(in_h) * factor)),
            static_cast<int64_t>(std::floor(static_cast<double>(in_w) * factor))};
    scale_h = scale_w = 1.0 / factor;
  }
  if (size.h < 1 || size.w < 1 || in_h < 1 || in_w < 1)
    throw ShapeError("interpolate: input " + to_string(x.shape()) + " and output size " + str(size) +
                     " must both be non-empty");
  const Tensor rows = resample_axis(x, 2, size.h, scale_h, options.mode, options.align_corners);
  return resample_axis(rows, 3, size.w, scale_w, options.mode, options.align_corners);
}

Tensor pixel_shuffle(const Tensor& x, int64_t upscale_factor) {
  const int64_t r = upscale_factor;
  if (x.dim() != 4 || r < 1 || x.shape()[1] % (r * r) != 0)
    throw ShapeError("pixel_shuffle: input " + to_string(x.shape()) + " with upscale factor " + std::to_string(r) +
                     " (expected [N, C r^2, H, W])");
  const Shape& s = x.shape();
  const int64_t c = s[1] / (r * r);
  // [N, C, r, r, H, W] -> [N, C, H, r, W, r]: sub-pixel (i, j) of channel block c lands at (h r + i, w r + j).
  const Tensor blocks = permute(reshape(x, {s[0], c, r, r, s[2], s[3]}), {0, 1, 4, 2, 5, 3});
  return reshape(blocks, {s[0], c, s[2] * r, s[3] * r});
}

Tensor pixel_unshuffle(const Tensor& x, int64_t downscale_factor) {
  const int64_t r = downscale_factor;
  if (x.dim() != 4 || r < 1 || x.shape()[2] % r != 0 || x.shape()[3] % r != 0)
    throw ShapeError("pixel_unshuffle: input " + to_string(x.shape()) + " with downscale factor " +
                     std::to_string(r) + " (expected [N, C, H r, W r])");
  const Shape& s = x.shape();
  const Tensor blocks = permute(reshape(x, {s[0], s[1], s[2] / r, r, s[3] / r, r}), {0, 1, 3, 5, 2, 4});
  return reshape(blocks, {s[0], s[1] * r * r, s[2] / r, s[3] / r});
}

}  // namespace nabla::functional
