// nn::summary: rows from forward hooks, parameter counts, FLOPs counted by hand, and that the
// model comes back as it was (hooks removed, training modes restored, generator untouched).
#include <gtest/gtest.h>

#include "nabla/nabla.h"
#include "nabla/nn/all.h"
#include "nabla/nn/summary.h"

using namespace nabla;

namespace {

// The course's SimpleConvNet: conv 30 5x5, ReLU, pool, Linear 100, ReLU, Linear 10.
std::shared_ptr<nn::Sequential> simple_convnet() {
  return std::make_shared<nn::Sequential>(std::initializer_list<nn::ModulePtr>{
      std::make_shared<nn::Conv2d>(1, 30, 5), std::make_shared<nn::ReLU>(), std::make_shared<nn::MaxPool2d>(2),
      std::make_shared<nn::Flatten>(), std::make_shared<nn::Linear>(4320, 100), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::Linear>(100, 10)});
}

// Calls one child twice (as ResNet's BasicBlock calls its ReLU), and nests a Sequential.
class Twice : public nn::UnaryModule {
 public:
  Twice() {
    body = register_module("body", std::make_shared<nn::Sequential>(std::initializer_list<nn::ModulePtr>{
                                       std::make_shared<nn::Linear>(4, 4), std::make_shared<nn::Dropout>(0.5)}));
    act = register_module("act", std::make_shared<nn::ReLU>());
  }
  Tensor forward(const Tensor& x) override { return act(body(act(x))); }
  nn::ModuleHolder<nn::Sequential> body;
  nn::ModuleHolder<nn::ReLU> act;
};

}  // namespace

TEST(Summary, SimpleConvNetRowsParametersAndFlops) {
  auto model = simple_convnet();
  const nn::ModelSummary s = nn::summary(*model, {1, 1, 28, 28});
  ASSERT_EQ(s.layers.size(), 7u);
  const std::vector<std::string> names{"0", "1", "2", "3", "4", "5", "6"};
  const std::vector<std::string> types{"Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear", "ReLU", "Linear"};
  const std::vector<Shape> shapes{{1, 30, 24, 24}, {1, 30, 24, 24}, {1, 30, 12, 12}, {1, 4320},
                                  {1, 100},        {1, 100},        {1, 10}};
  const std::vector<int64_t> params{30 * 25 + 30, 0, 0, 0, 4320 * 100 + 100, 0, 100 * 10 + 10};
  // By hand: each conv output sums 1 x 5 x 5 products; each linear output in_features products.
  const std::vector<int64_t> flops{2 * 30 * 24 * 24 * 25, 0, 0, 0, 2 * 4320 * 100, 0, 2 * 100 * 10};
  for (size_t i = 0; i < s.layers.size(); ++i) {
    EXPECT_EQ(s.layers[i].name, names[i]);
    EXPECT_EQ(s.layers[i].type, types[i]);
    EXPECT_EQ(s.layers[i].output_shape, shapes[i]) << i;
    EXPECT_EQ(s.layers[i].params, params[i]) << i;
    EXPECT_EQ(s.layers[i].flops, flops[i]) << i;
  }
  EXPECT_EQ(s.layers[0].flops, 864000);
  EXPECT_EQ(s.flops, 864000 + 864000 + 2000);
  EXPECT_EQ(s.total_params, 433890);
  EXPECT_EQ(s.trainable_params, 433890);
  EXPECT_EQ(s.total_params, model->parameter_count());
  const std::string table = s.str();
  EXPECT_NE(table.find("0 (Conv2d)"), std::string::npos);
  EXPECT_NE(table.find("[1, 30, 24, 24]"), std::string::npos);
  EXPECT_NE(table.find("Total params: 433,890"), std::string::npos);
  EXPECT_NE(table.find("Forward FLOPs per sample: 1,730,000"), std::string::npos);
  EXPECT_NE(table.find("multiply-adds"), std::string::npos);
}

TEST(Summary, FlopsArePerSampleWhateverTheBatch) {
  auto model = simple_convnet();
  const nn::ModelSummary one = nn::summary(*model, {1, 1, 28, 28});
  const nn::ModelSummary five = nn::summary(*model, {5, 1, 28, 28});
  EXPECT_EQ(five.flops, one.flops);
  EXPECT_EQ(five.layers[0].output_shape, (Shape{5, 30, 24, 24}));
}

TEST(Summary, NestedNamesAndALayerCalledTwice) {
  Twice model;
  const nn::ModelSummary s = nn::summary(model, {2, 3, 4});
  ASSERT_EQ(s.layers.size(), 4u);
  EXPECT_EQ(s.layers[0].name, "act");
  EXPECT_EQ(s.layers[1].name, "body.0");
  EXPECT_EQ(s.layers[2].name, "body.1");
  EXPECT_EQ(s.layers[3].name, "act");
  EXPECT_EQ(s.layers[1].params, 20);
  // A Linear over [2, 3, 4]: 2 x 3 rows of 4 x 4 multiply-adds, per sample of the batch of 2.
  EXPECT_EQ(s.layers[1].flops, 2 * 3 * 4 * 4);
  EXPECT_EQ(s.layers[1].output_shape, (Shape{2, 3, 4}));
  EXPECT_EQ(s.total_params, 20);
}

TEST(Summary, GroupedAndTransposedConvolutionFlops) {
  nn::Sequential model{std::make_shared<nn::Conv2d>(4, 6, 3, 1, 1, 1, /*groups=*/2),
                       std::make_shared<nn::ConvTranspose2d>(6, 2, 2, /*stride=*/2)};
  const nn::ModelSummary s = nn::summary(model, {1, 4, 5, 5});
  ASSERT_EQ(s.layers.size(), 2u);
  // Each of the 6 x 5 x 5 outputs sums (4 / 2) x 3 x 3 products.
  EXPECT_EQ(s.layers[0].flops, 2 * 6 * 5 * 5 * 2 * 9);
  // Each of the 6 x 5 x 5 inputs scatters to 2 x 2 x 2 outputs.
  EXPECT_EQ(s.layers[1].output_shape, (Shape{1, 2, 10, 10}));
  EXPECT_EQ(s.layers[1].flops, 2 * 6 * 5 * 5 * 2 * 2 * 2);
}

TEST(Summary, LeavesTheModelAsItWas) {
  Twice model;
  model.train();
  model.body->eval();  // a mixed state comes back mixed
  manual_seed(7);
  nn::summary(model, {2, 4});
  const Tensor after = randn({3});
  manual_seed(7);
  const Tensor expected = randn({3});
  EXPECT_TRUE(allclose(after, expected, 0, 0)) << "summary drew from the generator";
  EXPECT_TRUE(model.is_training());
  EXPECT_TRUE(model.act->is_training());
  EXPECT_FALSE(model.body->is_training());
  EXPECT_FALSE((*model.body)[0]->is_training());
  // The hooks are gone: a second summary sees the same rows, not twice as many.
  EXPECT_EQ(nn::summary(model, {2, 4}).layers.size(), 4u);
  EXPECT_TRUE(is_grad_enabled());
}

TEST(Summary, ABadInputShapeNamesTheProblem) {
  auto model = simple_convnet();
  EXPECT_THROW(nn::summary(*model, {}), ShapeError);
  // The model's own error comes through, and the model is usable afterwards.
  EXPECT_THROW(nn::summary(*model, {1, 2, 28, 28}), Error);
  EXPECT_EQ(nn::summary(*model, {1, 1, 28, 28}).layers.size(), 7u);
  EXPECT_TRUE(model->is_training());
}
