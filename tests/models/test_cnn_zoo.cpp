// The command line's model zoo: every model maps [N, 1, 28, 28] to [N, 10], has PyTorch's
// state_dict names, shapes and parameter count for the same architecture (tests/data/models/
// cnn_zoo.json, written by make_cnn_zoo_fixture.py), the FLOPs the PyTorch count gives, survives
// the trip through a model file's metadata, and learns: one step lowers the loss on a fixed batch.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "nabla/models/cnn_models.h"
#include "nabla/models/model_zoo.h"
#include "nabla/nabla.h"
#include "nabla/nn/all.h"
#include "nabla/nn/summary.h"
#include "nabla/optim/optimizer.h"

using namespace nabla;
using nlohmann::json;

namespace {

const json& fixture() {
  static const json models = [] {
    std::ifstream in(std::string(NABLA_TEST_DATA_DIR) + "/models/cnn_zoo.json");
    if (!in) throw std::runtime_error("cannot open tests/data/models/cnn_zoo.json");
    return json::parse(in).at("models");
  }();
  return models;
}

nn::ModulePtr build(const std::string& name) {
  models::ModelSpec spec;
  spec.name = name;
  return models::make_model(spec);
}

class EveryModel : public ::testing::TestWithParam<std::string> {};

std::vector<std::string> all_models() { return models::model_names(); }

}  // namespace

TEST(CnnZoo, TheFixtureCoversEveryCnn) {
  for (const std::string& name : models::cnn_model_names()) EXPECT_TRUE(fixture().contains(name)) << name;
  EXPECT_EQ(fixture().size(), models::cnn_model_names().size());
}

TEST_P(EveryModel, MapsImagesToTenLogits) {
  manual_seed(0);
  auto model = build(GetParam());
  const Tensor x = randn({3, 1, 28, 28});
  EXPECT_EQ((*model)(x).shape(), (Shape{3, 10}));
  model->eval();
  NoGradGuard no_grad;
  EXPECT_EQ((*model)(x).shape(), (Shape{3, 10}));
}

TEST_P(EveryModel, OneStepLowersTheLossOnAFixedBatch) {
  manual_seed(1);
  auto model = build(GetParam());
  const Tensor x = randn({8, 1, 28, 28});
  const Tensor y = from_vector(std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7});
  optim::SGD sgd(model->parameters(), {.lr = 0.01});
  // The same dropout masks both times, so the loss is one function of the weights.
  auto loss_now = [&] {
    manual_seed(2);
    return functional::cross_entropy((*model)(x), y);
  };
  Tensor before = loss_now();
  sgd.zero_grad();
  before.backward();
  sgd.step();
  const double after = loss_now().item();
  EXPECT_LT(after, before.item()) << GetParam();
  EXPECT_TRUE(std::isfinite(after));
}

TEST_P(EveryModel, RebuildsFromItsMetadataAndLoadsItsWeights) {
  manual_seed(3);
  models::ModelSpec spec;
  spec.name = GetParam();
  auto model = models::make_model(spec);
  const models::ModelSpec again = models::from_metadata(models::to_metadata(spec), "model.safetensors");
  EXPECT_EQ(again.name, spec.name);
  auto rebuilt = models::make_model(again);
  rebuilt->load_state_dict(model->state_dict());  // strict: same names and shapes
  model->eval();
  rebuilt->eval();
  NoGradGuard no_grad;
  const Tensor x = randn({2, 1, 28, 28});
  EXPECT_TRUE(allclose((*model)(x), (*rebuilt)(x), 0, 0));
}

INSTANTIATE_TEST_SUITE_P(CnnZoo, EveryModel, ::testing::ValuesIn(all_models()),
                         [](const auto& info) { return info.param; });

TEST(CnnZoo, StateDictNamesShapesAndCountsMatchPyTorch) {
  for (const std::string& name : models::cnn_model_names()) {
    SCOPED_TRACE(name);
    const json& expected = fixture().at(name);
    auto model = build(name);
    EXPECT_EQ(model->parameter_count(), expected.at("params").get<int64_t>());
    const nn::StateDict state = model->state_dict();
    const json& entries = expected.at("state_dict");
    ASSERT_EQ(state.size(), entries.size());
    for (size_t i = 0; i < state.size(); ++i) {
      EXPECT_EQ(state[i].first, entries[i].at(0).get<std::string>());
      EXPECT_EQ(state[i].second.shape(), entries[i].at(1).get<Shape>()) << state[i].first;
    }
  }
}

TEST(CnnZoo, SummaryFlopsMatchTheCountOverPyTorch) {
  for (const std::string& name : models::cnn_model_names()) {
    auto model = build(name);
    EXPECT_EQ(nn::summary(*model, {1, 1, 28, 28}).flops, fixture().at(name).at("flops_per_sample").get<int64_t>())
        << name;
  }
}

TEST(CnnZoo, ConvolutionalModelsNeedTwentyEightByTwentyEightImages) {
  models::ModelSpec spec;
  spec.name = "resnet";
  spec.inputs = 3 * 32 * 32;
  EXPECT_THROW(models::make_model(spec), Error);
  spec.name = "nosuchnet";
  try {
    models::make_model(spec);
    FAIL() << "no error for an unknown model";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("simplecnn"), std::string::npos) << e.what();
  }
}

TEST(CnnZoo, DeepCnnHasHeInitialisation) {
  // The course's DeepConvNet: weights N(0, 2 / fan_in), biases zero.
  manual_seed(4);
  auto model = models::deep_cnn();
  for (const auto& [name, p] : model->named_parameters()) {
    const double mean_square = (p * p).mean().item();
    if (name.ends_with("bias")) {
      EXPECT_EQ(mean_square, 0.0) << name;
    } else {
      const double fan_in = static_cast<double>(p.numel() / p.shape()[0]);
      EXPECT_NEAR(mean_square, 2.0 / fan_in, 0.3 * 2.0 / fan_in) << name;
    }
  }
}
