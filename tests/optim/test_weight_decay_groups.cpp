// weight_decay_groups: the AdamW recipe's split of a module's parameters by rank.
#include <gtest/gtest.h>

#include "nabla/nn/conv.h"
#include "nabla/nn/layers.h"
#include "nabla/optim/weight_decay_groups.h"

namespace nabla::optim {
namespace {

std::vector<const TensorImpl*> impls(const std::vector<Tensor>& tensors) {
  std::vector<const TensorImpl*> out;
  for (const Tensor& t : tensors) out.push_back(t.impl());
  return out;
}

TEST(WeightDecayGroups, DecayMatricesKernelsAndEmbeddingsOnly) {
  auto embedding = std::make_shared<nn::Embedding>(10, 4);
  auto conv = std::make_shared<nn::Conv2d>(1, 2, 3);
  auto norm = std::make_shared<nn::BatchNorm2d>(2);
  auto linear = std::make_shared<nn::Linear>(4, 3);
  auto layer_norm = std::make_shared<nn::LayerNorm>(Shape{3});
  nn::Sequential model{embedding, conv, norm, linear, layer_norm};  // only its parameters matter here
  const std::vector<ParamGroup> groups = weight_decay_groups(model, 0.1);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].weight_decay, 0.1);
  EXPECT_EQ(groups[1].weight_decay, 0.0);
  EXPECT_FALSE(groups[0].lr || groups[1].lr);  // both take the optimizer's rate
  EXPECT_EQ(impls(groups[0].params), impls({embedding->weight, conv->weight, linear->weight}));
  EXPECT_EQ(impls(groups[1].params),
            impls({conv->bias, norm->weight, norm->bias, linear->bias, layer_norm->weight, layer_norm->bias}));

  AdamW adamw(groups, {.lr = 3e-4});
  EXPECT_EQ(adamw.options(0).weight_decay, 0.1);
  EXPECT_EQ(adamw.options(1).weight_decay, 0.0);
  EXPECT_EQ(adamw.lr(1), 3e-4);
  EXPECT_THROW(weight_decay_groups(model, -1), Error);
}

}  // namespace
}  // namespace nabla::optim
