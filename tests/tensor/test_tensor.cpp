#include <gtest/gtest.h>

#include "nabla/nabla.h"

using namespace nabla;

TEST(Tensor, CreationAndMetadata) {
  Tensor t = zeros({2, 3});
  EXPECT_EQ(t.shape(), (Shape{2, 3}));
  EXPECT_EQ(t.strides(), (Shape{3, 1}));
  EXPECT_EQ(t.numel(), 6);
  EXPECT_EQ(t.dtype(), DType::f32);
  EXPECT_TRUE(t.is_contiguous());
  EXPECT_EQ(full({2}, 3.5, DType::f64).to_vector<double>(), (std::vector<double>{3.5, 3.5}));
  EXPECT_EQ(arange(5).to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(arange(0, 1, 0.25, DType::f64).to_vector<double>(), (std::vector<double>{0, 0.25, 0.5, 0.75}));
  EXPECT_EQ(eye(2).to_vector<float>(), (std::vector<float>{1, 0, 0, 1}));
  EXPECT_EQ(linspace(0, 1, 3, DType::f64).to_vector<double>(), (std::vector<double>{0, 0.5, 1}));
  EXPECT_EQ(tensor({{1, 2}, {3, 4}}).shape(), (Shape{2, 2}));
  EXPECT_DOUBLE_EQ(scalar(2.5, DType::f64).item(), 2.5);
  EXPECT_THROW(from_vector(std::vector<double>{1, 2, 3}, {2, 2}), ShapeError);
  EXPECT_THROW(tensor({{1, 2}, {3}}), ShapeError);
  EXPECT_THROW(zeros({2}).item(), ShapeError);
}

TEST(Tensor, ViewsShareStorage) {
  Tensor t = arange(0, 6, 1, DType::f64).reshape({2, 3});
  Tensor tt = t.transpose(0, 1);
  EXPECT_EQ(tt.shape(), (Shape{3, 2}));
  EXPECT_FALSE(tt.is_contiguous());
  EXPECT_EQ(tt.storage(), t.storage());
  EXPECT_EQ(tt.to_vector<double>(), (std::vector<double>{0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(t[1].to_vector<double>(), (std::vector<double>{3, 4, 5}));
  EXPECT_EQ(t.index({Slice{}, Slice{0, std::nullopt, 2}}).to_vector<double>(),
            (std::vector<double>{0, 2, 3, 5}));
  EXPECT_EQ(t.index({1, Slice{-2, std::nullopt}}).to_vector<double>(), (std::vector<double>{4, 5}));
  EXPECT_EQ(t.unsqueeze(0).shape(), (Shape{1, 2, 3}));
  EXPECT_EQ(t.unsqueeze(0).squeeze().shape(), (Shape{2, 3}));
  EXPECT_EQ(t.slice(1, 0, 1).expand({2, 4}).to_vector<double>(),
            (std::vector<double>{0, 0, 0, 0, 3, 3, 3, 3}));
  // Writing through a view changes the base.
  t[0].data<double>()[1] = 42;
  EXPECT_EQ(t.to_vector<double>()[1], 42);
  // reshape of a non-contiguous tensor copies; view refuses.
  EXPECT_EQ(tt.reshape({6}).to_vector<double>(), (std::vector<double>{0, 3, 42, 4, 2, 5}));
  EXPECT_THROW(tt.view({6}), ShapeError);
  EXPECT_EQ(t.reshape({-1}).shape(), (Shape{6}));
  EXPECT_THROW(t.reshape({4, -1}), ShapeError);
  EXPECT_THROW(t[2], IndexError);
  EXPECT_THROW(t.transpose(0, 2), IndexError);
}

TEST(Tensor, CloneDetachContiguousAndCast) {
  Tensor t = tensor({1.5, -2.5}, DType::f64);
  Tensor c = t.clone();
  c.data<double>()[0] = 9;
  EXPECT_EQ(t.to_vector<double>()[0], 1.5);
  EXPECT_EQ(t.to(DType::i64).to_vector<int64_t>(), (std::vector<int64_t>{1, -2}));
  EXPECT_EQ(t.to(DType::f32).dtype(), DType::f32);
  EXPECT_THROW(t.data<float>(), DTypeError);
}

TEST(Tensor, SeededRandomnessIsReproducible) {
  manual_seed(42);
  const auto a = randn({100}).to_vector<float>();
  manual_seed(42);
  const auto b = randn({100}).to_vector<float>();
  EXPECT_EQ(a, b);
  manual_seed(0);
  Tensor big = randn({20000}, DType::f64);
  const double m = mean(big).item();
  const double v = var(big).item();
  EXPECT_NEAR(m, 0, 0.03);
  EXPECT_NEAR(v, 1, 0.04);
  Tensor u = uniform({1000}, -2, 3, DType::f64);
  EXPECT_GE(min(u).item(), -2);
  EXPECT_LT(max(u).item(), 3);
  auto p = randperm(10).to_vector<int64_t>();
  std::sort(p.begin(), p.end());
  EXPECT_EQ(p, arange(10).to_vector<int64_t>());
  // The generator state round-trips, as a checkpoint needs.
  const std::string state = default_generator().state();
  const auto c = rand({5}).to_vector<float>();
  default_generator().set_state(state);
  EXPECT_EQ(rand({5}).to_vector<float>(), c);
}

TEST(Tensor, PrintsLikePyTorch) {
  EXPECT_EQ(tensor({{1, 2}, {3, 4}}).str(), "tensor([[1., 2.],\n        [3., 4.]])");
  EXPECT_EQ(tensor({0.5, -1.25}).str(), "tensor([ 0.5000, -1.2500])");
  EXPECT_EQ(arange(3).str(), "tensor([0, 1, 2], dtype=i64)");
  EXPECT_EQ(scalar(3, DType::f64).str(), "tensor(3., dtype=f64)");
  const std::string big = arange(0, 2000, 1).str();
  EXPECT_NE(big.find("..."), std::string::npos);
  EXPECT_NE(big.find("shape=[2000]"), std::string::npos);
  Tensor x = tensor({1.0});
  x.requires_grad_();
  EXPECT_EQ(x.str(), "tensor([1.], requires_grad=true)");
  EXPECT_NE((x * 2.0).str().find("grad_fn=<mul>"), std::string::npos);
}
