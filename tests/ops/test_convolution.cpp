// conv2d against a direct six-loop convolution, conv_transpose2d as its exact adjoint, pooling on
// known values, and the errors that name the op and the shapes.
#include <gtest/gtest.h>

#include "nabla/functional.h"
#include "nabla/nabla.h"

using namespace nabla;
namespace F = nabla::functional;

namespace {

struct Case {
  Shape x, w;
  F::Size2 stride, padding, dilation;
  int64_t groups;
};

// y[n, o, i, j] = sum_{c, a, b} x[n, g*Cg + c, i*s - p + a*d, j*s - p + b*d] w[o, c, a, b]
Tensor direct_conv2d(const Tensor& x, const Tensor& w, const Case& c) {
  const Shape& xs = x.shape();
  const Shape& ws = w.shape();
  const int64_t oh = (xs[2] + 2 * c.padding.h - c.dilation.h * (ws[2] - 1) - 1) / c.stride.h + 1;
  const int64_t ow = (xs[3] + 2 * c.padding.w - c.dilation.w * (ws[3] - 1) - 1) / c.stride.w + 1;
  Tensor y = zeros({xs[0], ws[0], oh, ow}, DType::f64);
  const double* px = x.contiguous().data<double>();
  const double* pw = w.contiguous().data<double>();
  double* py = y.data<double>();
  const int64_t cg = ws[1], og = ws[0] / c.groups;
  for (int64_t n = 0; n < xs[0]; ++n)
    for (int64_t o = 0; o < ws[0]; ++o)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          double total = 0;
          for (int64_t ch = 0; ch < cg; ++ch)
            for (int64_t a = 0; a < ws[2]; ++a)
              for (int64_t b = 0; b < ws[3]; ++b) {
                const int64_t h = i * c.stride.h - c.padding.h + a * c.dilation.h;
                const int64_t v = j * c.stride.w - c.padding.w + b * c.dilation.w;
                if (h < 0 || h >= xs[2] || v < 0 || v >= xs[3]) continue;
                const int64_t in_c = (o / og) * cg + ch;
                total += px[((n * xs[1] + in_c) * xs[2] + h) * xs[3] + v] *
                         pw[((o * cg + ch) * ws[2] + a) * ws[3] + b];
              }
          py[((n * ws[0] + o) * oh + i) * ow + j] = total;
        }
  return y;
}

const std::vector<Case> kCases = {
    {{2, 3, 7, 6}, {4, 3, 3, 3}, 1, 0, 1, 1},
    {{5, 2, 9, 8}, {6, 2, 3, 2}, {2, 1}, {1, 2}, 1, 1},
    {{1, 4, 8, 8}, {4, 2, 3, 3}, 1, 2, 2, 2},
    {{3, 6, 5, 5}, {6, 1, 3, 3}, 2, 1, 1, 6},  // depthwise
    {{4, 3, 4, 5}, {5, 3, 1, 1}, 1, 0, 1, 1},  // pointwise
    {{2, 1, 28, 28}, {30, 1, 5, 5}, 1, 0, 1, 1},
};

Tensor f64(const std::vector<double>& values, const Shape& shape) {
  return from_vector(values, shape, DType::f64);
}

double max_abs_diff(const Tensor& a, const Tensor& b) { return max(abs(a - b)).item<double>(); }

}  // namespace

TEST(Convolution, Conv2dMatchesTheDirectSum) {
  manual_seed(1);
  for (const Case& c : kCases) {
    const Tensor x = uniform(c.x, -1, 1, DType::f64), w = uniform(c.w, -1, 1, DType::f64);
    const Tensor y = F::conv2d(x, w, Tensor(), c.stride, c.padding, c.dilation, c.groups);
    const Tensor expected = direct_conv2d(x, w, c);
    ASSERT_EQ(y.shape(), expected.shape()) << to_string(c.x) << " * " << to_string(c.w);
    EXPECT_LT(max_abs_diff(y, expected), 1e-12) << to_string(c.x) << " * " << to_string(c.w);
  }
}

TEST(Convolution, Conv2dFloatAndBias) {
  manual_seed(2);
  const Tensor x = uniform({3, 2, 6, 6}, -1, 1), w = uniform({4, 2, 3, 3}, -1, 1), b = uniform({4}, -1, 1);
  const Tensor y = F::conv2d(x, w, b, 1, 1);
  const Tensor expected = direct_conv2d(cast(x, DType::f64), cast(w, DType::f64), {x.shape(), w.shape(), 1, 1, 1, 1}) +
                          cast(b, DType::f64).reshape({1, 4, 1, 1});
  EXPECT_EQ(y.dtype(), DType::f32);
  EXPECT_LT(max_abs_diff(cast(y, DType::f64), expected), 1e-5);
}

TEST(Convolution, TransposeIsTheAdjoint) {
  // <conv(x, w), y> = <x, conv_transpose(y, w)> for every geometry, including strides that skip
  // input rows (the adjoint then leaves them zero).
  manual_seed(3);
  for (const Case& c : kCases) {
    const Tensor x = uniform(c.x, -1, 1, DType::f64), w = uniform(c.w, -1, 1, DType::f64);
    const Tensor y_shape_probe = F::conv2d(x, w, Tensor(), c.stride, c.padding, c.dilation, c.groups);
    const Tensor y = uniform(y_shape_probe.shape(), -1, 1, DType::f64);
    // The output_padding that brings the transpose back to x's size.
    const auto extra = [&](int64_t in, int64_t out, int64_t k, int64_t s, int64_t p, int64_t d) {
      return in - ((out - 1) * s - 2 * p + d * (k - 1) + 1);
    };
    const F::Size2 output_padding{extra(c.x[2], y.shape()[2], c.w[2], c.stride.h, c.padding.h, c.dilation.h),
                                  extra(c.x[3], y.shape()[3], c.w[3], c.stride.w, c.padding.w, c.dilation.w)};
    const Tensor back = F::conv_transpose2d(y, w, Tensor(), c.stride, c.padding, output_padding,
                                            c.groups, c.dilation);
    ASSERT_EQ(back.shape(), x.shape());
    EXPECT_NEAR(sum(y_shape_probe * y).item<double>(), sum(x * back).item<double>(), 1e-10);
  }
}

TEST(Convolution, ConvTransposeUpsamples) {
  // A 2x2 kernel of ones with stride 2 copies each pixel into a 2x2 block.
  const Tensor x = f64({1, 2, 3, 4}, {1, 1, 2, 2});
  const Tensor y = F::conv_transpose2d(x, ones({1, 1, 2, 2}, DType::f64), Tensor(), 2);
  const std::vector<double> expected{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4};
  EXPECT_EQ(y.shape(), (Shape{1, 1, 4, 4}));
  EXPECT_EQ(y.to_vector<double>(), expected);
}

TEST(Pooling, MaxPoolValuesAndGradient) {
  Tensor x = f64({1, 5, 2, 0,  //
                  3, 4, 8, 1,  //
                  0, 2, 1, 1,  //
                  9, 1, 3, 7},
                 {1, 1, 4, 4});
  x.requires_grad_();
  const Tensor y = F::max_pool2d(x, 2);
  EXPECT_EQ(y.to_vector<double>(), (std::vector<double>{5, 8, 9, 7}));
  sum(y * f64({1, 2, 3, 4}, {1, 1, 2, 2})).backward();
  EXPECT_EQ(x.grad().to_vector<double>(),
            (std::vector<double>{0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0, 0, 4}));
}

TEST(Pooling, MaxPoolPaddingAndCeilMode) {
  const Tensor x = arange(0, 25, 1, DType::f64).reshape({1, 1, 5, 5});
  // 3x3 windows, stride 2, padding 1: outputs at rows/cols 0, 2, 4 of the padded grid.
  EXPECT_EQ(F::max_pool2d(x, 3, 2, 1).to_vector<double>(),
            (std::vector<double>{6, 8, 9, 16, 18, 19, 21, 23, 24}));
  // ceil_mode keeps the window that hangs over the edge: 5 -> 3 instead of 2.
  EXPECT_EQ(F::max_pool2d(x, 2, 2, 0, 1, true).shape(), (Shape{1, 1, 3, 3}));
  EXPECT_EQ(F::max_pool2d(x, 2, 2, 0, 1, false).shape(), (Shape{1, 1, 2, 2}));
}

TEST(Pooling, AvgPoolDivisors) {
  const Tensor x = ones({1, 1, 3, 3}, DType::f64);
  // With padding counted, the corner window of a 3x3/stride-2/pad-1 pool averages 4 ones and 5 zeros.
  EXPECT_DOUBLE_EQ(F::avg_pool2d(x, 3, 2, 1, false, true).to_vector<double>()[0], 4.0 / 9.0);
  EXPECT_DOUBLE_EQ(F::avg_pool2d(x, 3, 2, 1, false, false).to_vector<double>()[0], 1.0);
}

TEST(Pooling, AdaptiveAveragePooling) {
  const Tensor x = arange(0, 7, 1, DType::f64).reshape({1, 1, 1, 7});
  // 7 -> 3: windows [0, 3), [2, 5), [4, 7).
  EXPECT_EQ(F::adaptive_avg_pool2d(x, {1, 3}).to_vector<double>(), (std::vector<double>{1, 3, 5}));
  const Tensor g = uniform({2, 3, 5, 4}, -1, 1, DType::f64);
  EXPECT_LT(max_abs_diff(F::adaptive_avg_pool2d(g, 1), mean(g, {2, 3}, true)), 1e-15);
}

TEST(Convolution, ErrorsNameTheOpAndShapes) {
  const Tensor x = zeros({2, 3, 8, 8});
  auto message = [](auto fn) {
    try {
      fn();
    } catch (const ShapeError& e) {
      return std::string(e.what());
    }
    return std::string("no ShapeError");
  };
  EXPECT_EQ(message([&] { F::conv2d(x, zeros({4, 2, 3, 3})); }).rfind("conv2d: input [2,3,8,8] and weight [4,2,3,3]", 0), 0u);
  EXPECT_NE(message([&] { F::conv2d(x, zeros({4, 3, 9, 9})); }).find("larger than the padded input [2,3,8,8]"), std::string::npos);
  EXPECT_NE(message([&] { F::conv2d(zeros({3, 8, 8}), zeros({4, 3, 3, 3})); }).find("conv2d: expects input [N, C, H, W]"), std::string::npos);
  EXPECT_NE(message([&] { F::max_pool2d(zeros({1, 1, 2, 2}), 3); }).find("max_pool2d"), std::string::npos);
  // An empty kernel is refused, as PyTorch refuses it, instead of giving a made-up output.
  EXPECT_EQ(message([&] { F::conv2d(x, zeros({4, 3, 0, 0})); }),
            "conv2d: weight [4,3,0,0] has an empty kernel (input [2,3,8,8])");
  EXPECT_NE(message([&] { F::conv_transpose2d(x, zeros({3, 2, 0, 2})); }).find("conv_transpose2d: weight [3,2,0,2]"),
            std::string::npos);
  EXPECT_THROW(F::conv2d(x, zeros({4, 3, 3, 3}), Tensor(), 0), Error);
  EXPECT_THROW(F::conv2d(x, zeros({4, 3, 3, 3}, DType::f64)), DTypeError);
}
