// The fused layer norm against the same formula written with ops (as it was before the kernels):
// values and gradients in f32 and f64, with and without the affine parameters, for normalized
// shapes of rank 1 to 3, for non-contiguous inputs and rows far from zero; the create_graph path
// (the backward written with ops) against the fused backward; and the errors.
#include <gtest/gtest.h>

#include "nabla/functional.h"
#include "nabla/nabla.h"

using namespace nabla;
namespace F = nabla::functional;

namespace {

// Layer norm op by op: the reference, built only from general differentiable ops.
Tensor layer_norm_ops(const Tensor& x, const Shape& normalized_shape, const Tensor& weight,
                      const Tensor& bias, double eps) {
  Axes axes;
  for (int64_t i = x.dim() - static_cast<int64_t>(normalized_shape.size()); i < x.dim(); ++i) axes.push_back(i);
  const Tensor centered = x - mean(x, axes, true);
  Tensor y = centered * pow(mean(centered * centered, axes, true) + eps, -0.5);
  if (weight.defined()) y = y * weight;
  if (bias.defined()) y = y + bias;
  return y;
}

double max_difference(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.shape(), b.shape());
  return max(abs(a.to(DType::f64) - b.to(DType::f64))).item();
}

struct Case {
  Shape x, normalized;
  bool weight, bias;
  double offset;  // added to x: rows whose mean is far from zero
  bool transposed;
};

Tensor parameter(const Shape& shape, DType dtype) {
  Tensor t = uniform(shape, 0.5, 1.5, dtype);
  t.requires_grad_();
  return t;
}

void expect_fused_matches_ops(const Case& c, DType dtype) {
  SCOPED_TRACE("x " + to_string(c.x) + " normalized " + to_string(c.normalized) + " " + to_string(dtype) +
               (c.weight ? " weight" : "") + (c.bias ? " bias" : "") + (c.transposed ? " transposed" : ""));
  manual_seed(7);
  Tensor x = uniform(c.x, -2, 2, dtype) + c.offset;
  if (c.transposed) x = x.T().contiguous().T();  // same values, column-major layout
  x = x.detach();
  x.requires_grad_();
  const Tensor w = c.weight ? parameter(c.normalized, dtype) : Tensor();
  const Tensor b = c.bias ? parameter(c.normalized, dtype) : Tensor();
  const Tensor gy = uniform(c.x, -1, 1, dtype);
  std::vector<Tensor> inputs{x};
  if (w.defined()) inputs.push_back(w);
  if (b.defined()) inputs.push_back(b);

  const Tensor fused = F::layer_norm(x, c.normalized, w, b, 1e-5);
  const Tensor reference = layer_norm_ops(x, c.normalized, w, b, 1e-5);
  // f32: both sides round differently in about ten operations on values of order 1..10.
  const double tolerance = dtype == DType::f64 ? 1e-12 : 2e-5;
  EXPECT_LT(max_difference(fused, reference), tolerance);

  const std::vector<Tensor> fused_grads = grad({fused}, inputs, {gy});
  const std::vector<Tensor> reference_grads = grad({reference}, inputs, {gy});
  // Gradients sum over rows (weight, bias) and carry rstd's scale: a looser f32 bound.
  const double grad_tolerance = dtype == DType::f64 ? 1e-11 : 1e-4;
  for (size_t i = 0; i < inputs.size(); ++i)
    EXPECT_LT(max_difference(fused_grads[i], reference_grads[i]), grad_tolerance) << "input " << i;
}

TEST(LayerNormFused, MatchesOpByOpValuesAndGradients) {
  const std::vector<Case> cases{
      {{6, 8}, {8}, true, true, 0, false},
      {{3, 5, 16}, {16}, true, true, 100, false},    // mean far from zero
      {{2, 3, 4}, {3, 4}, false, false, 0, false},  // rank 2, no affine
      {{2, 2, 3, 4}, {2, 3, 4}, true, false, 3, false},  // rank 3, weight only
      {{4, 7}, {7}, false, true, 0, false},          // bias only
      {{5, 6}, {6}, true, true, -1, true},           // non-contiguous input
      {{128}, {128}, true, true, 0, false},          // a single row
  };
  for (const Case& c : cases)
    for (DType dtype : {DType::f32, DType::f64}) expect_fused_matches_ops(c, dtype);
}

TEST(LayerNormFused, NormalisesEachRowToZeroMeanUnitVariance) {
  manual_seed(3);
  const Tensor x = uniform({64, 256}, -5, 5, DType::f32) * 3.0 + 7.0;
  const Tensor y = F::layer_norm(x, {256});
  const Tensor row_mean = mean(y, {1});
  const Tensor row_var = mean(y * y, {1}) - row_mean * row_mean;
  EXPECT_LT(max(abs(row_mean)).item(), 1e-5);
  EXPECT_LT(max(abs(row_var - 1.0)).item(), 1e-4);
}

TEST(LayerNormFused, CreateGraphBackwardAgreesWithFusedBackward) {
  // With create_graph the backward is written with ops (so it differentiates again); its first
  // derivatives must equal the fused kernel's.
  manual_seed(11);
  Tensor x = uniform({4, 3, 10}, -1, 1, DType::f64);
  x.requires_grad_();
  const Tensor w = parameter({10}, DType::f64), b = parameter({10}, DType::f64);
  const Tensor gy = uniform({4, 3, 10}, -1, 1, DType::f64);
  const Tensor y = F::layer_norm(x, {10}, w, b);
  const auto fused = grad({y}, {x, w, b}, {gy}, {.retain_graph = true});
  const auto with_graph = grad({y}, {x, w, b}, {gy}, {.create_graph = true});
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_LT(max_difference(fused[i], with_graph[i]), 1e-13) << "input " << i;
  }
  // x's and the weight's gradients depend on x and the weight; the bias's (sum of gy) on neither.
  EXPECT_TRUE(with_graph[0].requires_grad());
  EXPECT_TRUE(with_graph[1].requires_grad());
}

TEST(LayerNormFused, OnlyTheWantedGradients) {
  // A frozen weight and bias: only x's gradient is computed, and it is still right.
  manual_seed(5);
  Tensor x = uniform({3, 6}, -1, 1, DType::f64);
  x.requires_grad_();
  const Tensor w = uniform({6}, 0.5, 1.5, DType::f64), b = uniform({6}, -1, 1, DType::f64);
  const Tensor gy = uniform({3, 6}, -1, 1, DType::f64);
  const Tensor gx = grad({F::layer_norm(x, {6}, w, b)}, {x}, {gy})[0];
  const Tensor expected = grad({layer_norm_ops(x, {6}, w, b, 1e-5)}, {x}, {gy})[0];
  EXPECT_LT(max_difference(gx, expected), 1e-12);
}

TEST(LayerNormFused, RejectsMismatchedShapesAndDTypes) {
  const Tensor x = zeros({2, 4});
  EXPECT_THROW(F::layer_norm(x, {3}), ShapeError);
  EXPECT_THROW(F::layer_norm(x, {2, 4, 1}), ShapeError);
  EXPECT_THROW(F::layer_norm(x, {4}, ones({3})), ShapeError);
  EXPECT_THROW(F::layer_norm(x, {4}, ones({4}, DType::f64)), DTypeError);
  EXPECT_THROW(F::layer_norm(x, {4}, Tensor(), ones({4}, DType::f64)), DTypeError);
  try {
    F::layer_norm(x, {3});
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("[2,4]"), std::string::npos) << e.what();
  }
}

}  // namespace
