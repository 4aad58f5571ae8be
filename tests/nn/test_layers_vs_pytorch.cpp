// The layers of issue 10 against PyTorch 1.13's outputs and gradients
// (tests/data/nn/layer_fixtures.json, written by make_layer_fixtures.py): class-weighted
// cross_entropy and nll_loss, Conv1d, MaxPool1d and AvgPool1d, dilated max pooling with its
// indices and MaxUnpool2d, pad's reflect/replicate/circular modes, GroupNorm, InstanceNorm1d/2d,
// Bilinear, CosineSimilarity, PairwiseDistance, Upsample (interpolate), PixelShuffle, Conv3d,
// MaxPool3d and AvgPool3d. Each case runs in f64 (agreement to 1e-10) and
// in f32 (1e-5); indices must agree exactly. The errors are tested by what their messages name.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>

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
  static const json cases = fixture::read_cases("layer_fixtures.json");
  return cases;
}

void expect_indices(const Tensor& actual, const json& expected_entry) {
  ASSERT_EQ(actual.dtype(), DType::i64);
  EXPECT_EQ(to_string(actual.shape()), to_string(from_json(expected_entry, DType::f64).shape()));
  EXPECT_EQ(actual.to_vector<int64_t>(), expected_entry.at("values").get<std::vector<int64_t>>());
}

double tolerance(DType dtype) { return dtype == DType::f64 ? 1e-10 : 1e-5; }

struct CaseRun {
  const json* c = nullptr;
  DType dtype = DType::f64;
  std::map<std::string, Tensor> in;       // the case's tensors, floats in the run's dtype
  std::map<std::string, Tensor> grad_of;  // where to read grad_<name> from (defaults to `in`)
  const Tensor& at(const std::string& key) const { return in.at(key); }
  int64_t integer(const std::string& key) const { return c->at(key).get<int64_t>(); }
  double number(const std::string& key) const { return c->at(key).get<double>(); }
  bool flag(const std::string& key) const { return c->at(key).get<bool>(); }
  Size2 size2(const std::string& key) const {
    const auto v = c->at(key).get<std::vector<int64_t>>();
    return {v.at(0), v.at(1)};
  }
  functional::Reduction reduction() const {
    const std::string r = c->at("reduction").get<std::string>();
    return r == "mean" ? functional::Reduction::mean
                       : (r == "sum" ? functional::Reduction::sum : functional::Reduction::none);
  }
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
    ASSERT_EQ(out.dtype(), dtype) << name << " left " << to_string(dtype);
    expect_close(out, c.at("out"), tolerance(dtype), name + " output");
    size_t gradients = 0;
    for (const auto& [key, value] : c.items()) {
      if (key.rfind("grad_", 0) != 0) continue;
      if (gradients++ == 0) sum(out * run.in.at("upstream")).backward();
      const std::string input = key.substr(5);
      const Tensor source = run.grad_of.count(input) ? run.grad_of.at(input) : run.in.at(input);
      expect_close(source.grad(), value, tolerance(dtype), name + " gradient of " + input);
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
  for (const auto& n : names) state.emplace_back(n, r.at(n).detach());
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

std::vector<std::string> weight_and_bias(bool bias) {
  return bias ? std::vector<std::string>{"weight", "bias"} : std::vector<std::string>{"weight"};
}

}  // namespace

TEST(LayersVsPyTorch, FixturesCoverEveryLayer) {
  EXPECT_EQ(case_names("cross_entropy_weighted_").size(), 6u);
  EXPECT_EQ(case_names("nll_loss_weighted_").size(), 4u);
  EXPECT_EQ(case_names("conv1d_").size(), 3u);
  EXPECT_EQ(case_names("max_pool1d_").size(), 3u);
  EXPECT_EQ(case_names("avg_pool1d_").size(), 3u);
  EXPECT_EQ(case_names("max_pool2d_").size(), 3u);
  EXPECT_EQ(case_names("max_unpool2d_").size(), 3u);
  EXPECT_EQ(case_names("pad_").size(), 6u);
  EXPECT_EQ(case_names("group_norm_").size(), 4u);
  EXPECT_EQ(case_names("instance_norm").size(), 3u);
  EXPECT_EQ(case_names("bilinear").size(), 2u);
  EXPECT_EQ(case_names("cosine_similarity_").size(), 3u);
  EXPECT_EQ(case_names("pairwise_distance_").size(), 3u);
  EXPECT_EQ(case_names("interpolate_").size(), 9u);
  EXPECT_EQ(case_names("pixel_").size(), 3u);
  EXPECT_EQ(case_names("conv3d_").size(), 2u);
  EXPECT_EQ(case_names("max_pool3d_").size(), 2u);
  EXPECT_EQ(case_names("avg_pool3d_").size(), 3u);
}

// ---- class weights ---------------------------------------------------------------------------------

TEST(LayersVsPyTorch, CrossEntropyWithClassWeights) {
  for (const auto& name : case_names("cross_entropy_weighted_"))
    check_case(name, [](CaseRun& r) {
      return F::cross_entropy(r.at("input"), r.at("target"),
                              {r.reduction(), r.number("label_smoothing"), r.integer("ignore_index"), r.at("weight")});
    });
}

TEST(LayersVsPyTorch, CrossEntropyLossModuleKeepsItsWeightAsABuffer) {
  check_case("cross_entropy_weighted_ignore_smoothing", [](CaseRun& r) {
    nn::CrossEntropyLoss loss(r.reduction(), r.number("label_smoothing"), r.integer("ignore_index"), r.at("weight"));
    const nn::StateDict state = loss.state_dict();
    EXPECT_EQ(state.size(), 1u);
    EXPECT_EQ(state.at(0).first, "weight");
    return loss(r.at("input"), r.at("target"));
  });
}

TEST(LayersVsPyTorch, NllLossWithClassWeights) {
  for (const auto& name : case_names("nll_loss_weighted_"))
    check_case(name, [](CaseRun& r) {
      nn::NLLLoss loss(r.reduction(), r.integer("ignore_index"), r.at("weight"));
      return loss(r.at("input"), r.at("target"));
    });
}

// ---- 1-D convolution and pooling ----------------------------------------------------------------------

TEST(LayersVsPyTorch, Conv1d) {
  for (const auto& name : case_names("conv1d_"))
    check_case(name, [](CaseRun& r) {
      const bool bias = r.flag("has_bias");
      auto conv = loaded(std::make_shared<nn::Conv1d>(r.integer("in_channels"), r.integer("out_channels"),
                                                      r.integer("kernel_size"), r.integer("stride"),
                                                      r.integer("padding"), r.integer("dilation"),
                                                      r.integer("groups"), bias),
                         r, weight_and_bias(bias));
      return (*conv)(r.at("x"));
    });
}

TEST(LayersVsPyTorch, MaxPool1dWithIndices) {
  for (const auto& name : case_names("max_pool1d_"))
    check_case(name, [](CaseRun& r) {
      nn::MaxPool1d pool(r.integer("kernel_size"), r.integer("stride"), r.integer("padding"), r.integer("dilation"),
                         r.flag("ceil_mode"));
      const F::MaxPoolResult result = pool.forward_with_indices(r.at("x"));
      expect_indices(result.indices, r.c->at("indices"));
      // The plain forward is the same maxima.
      EXPECT_EQ(pool(r.at("x")).to_vector<double>(), result.output.to_vector<double>());
      return result.output;
    });
}

TEST(LayersVsPyTorch, AvgPool1d) {
  for (const auto& name : case_names("avg_pool1d_"))
    check_case(name, [](CaseRun& r) {
      nn::AvgPool1d pool(r.integer("kernel_size"), r.integer("stride"), r.integer("padding"), r.flag("ceil_mode"),
                         r.flag("count_include_pad"));
      return pool(r.at("x"));
    });
}

// ---- dilated max pooling, indices and unpooling -----------------------------------------------------

TEST(LayersVsPyTorch, MaxPool2dDilatedWithIndices) {
  for (const auto& name : case_names("max_pool2d_"))
    check_case(name, [](CaseRun& r) {
      nn::MaxPool2d pool(r.size2("kernel_size"), r.size2("stride"), r.size2("padding"), r.size2("dilation"),
                         r.flag("ceil_mode"));
      const F::MaxPoolResult result = pool.forward_with_indices(r.at("x"));
      expect_indices(result.indices, r.c->at("indices"));
      return result.output;
    });
}

TEST(LayersVsPyTorch, MaxUnpool2d) {
  for (const auto& name : case_names("max_unpool2d_"))
    check_case(name, [](CaseRun& r) {
      nn::MaxUnpool2d unpool(r.size2("kernel_size"), r.size2("stride"), r.size2("padding"));
      const json& size = r.c->at("output_size");
      return size.is_null() ? unpool(r.at("x"), r.at("indices")) : unpool(r.at("x"), r.at("indices"), r.size2("output_size"));
    });
}

TEST(LayersVsPyTorch, MaxUnpoolInvertsMaxPoolWhereTheMaximaWere) {
  const Tensor x = arange(0, 16, 1, DType::f64).reshape({1, 1, 4, 4});
  const F::MaxPoolResult pooled = F::max_pool2d_with_indices(x, 2);
  const std::vector<double> expected{0, 0, 0, 0, 0, 5, 0, 7, 0, 0, 0, 0, 0, 13, 0, 15};
  EXPECT_EQ(F::max_unpool2d(pooled.output, pooled.indices, 2).to_vector<double>(), expected);
}

// ---- padding modes -----------------------------------------------------------------------------------

TEST(LayersVsPyTorch, PadModes) {
  const std::map<std::string, PadMode> modes{
      {"reflect", PadMode::reflect}, {"replicate", PadMode::replicate}, {"circular", PadMode::circular}};
  for (const auto& name : case_names("pad_"))
    check_case(name, [&](CaseRun& r) {
      return pad(r.at("x"), r.c->at("pads").get<std::vector<int64_t>>(), modes.at(r.c->at("mode").get<std::string>()));
    });
}

// ---- group and instance normalisation -------------------------------------------------------------------

TEST(LayersVsPyTorch, GroupNorm) {
  for (const auto& name : case_names("group_norm_"))
    check_case(name, [](CaseRun& r) {
      const bool affine = r.flag("affine");
      auto norm = loaded(std::make_shared<nn::GroupNorm>(r.integer("num_groups"), r.integer("num_channels"),
                                                         r.number("eps"), affine),
                         r, affine ? weight_and_bias(true) : std::vector<std::string>{});
      EXPECT_EQ(norm->parameters().size(), affine ? 2u : 0u);
      return (*norm)(r.at("x"));
    });
}

TEST(LayersVsPyTorch, InstanceNorm2dDefaults) {
  check_case("instance_norm2d_defaults", [](CaseRun& r) {
    nn::InstanceNorm2d norm(3);
    EXPECT_TRUE(norm.parameters().empty());
    EXPECT_TRUE(norm.named_buffers().empty());
    norm.to(r.dtype);
    // Without running statistics, evaluation normalises with the instance's own too.
    norm.eval();
    const Tensor evaluated = norm(r.at("x").detach());
    norm.train();
    const Tensor y = norm(r.at("x"));
    EXPECT_EQ(evaluated.to_vector<double>(), y.to_vector<double>());
    return y;
  });
}

TEST(LayersVsPyTorch, InstanceNormTrainStepThenEvalWithRunningStatistics) {
  for (const std::string name : {"instance_norm2d_affine_running", "instance_norm1d_affine_running"})
    check_case(name, [](CaseRun& r) {
      const int64_t channels = r.at("x").shape()[1];
      std::shared_ptr<nn::InstanceNorm> norm;
      if (r.integer("rank") == 4)
        norm = std::make_shared<nn::InstanceNorm2d>(channels, r.number("eps"), r.number("momentum"), true, true);
      else
        norm = std::make_shared<nn::InstanceNorm1d>(channels, r.number("eps"), r.number("momentum"), true, true);
      norm = loaded(norm, r, weight_and_bias(true), /*strict=*/false);
      const Tensor y = (*norm)(r.at("x"));
      const double tol = tolerance(r.dtype);
      expect_close(norm->running_mean, r.c->at("running_mean"), tol, "running_mean");
      expect_close(norm->running_var, r.c->at("running_var"), tol, "running_var");
      EXPECT_EQ(norm->num_batches_tracked.item<int64_t>(),
                r.c->at("num_batches_tracked").at("values").at(0).get<int64_t>());
      norm->eval();
      expect_close((*norm)(r.at("x_eval")), r.c->at("eval_out"), tol, "eval output");
      return y;
    });
}

// ---- bilinear, similarity, distance ---------------------------------------------------------------------

TEST(LayersVsPyTorch, Bilinear) {
  for (const std::string name : {"bilinear", "bilinear_batched_nobias"})
    check_case(name, [](CaseRun& r) {
      const bool bias = r.flag("has_bias");
      auto layer = loaded(std::make_shared<nn::Bilinear>(r.integer("in1_features"), r.integer("in2_features"),
                                                         r.integer("out_features"), bias),
                          r, weight_and_bias(bias));
      return (*layer)(r.at("x1"), r.at("x2"));
    });
}

TEST(LayersVsPyTorch, CosineSimilarity) {
  for (const auto& name : case_names("cosine_similarity_"))
    check_case(name, [](CaseRun& r) {
      nn::CosineSimilarity similarity(r.integer("dim"), r.number("eps"));
      return similarity(r.at("x1"), r.at("x2"));
    });
}

TEST(LayersVsPyTorch, PairwiseDistance) {
  for (const auto& name : case_names("pairwise_distance_"))
    check_case(name, [](CaseRun& r) {
      nn::PairwiseDistance distance(r.number("p"), r.number("eps"), r.flag("keepdim"));
      return distance(r.at("x1"), r.at("x2"));
    });
}

// ---- resampling ------------------------------------------------------------------------------------------

TEST(LayersVsPyTorch, InterpolateAndUpsample) {
  for (const auto& name : case_names("interpolate_"))
    check_case(name, [](CaseRun& r) {
      F::InterpolateOptions options;
      if (!r.c->at("size").is_null()) options.size = r.size2("size");
      if (!r.c->at("scale_factor").is_null()) options.scale_factor = r.number("scale_factor");
      options.mode = r.c->at("mode") == "bilinear" ? F::InterpolateMode::bilinear : F::InterpolateMode::nearest;
      options.align_corners = r.flag("align_corners");
      return nn::Upsample(options)(r.at("x"));
    });
}

TEST(LayersVsPyTorch, PixelShuffleAndUnshuffle) {
  for (const auto& name : case_names("pixel_shuffle_"))
    check_case(name, [](CaseRun& r) { return nn::PixelShuffle(r.integer("factor"))(r.at("x")); });
  check_case("pixel_unshuffle_2", [](CaseRun& r) {
    const Tensor y = nn::PixelUnshuffle(2)(r.at("x"));
    EXPECT_EQ(F::pixel_shuffle(y, 2).to_vector<double>(), r.at("x").to_vector<double>());
    return y;
  });
}

// ---- volumes ------------------------------------------------------------------------------------------------

namespace {

F::Size3 size3(const CaseRun& r, const std::string& key) {
  const auto v = r.c->at(key).get<std::vector<int64_t>>();
  return {v.at(0), v.at(1), v.at(2)};
}

}  // namespace

TEST(LayersVsPyTorch, Conv3d) {
  for (const auto& name : case_names("conv3d_"))
    check_case(name, [](CaseRun& r) {
      const bool bias = r.flag("has_bias");
      auto conv = loaded(std::make_shared<nn::Conv3d>(r.integer("in_channels"), r.integer("out_channels"),
                                                      size3(r, "kernel_size"), size3(r, "stride"),
                                                      size3(r, "padding"), size3(r, "dilation"), r.integer("groups"),
                                                      bias),
                         r, weight_and_bias(bias));
      return (*conv)(r.at("x"));
    });
}

TEST(LayersVsPyTorch, MaxPool3d) {
  for (const auto& name : case_names("max_pool3d_"))
    check_case(name, [](CaseRun& r) {
      nn::MaxPool3d pool(size3(r, "kernel_size"), size3(r, "stride"), size3(r, "padding"), size3(r, "dilation"),
                         r.flag("ceil_mode"));
      return pool(r.at("x"));
    });
}

TEST(LayersVsPyTorch, AvgPool3d) {
  for (const auto& name : case_names("avg_pool3d_"))
    check_case(name, [](CaseRun& r) {
      nn::AvgPool3d pool(size3(r, "kernel_size"), size3(r, "stride"), size3(r, "padding"), r.flag("ceil_mode"),
                         r.flag("count_include_pad"));
      return pool(r.at("x"));
    });
}

// ---- reprs, as torch.nn prints them ------------------------------------------------------------------------

TEST(LayersVsPyTorch, ReprsReadLikePyTorch) {
  EXPECT_EQ(nn::Conv1d(3, 4, 3, 2, 1).str(), "Conv1d(3, 4, kernel_size=(3,), stride=(2,), padding=(1,))");
  EXPECT_EQ(nn::MaxPool1d(3).str(), "MaxPool1d(kernel_size=3, stride=3, padding=0, dilation=1, ceil_mode=False)");
  EXPECT_EQ(nn::AvgPool1d(2).str(), "AvgPool1d(kernel_size=(2,), stride=(2,), padding=(0,))");
  EXPECT_EQ(nn::MaxPool2d(3, 2, 1, 2).str(),
            "MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=2, ceil_mode=False)");
  EXPECT_EQ(nn::MaxUnpool2d(2).str(), "MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))");
  EXPECT_EQ(nn::GroupNorm(2, 4).str(), "GroupNorm(2, 4, eps=1e-05, affine=True)");
  EXPECT_EQ(nn::InstanceNorm2d(3).str(),
            "InstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)");
  EXPECT_EQ(nn::Bilinear(2, 3, 4).str(), "Bilinear(in1_features=2, in2_features=3, out_features=4, bias=True)");
  EXPECT_EQ(nn::CosineSimilarity().str(), "CosineSimilarity()");
  EXPECT_EQ(nn::PairwiseDistance().str(), "PairwiseDistance()");
  EXPECT_EQ(nn::Upsample({.scale_factor = 2.0}).str(), "Upsample(scale_factor=2.0, mode='nearest')");
  EXPECT_EQ(nn::Upsample({.size = Size2(8, 6), .mode = F::InterpolateMode::bilinear}).str(),
            "Upsample(size=(8, 6), mode='bilinear')");
  EXPECT_EQ(nn::PixelShuffle(3).str(), "PixelShuffle(upscale_factor=3)");
  EXPECT_EQ(nn::Conv3d(2, 4, 3).str(), "Conv3d(2, 4, kernel_size=(3, 3, 3), stride=(1, 1, 1))");
  EXPECT_EQ(nn::MaxPool3d(2).str(), "MaxPool3d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)");
  EXPECT_EQ(nn::AvgPool3d(F::Size3(1, 2, 2)).str(), "AvgPool3d(kernel_size=(1, 2, 2), stride=(1, 2, 2), padding=0)");
}

// ---- errors name the op the user called and the shapes -------------------------------------------------------

TEST(LayersVsPyTorch, ErrorsNameTheOpAndShapes) {
  const Tensor logits = zeros({3, 4});
  const Tensor labels = from_vector(std::vector<int64_t>{0, 1, 2});
  test_support::expect_error<Error>([&] { F::cross_entropy(logits, labels, {.weight = ones({3})}); },
                      {"cross_entropy", "[3]", "[3,4]"});
  test_support::expect_error<Error>([&] { F::nll_loss(logits, labels, F::Reduction::mean, -100, ones({4}, DType::f64)); },
                      {"nll_loss", "f64"});
  test_support::expect_error<Error>([&] { F::nll_loss(logits, from_vector(std::vector<int64_t>{0, 7, 1})); },
                      {"nll_loss", "7", "[3,4]"});
  test_support::expect_error<Error>([] { F::conv1d(zeros({2, 3, 4}), zeros({5, 3, 6})); }, {"conv1d", "[5,3,6]", "[2,3,4]"});
  test_support::expect_error<Error>([] { F::conv1d(zeros({2, 3, 4, 4}), zeros({5, 3, 2})); }, {"conv1d", "[N, C, L]", "[2,3,4,4]"});
  test_support::expect_error<Error>([] { F::max_pool1d(zeros({1, 2, 3}), 4); }, {"max_pool1d", "[1,2,3]"});
  test_support::expect_error<Error>([] { F::avg_pool1d(zeros({1, 2, 3, 3}), 2); }, {"avg_pool1d", "[N, C, L]"});
  // A dilated window that lies wholly in the padding.
  test_support::expect_error<Error>([] { F::max_pool2d(zeros({1, 1, 2, 2}), 2, 1, 1, 3); }, {"max_pool2d", "dilation (3, 3)", "[1,1,2,2]"});
  test_support::expect_error<Error>([] { F::max_unpool2d(zeros({1, 1, 2, 2}), from_vector(std::vector<int64_t>{0, 1, 16, 3}, {1, 1, 2, 2}), 2); },
                      {"max_unpool2d", "16", "4x4"});
  test_support::expect_error<Error>([] { F::max_unpool2d(zeros({1, 1, 2, 2}), zeros({1, 1, 2, 2}, DType::i64), 2, std::nullopt, 0, Size2(7, 4)); },
                      {"max_unpool2d", "(7, 4)", "(4, 4)"});
  test_support::expect_error<Error>([] { pad(zeros({2, 3}), {3, 0}, PadMode::reflect); }, {"pad (reflect)", "[2,3]", "at most 2"});
  test_support::expect_error<Error>([] { pad(zeros({2, 3}), {0, 4}, PadMode::circular); }, {"pad (circular)", "[2,3]", "at most 3"});
  test_support::expect_error<Error>([] { F::group_norm(zeros({2, 6, 3}), 4); }, {"group_norm", "6", "4 groups"});
  test_support::expect_error<Error>([] { F::instance_norm(zeros({2, 3, 1})); }, {"instance_norm", "[2,3,1]"});
  test_support::expect_error<Error>([] { F::bilinear(zeros({4, 3}), zeros({4, 5}), zeros({2, 3, 4})); },
                      {"bilinear", "[4,3]", "[4,5]", "[2,3,4]"});
  test_support::expect_error<Error>([] { F::cosine_similarity(zeros({2, 3}), zeros({4, 3})); }, {"cosine_similarity"});
  test_support::expect_error<Error>([] { F::interpolate(zeros({1, 1, 2, 2}), {}); }, {"interpolate", "exactly one"});
  test_support::expect_error<Error>([] { F::interpolate(zeros({1, 1, 2, 2}), {.scale_factor = 2.0, .align_corners = true}); },
                      {"interpolate", "align_corners"});
  test_support::expect_error<Error>([] { F::interpolate(zeros({2, 2}), {.scale_factor = 2.0}); }, {"interpolate", "[2,2]"});
  test_support::expect_error<Error>([] { F::pixel_shuffle(zeros({1, 6, 2, 2}), 2); }, {"pixel_shuffle", "[1,6,2,2]"});
  test_support::expect_error<Error>([] { F::conv3d(zeros({1, 2, 3, 3, 3}), zeros({4, 2, 4, 1, 1})); }, {"conv3d", "[4,2,4,1,1]", "[1,2,3,3,3]"});
  test_support::expect_error<Error>([] { F::conv3d(zeros({1, 2, 3, 3, 3}), zeros({4, 2, 0, 1, 1})); }, {"conv3d", "empty kernel"});
  test_support::expect_error<Error>([] { F::max_pool3d(zeros({1, 2, 1, 3, 3}), 2); }, {"max_pool3d", "[1,2,1,3,3]"});
  test_support::expect_error<Error>([] { F::avg_pool3d(zeros({1, 2, 3, 3}), 2); }, {"avg_pool3d", "[N, C, D, H, W]"});
}
