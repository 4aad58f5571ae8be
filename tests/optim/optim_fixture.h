// Shared by the optimizer tests: the PyTorch fixture (tests/data/optim/expected.json, written by
// make_fixture.py) and the small problem it was computed on.
#pragma once
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "nabla/autograd.h"
#include "nabla/ops.h"
#include "nabla/optim/optimizer.h"

namespace nabla::optim::test_fixture {

inline const nlohmann::json& expected() {
  static const nlohmann::json fixture = [] {
    const std::string path = std::string(NABLA_TEST_DATA_DIR) + "/optim/expected.json";
    std::ifstream in(path);
    if (!in) throw Error("cannot open the optimizer fixture " + path);
    return nlohmann::json::parse(in);
  }();
  return fixture;
}

inline std::vector<double> flat(const nlohmann::json& value) {
  std::vector<double> out;
  if (value.is_array())
    for (const auto& v : value) {
      const auto inner = flat(v);
      out.insert(out.end(), inner.begin(), inner.end());
    }
  else
    out.push_back(value.get<double>());
  return out;
}

// The two f64 parameters and constants of the fixture's problem.
struct Problem {
  Tensor p1, p2, c1, c2;
  Problem() {
    const auto& p = expected()["problem"];
    p1 = from_vector(flat(p["p1"]), {3}, DType::f64).requires_grad_();
    p2 = from_vector(flat(p["p2"]), {2, 2}, DType::f64).requires_grad_();
    c1 = from_vector(flat(p["c1"]), {3}, DType::f64);
    c2 = from_vector(flat(p["c2"]), {2, 2}, DType::f64);
  }
  std::vector<Tensor> params() const { return {p1, p2}; }
  // loss = sum((p1*c1)^2) + sum((p2*c2)^2), then backward.
  void backward() const {
    const Tensor a = p1 * c1, b = p2 * c2;
    (sum(a * a) + sum(b * b)).backward();
  }
};

// The fixture entry's parameter groups: [p1] and [p2] with the entry's per-group overrides, or, for
// an entry without groups, one group of both.
inline std::vector<ParamGroup> fixture_groups(const nlohmann::json& entry, const Problem& problem) {
  if (!entry.contains("groups")) return one_group(problem.params());
  std::vector<ParamGroup> groups{{.params = {problem.p1}}, {.params = {problem.p2}}};
  for (size_t g = 0; g < groups.size(); ++g) {
    const auto& overrides = entry["groups"][g];
    if (overrides.contains("lr")) groups[g].lr = overrides["lr"].get<double>();
    if (overrides.contains("weight_decay")) groups[g].weight_decay = overrides["weight_decay"].get<double>();
  }
  return groups;
}

// The C++ optimizer matching a fixture entry (its PyTorch class by name prefix, its options and
// groups) over the problem's parameters.
inline std::unique_ptr<Optimizer> make_optimizer(const std::string& name, const nlohmann::json& entry,
                                                 const Problem& problem) {
  const nlohmann::json& o = entry["options"];
  const std::vector<ParamGroup> groups = fixture_groups(entry, problem);
  auto get = [&](const char* key, double fallback) { return o.contains(key) ? o[key].get<double>() : fallback; };
  auto flag = [&](const char* key) { return o.contains(key) && o[key].get<bool>(); };
  if (name.rfind("sgd", 0) == 0)
    return std::make_unique<SGD>(groups,
                                 SGDOptions{.lr = get("lr", 0.01), .momentum = get("momentum", 0),
                                            .dampening = get("dampening", 0),
                                            .weight_decay = get("weight_decay", 0),
                                            .nesterov = flag("nesterov")});
  if (name.rfind("adagrad", 0) == 0)
    return std::make_unique<AdaGrad>(
        groups, AdaGradOptions{.lr = get("lr", 0.01), .lr_decay = get("lr_decay", 0),
                               .weight_decay = get("weight_decay", 0),
                               .initial_accumulator_value = get("initial_accumulator_value", 0)});
  if (name.rfind("rmsprop", 0) == 0)
    return std::make_unique<RMSprop>(
        groups, RMSpropOptions{.lr = get("lr", 0.01), .alpha = get("alpha", 0.99),
                               .weight_decay = get("weight_decay", 0), .momentum = get("momentum", 0),
                               .centered = flag("centered")});
  const double beta1 = o.contains("betas") ? o["betas"][0].get<double>() : 0.9;
  const double beta2 = o.contains("betas") ? o["betas"][1].get<double>() : 0.999;
  if (name.rfind("adamw", 0) == 0)
    return std::make_unique<AdamW>(
        groups, AdamWOptions{.lr = get("lr", 1e-3), .beta1 = beta1, .beta2 = beta2,
                             .weight_decay = get("weight_decay", 1e-2), .amsgrad = flag("amsgrad")});
  if (name.rfind("adam", 0) == 0)
    return std::make_unique<Adam>(
        groups, AdamOptions{.lr = get("lr", 1e-3), .beta1 = beta1, .beta2 = beta2,
                            .weight_decay = get("weight_decay", 0), .amsgrad = flag("amsgrad")});
  throw Error("no C++ optimizer for fixture entry " + name);
}

// Every fixture entry, single-group and grouped, as (name, entry) pairs.
inline std::vector<std::pair<std::string, nlohmann::json>> all_entries() {
  std::vector<std::pair<std::string, nlohmann::json>> out;
  for (const char* section : {"optimizers", "grouped_optimizers"})
    for (const auto& [name, entry] : expected()[section].items()) out.emplace_back(name, entry);
  return out;
}

}  // namespace nabla::optim::test_fixture
