// The autograd engine: accumulation, graph lifetime, higher-order derivatives, errors.
#include <gtest/gtest.h>

#include <cmath>

#include "nabla/nabla.h"

using namespace nabla;

static Tensor variable(double v) {
  Tensor t = scalar(v, DType::f64);
  t.requires_grad_();
  return t;
}

TEST(Autograd, SquareOfExpOfSquare) {  // DeZero step 9
  Tensor x = variable(0.5);
  Tensor y = pow(exp(pow(x, 2.0)), 2.0);
  y.backward();
  EXPECT_NEAR(x.grad().item(), 3.297442541400256, 1e-12);
}

TEST(Autograd, GradientsAccumulateWhereAValueIsUsedTwice) {
  Tensor x = variable(3.0);
  Tensor y = x + x;
  y.backward();
  EXPECT_EQ(x.grad().item(), 2);
  // A second backward adds to .grad until it is cleared, as in PyTorch.
  (x * x).backward();
  EXPECT_EQ(x.grad().item(), 8);
  x.zero_grad();
  EXPECT_FALSE(x.grad().defined());
  // A diamond: a = x^2, y = a^2 + a^2 = 2 x^4 -> dy/dx = 8 x^3.
  Tensor a = pow(x, 2.0);
  (pow(a, 2.0) + pow(a, 2.0)).backward();
  EXPECT_EQ(x.grad().item(), 8 * 27);
}

TEST(Autograd, BroadcastGradientsAreSummedToTheInputShape) {
  Tensor w = ones({3}, DType::f64);
  w.requires_grad_();
  Tensor x = ones({4, 3}, DType::f64);
  sum(x * w).backward();
  EXPECT_EQ(w.grad().to_vector<double>(), (std::vector<double>{4, 4, 4}));
}

TEST(Autograd, DeepChainsNeitherOverflowTheStackNorLeak) {
  Tensor x = variable(1.0);
  std::weak_ptr<Node> first;
  {
    Tensor y = x;
    for (int i = 0; i < 100000; ++i) {
      y = y * 1.0;
      if (i == 0) first = y.grad_fn();
    }
    y.backward();
    EXPECT_EQ(x.grad().item(), 1);
    EXPECT_FALSE(first.expired());
  }
  // Dropping the last handle freed the whole chain, iteratively.
  EXPECT_TRUE(first.expired());
}

TEST(Autograd, GraphIsFreedAfterBackwardUnlessRetained) {
  Tensor x = variable(2.0);
  Tensor y = x * x;
  y.backward(Tensor(), /*retain_graph=*/true);
  y.backward();
  EXPECT_EQ(x.grad().item(), 8);
  try {
    y.backward();
    FAIL() << "a second backward through a freed graph must throw";
  } catch (const AutogradError& e) {
    EXPECT_NE(std::string(e.what()).find("second time"), std::string::npos);
  }
}

TEST(Autograd, ClearErrors) {
  Tensor x = ones({2}, DType::f64);
  x.requires_grad_();
  try {
    (x * 2.0).backward();
    FAIL();
  } catch (const AutogradError& e) {
    EXPECT_NE(std::string(e.what()).find("shape [2]"), std::string::npos);
  }
  EXPECT_THROW(ones({2}).backward(), AutogradError);
  EXPECT_THROW(arange(3).requires_grad_(), DTypeError);
  EXPECT_THROW((x * 2.0).backward(ones({3}, DType::f64)), ShapeError);
  Tensor unused = variable(1.0);
  EXPECT_THROW(grad({sum(x)}, {unused}), AutogradError);
  GradOptions allow;
  allow.allow_unused = true;
  EXPECT_FALSE(grad({sum(x)}, {unused}, allow)[0].defined());
}

TEST(Autograd, NoGradAndDetachCutTheGraph) {
  Tensor x = variable(2.0);
  {
    NoGradGuard guard;
    Tensor y = x * x;
    EXPECT_FALSE(y.requires_grad());
    EXPECT_EQ(y.grad_fn(), nullptr);
  }
  EXPECT_TRUE(is_grad_enabled());
  Tensor z = x.detach() * x;
  z.backward();
  EXPECT_EQ(x.grad().item(), 2);
}

TEST(Autograd, NonScalarBackwardWithGradient) {
  Tensor x = tensor({1, 2, 3}, DType::f64);
  x.requires_grad_();
  (x * x).backward(tensor({1, 10, 100}, DType::f64));
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{2, 40, 600}));
}

TEST(Autograd, HigherOrderDerivativesOfSin) {
  Tensor x = variable(1.0);
  Tensor y = sin(x);
  GradOptions o;
  o.create_graph = true;
  const double expected[] = {std::cos(1.0), -std::sin(1.0), -std::cos(1.0), std::sin(1.0)};
  for (double want : expected) {
    y = grad({y}, {x}, o)[0];
    EXPECT_NEAR(y.item(), want, 1e-12);
  }
}

TEST(Autograd, DeZeroStyleDoubleBackwardThroughGrad) {
  // y = x^4 - 2x^2 at x = 2: y' = 24, y'' = 44 (DeZero step 33), via backward(create_graph).
  Tensor x = variable(2.0);
  Tensor y = pow(x, 4.0) - 2.0 * pow(x, 2.0);
  y.backward(Tensor(), false, true);
  Tensor gx = x.grad();
  EXPECT_EQ(gx.item(), 24);
  x.zero_grad();
  gx.backward();
  EXPECT_EQ(x.grad().item(), 44);
}

TEST(Autograd, GradWithRespectToIntermediateValues) {
  Tensor x = variable(3.0);
  Tensor h = x * x;  // non-leaf input
  Tensor y = h * h * h;
  const auto g = grad({y}, {h, x});
  EXPECT_EQ(g[0].item(), 3 * 81);      // dy/dh = 3h^2
  EXPECT_EQ(g[1].item(), 6 * 243);     // dy/dx = 6x^5
  EXPECT_FALSE(x.grad().defined());    // grad() leaves .grad alone
}

TEST(Autograd, SecondDerivativeOfMatmulGivesHessianVectorProduct) {
  // f(x) = x^T A x, grad = (A + A^T) x, Hessian = A + A^T.
  Tensor a = tensor({{1, 2}, {3, 4}}, DType::f64);
  Tensor x = tensor({1, -1}, DType::f64);
  x.requires_grad_();
  GradOptions o;
  o.create_graph = true;
  Tensor f = matmul(x, matmul(a, x));
  Tensor g = grad({f}, {x}, o)[0];
  EXPECT_EQ(g.to_vector<double>(), (std::vector<double>{-3, -3}));
  Tensor v = tensor({1, 0}, DType::f64);
  Tensor hv = grad({sum(g * v)}, {x})[0];
  EXPECT_EQ(hv.to_vector<double>(), (std::vector<double>{2, 5}));
}

TEST(Autograd, DotGraphNamesVariablesAndFunctions) {
  Tensor x = variable(1.0);
  x.set_name("x");
  Tensor y = tanh(x);
  y.set_name("y");
  const std::string dot = to_dot(y);
  EXPECT_EQ(dot.rfind("digraph g {", 0), 0u);
  EXPECT_NE(dot.find("label=\"x: [] f64\""), std::string::npos);
  EXPECT_NE(dot.find("label=\"y: [] f64\""), std::string::npos);
  EXPECT_NE(dot.find("label=\"tanh\", color=lightblue"), std::string::npos);
  EXPECT_NE(dot.find("->"), std::string::npos);
}

TEST(Autograd, SavedOutputsDoNotKeepTheirNodeAlive) {
  std::weak_ptr<Node> node;
  {
    Tensor x = variable(0.3);
    Tensor y = exp(x);  // saves its own output
    node = y.grad_fn();
  }
  EXPECT_TRUE(node.expired());
}

TEST(Autograd, SavedOutputSurvivesItsTensor) {
  // exp's output is a temporary that add does not keep; exp's backward still has its values,
  // and its second derivative still connects through the graph.
  Tensor x = variable(0.5);
  Tensor y = exp(x) + 1.0;
  GradOptions o;
  o.create_graph = true;
  Tensor g = grad({y}, {x}, o)[0];
  EXPECT_NEAR(g.item(), std::exp(0.5), 1e-15);
  EXPECT_NEAR(grad({g}, {x})[0].item(), std::exp(0.5), 1e-15);
}

TEST(Autograd, CastPassesGradientsBackInTheInputDtype) {
  Tensor x = tensor({1, 2}, DType::f64);
  x.requires_grad_();
  sum(cast(x, DType::f32) * 3.0).backward();
  EXPECT_EQ(x.grad().dtype(), DType::f64);
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{3, 3}));
}
