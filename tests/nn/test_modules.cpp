// The Module machinery: names, state dicts, strict loading, modes, reprs, init and helpers.
#include <gtest/gtest.h>

#include <cmath>
#include <type_traits>

#include "nabla/nabla.h"
#include "nabla/nn/all.h"

using namespace nabla;

namespace {

// A module with a Sequential child named "layers", as a user would write one.
class Net : public nn::UnaryModule {
 public:
  Net() {
    layers = register_module("layers", std::make_shared<nn::Sequential>(std::initializer_list<nn::ModulePtr>{
                                           std::make_shared<nn::Linear>(4, 8), std::make_shared<nn::ReLU>(),
                                           std::make_shared<nn::BatchNorm1d>(8), std::make_shared<nn::Linear>(8, 3)}));
    head = register_module("head", std::make_shared<nn::Linear>(3, 2, false));
  }
  Tensor forward(const Tensor& x) override { return head(layers(x)); }
  nn::ModuleHolder<nn::Sequential> layers;
  nn::ModuleHolder<nn::Linear> head;
};

std::vector<std::string> names_of(const nn::NamedTensors& entries) {
  std::vector<std::string> out;
  for (const auto& [name, t] : entries) out.push_back(name);
  return out;
}

}  // namespace

TEST(Module, DottedNamesInRegistrationOrder) {
  Net net;
  EXPECT_EQ(names_of(net.named_parameters()),
            (std::vector<std::string>{"layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias",
                                      "layers.3.weight", "layers.3.bias", "head.weight"}));
  // PyTorch's state_dict: per module parameters then buffers, children in order.
  EXPECT_EQ(names_of(net.state_dict()),
            (std::vector<std::string>{"layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias",
                                      "layers.2.running_mean", "layers.2.running_var",
                                      "layers.2.num_batches_tracked", "layers.3.weight", "layers.3.bias",
                                      "head.weight"}));
  EXPECT_EQ(net.parameter_count(), 4 * 8 + 8 + 8 + 8 + 8 * 3 + 3 + 3 * 2);
  EXPECT_EQ(net.parameters().size(), 7u);
  for (const Tensor& p : net.parameters()) EXPECT_TRUE(p.requires_grad());
}

TEST(Module, StateDictRoundTripGivesSameOutputs) {
  manual_seed(1);
  Net trained;
  trained.train();
  (void)trained(randn({16, 4}));  // moves the BatchNorm running statistics
  trained.eval();
  const Tensor x = randn({5, 4});
  const Tensor expected = trained(x);

  manual_seed(99);
  Net fresh;
  fresh.eval();
  EXPECT_FALSE(allclose(fresh(x), expected));
  fresh.load_state_dict(trained.state_dict());
  EXPECT_TRUE(allclose(fresh(x), expected, 0, 0));
  EXPECT_EQ(fresh.layers->named_buffers().back().second.item<int64_t>(), 1);
  // Loading copies values: the fresh model's tensors are not the trained model's.
  EXPECT_FALSE(fresh.head->weight.is_same(trained.head->weight));
  EXPECT_TRUE(fresh.head->weight.requires_grad());
}

TEST(Module, StrictLoadingNamesTheKey) {
  Net net;
  nn::StateDict state = net.state_dict();
  auto message_of = [&](const nn::StateDict& s, bool strict) {
    try {
      Net other;
      other.load_state_dict(s, strict);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  nn::StateDict missing(state.begin() + 1, state.end());
  EXPECT_NE(message_of(missing, true).find("missing key(s) 'layers.0.weight'"), std::string::npos);
  EXPECT_EQ(message_of(missing, false), "");

  nn::StateDict unexpected = state;
  unexpected.emplace_back("layers.9.weight", zeros({2, 2}));
  EXPECT_NE(message_of(unexpected, true).find("unexpected key 'layers.9.weight' of shape [2,2]"), std::string::npos);
  EXPECT_EQ(message_of(unexpected, false), "");

  nn::StateDict misshaped = state;
  misshaped.back().second = zeros({3, 2});
  const std::string m = message_of(misshaped, false);
  EXPECT_NE(m.find("'head.weight'"), std::string::npos) << m;
  EXPECT_NE(m.find("[3,2]"), std::string::npos) << m;
  EXPECT_NE(m.find("[2,3]"), std::string::npos) << m;
  EXPECT_THROW(Net().load_state_dict(misshaped), ShapeError);
}

TEST(Module, TrainEvalPropagatesAndZeroGradDrops) {
  Net net;
  EXPECT_TRUE(net.layers->named_children()[2].second->is_training());
  net.eval();
  EXPECT_FALSE(net.is_training());
  EXPECT_FALSE(net.layers->named_children()[2].second->is_training());
  net.train();
  const Tensor loss = sum(net(randn({6, 4})));
  loss.backward();
  for (const Tensor& p : net.parameters()) EXPECT_TRUE(p.grad().defined());
  net.zero_grad();
  for (const Tensor& p : net.parameters()) EXPECT_FALSE(p.grad().defined());
}

TEST(Module, ReprLikePyTorch) {
  nn::Sequential mlp{std::make_shared<nn::Flatten>(), std::make_shared<nn::Linear>(784, 100),
                     std::make_shared<nn::ReLU>(), std::make_shared<nn::Dropout>(0.2),
                     std::make_shared<nn::Sequential>(std::initializer_list<nn::ModulePtr>{
                         std::make_shared<nn::BatchNorm1d>(100), std::make_shared<nn::Linear>(100, 10, false)})};
  EXPECT_EQ(mlp.str(),
            "Sequential(\n"
            "  (0): Flatten(start_dim=1, end_dim=-1)\n"
            "  (1): Linear(in_features=784, out_features=100, bias=True)\n"
            "  (2): ReLU()\n"
            "  (3): Dropout(p=0.2, inplace=False)\n"
            "  (4): Sequential(\n"
            "    (0): BatchNorm1d(100, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)\n"
            "    (1): Linear(in_features=100, out_features=10, bias=False)\n"
            "  )\n"
            ")");
  EXPECT_EQ(nn::LayerNorm({10}).str(), "LayerNorm((10,), eps=1e-05, elementwise_affine=True)");
  EXPECT_EQ(nn::Embedding(10, 3).str(), "Embedding(10, 3)");
  EXPECT_EQ(nn::CrossEntropyLoss().str(), "CrossEntropyLoss()");
}

TEST(Module, ToConvertsInPlaceAndKeepsHandles) {
  nn::Linear lin(3, 2);
  const Tensor handle = lin.parameters()[0];
  const std::vector<double> before = lin.weight.to_vector<double>();
  lin.to(DType::f64);
  EXPECT_EQ(handle.dtype(), DType::f64);
  EXPECT_EQ(lin.weight.dtype(), DType::f64);
  const std::vector<double> after = handle.to_vector<double>();
  for (size_t i = 0; i < before.size(); ++i) EXPECT_EQ(before[i], after[i]);
  EXPECT_EQ(lin(ones({1, 3}, DType::f64)).dtype(), DType::f64);
}

TEST(Module, LossNeedsTarget) {
  static_assert(!std::is_invocable_v<nn::MSELoss&, Tensor>);  // does not compile
  static_assert(std::is_invocable_v<nn::MSELoss&, Tensor, Tensor>);
  nn::MSELoss loss;
  nn::Module& as_module = loss;  // the type-erased call checks at run time
  EXPECT_THROW(as_module(zeros({2})), Error);
}

TEST(Layers, LinearInitMatchesPyTorchRanges) {
  manual_seed(0);
  nn::Linear lin(400, 300);
  const double bound = 1.0 / std::sqrt(400.0);
  const std::vector<double> w = lin.weight.to_vector<double>(), b = lin.bias.to_vector<double>();
  double lo = 1, hi = -1, sq = 0;
  for (double v : w) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    sq += v * v;
  }
  EXPECT_GE(lo, -bound);
  EXPECT_LE(hi, bound);
  EXPECT_GT(hi, 0.99 * bound);
  // U(-a, a) has variance a^2 / 3.
  EXPECT_NEAR(sq / static_cast<double>(w.size()), bound * bound / 3, 0.02 * bound * bound);
  for (double v : b) EXPECT_LE(std::abs(v), bound);
}

TEST(Layers, ErrorsNameLayerAndShapes) {
  nn::Linear lin(4, 2);
  try {
    lin(zeros({3, 5}));
    FAIL();
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("[3,5]"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("[2,4]"), std::string::npos);
  }
  nn::BatchNorm1d bn(4);
  EXPECT_THROW(bn(zeros({2, 3})), ShapeError);
  EXPECT_THROW(bn(zeros({1, 4})), ShapeError);  // one value per channel in training
  EXPECT_THROW(functional::cross_entropy(zeros({2, 3}), from_vector(std::vector<int64_t>{0, 3})), IndexError);
}

// Ignored rows contribute exactly zero gradient even when the loss's scratch memory comes from a
// recycled block full of NaN (the allocator caches blocks of 16 KiB and more by size).
TEST(Layers, CrossEntropyIgnoredRowsGetZeroGradientFromRecycledMemory) {
  constexpr int64_t rows = 64, classes = 128;
  std::vector<int64_t> labels(rows);
  for (int64_t i = 0; i < rows; ++i) labels[static_cast<size_t>(i)] = i % 2 == 0 ? i : -100;
  const Tensor target = from_vector(labels);
  for (int round = 0; round < 3; ++round) {
    {  // more poisoned blocks than the step allocates of this size, so its scratch gets one
      std::vector<Tensor> poison;
      for (int k = 0; k < 4; ++k) poison.push_back(full({rows, classes}, std::nan("")));
    }
    Tensor logits = zeros({rows, classes}).requires_grad_();
    functional::cross_entropy(logits, target).backward();
    const std::vector<float> g = logits.grad().to_vector<float>();
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t c = 0; c < classes; ++c) {
        // Uniform softmax 1/C minus the one-hot, over the 32 counted rows; zero where ignored.
        const float expected = i % 2 ? 0.0f : (1.0f / classes - (c == i ? 1.0f : 0.0f)) / 32.0f;
        ASSERT_FLOAT_EQ(g[static_cast<size_t>(i * classes + c)], expected) << "row " << i << " class " << c;
      }
  }
}

TEST(Layers, DropoutTrainingKeepsExpectation) {
  manual_seed(5);
  nn::Dropout drop(0.25);
  const Tensor y = drop(ones({200, 100}));
  const std::vector<float> v = y.to_vector<float>();
  int64_t zeros_seen = 0;
  for (float e : v) {
    if (e == 0) ++zeros_seen;
    else EXPECT_FLOAT_EQ(e, 1.0f / 0.75f);
  }
  EXPECT_NEAR(static_cast<double>(zeros_seen) / static_cast<double>(v.size()), 0.25, 0.02);
  EXPECT_NEAR(mean(y).item(), 1.0, 0.03);
  drop.eval();
  EXPECT_TRUE(allclose(drop(ones({3})), ones({3})));
}

TEST(Init, GainsAndFans) {
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain("relu"), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain("tanh"), 5.0 / 3.0);
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain("linear"), 1.0);
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain("leaky_relu"), std::sqrt(2.0 / (1 + 0.0001)));
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain("leaky_relu", std::sqrt(5.0)), std::sqrt(1.0 / 3.0));
  EXPECT_THROW(nn::init::calculate_gain("swish"), Error);
  EXPECT_EQ(nn::init::fans(zeros({8, 3, 5})), (std::pair<int64_t, int64_t>{15, 40}));
}

TEST(Init, InPlaceOnParametersWithoutGraph) {
  manual_seed(2);
  nn::Linear lin(200, 100);
  const Tensor w = lin.weight;
  nn::init::kaiming_normal_(w, 0, nn::init::FanMode::fan_out, "relu");
  EXPECT_TRUE(w.is_leaf());
  EXPECT_TRUE(w.is_same(lin.weight));
  const double var = mean(w * w).item();
  EXPECT_NEAR(var, 2.0 / 100.0, 0.002);
  nn::init::xavier_uniform_(w, 2.0);
  const double bound = 2.0 * std::sqrt(6.0 / 300.0);
  EXPECT_LE(max(abs(w)).item(), bound);
  EXPECT_NEAR(mean(w * w).item(), bound * bound / 3, 0.05 * bound * bound);
  nn::init::xavier_normal_(w);
  EXPECT_NEAR(mean(w * w).item(), 2.0 / 300.0, 0.0005);
  nn::init::kaiming_uniform_(w, 0, nn::init::FanMode::fan_in, "relu");
  EXPECT_LE(max(abs(w)).item(), std::sqrt(6.0 / 200.0));
  nn::init::constant_(w, 0.5);
  EXPECT_TRUE(allclose(w, full({100, 200}, 0.5)));
  nn::init::zeros_(lin.bias);
  nn::init::ones_(w);
  EXPECT_EQ(sum(lin.bias).item(), 0.0);
  EXPECT_EQ(sum(w).item(), 20000.0);
}

TEST(Regularisation, Penalties) {
  Tensor a = tensor({1, -2, 3});
  const Tensor b = tensor({{-0.5, 0.5}});
  a.requires_grad_();
  EXPECT_DOUBLE_EQ(functional::l1_penalty({a, b}).item(), 7.0);
  EXPECT_DOUBLE_EQ(functional::l2_penalty({a, b}).item(), 14.5);
  functional::l2_penalty({a}).backward();
  EXPECT_EQ(a.grad().to_vector<float>(), (std::vector<float>{2, -4, 6}));
  EXPECT_EQ(functional::l1_penalty({}).item(), 0.0);
}
