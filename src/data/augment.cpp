#include "nabla/data/augment.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "nabla/error.h"
#include "nabla/tensor.h"

namespace nabla::data {
namespace {

// The transforms run on one thread, by design: they usually run in the DataLoader's worker thread
// beside the training kernels, where an OpenMP team of their own would compete with those for the
// cores (and on the 2-core machine two threads did not make the affine warp faster: 155 vs 167 us
// a batch of 100 28x28 images).

// The image sizes of a batch, checked once for the transform that `what` names.
struct ImageBatch {
  int64_t n, c, h, w;
};

ImageBatch check_images(const std::string& what, const Tensor& images) {
  if (!images.defined()) throw Error(what + ": the batch has no input tensor");
  if (images.dim() != 4)
    throw ShapeError(what + ": expected images [N, C, H, W], got shape " + to_string(images.shape()));
  if (images.dtype() != DType::f32 && images.dtype() != DType::f64)
    throw DTypeError(what + ": images must be f32 or f64, got " + std::string(to_string(images.dtype())));
  if (images.device() != kCPU) throw Error(what + ": images must be on the cpu, got " + images.device().str());
  return {images.size(0), images.size(1), images.size(2), images.size(3)};
}

void check_count(const std::string& what, size_t given, int64_t examples) {
  if (static_cast<int64_t>(given) != examples)
    throw Error(what + ": " + std::to_string(given) + " parameter sets for a batch of " + std::to_string(examples) +
                " images");
}

// Calls f(T{}) with T the floating type of `images` (checked to be f32 or f64 already).
template <class F>
void with_float_type(const Tensor& images, F&& f) {
  if (images.dtype() == DType::f32)
    f(float{});
  else
    f(double{});
}

template <class T>
void shift_example(const T* __restrict src, T* __restrict dst, int64_t planes, int64_t h, int64_t w, int64_t dy, int64_t dx, T fill) {
  // Columns x in [x0, x1) read the input at x - dx; the rest of the row is fill.
  const int64_t x0 = std::clamp<int64_t>(dx, 0, w), x1 = std::clamp<int64_t>(w + dx, 0, w);
  for (int64_t p = 0; p < planes; ++p, src += h * w)
    for (int64_t y = 0; y < h; ++y, dst += w) {
      const int64_t ys = y - dy;
      if (ys < 0 || ys >= h || x0 >= x1) {
        std::fill(dst, dst + w, fill);
        continue;
      }
      std::fill(dst, dst + x0, fill);
      std::copy(src + ys * w + (x0 - dx), src + ys * w + (x1 - dx), dst + x0);
      std::fill(dst + x1, dst + w, fill);
    }
}

// Where each pixel of one output row samples: the index of its top-left neighbour in the padded
// plane and its fractional offsets right and down.
template <class T>
struct RowSamples {
  std::vector<int32_t> at;
  std::vector<T> fx, fy;
  explicit RowSamples(int64_t w) : at(static_cast<size_t>(w)), fx(static_cast<size_t>(w)), fy(static_cast<size_t>(w)) {}
};

// The samples of output row y under an inverse map: the source point of output pixel (x, y) is
// (ox + ax x + bx y, oy + ay x + by y). Points outside the image clamp into the frame of fill that
// pad_plane puts around it (one pixel on the top and left, two on the bottom and right), so all four
// neighbours of every point lie in the buffer and read fill only outside the image. A separate
// pass from the sampling so that it vectorises (gathers do not, on every target).
template <class T>
void row_samples(RowSamples<T>& r, int64_t y, int64_t h, int64_t w, T ox, T ax, T bx, T oy, T ay, T by) {
  const auto stride = static_cast<int32_t>(w + 3);
  const T max_x = static_cast<T>(w + 1), max_y = static_cast<T>(h + 1);
  // In padded coordinates (one more than image coordinates): non-negative once clamped, so
  // truncation is floor.
  const T row_x = ox + bx * static_cast<T>(y) + 1, row_y = oy + by * static_cast<T>(y) + 1;
  int32_t* __restrict at = r.at.data();
  T* __restrict fx = r.fx.data();
  T* __restrict fy = r.fy.data();
  // 32-bit counters and indices: int64 to float conversions do not vectorise without AVX-512.
  for (int32_t x = 0; x < static_cast<int32_t>(w); ++x) {
    const T px = std::clamp(row_x + ax * static_cast<T>(x), T(0), max_x);
    const T py = std::clamp(row_y + ay * static_cast<T>(x), T(0), max_y);
    const auto ix = static_cast<int32_t>(px), iy = static_cast<int32_t>(py);
    fx[x] = px - static_cast<T>(ix);
    fy[x] = py - static_cast<T>(iy);
    at[x] = iy * stride + ix;
  }
}

// Bilinear samples of a padded plane for one output row.
template <class T>
void sample_row(const T* __restrict padded, T* __restrict dst, const RowSamples<T>& r, int64_t w) {
  const int64_t stride = w + 3;
  for (int64_t x = 0; x < w; ++x) {
    const T* s = padded + r.at[static_cast<size_t>(x)];
    const T fx = r.fx[static_cast<size_t>(x)], fy = r.fy[static_cast<size_t>(x)];
    const T top = s[0] + fx * (s[1] - s[0]);
    const T bottom = s[stride] + fx * (s[stride + 1] - s[stride]);
    dst[x] = top + fy * (bottom - top);
  }
}

// Copies an h x w plane into `padded` ((h + 3) x (w + 3)) behind the frame of fill described above.
template <class T>
void pad_plane(const T* src, T* padded, int64_t h, int64_t w, T fill) {
  const int64_t stride = w + 3;
  std::fill(padded, padded + stride, fill);
  for (int64_t y = 0; y < h; ++y) {
    T* row = padded + (y + 1) * stride;
    row[0] = fill;
    std::copy(src + y * w, src + (y + 1) * w, row + 1);
    row[w + 1] = fill;
    row[w + 2] = fill;
  }
  std::fill(padded + (h + 1) * stride, padded + (h + 3) * stride, fill);
}

Tensor shift_checked(const std::string& what, const Tensor& images, const std::vector<std::pair<int64_t, int64_t>>& shifts,
                     double fill) {
  const ImageBatch b = check_images(what, images);
  check_count(what, shifts.size(), b.n);
  const Tensor in = images.contiguous();
  Tensor out = Tensor::empty(images.shape(), images.dtype());
  with_float_type(images, [&]<class T>(T) {
    const int64_t example = b.c * b.h * b.w;
    const T* in_data = in.data<T>();
    T* out_data = out.data<T>();
    for (int64_t i = 0; i < b.n; ++i) {
      const auto [dy, dx] = shifts[static_cast<size_t>(i)];
      shift_example(in_data + i * example, out_data + i * example, b.c, b.h, b.w, dy, dx, static_cast<T>(fill));
    }
  });
  return out;
}

Tensor flip_checked(const std::string& what, const Tensor& images, const std::vector<bool>& flip) {
  const ImageBatch b = check_images(what, images);
  check_count(what, flip.size(), b.n);
  const Tensor in = images.contiguous();
  Tensor out = Tensor::empty(images.shape(), images.dtype());
  with_float_type(images, [&]<class T>(T) {
    const int64_t example = b.c * b.h * b.w;
    const T* in_data = in.data<T>();
    T* out_data = out.data<T>();
    for (int64_t i = 0; i < b.n; ++i) {
      const T* src = in_data + i * example;
      T* dst = out_data + i * example;
      if (!flip[static_cast<size_t>(i)]) {
        std::copy(src, src + example, dst);
        continue;
      }
      for (int64_t row = 0; row < b.c * b.h; ++row) std::reverse_copy(src + row * b.w, src + (row + 1) * b.w, dst + row * b.w);
    }
  });
  return out;
}

Tensor affine_checked(const std::string& what, const Tensor& images, const std::vector<AffineParams>& params, double fill) {
  const ImageBatch b = check_images(what, images);
  check_count(what, params.size(), b.n);
  for (const AffineParams& a : params)
    if (!(a.scale > 0 && std::isfinite(a.scale) && std::isfinite(a.degrees) && std::isfinite(a.translate_x) &&
          std::isfinite(a.translate_y)))
      throw Error(what + ": affine parameters must be finite with a positive scale, got " + std::to_string(a.degrees) +
                  " degrees, translation (" + std::to_string(a.translate_x) + ", " + std::to_string(a.translate_y) +
                  "), scale " + std::to_string(a.scale));
  // Sample positions are 32-bit indices into a padded plane (so that their computation vectorises).
  if ((b.h + 3) * (b.w + 3) > (int64_t{1} << 30))
    throw ShapeError(what + ": images of " + std::to_string(b.h) + " x " + std::to_string(b.w) + " pixels are too large");
  const Tensor in = images.contiguous();
  Tensor out = Tensor::empty(images.shape(), images.dtype());
  const double cx = static_cast<double>(b.w - 1) / 2, cy = static_cast<double>(b.h - 1) / 2;
  with_float_type(images, [&]<class T>(T) {
    const int64_t plane = b.h * b.w, padded_plane = (b.h + 3) * (b.w + 3);
    const T* in_data = in.data<T>();
    T* out_data = out.data<T>();
    std::vector<T> padded(static_cast<size_t>(b.c * padded_plane));
    RowSamples<T> samples(b.w);
    for (int64_t i = 0; i < b.n; ++i) {
      const AffineParams& a = params[static_cast<size_t>(i)];
      // Forward: out = C + T + s R (in - C), R turning counter-clockwise on screen (y points
      // down): R = [[cos, sin], [-sin, cos]]. Inverse: in = C + R^T (out - C - T) / s.
      const double theta = a.degrees * std::numbers::pi / 180;
      const double cs = std::cos(theta) / a.scale, sn = std::sin(theta) / a.scale;
      const double ux = -cx - a.translate_x, uy = -cy - a.translate_y;  // out - C - T at pixel (0, 0)
      const T ox = static_cast<T>(cx + cs * ux - sn * uy), oy = static_cast<T>(cy + sn * ux + cs * uy);
      const T* src = in_data + i * b.c * plane;
      T* dst = out_data + i * b.c * plane;
      for (int64_t c = 0; c < b.c; ++c)
        pad_plane(src + c * plane, padded.data() + c * padded_plane, b.h, b.w, static_cast<T>(fill));
      for (int64_t y = 0; y < b.h; ++y) {
        row_samples(samples, y, b.h, b.w, ox, static_cast<T>(cs), static_cast<T>(-sn), oy, static_cast<T>(sn),
                    static_cast<T>(cs));
        for (int64_t c = 0; c < b.c; ++c)
          sample_row(padded.data() + c * padded_plane, dst + c * plane + y * b.w, samples, b.w);
      }
    }
  });
  return out;
}

AugmentGeneratorPtr require(AugmentGeneratorPtr generator, const char* what) {
  if (!generator) throw Error(std::string(what) + ": needs a generator, got a null pointer");
  return generator;
}

}  // namespace

Tensor shift_images(const Tensor& images, const std::vector<std::pair<int64_t, int64_t>>& shifts, double fill) {
  return shift_checked("shift_images", images, shifts, fill);
}

Tensor flip_images(const Tensor& images, const std::vector<bool>& flip) {
  return flip_checked("flip_images", images, flip);
}

Tensor affine_images(const Tensor& images, const std::vector<AffineParams>& params, double fill) {
  return affine_checked("affine_images", images, params, fill);
}

BatchTransform random_crop(int64_t padding, double fill, AugmentGeneratorPtr generator) {
  if (padding < 0) throw Error("random_crop: padding must be non-negative, got " + std::to_string(padding));
  generator = require(std::move(generator), "random_crop");
  return [padding, fill, generator](Batch b) {
    const ImageBatch size = check_images("random_crop", b.input);
    const auto span = static_cast<uint64_t>(2 * padding + 1);
    const auto shifts = generator->draw([&](Generator& g) {
      std::vector<std::pair<int64_t, int64_t>> s(static_cast<size_t>(size.n));
      for (auto& [dy, dx] : s) {
        dy = static_cast<int64_t>(g.below(span)) - padding;
        dx = static_cast<int64_t>(g.below(span)) - padding;
      }
      return s;
    });
    b.input = shift_checked("random_crop", b.input, shifts, fill);
    return b;
  };
}

BatchTransform random_crop(int64_t padding, double fill, uint64_t seed) {
  return random_crop(padding, fill, std::make_shared<AugmentGenerator>(seed));
}

BatchTransform random_horizontal_flip(double p, AugmentGeneratorPtr generator) {
  if (!(p >= 0 && p <= 1)) throw Error("random_horizontal_flip: p must lie in [0, 1], got " + std::to_string(p));
  generator = require(std::move(generator), "random_horizontal_flip");
  return [p, generator](Batch b) {
    const ImageBatch size = check_images("random_horizontal_flip", b.input);
    const auto flip = generator->draw([&](Generator& g) {
      std::vector<bool> f(static_cast<size_t>(size.n));
      for (size_t i = 0; i < f.size(); ++i) f[i] = g.uniform() < p;
      return f;
    });
    b.input = flip_checked("random_horizontal_flip", b.input, flip);
    return b;
  };
}

BatchTransform random_horizontal_flip(double p, uint64_t seed) {
  return random_horizontal_flip(p, std::make_shared<AugmentGenerator>(seed));
}

BatchTransform random_affine(double max_degrees, double max_translate, std::pair<double, double> scale, double fill,
                             AugmentGeneratorPtr generator) {
  if (!(max_degrees >= 0 && max_degrees <= 360))
    throw Error("random_affine: max_degrees must lie in [0, 360], got " + std::to_string(max_degrees));
  if (!(max_translate >= 0 && max_translate <= 1))
    throw Error("random_affine: max_translate must lie in [0, 1], got " + std::to_string(max_translate));
  if (!(scale.first > 0 && scale.first <= scale.second && std::isfinite(scale.second)))
    throw Error("random_affine: the scale range must satisfy 0 < low <= high, got [" + std::to_string(scale.first) +
                ", " + std::to_string(scale.second) + "]");
  generator = require(std::move(generator), "random_affine");
  return [max_degrees, max_translate, scale, fill, generator](Batch b) {
    const ImageBatch size = check_images("random_affine", b.input);
    const double max_dx = max_translate * static_cast<double>(size.w);
    const double max_dy = max_translate * static_cast<double>(size.h);
    const auto params = generator->draw([&](Generator& g) {
      std::vector<AffineParams> ps(static_cast<size_t>(size.n));
      for (AffineParams& a : ps) {
        a.degrees = (2 * g.uniform() - 1) * max_degrees;
        a.translate_x = std::round((2 * g.uniform() - 1) * max_dx);
        a.translate_y = std::round((2 * g.uniform() - 1) * max_dy);
        a.scale = scale.first + g.uniform() * (scale.second - scale.first);
      }
      return ps;
    });
    b.input = affine_checked("random_affine", b.input, params, fill);
    return b;
  };
}

BatchTransform random_affine(double max_degrees, double max_translate, std::pair<double, double> scale, double fill,
                             uint64_t seed) {
  return random_affine(max_degrees, max_translate, scale, fill, std::make_shared<AugmentGenerator>(seed));
}

}  // namespace nabla::data
