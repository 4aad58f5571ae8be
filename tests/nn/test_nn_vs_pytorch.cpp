// Every layer and loss against PyTorch 1.13's outputs and gradients (tests/data/nn/nn_fixtures.json,
// written by make_fixtures.py). Each case runs in f64 (agreement to 1e-10) and in f32 (1e-5).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>

#include "nabla/nabla.h"
#include "nabla/nn/all.h"

#include "nn/pytorch_fixture.h"

using namespace nabla;
using nlohmann::json;
using fixture::from_json;
using Reduction = functional::Reduction;

namespace {

const json& fixtures() {
  static const json cases = fixture::read_cases("nn_fixtures.json");
  return cases;
}

double tolerance(DType dtype) { return dtype == DType::f64 ? 1e-10 : 1e-5; }

void expect_close(const Tensor& actual, const json& expected_entry, DType dtype, const std::string& what) {
  ASSERT_TRUE(actual.defined()) << what << " is undefined";
  const Tensor expected = from_json(expected_entry, DType::f64);
  ASSERT_EQ(to_string(actual.shape()), to_string(expected.shape())) << what;
  const std::vector<double> a = actual.to_vector<double>(), e = expected.to_vector<double>();
  const double tol = tolerance(dtype);
  for (size_t i = 0; i < a.size(); ++i)
    ASSERT_LE(std::abs(a[i] - e[i]), tol * std::max(1.0, std::abs(e[i])))
        << what << " element " << i << ": nabla " << a[i] << ", PyTorch " << e[i] << " (" << to_string(dtype) << ")";
}

struct CaseRun {
  std::map<std::string, Tensor> in;       // the case's tensors, floats in the run's dtype
  std::map<std::string, Tensor> grad_of;  // where to read grad_<name> from (defaults to `in`)
};

// Loads a case's tensors (those with a recorded gradient require grad), runs `fn`, compares the
// output, back-propagates sum(out * upstream) and compares every recorded gradient.
void check_case(const std::string& name, const std::function<Tensor(CaseRun&)>& fn) {
  const json& c = fixtures().at(name);
  for (DType dtype : {DType::f64, DType::f32}) {
    SCOPED_TRACE(name + " in " + to_string(dtype));
    CaseRun run;
    for (const auto& [key, value] : c.items()) {
      if (!value.is_object() || key.rfind("grad_", 0) == 0) continue;
      Tensor t = from_json(value, dtype);
      if (c.contains("grad_" + key)) t.requires_grad_();
      run.in[key] = t;
    }
    const Tensor out = fn(run);
    expect_close(out, c.at("out"), dtype, name + " output");
    if (c.contains("upstream")) sum(out * run.in.at("upstream")).backward();
    else out.backward();
    for (const auto& [key, value] : c.items()) {
      if (key.rfind("grad_", 0) != 0) continue;
      const std::string input = key.substr(5);
      const Tensor source = run.grad_of.count(input) ? run.grad_of.at(input) : run.in.at(input);
      expect_close(source.grad(), value, dtype, name + " gradient of " + input);
    }
  }
}

Reduction reduction_named(const std::string& s) {
  return s == "mean" ? Reduction::mean : s == "sum" ? Reduction::sum : Reduction::none;
}

// Builds a module in the run's dtype with the case's parameters loaded; grads are read from it.
template <class M>
std::shared_ptr<M> loaded(std::shared_ptr<M> module, CaseRun& run, const std::vector<std::string>& names) {
  module->to(run.in.at(names.front()).dtype());
  nn::StateDict state;
  for (const auto& n : names) state.emplace_back(n, run.in.at(n).detach());
  module->load_state_dict(state, /*strict=*/false);
  for (const auto& [n, t] : module->named_parameters()) run.grad_of[n] = t;
  return module;
}

}  // namespace

TEST(NNvsPyTorch, Linear) {
  check_case("linear", [](CaseRun& r) {
    auto lin = loaded(std::make_shared<nn::Linear>(5, 3), r, {"weight", "bias"});
    return (*lin)(r.in.at("x"));
  });
  check_case("linear_3d_nobias", [](CaseRun& r) {
    auto lin = loaded(std::make_shared<nn::Linear>(5, 2, false), r, {"weight"});
    return (*lin)(r.in.at("x"));
  });
}

TEST(NNvsPyTorch, BatchNorm1dTrainTwoStepsThenEval) {
  for (const std::string label : {"2d", "3d"}) {
    const std::string name = "batch_norm_" + label;
    const json& c = fixtures().at(name);
    check_case(name, [&](CaseRun& r) {
      const int64_t channels = r.in.at("x").shape()[1];
      auto bn = loaded(std::make_shared<nn::BatchNorm1d>(channels), r, {"weight", "bias"});
      (*bn)(r.in.at("x1"));
      const Tensor y = (*bn)(r.in.at("x"));
      const DType dtype = r.in.at("x").dtype();
      expect_close(bn->running_mean, c.at("running_mean"), dtype, "running_mean");
      expect_close(bn->running_var, c.at("running_var"), dtype, "running_var");
      EXPECT_EQ(bn->num_batches_tracked.item<int64_t>(), 2);
      bn->eval();
      expect_close((*bn)(r.in.at("x3")), c.at("eval_out"), dtype, "eval output");
      return y;
    });
  }
}

TEST(NNvsPyTorch, LayerNormEmbeddingDropout) {
  check_case("layer_norm", [](CaseRun& r) {
    auto ln = loaded(std::make_shared<nn::LayerNorm>(Shape{4, 5}), r, {"weight", "bias"});
    return (*ln)(r.in.at("x"));
  });
  check_case("embedding", [](CaseRun& r) {
    auto emb = loaded(std::make_shared<nn::Embedding>(6, 3), r, {"weight"});
    return (*emb)(r.in.at("indices"));
  });
  check_case("dropout_eval", [](CaseRun& r) {
    nn::Dropout drop(0.3);
    drop.eval();
    return drop(r.in.at("x"));
  });
}

TEST(NNvsPyTorch, Activations) {
  const std::map<std::string, std::function<nn::ModulePtr()>> layers = {
      {"gelu", [] { return std::make_shared<nn::GELU>(); }},
      {"relu", [] { return std::make_shared<nn::ReLU>(); }},
      {"sigmoid", [] { return std::make_shared<nn::Sigmoid>(); }},
      {"tanh", [] { return std::make_shared<nn::Tanh>(); }},
      {"leaky_relu", [] { return std::make_shared<nn::LeakyReLU>(0.2); }},
      {"softmax", [] { return std::make_shared<nn::Softmax>(1); }},
      {"log_softmax", [] { return std::make_shared<nn::LogSoftmax>(1); }},
  };
  for (const auto& [name, make] : layers)
    check_case(name, [&make = make](CaseRun& r) { return (*make())(r.in.at("x")); });
}

TEST(NNvsPyTorch, CrossEntropy) {
  for (const std::string red : {"mean", "sum", "none"})
    check_case("cross_entropy_" + red, [&](CaseRun& r) {
      return nn::CrossEntropyLoss(reduction_named(red))(r.in.at("logits"), r.in.at("target"));
    });
  check_case("cross_entropy_smoothing", [](CaseRun& r) {
    return nn::CrossEntropyLoss(Reduction::mean, 0.1)(r.in.at("logits"), r.in.at("target"));
  });
  check_case("cross_entropy_ignore", [](CaseRun& r) {
    return nn::CrossEntropyLoss()(r.in.at("logits"), r.in.at("target"));
  });
  for (const std::string red : {"mean", "none"})
    check_case("cross_entropy_soft_" + red, [&](CaseRun& r) {
      return nn::CrossEntropyLoss(reduction_named(red))(r.in.at("logits"), r.in.at("target"));
    });
  check_case("cross_entropy_soft_smoothing", [](CaseRun& r) {
    return nn::CrossEntropyLoss(Reduction::mean, 0.2)(r.in.at("logits"), r.in.at("target"));
  });
}

TEST(NNvsPyTorch, NLL) {
  for (const std::string red : {"mean", "sum", "none"})
    check_case("nll_" + red, [&](CaseRun& r) {
      return nn::NLLLoss(reduction_named(red))(r.in.at("log_probs"), r.in.at("target"));
    });
  check_case("nll_ignore", [](CaseRun& r) { return nn::NLLLoss()(r.in.at("log_probs"), r.in.at("target")); });
}

TEST(NNvsPyTorch, BCEWithLogits) {
  for (const std::string red : {"mean", "sum", "none"})
    check_case("bce_" + red, [&](CaseRun& r) {
      return nn::BCEWithLogitsLoss(reduction_named(red))(r.in.at("logits"), r.in.at("target"));
    });
  check_case("bce_pos_weight", [](CaseRun& r) {
    return nn::BCEWithLogitsLoss(Reduction::mean, r.in.at("pos_weight"))(r.in.at("logits"), r.in.at("target"));
  });
}

TEST(NNvsPyTorch, MSEAndHuber) {
  for (const std::string red : {"mean", "sum", "none"}) {
    check_case("mse_" + red, [&](CaseRun& r) {
      return nn::MSELoss(reduction_named(red))(r.in.at("input"), r.in.at("target"));
    });
    for (const std::string delta : {"1", "0.5"})
      check_case("huber_" + red + "_" + delta, [&](CaseRun& r) {
        return nn::HuberLoss(reduction_named(red), std::stod(delta))(r.in.at("input"), r.in.at("target"));
      });
  }
}
