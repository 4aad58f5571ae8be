// A small MLP built from modules, checked end to end in f64: the loss's gradient and its second
// derivative with respect to the input and to every parameter.
#include <gtest/gtest.h>

#include "nabla/nabla.h"
#include "nabla/nn/all.h"

using namespace nabla;

TEST(GradcheckModules, MlpWithLossEndToEnd) {
  manual_seed(4);
  auto mlp = std::make_shared<nn::Sequential>(std::initializer_list<nn::ModulePtr>{
      std::make_shared<nn::Linear>(5, 6), std::make_shared<nn::Tanh>(), std::make_shared<nn::LayerNorm>(Shape{6}),
      std::make_shared<nn::Linear>(6, 4), std::make_shared<nn::GELU>(), std::make_shared<nn::Linear>(4, 3)});
  mlp->to(DType::f64);
  const Tensor labels = from_vector(std::vector<int64_t>{0, 2, 1, 2});
  Tensor x = uniform({4, 5}, -1, 1, DType::f64);
  x.requires_grad_();
  std::vector<Tensor> inputs{x};
  for (const Tensor& p : mlp->parameters()) inputs.push_back(p);
  // gradcheck perturbs the tensors it is given in place; the module reads the same tensors.
  auto f = [&](const std::vector<Tensor>& in) {
    return nn::CrossEntropyLoss()((*mlp)(in[0]), labels);
  };
  const GradcheckResult first = gradcheck(f, inputs);
  EXPECT_TRUE(first.ok) << first.message;
  const GradcheckResult second = gradgradcheck(f, inputs);
  EXPECT_TRUE(second.ok) << second.message;
}

TEST(GradcheckModules, BatchNormInTraining) {
  manual_seed(8);
  auto net = std::make_shared<nn::Sequential>(std::initializer_list<nn::ModulePtr>{
      std::make_shared<nn::Linear>(3, 4), std::make_shared<nn::BatchNorm1d>(4), std::make_shared<nn::Sigmoid>()});
  net->to(DType::f64);
  Tensor x = uniform({6, 3}, -1, 1, DType::f64);
  x.requires_grad_();
  std::vector<Tensor> inputs{x};
  for (const Tensor& p : net->parameters()) inputs.push_back(p);
  auto f = [&](const std::vector<Tensor>& in) { return (*net)(in[0]); };
  EXPECT_TRUE(gradcheck(f, inputs).ok);
  EXPECT_TRUE(gradgradcheck(f, inputs).ok);
}
