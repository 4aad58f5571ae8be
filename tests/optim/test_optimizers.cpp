// Every optimizer's first steps against PyTorch's (tests/data/optim/make_fixture.py), the
// state_dict round trip, and the rules around parameters and gradients.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "nabla/parallel.h"
#include "nabla/random.h"
#include "nabla/train/checkpoint.h"
#include "optim/optim_fixture.h"

namespace nabla::optim {
namespace {

using test_fixture::all_entries;
using test_fixture::flat;
using test_fixture::make_optimizer;
using test_fixture::Problem;

void expect_near_all(const Tensor& actual, const std::vector<double>& want, double tolerance,
                     const std::string& what) {
  const auto got = actual.to_vector<double>();
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want[i], tolerance) << what << " element " << i;
}

// Single-group entries and the grouped ones (p1 and p2 in groups of their own lr and weight decay).
TEST(Optimizers, MatchPyTorchForFiveSteps) {
  const auto entries = all_entries();
  ASSERT_GE(entries.size(), 18u);
  for (const auto& [name, entry] : entries) {
    SCOPED_TRACE(name);
    Problem problem;
    auto optimizer = make_optimizer(name, entry, problem);
    int step = 0;
    for (const auto& want : entry["steps"]) {
      optimizer->zero_grad();
      problem.backward();
      optimizer->step();
      ++step;
      expect_near_all(problem.p1, flat(want["p1"]), 1e-12, name + " p1 step " + std::to_string(step));
      expect_near_all(problem.p2, flat(want["p2"]), 1e-12, name + " p2 step " + std::to_string(step));
    }
  }
}

// Five uninterrupted steps must equal three steps, a save, a load into a fresh optimizer over
// fresh parameters holding the saved values, and two more steps: bit for bit.
TEST(Optimizers, StateDictRoundTripResumesBitIdentically) {
  for (const auto& [name, entry] : all_entries()) {
    SCOPED_TRACE(name);
    Problem straight;
    auto uninterrupted = make_optimizer(name, entry, straight);
    for (int i = 0; i < 5; ++i) {
      uninterrupted->zero_grad();
      straight.backward();
      uninterrupted->step();
    }

    Problem first;
    auto before = make_optimizer(name, entry, first);
    for (int i = 0; i < 3; ++i) {
      before->zero_grad();
      first.backward();
      before->step();
    }
    const OptimizerState saved = before->state_dict();
    Problem resumed;
    resumed.p1 = first.p1.detach().clone().requires_grad_();
    resumed.p2 = first.p2.detach().clone().requires_grad_();
    // Steps after saving must not leak into the saved copy.
    before->zero_grad();
    first.backward();
    before->step();

    // A deliberately different lr: loading must restore each group's saved one.
    auto after = make_optimizer(name, entry, resumed);
    after->set_lr(123.0);
    after->load_state_dict(saved);
    for (size_t g = 0; g < after->num_groups(); ++g) EXPECT_EQ(after->lr(g), uninterrupted->lr(g));
    for (int i = 0; i < 2; ++i) {
      after->zero_grad();
      resumed.backward();
      after->step();
    }
    EXPECT_EQ(resumed.p1.to_vector<double>(), straight.p1.to_vector<double>());
    EXPECT_EQ(resumed.p2.to_vector<double>(), straight.p2.to_vector<double>());
  }
}

TEST(Optimizers, StateDictNamesBuffersByParameter) {
  Problem problem;
  Adam adam(problem.params(), {.lr = 0.1, .amsgrad = true});
  EXPECT_TRUE(adam.state_dict().tensors.empty());
  problem.backward();
  adam.step();
  const OptimizerState state = adam.state_dict();
  EXPECT_EQ(state.optimizer, "Adam");
  std::vector<std::string> names;
  for (const auto& [name, tensor] : state.tensors) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"state.0.step", "state.0.exp_avg", "state.0.exp_avg_sq",
                                             "state.0.max_exp_avg_sq", "state.1.step",
                                             "state.1.exp_avg", "state.1.exp_avg_sq",
                                             "state.1.max_exp_avg_sq"}));
  EXPECT_EQ(state.tensors[0].second.item<int64_t>(), 1);
  EXPECT_EQ(state.hyperparameters, (std::map<std::string, double>{{"param_groups.0.params", 2},
                                                                  {"param_groups.0.lr", 0.1},
                                                                  {"param_groups.0.betas.0", 0.9},
                                                                  {"param_groups.0.betas.1", 0.999},
                                                                  {"param_groups.0.eps", 1e-8},
                                                                  {"param_groups.0.weight_decay", 0},
                                                                  {"param_groups.0.amsgrad", 1}}));
}

// A group takes what it leaves unset from the defaults; state numbers parameters across groups.
TEST(Optimizers, GroupsOverrideLrAndWeightDecayOfTheDefaults) {
  Problem problem;
  AdamW adamw({{.params = {problem.p1}, .weight_decay = 0.0}, {.params = {problem.p2}, .lr = 0.5}},
              {.lr = 0.1, .weight_decay = 0.2});
  ASSERT_EQ(adamw.num_groups(), 2u);
  EXPECT_EQ(adamw.lr(0), 0.1);
  EXPECT_EQ(adamw.lr(1), 0.5);
  EXPECT_EQ(adamw.options(0).weight_decay, 0.0);
  EXPECT_EQ(adamw.options(1).weight_decay, 0.2);
  EXPECT_EQ(adamw.options(1).beta2, 0.999);
  ASSERT_EQ(adamw.group_params(1).size(), 1u);
  EXPECT_EQ(adamw.group_params(1)[0].impl(), problem.p2.impl());
  EXPECT_THROW(adamw.group_params(2), Error);

  problem.backward();
  adamw.step();
  const OptimizerState state = adamw.state_dict();
  EXPECT_EQ(state.tensors.back().first, "state.1.exp_avg_sq");
  EXPECT_EQ(state.hyperparameters.at("param_groups.0.params"), 1);
  EXPECT_EQ(state.hyperparameters.at("param_groups.1.lr"), 0.5);

  adamw.set_lr(1, 0.25);
  EXPECT_EQ(adamw.lr(0), 0.1);
  EXPECT_EQ(adamw.lr(1), 0.25);
  adamw.set_lr(0.01);
  EXPECT_EQ(adamw.lr(0), 0.01);
  EXPECT_EQ(adamw.lr(1), 0.01);
  EXPECT_THROW(adamw.set_lr(1, -1.0), Error);
  EXPECT_THROW(AdamW({{.params = {problem.p1}}, {.params = {problem.p1}}}), Error);  // in two groups
  EXPECT_THROW(SGD({{.params = {problem.p1}, .lr = -0.1}}), Error);
}

// Through a checkpoint file (as the Trainer saves one): a grouped run resumes bit for bit.
TEST(Optimizers, GroupedStateSurvivesACheckpointFile) {
  const auto entry = test_fixture::expected()["grouped_optimizers"]["adamw_groups"];
  Problem straight, first;
  auto uninterrupted = make_optimizer("adamw_groups", entry, straight);
  auto before = make_optimizer("adamw_groups", entry, first);
  for (int i = 0; i < 5; ++i) {
    uninterrupted->zero_grad();
    straight.backward();
    uninterrupted->step();
    if (i >= 3) continue;
    before->zero_grad();
    first.backward();
    before->step();
  }
  train::Checkpoint checkpoint;
  checkpoint.optimizer = before->state_dict();
  const std::string path = (std::filesystem::temp_directory_path() / "nabla_grouped_optimizer.safetensors").string();
  train::save_checkpoint(path, checkpoint);
  const train::Checkpoint back = train::load_checkpoint(path);
  std::filesystem::remove(path);

  Problem resumed;
  resumed.p1 = first.p1.detach().clone().requires_grad_();
  resumed.p2 = first.p2.detach().clone().requires_grad_();
  auto after = make_optimizer("adamw_groups", entry, resumed);
  after->load_state_dict(back.optimizer);
  for (int i = 0; i < 2; ++i) {
    after->zero_grad();
    resumed.backward();
    after->step();
  }
  EXPECT_EQ(resumed.p1.to_vector<double>(), straight.p1.to_vector<double>());
  EXPECT_EQ(resumed.p2.to_vector<double>(), straight.p2.to_vector<double>());
  EXPECT_EQ(after->lr(1), 0.02);
}

TEST(Optimizers, LoadStateDictRejectsADifferentGrouping) {
  Problem problem;
  SGD one(problem.params(), {.lr = 0.1});
  SGD two({{.params = {problem.p1}}, {.params = {problem.p2}}}, {.lr = 0.1});
  EXPECT_THROW(two.load_state_dict(one.state_dict()), Error);  // no group 1
  EXPECT_THROW(one.load_state_dict(two.state_dict()), Error);  // group 0 sizes differ, group 1 unknown
  OptimizerState bad_value = two.state_dict();
  bad_value.hyperparameters["param_groups.1.momentum"] = -1;
  two.set_lr(1, 0.5);
  EXPECT_THROW(two.load_state_dict(bad_value), Error);
  EXPECT_EQ(two.lr(1), 0.5);  // a rejected value leaves every hyperparameter as it was
  EXPECT_EQ(two.options(1).momentum, 0.0);
}

TEST(Optimizers, LoadStateDictRejectsMismatches) {
  Problem problem;
  Adam adam(problem.params(), {.lr = 0.1});
  problem.backward();
  adam.step();
  OptimizerState state = adam.state_dict();

  SGD sgd(problem.params(), {.lr = 0.1});
  EXPECT_THROW(sgd.load_state_dict(state), Error);

  Problem other;
  Adam fresh(other.params());
  OptimizerState wrong_shape = state;
  wrong_shape.tensors[1].second = zeros({5}, DType::f64);
  try {
    fresh.load_state_dict(wrong_shape);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("state.0.exp_avg"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[5]"), std::string::npos) << e.what();
  }
  OptimizerState bad_index = state;
  bad_index.tensors.emplace_back("state.7.exp_avg", zeros({3}, DType::f64));
  EXPECT_THROW(fresh.load_state_dict(bad_index), Error);
  OptimizerState missing = state;
  missing.hyperparameters.erase("param_groups.0.eps");
  EXPECT_THROW(fresh.load_state_dict(missing), Error);
  // A failed load leaves the optimizer as it was.
  EXPECT_TRUE(fresh.state_dict().tensors.empty());
  EXPECT_EQ(fresh.lr(), 1e-3);
}

TEST(Optimizers, SkipParametersWithoutGradientAndZeroGradDropsThem) {
  Problem problem;
  Momentum optimizer(problem.params(), 0.1, 0.9);
  const Tensor a = problem.p1 * problem.c1;
  sum(a * a).backward();  // p2 takes no part
  ASSERT_FALSE(problem.p2.grad().defined());
  const auto p2_before = problem.p2.to_vector<double>();
  const auto p1_before = problem.p1.to_vector<double>();
  optimizer.step();
  EXPECT_EQ(problem.p2.to_vector<double>(), p2_before);
  EXPECT_NE(problem.p1.to_vector<double>(), p1_before);
  for (const auto& [name, tensor] : optimizer.state_dict().tensors)
    EXPECT_EQ(name.rfind("state.0.", 0), 0u) << name;

  optimizer.zero_grad();
  EXPECT_FALSE(problem.p1.grad().defined());
  EXPECT_FALSE(problem.p2.grad().defined());
}

TEST(Optimizers, StepRecordsNoGraph) {
  Problem problem;
  SGD sgd(problem.params(), {.lr = 0.1});
  problem.backward();
  sgd.step();
  EXPECT_TRUE(problem.p1.is_leaf());
  EXPECT_FALSE(problem.p1.grad_fn());
  EXPECT_TRUE(problem.p1.requires_grad());
}

TEST(Optimizers, NamedConveniencesAreSGDVariants) {
  Problem a, b;
  Nesterov nesterov(a.params(), 0.1, 0.9, 0.01);
  SGD sgd(b.params(), {.lr = 0.1, .momentum = 0.9, .weight_decay = 0.01, .nesterov = true});
  for (int i = 0; i < 3; ++i) {
    nesterov.zero_grad();
    sgd.zero_grad();
    a.backward();
    b.backward();
    nesterov.step();
    sgd.step();
  }
  EXPECT_EQ(a.p1.to_vector<double>(), b.p1.to_vector<double>());
  EXPECT_EQ(nesterov.name(), "SGD");
}

TEST(Optimizers, UpdateFloat32Parameters) {
  Tensor p = from_vector(std::vector<float>{1.0f, -2.0f}).requires_grad_();
  SGD sgd({p}, {.lr = 0.5});
  sum(p * p).backward();  // grad 2p
  sgd.step();
  EXPECT_EQ(p.to_vector<float>(), (std::vector<float>{0.0f, 0.0f}));
}

// Large parameters are updated by several threads; elementwise updates must not depend on that.
TEST(Optimizers, ThreadCountDoesNotChangeResults) {
  const int threads = get_num_threads();
  auto run = [](int num_threads) {
    set_num_threads(num_threads);
    manual_seed(7);
    Tensor p = randn({300000}).requires_grad_();
    Adam adam({p}, {.lr = 0.01, .weight_decay = 0.1, .amsgrad = true});
    for (int i = 0; i < 3; ++i) {
      adam.zero_grad();
      sum(p * p * p).backward();
      adam.step();
    }
    return p.to_vector<float>();
  };
  const auto serial = run(1);
  const auto parallel = run(std::max(2, threads));
  set_num_threads(threads);
  EXPECT_EQ(serial, parallel);
}

TEST(Optimizers, RejectBadParametersAndOptions) {
  Tensor leaf = zeros({2}).requires_grad_();
  EXPECT_THROW(SGD({leaf * 2.0}), Error);                     // not a leaf
  EXPECT_THROW(SGD({leaf, leaf}), Error);                     // twice
  EXPECT_THROW(SGD({zeros({2}, DType::i64)}), DTypeError);    // integer
  EXPECT_THROW(SGD({leaf}, {.lr = -1}), Error);
  EXPECT_THROW(SGD({leaf}, {.nesterov = true}), Error);       // Nesterov without momentum
  EXPECT_THROW(Adam({leaf}, {.beta1 = 1.0}), Error);
  SGD sgd({leaf});
  EXPECT_THROW(sgd.set_lr(-0.1), Error);
  sgd.set_lr(0.25);
  EXPECT_EQ(sgd.lr(), 0.25);
}

TEST(Optimizers, AdamWDefaultsToWeightDecayOnePercent) {
  Tensor p = ones({1}, DType::f64).requires_grad_();
  AdamW adamw({p});
  EXPECT_EQ(adamw.state_dict().hyperparameters.at("param_groups.0.weight_decay"), 1e-2);
  EXPECT_EQ(adamw.name(), "AdamW");
}

}  // namespace
}  // namespace nabla::optim
