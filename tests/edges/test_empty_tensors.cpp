// Tensors with a zero-sized axis behave as in PyTorch: ops return empty results, reductions over
// an empty axis follow PyTorch's rules (sum 0, mean nan, max and argmax an error).
#include <gtest/gtest.h>

#include <cmath>

#include "edges/expect_error.h"
#include "nabla/functional.h"
#include "nabla/nabla.h"

namespace nabla::test_support {
namespace {

TEST(EmptyTensors, SoftmaxAndLogSoftmaxOfEmptyRowsOrColumns) {
  for (const Shape& shape : {Shape{0, 5}, Shape{3, 0}}) {
    const Tensor x = zeros(shape).requires_grad_();
    const Tensor y = softmax(x, 1), z = log_softmax(x, 1);
    EXPECT_EQ(y.shape(), shape);
    EXPECT_EQ(z.shape(), shape);
    sum(y + z).backward();
    EXPECT_EQ(x.grad().shape(), shape);
  }
}

TEST(EmptyTensors, CrossEntropyOnAnEmptyBatchIsNanWithAnEmptyGradient) {
  const Tensor logits = zeros({0, 4}).requires_grad_();
  const Tensor target = zeros({0}, DType::i64);
  const Tensor loss = functional::cross_entropy(logits, target);
  EXPECT_TRUE(std::isnan(loss.item()));  // the mean of nothing, as PyTorch
  loss.backward();
  EXPECT_EQ(logits.grad().shape(), (Shape{0, 4}));
  functional::CrossEntropyOptions summed;
  summed.reduction = functional::Reduction::sum;
  EXPECT_EQ(functional::cross_entropy(logits, target, summed).item(), 0.0);
  EXPECT_EQ(functional::nll_loss(log_softmax(logits, 1), target, functional::Reduction::sum).item(), 0.0);
}

TEST(EmptyTensors, ReductionsOverAnEmptyAxis) {
  const Tensor x = zeros({0, 3});
  EXPECT_EQ(sum(x).item(), 0.0);
  EXPECT_EQ(sum(x, {0}).to_vector<float>(), std::vector<float>(3, 0.0f));
  EXPECT_TRUE(std::isnan(mean(x).item()));
  for (float m : mean(x, {0}).to_vector<float>()) EXPECT_TRUE(std::isnan(m));
  EXPECT_EQ(sum(x, {1}).shape(), (Shape{0}));
  EXPECT_EQ(max(x, 1).shape(), (Shape{0}));  // reducing the non-empty axis: an empty result
  EXPECT_EQ(argmax(x, 1).shape(), (Shape{0}));
  expect_error<ShapeError>([&] { max(x); }, {"max", "empty"});
  expect_error<ShapeError>([&] { max(x, 0); }, {"max", "[0,3]", "axis 0"});
  expect_error<ShapeError>([&] { argmin(x, 0); }, {"argmin", "[0,3]"});
  EXPECT_EQ(logsumexp(x, {0}).to_vector<float>(), std::vector<float>(3, -INFINITY));
}

TEST(EmptyTensors, MatmulAndLinearWithAnEmptyAxis) {
  EXPECT_EQ(matmul(zeros({0, 3}), ones({3, 4})).shape(), (Shape{0, 4}));
  EXPECT_EQ(matmul(ones({2, 0}), ones({0, 4})).to_vector<float>(), std::vector<float>(8, 0.0f));
  const Tensor w = ones({4, 3}).requires_grad_();
  const Tensor y = functional::linear(zeros({0, 3}), w, ones({4}));
  EXPECT_EQ(y.shape(), (Shape{0, 4}));
  sum(y).backward();
  EXPECT_EQ(w.grad().to_vector<float>(), std::vector<float>(12, 0.0f));
}

TEST(EmptyTensors, ElementwiseShapeOpsAndJoins) {
  const Tensor e = zeros({2, 0});
  EXPECT_EQ((e + 1.0).shape(), (Shape{2, 0}));
  EXPECT_EQ(exp(e).shape(), (Shape{2, 0}));
  EXPECT_EQ(concat({e, ones({2, 3})}, 1).shape(), (Shape{2, 3}));
  EXPECT_EQ(reshape(e, {0, 7}).shape(), (Shape{0, 7}));
  EXPECT_EQ(e.T().contiguous().shape(), (Shape{0, 2}));
  EXPECT_EQ(e.str(), "tensor([], shape=[2,0])");
}

}  // namespace
}  // namespace nabla::test_support
