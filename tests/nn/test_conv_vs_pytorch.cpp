// Convolution, pooling, BatchNorm2d and local response normalisation against PyTorch 1.13's outputs
// and gradients (tests/data/nn/conv_fixtures.json, written by make_conv_fixtures.py). Each layer
// case runs in f64 (agreement to 1e-10) and in f32 (1e-5). A small conv net trained in PyTorch and
// exported as a safetensors state_dict (small_convnet.safetensors) loads with strict key checking
// and reproduces PyTorch's eval-mode outputs. Dropout2d is random, so it is tested by its
// properties instead, and the errors by what their messages name.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>

#include "nabla/io/safetensors.h"
#include "nabla/nabla.h"
#include "nabla/nn/all.h"

#include "edges/expect_error.h"
#include "nn/pytorch_fixture.h"

using namespace nabla;
using nlohmann::json;
using fixture::expect_close;
using fixture::from_json;
using functional::Size2;

namespace {

const json& fixtures() {
  static const json cases = fixture::read_cases("conv_fixtures.json");
  return cases;
}

Size2 size2(const json& c, const std::string& key) {
  const auto v = c.at(key).get<std::vector<int64_t>>();
  return Size2(v.at(0), v.at(1));
}

double tolerance(DType dtype) { return dtype == DType::f64 ? 1e-10 : 1e-5; }

struct CaseRun {
  const json* c = nullptr;
  DType dtype = DType::f64;
  std::map<std::string, Tensor> in;       // the case's tensors, floats in the run's dtype
  std::map<std::string, Tensor> grad_of;  // where to read grad_<name> from (defaults to `in`)
  const Tensor& x() const { return in.at("x"); }
};

// Loads a case's tensors (those with a recorded gradient require grad), runs `fn`, compares the
// output, back-propagates sum(out * upstream) and compares every recorded gradient.
void check_case(const std::string& name, const std::function<Tensor(CaseRun&)>& fn) {
  const json& c = fixtures().at(name);
  for (DType dtype : {DType::f64, DType::f32}) {
    SCOPED_TRACE(name + " in " + to_string(dtype));
    CaseRun run;
    run.c = &c;
    run.dtype = dtype;
    for (const auto& [key, value] : c.items()) {
      if (!value.is_object() || key.rfind("grad_", 0) == 0) continue;
      Tensor t = from_json(value, dtype);
      if (c.contains("grad_" + key)) t.requires_grad_();
      run.in[key] = t;
    }
    const Tensor out = fn(run);
    expect_close(out, c.at("out"), tolerance(dtype), name + " output");
    sum(out * run.in.at("upstream")).backward();
    size_t gradients = 0;
    for (const auto& [key, value] : c.items()) {
      if (key.rfind("grad_", 0) != 0) continue;
      const std::string input = key.substr(5);
      const Tensor source = run.grad_of.count(input) ? run.grad_of.at(input) : run.in.at(input);
      expect_close(source.grad(), value, tolerance(dtype), name + " gradient of " + input);
      ++gradients;
    }
    EXPECT_GE(gradients, 1u) << name << " compares no gradient";
  }
}

// Puts the case's parameters (by their PyTorch names) into a module converted to the run's dtype;
// the gradients are then read from the module's own parameters.
template <class M>
std::shared_ptr<M> loaded(std::shared_ptr<M> module, CaseRun& r, const std::vector<std::string>& names,
                          bool strict = true) {
  module->to(r.dtype);
  nn::StateDict state;
  for (const auto& n : names) state.emplace_back(n, r.in.at(n).detach());
  module->load_state_dict(state, strict);
  for (const auto& [n, t] : module->named_parameters()) r.grad_of[n] = t;
  return module;
}

std::vector<std::string> case_names(const std::string& prefix) {
  std::vector<std::string> names;
  for (const auto& [key, value] : fixtures().items())
    if (key.rfind(prefix, 0) == 0) names.push_back(key);
  return names;
}

}  // namespace

TEST(ConvVsPyTorch, FixturesCoverEveryLayer) {
  EXPECT_EQ(case_names("conv2d_").size(), 7u);
  EXPECT_EQ(case_names("conv_transpose2d_").size(), 4u);
  EXPECT_EQ(case_names("max_pool2d_").size(), 5u);
  EXPECT_EQ(case_names("avg_pool2d_").size(), 7u);
  EXPECT_EQ(case_names("adaptive_avg_pool2d_").size(), 4u);
  EXPECT_EQ(case_names("batch_norm2d").size(), 2u);
  EXPECT_EQ(case_names("local_response_norm_").size(), 4u);
}

TEST(ConvVsPyTorch, Conv2d) {
  for (const auto& name : case_names("conv2d_"))
    check_case(name, [](CaseRun& r) {
      const json& c = *r.c;
      const bool bias = c.at("has_bias").get<bool>();
      auto conv = loaded(std::make_shared<nn::Conv2d>(c.at("in_channels").get<int64_t>(),
                                                      c.at("out_channels").get<int64_t>(),
                                                      size2(c, "kernel_size"), size2(c, "stride"),
                                                      size2(c, "padding"), size2(c, "dilation"),
                                                      c.at("groups").get<int64_t>(), bias),
                         r, bias ? std::vector<std::string>{"weight", "bias"} : std::vector<std::string>{"weight"});
      EXPECT_EQ(conv->bias.defined(), bias);
      return (*conv)(r.x());
    });
}

TEST(ConvVsPyTorch, Conv2dFunctionalMatchesModule) {
  check_case("conv2d_rect", [](CaseRun& r) {
    const json& c = *r.c;
    return F::conv2d(r.x(), r.in.at("weight"), r.in.at("bias"), size2(c, "stride"), size2(c, "padding"),
                     size2(c, "dilation"), c.at("groups").get<int64_t>());
  });
}

TEST(ConvVsPyTorch, ConvTranspose2d) {
  for (const auto& name : case_names("conv_transpose2d_"))
    check_case(name, [](CaseRun& r) {
      const json& c = *r.c;
      const bool bias = c.at("has_bias").get<bool>();
      auto conv = loaded(
          std::make_shared<nn::ConvTranspose2d>(
              c.at("in_channels").get<int64_t>(), c.at("out_channels").get<int64_t>(), size2(c, "kernel_size"),
              size2(c, "stride"), size2(c, "padding"), size2(c, "output_padding"), c.at("groups").get<int64_t>(),
              bias, size2(c, "dilation")),
          r, bias ? std::vector<std::string>{"weight", "bias"} : std::vector<std::string>{"weight"});
      return (*conv)(r.x());
    });
}

TEST(ConvVsPyTorch, ConvTranspose2dFunctionalMatchesModule) {
  check_case("conv_transpose2d_rect", [](CaseRun& r) {
    const json& c = *r.c;
    return F::conv_transpose2d(r.x(), r.in.at("weight"), r.in.at("bias"), size2(c, "stride"),
                               size2(c, "padding"), size2(c, "output_padding"), c.at("groups").get<int64_t>(),
                               size2(c, "dilation"));
  });
}

TEST(ConvVsPyTorch, MaxPool2d) {
  for (const auto& name : case_names("max_pool2d_"))
    check_case(name, [](CaseRun& r) {
      const json& c = *r.c;
      nn::MaxPool2d pool(size2(c, "kernel_size"), size2(c, "stride"), size2(c, "padding"), 1,
                         c.at("ceil_mode").get<bool>());
      return pool(r.x());
    });
}

TEST(ConvVsPyTorch, AvgPool2d) {
  for (const auto& name : case_names("avg_pool2d_"))
    check_case(name, [](CaseRun& r) {
      const json& c = *r.c;
      nn::AvgPool2d pool(size2(c, "kernel_size"), size2(c, "stride"), size2(c, "padding"),
                         c.at("ceil_mode").get<bool>(), c.at("count_include_pad").get<bool>());
      return pool(r.x());
    });
}

TEST(ConvVsPyTorch, PoolingStrideDefaultsToKernel) {
  check_case("max_pool2d_2x2", [](CaseRun& r) { return F::max_pool2d(r.x(), 2); });
  check_case("avg_pool2d_2x2", [](CaseRun& r) { return F::avg_pool2d(r.x(), 2); });
}

TEST(ConvVsPyTorch, AdaptiveAvgPool2d) {
  for (const auto& name : case_names("adaptive_avg_pool2d_"))
    check_case(name, [](CaseRun& r) { return nn::AdaptiveAvgPool2d(size2(*r.c, "output_size"))(r.x()); });
}

TEST(ConvVsPyTorch, BatchNorm2dTrainStepThenEval) {
  for (const auto& name : case_names("batch_norm2d"))
    check_case(name, [](CaseRun& r) {
      const json& c = *r.c;
      auto bn = loaded(std::make_shared<nn::BatchNorm2d>(r.x().shape()[1], c.at("eps").get<double>(),
                                                         c.at("momentum").get<double>()),
                       r, {"weight", "bias"}, /*strict=*/false);
      const Tensor y = (*bn)(r.x());
      const double tol = tolerance(r.dtype);
      expect_close(bn->running_mean, c.at("running_mean"), tol, "running_mean");
      expect_close(bn->running_var, c.at("running_var"), tol, "running_var");
      EXPECT_EQ(bn->num_batches_tracked.item<int64_t>(), c.at("num_batches_tracked").at("values").at(0).get<int64_t>());
      bn->eval();
      expect_close((*bn)(r.in.at("x_eval")), c.at("eval_out"), tol, "eval output");
      return y;
    });
}

TEST(ConvVsPyTorch, LocalResponseNorm) {
  for (const auto& name : case_names("local_response_norm_"))
    check_case(name, [](CaseRun& r) {
      const json& c = *r.c;
      nn::LocalResponseNorm lrn(c.at("size").get<int64_t>(), c.at("alpha").get<double>(),
                                c.at("beta").get<double>(), c.at("k").get<double>());
      return lrn(r.x());
    });
}

// The same cases with x as a non-contiguous view (W and H strides swapped): the kernels must read
// through strides, not assume a packed image.
TEST(ConvVsPyTorch, NonContiguousInputs) {
  const auto strided = [](const Tensor& x) {
    const Tensor view = x.transpose(2, 3).contiguous().transpose(2, 3);
    EXPECT_FALSE(view.is_contiguous());
    return view;
  };
  check_case("conv2d_groups2", [&](CaseRun& r) {
    return F::conv2d(strided(r.x()), r.in.at("weight"), r.in.at("bias"), 1, 1, 1, 2);
  });
  check_case("conv_transpose2d_groups2", [&](CaseRun& r) {
    return F::conv_transpose2d(strided(r.x()), r.in.at("weight"), r.in.at("bias"), 2, 0, 0, 2);
  });
  check_case("max_pool2d_k3_s2_p1", [&](CaseRun& r) { return F::max_pool2d(strided(r.x()), 3, 2, 1); });
  check_case("avg_pool2d_pad_exclude", [&](CaseRun& r) {
    return F::avg_pool2d(strided(r.x()), 3, 2, 1, false, false);
  });
  check_case("adaptive_avg_pool2d_7to3", [&](CaseRun& r) { return F::adaptive_avg_pool2d(strided(r.x()), 3); });
}

// ---- the conv net exported from PyTorch ---------------------------------------------------------

namespace {

// The same layers as small_convnet() in make_conv_fixtures.py, so the state_dict names match.
std::shared_ptr<nn::Sequential> small_convnet() {
  return std::make_shared<nn::Sequential>(std::initializer_list<nn::ModulePtr>{
      std::make_shared<nn::Conv2d>(1, 4, 3, 1, 1),
      std::make_shared<nn::BatchNorm2d>(4),
      std::make_shared<nn::ReLU>(),
      std::make_shared<nn::MaxPool2d>(2),
      std::make_shared<nn::Dropout2d>(0.25),
      std::make_shared<nn::Conv2d>(4, 8, 3, 2, 1, 1, 2),
      std::make_shared<nn::BatchNorm2d>(8),
      std::make_shared<nn::ReLU>(),
      std::make_shared<nn::AdaptiveAvgPool2d>(2),
      std::make_shared<nn::Flatten>(),
      std::make_shared<nn::Linear>(32, 10),
  });
}

std::string convnet_path() { return std::string(NABLA_TEST_DATA_DIR) + "/nn/small_convnet.safetensors"; }

}  // namespace

TEST(ConvVsPyTorch, SmallConvNetStateDictNamesAndLayouts) {
  const io::SafetensorsFile file = io::load_safetensors(convnet_path());
  auto net = small_convnet();
  const nn::StateDict ours = net->state_dict();
  ASSERT_EQ(file.tensors.size(), ours.size());
  for (size_t i = 0; i < ours.size(); ++i) {  // PyTorch's order, names, shapes and dtypes
    EXPECT_EQ(file.tensors[i].first, ours[i].first);
    EXPECT_EQ(to_string(file.tensors[i].second.shape()), to_string(ours[i].second.shape())) << ours[i].first;
    EXPECT_EQ(file.tensors[i].second.dtype(), ours[i].second.dtype()) << ours[i].first;
  }
  EXPECT_EQ(file.metadata.at("format"), "pt");
}

TEST(ConvVsPyTorch, SmallConvNetFromPyTorchMatchesItsOutputs) {
  const json& c = fixtures().at("small_convnet");
  auto net = small_convnet();
  net->load_state_dict(io::load_safetensors(convnet_path()).tensors, /*strict=*/true);
  net->eval();
  // The buffers arrived too: 20 training steps in PyTorch.
  const auto& bn = dynamic_cast<const nn::BatchNorm2d&>(*(*net)[1]);
  EXPECT_EQ(bn.num_batches_tracked.item<int64_t>(), 20);
  EXPECT_GT(bn.running_var.to_vector<double>().front(), 0.0);

  const Tensor x = from_json(c.at("x"), DType::f32);
  const Tensor out = (*net)(x);
  EXPECT_EQ(out.dtype(), DType::f32);
  expect_close(out, c.at("out"), 1e-5, "small conv net output (f32)");
  // Not a trivial match: the outputs differ across the batch.
  const std::vector<double> v = out.to_vector<double>();
  EXPECT_GT(std::abs(v[0] - v[10]) + std::abs(v[1] - v[11]), 1e-3);

  // The same weights in f64 agree with PyTorch's f64 run far more tightly.
  net->to(DType::f64);
  expect_close((*net)(x.to(DType::f64)), c.at("out_f64"), 1e-10, "small conv net output (f64)");
}

TEST(ConvVsPyTorch, SmallConvNetStrictLoadRejectsMissingOrExtraKeys) {
  nn::StateDict state = io::load_safetensors(convnet_path()).tensors;
  nn::StateDict missing;
  for (const auto& entry : state)
    if (entry.first != "1.running_var") missing.push_back(entry);
  ASSERT_EQ(missing.size() + 1, state.size());
  test_support::expect_error<Error>([&] { small_convnet()->load_state_dict(missing, true); }, {"1.running_var"});
  nn::StateDict extra = state;
  extra.emplace_back("4.weight", zeros({4}));  // Dropout2d has no parameters
  test_support::expect_error<Error>([&] { small_convnet()->load_state_dict(extra, true); }, {"4.weight"});
}

// ---- Dropout2d: random, so checked by its properties ----------------------------------------------

TEST(ConvVsPyTorch, Dropout2dZeroesWholeChannelsAndScalesTheRest) {
  manual_seed(11);
  const double p = 0.3;
  const Tensor x = uniform({8, 250, 2, 3}, 1.0, 2.0).requires_grad_();
  nn::Dropout2d drop(p);
  const Tensor y = drop(x);
  const std::vector<float> xv = x.to_vector<float>(), yv = y.to_vector<float>();
  const size_t plane = 6, channels = 8 * 250;
  size_t dropped = 0;
  std::vector<float> mask(channels);
  for (size_t ch = 0; ch < channels; ++ch) {
    const bool zero = yv[ch * plane] == 0.0f;
    dropped += zero;
    mask[ch] = zero ? 0.0f : static_cast<float>(1 / (1 - p));
    for (size_t i = ch * plane; i < (ch + 1) * plane; ++i)
      ASSERT_NEAR(yv[i], zero ? 0.0f : xv[i] / (1 - p), 1e-6) << "channel " << ch << " element " << i;
  }
  EXPECT_NEAR(static_cast<double>(dropped) / static_cast<double>(channels), p, 0.04);
  // The gradient passes through the same mask.
  sum(y).backward();
  const std::vector<float> g = x.grad().to_vector<float>();
  for (size_t i = 0; i < g.size(); ++i) ASSERT_NEAR(g[i], mask[i / plane], 1e-6) << "gradient element " << i;
}

TEST(ConvVsPyTorch, Dropout2dIsIdentityInEvalModeAndForPZero) {
  manual_seed(12);
  const Tensor x = randn({2, 5, 3, 3});
  nn::Dropout2d drop(0.5);
  drop.eval();
  EXPECT_EQ(drop(x).to_vector<float>(), x.to_vector<float>());
  EXPECT_EQ(F::dropout2d(x, 0.5, /*training=*/false).to_vector<float>(), x.to_vector<float>());
  EXPECT_EQ(F::dropout2d(x, 0.0, /*training=*/true).to_vector<float>(), x.to_vector<float>());
}

// ---- errors name the op and the shapes ------------------------------------------------------------

TEST(ConvVsPyTorch, ConvErrorsNameOpAndShapes) {
  // weight expects 3 input channels, the input has 2
  test_support::expect_error<Error>([] { F::conv2d(zeros({1, 2, 5, 5}), zeros({4, 3, 3, 3})); },
                      {"conv2d", "[1,2,5,5]", "[4,3,3,3]"});
  // 3 input channels do not split into 2 groups
  test_support::expect_error<Error>([] { F::conv2d(zeros({1, 3, 5, 5}), zeros({4, 1, 3, 3}), Tensor(), 1, 0, 1, 2); },
                      {"conv2d", "[1,3,5,5]", "[4,1,3,3]"});
  // 4 output channels split into 3 groups neither
  test_support::expect_error<Error>([] { F::conv2d(zeros({1, 3, 5, 5}), zeros({4, 1, 3, 3}), Tensor(), 1, 0, 1, 3); },
                      {"conv2d", "[4,1,3,3]"});
  test_support::expect_error<Error>([] { nn::Conv2d(3, 4, 3, 1, 0, 1, 2); }, {"Conv2d", "3", "2"});
  // a 3x3 kernel does not fit a 2x2 input, nor does it, dilated by 2 to span 5x5, fit a 4x4 one
  test_support::expect_error<Error>([] { F::conv2d(zeros({1, 1, 2, 2}), zeros({1, 1, 3, 3})); },
                      {"conv2d", "[1,1,2,2]", "[1,1,3,3]"});
  test_support::expect_error<Error>([] { F::conv2d(zeros({1, 1, 4, 4}), zeros({1, 1, 3, 3}), Tensor(), 1, 0, 2); },
                      {"conv2d", "[1,1,4,4]", "[1,1,3,3]"});
  // padding 1 makes it fit: no error, output 2x2
  EXPECT_EQ(to_string(F::conv2d(zeros({1, 1, 2, 2}), zeros({1, 1, 3, 3}), Tensor(), 1, 1).shape()), "[1,1,2,2]");
  // a 3-D input is not an image batch
  test_support::expect_error<Error>([] { F::conv2d(zeros({2, 5, 5}), zeros({4, 2, 3, 3})); }, {"conv2d", "[2,5,5]"});
  // transposed: weight [C_in, C_out / groups, kH, kW] expects 3 input channels
  test_support::expect_error<Error>([] { F::conv_transpose2d(zeros({1, 2, 4, 4}), zeros({3, 2, 3, 3})); },
                      {"conv_transpose2d", "[1,2,4,4]", "[3,2,3,3]"});
}

TEST(ConvVsPyTorch, PoolErrorsNameOpAndShapes) {
  test_support::expect_error<Error>([] { F::max_pool2d(zeros({1, 1, 2, 2}), 3); }, {"max_pool2d", "[1,1,2,2]"});
  test_support::expect_error<Error>([] { F::avg_pool2d(zeros({1, 2, 2, 5}), 3); }, {"avg_pool2d", "[1,2,2,5]"});
  test_support::expect_error<Error>([] { nn::MaxPool2d(Size2(1, 4))(zeros({1, 1, 5, 3})); }, {"max_pool2d", "[1,1,5,3]"});
  test_support::expect_error<Error>([] { F::max_pool2d(zeros({4, 4}), 2); }, {"max_pool2d", "[4,4]"});
}
