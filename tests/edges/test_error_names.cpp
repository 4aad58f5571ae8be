// An error names the op the user called, with the shapes, and the file where there is one;
// never an op nabla used inside it.
#include <gtest/gtest.h>

#include "edges/expect_error.h"
#include "nabla/functional.h"
#include "nabla/nabla.h"
#include "nabla/nn/all.h"
#include "nabla/models/model_zoo.h"
#include "nabla/optim/optimizer.h"

namespace nabla::test_support {
namespace {

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

template <class E, class F>
void expect_error_from(const std::string& op, F&& f, const std::vector<std::string>& parts = {}) {
  try {
    f();
    ADD_FAILURE() << op << ": no exception";
  } catch (const E& e) {
    EXPECT_TRUE(starts_with(e.what(), op + ": ")) << "names another op: " << e.what();
    for (const std::string& part : parts)
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << "lacks \"" << part << "\": " << e.what();
  }
}

TEST(ErrorNames, SoftmaxAndLogSoftmaxNameThemselvesForABadAxis) {
  const Tensor x = zeros({2, 3});
  expect_error_from<IndexError>("softmax", [&] { softmax(x, 5); }, {"axis 5"});
  expect_error_from<IndexError>("log_softmax", [&] { log_softmax(x, -3); }, {"axis -3"});
}

TEST(ErrorNames, EmbeddingNamesItselfForAnIndexOutOfRange) {
  const Tensor weight = zeros({5, 2});
  expect_error_from<IndexError>("embedding", [&] {
    functional::embedding(from_vector(std::vector<int64_t>{1, 7}), weight);
  }, {"7", "5"});
}

TEST(ErrorNames, NllLossNamesItselfForATargetOutOfRange) {
  const Tensor log_probs = zeros({2, 3});
  expect_error_from<IndexError>("nll_loss", [&] {
    functional::nll_loss(log_probs, from_vector(std::vector<int64_t>{0, 3}));
  }, {"3", "[2,3]"});
}

TEST(ErrorNames, CreationFunctionsNameThemselves) {
  expect_error_from<ShapeError>("eye", [] { eye(-2); }, {"-2"});
  expect_error_from<ShapeError>("zeros", [] { zeros({2, -1}); }, {"[2,-1]"});
  expect_error_from<ShapeError>("randn", [] { randn({-3}); }, {"[-3]"});
  expect_error_from<ShapeError>("linspace", [] { linspace(0, 1, -1); }, {"-1"});
}

TEST(ErrorNames, LoadStateDictNamesTheKeyOfAnUndefinedTensor) {
  nn::Linear linear(2, 3);
  nn::StateDict state = linear.state_dict();
  state[0].second = Tensor();
  expect_error_from<Error>("load_state_dict", [&] { linear.load_state_dict(state); },
                           {"'" + state[0].first + "'", "undefined"});
}

TEST(ErrorNames, AnOptimizerOverNoParametersIsRefused) {
  expect_error_from<Error>("SGD", [] { optim::SGD(std::vector<Tensor>{}, {.lr = 0.1}); }, {"empty parameter list"});
  expect_error_from<Error>("Adam", [] { optim::Adam(std::vector<Tensor>{}); }, {"empty parameter list"});
}

TEST(ErrorNames, AModelFileWithImpossibleSizesNamesTheFileAndTheKey) {
  models::ModelSpec spec;
  spec.name = "mlp";
  spec.inputs = 784;
  spec.classes = 10;
  spec.hidden = {100};
  std::map<std::string, std::string> metadata = models::to_metadata(spec);
  metadata["nabla.hidden"] = "100,-5";
  expect_error<IOError>([&] { models::from_metadata(metadata, "runs/mlp/model.safetensors"); },
                        {"runs/mlp/model.safetensors", "nabla.hidden", "-5"});
  metadata = models::to_metadata(spec);
  metadata["nabla.classes"] = "0";
  expect_error<IOError>([&] { models::from_metadata(metadata, "m.safetensors"); }, {"m.safetensors", "nabla.classes"});
}

}  // namespace
}  // namespace nabla::test_support
