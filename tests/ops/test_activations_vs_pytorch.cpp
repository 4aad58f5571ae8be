// The activations (through their nn modules) and the elementwise maths against PyTorch 1.13
// (tests/data/ops/activation_fixtures.json, written by make_activation_fixtures.py): values,
// gradients and, for the smooth ones, second derivatives. Random inputs run in f64 (agreement to
// 1e-10) and f32 (1e-5); the edge cases (zeros, the bounds of kinks, thresholds, overflow, the ends
// of a domain) in f64. The erfinv reference holds mpmath's exact values.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nabla/nabla.h"
#include "nabla/nn/all.h"

#include "nn/pytorch_fixture.h"

using namespace nabla;
using nlohmann::json;

namespace {

using Ts = std::vector<Tensor>;
using Fn = std::function<Tensor(const Ts&)>;

const json& fixtures() {
  // read_cases reads below tests/data/nn; this area's fixtures sit beside it, in tests/data/ops.
  static const json cases = fixture::read_cases("activation_fixtures.json", "ops");
  return cases;
}

double tolerance(DType dtype) { return dtype == DType::f64 ? 1e-10 : 1e-5; }

// Element by element |actual - expected| <= tolerance * max(1, |expected|); equal values agree
// (infinities of one sign too), and NaN agrees with nothing.
void expect_close(const Tensor& actual, const json& expected_entry, DType dtype, const std::string& what) {
  ASSERT_TRUE(actual.defined()) << what << " is undefined";
  const Tensor expected = fixture::from_json(expected_entry, DType::f64);
  ASSERT_EQ(to_string(actual.shape()), to_string(expected.shape())) << what;
  const std::vector<double> a = actual.to_vector<double>(), e = expected.to_vector<double>();
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] == e[i]) continue;
    EXPECT_LE(std::abs(a[i] - e[i]), tolerance(dtype) * std::max(1.0, std::abs(e[i])))
        << what << " element " << i << ": nabla " << a[i] << ", PyTorch " << e[i] << " ("
        << to_string(dtype) << ")";
  }
}

// Runs `fn` on the case's inputs (in the call's order; floating ones with recorded gradients
// require grad) and compares the output, the gradients of sum(out * upstream) and, where the case
// has them, the second derivatives: the gradients of sum_i sum(grads[i] * upstream2[i]).
void check_case(const std::string& name, const Fn& fn) {
  const json& c = fixtures().at(name);
  for (DType dtype : {DType::f64, DType::f32}) {
    if (dtype == DType::f32 && !c.at("f32").get<bool>()) continue;
    SCOPED_TRACE(name + " in " + to_string(dtype));
    Ts inputs, wrt;
    std::vector<std::string> wrt_names;
    for (const json& input : c.at("inputs")) {
      Tensor x = fixture::from_json(input, dtype);
      const std::string input_name = input.at("name");
      if (c.contains("grads") && c.at("grads").contains(input_name)) {
        x.requires_grad_();
        wrt.push_back(x);
        wrt_names.push_back(input_name);
      }
      inputs.push_back(x);
    }
    const Tensor out = fn(inputs);
    expect_close(out, c.at("out"), dtype, "the output");
    if (wrt.empty()) continue;

    const bool second_order = c.contains("grads2");
    GradOptions options;
    options.create_graph = second_order;
    options.allow_unused = true;
    const Ts grads = grad({out}, wrt, {fixture::from_json(c.at("upstream"), dtype)}, options);
    Tensor weighted = zeros({}, dtype);
    for (size_t k = 0; k < wrt.size(); ++k) {
      const Tensor g = grads[k].defined() ? grads[k] : zeros_like(wrt[k]);
      expect_close(g, c.at("grads").at(wrt_names[k]), dtype, "the gradient of " + wrt_names[k]);
      if (second_order) weighted = weighted + sum(g * fixture::from_json(c.at("upstream2").at(wrt_names[k]), dtype));
    }
    if (!second_order) continue;
    GradOptions second;
    second.allow_unused = true;
    const Ts grads2 = grad({weighted}, wrt, {}, second);
    for (size_t k = 0; k < wrt.size(); ++k)
      expect_close(grads2[k].defined() ? grads2[k] : zeros_like(wrt[k]), c.at("grads2").at(wrt_names[k]),
                   dtype, "the second derivative by " + wrt_names[k]);
  }
}

// A call through a fresh module M(args...), so the modules are what the activation cases test.
template <class M, class... Args>
Fn through_module(Args... args) {
  return [=](const Ts& x) { return M(args...)(x[0]); };
}

Fn unary(Tensor (*op)(const Tensor&)) {
  return [op](const Ts& x) { return op(x[0]); };
}

}  // namespace

TEST(ActivationsVsPyTorch, ExponentialLinearUnits) {
  check_case("elu", through_module<nn::ELU>());
  check_case("elu_alpha", through_module<nn::ELU>(0.5));
  check_case("elu_edges", through_module<nn::ELU>());
  check_case("selu", through_module<nn::SELU>());
  check_case("selu_edges", through_module<nn::SELU>());
  check_case("celu", through_module<nn::CELU>(0.5));
  check_case("celu_edges", through_module<nn::CELU>(2.0));
}

TEST(ActivationsVsPyTorch, SoftplusAroundItsThreshold) {
  check_case("softplus", through_module<nn::Softplus>());
  check_case("softplus_edges", through_module<nn::Softplus>());
  check_case("softplus_beta_threshold", through_module<nn::Softplus>(2.0, 5.0));
  check_case("softplus_beta_threshold_edges", through_module<nn::Softplus>(2.0, 5.0));
}

TEST(ActivationsVsPyTorch, Softsign) {
  check_case("softsign", through_module<nn::Softsign>());
  check_case("softsign_edges", through_module<nn::Softsign>());
}

TEST(ActivationsVsPyTorch, HardFunctionsAndTheirKinks) {
  check_case("hardtanh", through_module<nn::Hardtanh>());
  check_case("hardtanh_bounds", through_module<nn::Hardtanh>(-0.5, 0.25));
  check_case("hardtanh_edges", through_module<nn::Hardtanh>());
  check_case("hardsigmoid", through_module<nn::Hardsigmoid>());
  check_case("hardsigmoid_edges", through_module<nn::Hardsigmoid>());
  check_case("hardswish", through_module<nn::Hardswish>());
  check_case("hardswish_edges", through_module<nn::Hardswish>());
}

TEST(ActivationsVsPyTorch, SiLUAndMish) {
  check_case("silu", through_module<nn::SiLU>());
  check_case("silu_edges", through_module<nn::SiLU>());
  check_case("mish", through_module<nn::Mish>());
  check_case("mish_edges", through_module<nn::Mish>());
}

TEST(ActivationsVsPyTorch, PReLUFunction) {
  const Fn call = [](const Ts& x) { return prelu(x[0], x[1]); };
  check_case("prelu", call);
  check_case("prelu_shared", call);
  check_case("prelu_edges", call);
}

TEST(ActivationsVsPyTorch, PReLUModuleLearnsItsWeight) {
  // The per-channel case through the module: its weight loaded from the fixture, its gradient
  // accumulated into .grad as an optimizer would read it.
  const json& c = fixtures().at("prelu");
  nn::PReLU module(3);
  module.to(DType::f64);
  module.load_state_dict({{"weight", fixture::from_json(c.at("inputs").at(1), DType::f64)}});
  const Tensor out = module(fixture::from_json(c.at("inputs").at(0), DType::f64));
  expect_close(out, c.at("out"), DType::f64, "the output");
  sum(out * fixture::from_json(c.at("upstream"), DType::f64)).backward();
  expect_close(module.weight.grad(), c.at("grads").at("weight"), DType::f64, "the weight's gradient");
}

TEST(ActivationsVsPyTorch, Rounding) {
  for (const auto& [name, op] : std::vector<std::pair<std::string, Tensor (*)(const Tensor&)>>{
           {"floor", floor}, {"ceil", ceil}, {"round", round}, {"trunc", trunc}}) {
    check_case(name, unary(op));
    check_case(name + "_edges", unary(op));
    check_case(name + "_integers", unary(op));
  }
}

TEST(ActivationsVsPyTorch, Remainders) {
  check_case("fmod", [](const Ts& x) { return fmod(x[0], x[1]); });
  check_case("fmod_scalar", [](const Ts& x) { return fmod(x[0], -1.5); });
  check_case("fmod_edges", [](const Ts& x) { return fmod(x[0], x[1]); });
  check_case("fmod_integers", [](const Ts& x) { return fmod(x[0], x[1]); });
  check_case("remainder", [](const Ts& x) { return remainder(x[0], x[1]); });
  check_case("remainder_scalar", [](const Ts& x) { return remainder(x[0], -1.5); });
  check_case("remainder_edges", [](const Ts& x) { return remainder(x[0], x[1]); });
  check_case("remainder_integers", [](const Ts& x) { return remainder(x[0], x[1]); });
}

TEST(ActivationsVsPyTorch, TrigonometricAndHyperbolic) {
  for (const auto& [name, op] : std::vector<std::pair<std::string, Tensor (*)(const Tensor&)>>{
           {"tan", tan}, {"asin", asin}, {"acos", acos}, {"atan", atan}, {"sinh", sinh},
           {"cosh", cosh}, {"asinh", asinh}, {"acosh", acosh}, {"atanh", atanh}}) {
    check_case(name, unary(op));
    check_case(name + "_edges", unary(op));
  }
  check_case("atan2", [](const Ts& x) { return atan2(x[0], x[1]); });
  check_case("atan2_edges", [](const Ts& x) { return atan2(x[0], x[1]); });
}

TEST(ActivationsVsPyTorch, Erfinv) {
  check_case("erfinv", unary(erfinv));
  check_case("erfinv_edges", unary(erfinv));
  // Deep in the tails, against the exact values.
  check_case("erfinv_reference", unary(erfinv));
}

// ---- what a fixture cannot hold: NaN, errors, module state ------------------------------------

TEST(ElementwiseMaths, OutsideTheDomainIsNaN) {
  const Tensor beyond = from_vector(std::vector<double>{1.5, -2.0}, {}, DType::f64);
  for (const Tensor& y : {asin(beyond), acos(beyond), atanh(beyond), erfinv(beyond), acosh(beyond * 0.25)})
    for (double v : y.to_vector<double>()) EXPECT_TRUE(std::isnan(v));
  const Tensor zero = zeros({2}, DType::f64);
  for (double v : fmod(ones({2}, DType::f64), zero).to_vector<double>()) EXPECT_TRUE(std::isnan(v));
  for (double v : remainder(ones({2}, DType::f64), zero).to_vector<double>()) EXPECT_TRUE(std::isnan(v));
}

TEST(ElementwiseMaths, IntegerDivisionByZeroIsRefused) {
  const Tensor a = from_vector(std::vector<int64_t>{5, 6, 7});
  const Tensor b = from_vector(std::vector<int64_t>{2, 0, 3});
  try {
    fmod(a, b);
    FAIL() << "fmod by an integer 0 was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("fmod: integer division by zero"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[3]"), std::string::npos) << e.what();
  }
  EXPECT_THROW(remainder(a, 0.0), Error);
  EXPECT_EQ(remainder(a, 4.0).to_vector<int64_t>(), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(remainder(a, 4.0).dtype(), DType::i64);
}

TEST(ElementwiseMaths, RoundingAndTrigonometryRefuseOrKeepDtypes) {
  const Tensor integers = from_vector(std::vector<int64_t>{-3, 4});
  EXPECT_EQ(round(integers).dtype(), DType::i64);
  EXPECT_THROW(tan(integers), DTypeError);
  EXPECT_THROW(atan2(integers, integers), DTypeError);
  EXPECT_THROW(erfinv(integers), DTypeError);
  // No gradient: like sign, rounding records nothing.
  Tensor x = from_vector(std::vector<double>{0.5, 1.5}, {}, DType::f64);
  x.requires_grad_();
  EXPECT_FALSE(floor(x).requires_grad());
}

TEST(ElementwiseMaths, ErfinvInvertsErf) {
  const Tensor x = from_vector(std::vector<double>{-4.5, -2.0, -0.3, 1e-8, 0.7, 3.0, 5.0}, {}, DType::f64);
  const std::vector<double> back = erfinv(erf(x)).to_vector<double>(), expected = x.to_vector<double>();
  for (size_t i = 0; i < back.size(); ++i) {
    // erf(x) is rounded by up to 1.1e-16, which moves its inverse by that over erf'(x).
    const double slope = 2 / std::sqrt(M_PI) * std::exp(-expected[i] * expected[i]);
    EXPECT_NEAR(back[i], expected[i], 2.3e-16 / slope + 1e-15 * std::abs(expected[i]))
        << "erfinv(erf(" << expected[i] << "))";
  }
}

TEST(Activations, ArgumentsAreChecked) {
  EXPECT_THROW(celu(ones({2}), 0.0), Error);
  EXPECT_THROW(nn::CELU(0.0), Error);
  EXPECT_THROW(hardtanh(ones({2}), 1.0, -1.0), Error);
  EXPECT_THROW(nn::Hardtanh(1.0, -1.0), Error);
  EXPECT_THROW(nn::PReLU(0), ShapeError);
  try {
    prelu(ones({2, 3, 4}), ones({2}));
    FAIL() << "prelu accepted 2 slopes for 3 channels";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("prelu: weight of shape [2]"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[2,3,4]"), std::string::npos) << e.what();
  }
  EXPECT_THROW(elu(from_vector(std::vector<int64_t>{1})), DTypeError);
}

TEST(Activations, PReLUStartsAtAQuarterPerChannel) {
  nn::PReLU shared, per_channel(4, 0.1);
  EXPECT_EQ(shared.weight.shape(), Shape{1});
  EXPECT_DOUBLE_EQ(shared.weight.item(), 0.25);
  EXPECT_EQ(per_channel.weight.shape(), Shape{4});
  for (double v : per_channel.weight.to_vector<double>()) EXPECT_FLOAT_EQ(v, 0.1f);
  EXPECT_EQ(per_channel.named_parameters().size(), 1u);
  EXPECT_EQ(per_channel.named_parameters()[0].first, "weight");
  // A 0-d input keeps its shape with one shared slope.
  EXPECT_EQ(prelu(scalar(-2.0), shared.weight).shape(), Shape{});
  EXPECT_FLOAT_EQ(prelu(scalar(-2.0), shared.weight).item(), -0.5f);
}

TEST(Activations, ReprsReadLikePyTorch) {
  EXPECT_EQ(nn::ELU().str(), "ELU(alpha=1.0)");
  EXPECT_EQ(nn::CELU(0.5).str(), "CELU(alpha=0.5)");
  EXPECT_EQ(nn::SELU().str(), "SELU()");
  EXPECT_EQ(nn::Softplus(2.0, 5.0).str(), "Softplus(beta=2.0, threshold=5.0)");
  EXPECT_EQ(nn::PReLU(3).str(), "PReLU(num_parameters=3)");
  EXPECT_EQ(nn::Hardtanh().str(), "Hardtanh(min_val=-1.0, max_val=1.0)");
  EXPECT_EQ(nn::SiLU().str(), "SiLU()");
  EXPECT_EQ(nn::Mish().str(), "Mish()");
}
