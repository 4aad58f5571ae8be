// Calling modules of any forward signature: hooks see every call's tensors, a wrong argument list
// does not compile, the default type_name, and the containers (ModuleList, ModuleDict, a named
// Sequential) with PyTorch's parameter names.
#include <gtest/gtest.h>

#include <string>
#include <type_traits>
#include <vector>

#include "nabla/nabla.h"
#include "nabla/nn/all.h"

using namespace nabla;

namespace {

// A two-input module, as a user writes one: forward(x, y) -> x W^T + y, and its output with the
// two inputs' sum as a second result.
struct Pair {
  Tensor sum, difference;
};
auto tensors_of(const Pair& p) { return std::tie(p.sum, p.difference); }

class Mix : public nn::CallableModule<Mix> {
 public:
  Mix() { proj = register_module("proj", std::make_shared<nn::Linear>(3, 3)); }
  Pair forward(const Tensor& x, const Tensor& y, double scale) {
    const Tensor p = proj(x) * scale;
    return {p + y, p - y};
  }
  nn::ModuleHolder<nn::Linear> proj;
};

// Holds the two-input module as a child and calls it as PyTorch reads: mix(x, y, 2.0).
class UsesMix : public nn::UnaryModule {
 public:
  UsesMix() { mix = register_module("mix", std::make_shared<Mix>()); }
  Tensor forward(const Tensor& x) override { return mix(x, x, 2.0).sum; }
  nn::ModuleHolder<Mix> mix;
};

template <class T>
struct Wrapper : nn::UnaryModule {
  Tensor forward(const Tensor& x) override { return x; }
};

std::vector<std::string> names_of(const nn::NamedTensors& entries) {
  std::vector<std::string> out;
  for (const auto& [name, t] : entries) out.push_back(name);
  return out;
}

}  // namespace

// Compile-time checks: what a module can be called with is what its forward takes.
static_assert(std::is_invocable_v<nn::ModuleHolder<Mix>, Tensor, Tensor, double>);
static_assert(!std::is_invocable_v<nn::ModuleHolder<Mix>, Tensor>);
static_assert(!std::is_invocable_v<Mix&, Tensor>);  // CallableModule hides the one-tensor call
static_assert(std::is_invocable_v<nn::ModuleHolder<nn::LSTM>, Tensor, nn::RecurrentState>);
static_assert(std::is_same_v<std::invoke_result_t<nn::ModuleHolder<nn::LSTM>, Tensor>, Tensor>);
static_assert(std::is_same_v<std::invoke_result_t<nn::ModuleHolder<nn::LSTM>, Tensor, nn::RecurrentState>,
                             nn::RecurrentOutput>);
static_assert(!std::is_invocable_v<nn::ModuleHolder<nn::Linear>, Tensor, Tensor>);
static_assert(!std::is_invocable_v<nn::ModuleList&, Tensor>);
static_assert(!std::is_invocable_v<nn::ModuleDict&, Tensor>);

TEST(ModuleCall, HooksSeeEveryTensorOfAMultiInputCall) {
  UsesMix model;
  std::vector<Tensor> seen_inputs, seen_outputs;
  const nn::Module* seen_module = nullptr;
  model.mix->add_forward_hook([&](const nn::Module& m, const std::vector<Tensor>& in, const std::vector<Tensor>& out) {
    seen_module = &m;
    seen_inputs = in;
    seen_outputs = out;
  });
  const Tensor x = randn({2, 3});
  const Tensor y = model(x);
  EXPECT_EQ(seen_module, model.mix.get());
  ASSERT_EQ(seen_inputs.size(), 2u);  // x twice; the double takes no part
  EXPECT_EQ(seen_inputs[0].impl(), x.impl());
  EXPECT_EQ(seen_inputs[1].impl(), x.impl());
  ASSERT_EQ(seen_outputs.size(), 2u);  // Pair's sum and difference, through its tensors_of
  EXPECT_EQ(seen_outputs[0].impl(), y.impl());
  EXPECT_EQ(seen_outputs[1].shape(), (Shape{2, 3}));

  // ->forward is the raw call, as PyTorch's module.forward: no hooks.
  seen_module = nullptr;
  (void)model.mix->forward(x, x, 1.0);
  EXPECT_EQ(seen_module, nullptr);
}

TEST(ModuleCall, HooksSeeARecurrentCallWithItsState) {
  manual_seed(3);
  auto lstm = nn::ModuleHolder<nn::LSTM>(std::make_shared<nn::LSTM>(4, 5));
  std::vector<size_t> counts;
  Tensor first_output;
  lstm->add_forward_hook([&](const nn::Module&, const std::vector<Tensor>& in, const std::vector<Tensor>& out) {
    counts.push_back(in.size());
    counts.push_back(out.size());
  });
  // The one-tensor form of a hook sees the first input and output.
  lstm->add_forward_hook([&](const nn::Module&, const Tensor&, const Tensor& out) { first_output = out; });
  const Tensor x = randn({6, 2, 4});
  const nn::RecurrentOutput with_state = lstm(x, nn::RecurrentState{zeros({1, 2, 5}), zeros({1, 2, 5})});
  EXPECT_EQ(first_output.impl(), with_state.output.impl());
  const Tensor sequence = lstm(x);  // the one-tensor overload, hooked too
  EXPECT_EQ(first_output.impl(), sequence.impl());
  // x, h0, c0 -> output, h, c; then x -> output.
  EXPECT_EQ(counts, (std::vector<size_t>{3, 3, 1, 1}));
}

TEST(ModuleCall, TheTypeErasedCallRunsUnaryModulesAndNamesTheOthers) {
  UsesMix model;
  nn::Module& any = model;
  const Tensor x = randn({2, 3});
  EXPECT_EQ(any(x).to_vector<float>(), model(x).to_vector<float>());
  nn::Module& mix = *model.mix;
  try {
    mix(x);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Mix"), std::string::npos) << e.what();
  }
}

TEST(ModuleCall, DefaultTypeNameIsTheClassWithoutNamespaces) {
  EXPECT_EQ(UsesMix().type_name(), "UsesMix");  // a user module writes none
  EXPECT_EQ(nn::Linear(2, 2).type_name(), "Linear");
  EXPECT_EQ(nn::TransformerEncoder(4, 2, 1, {.dim_feedforward = 8}).type_name(), "TransformerEncoder");
  EXPECT_EQ(Wrapper<nn::Linear>().type_name(), "Wrapper<nabla::nn::Linear>");
  EXPECT_EQ(nn::Sequential().str(), "Sequential()");
}

TEST(Containers, ModuleListAndModuleDictNameParametersAsPyTorch) {
  struct Model : nn::UnaryModule {
    Model() {
      layers = register_module("layers", std::make_shared<nn::ModuleList>(std::initializer_list<nn::ModulePtr>{
                                             std::make_shared<nn::Linear>(2, 3), std::make_shared<nn::Linear>(3, 3)}));
      blocks = register_module("blocks", std::make_shared<nn::ModuleDict>(nn::NamedModules{
                                             {"conv", std::make_shared<nn::Conv2d>(1, 1, 1)},
                                             {"norm", std::make_shared<nn::LayerNorm>(Shape{3})}}));
    }
    Tensor forward(const Tensor& x) override {
      Tensor h = x;
      for (size_t i = 0; i < layers->size(); ++i) h = layers->at<nn::Linear>(i)(h);
      return blocks->at<nn::LayerNorm>("norm")(h);
    }
    nn::ModuleHolder<nn::ModuleList> layers;
    nn::ModuleHolder<nn::ModuleDict> blocks;
  } model;
  EXPECT_EQ(names_of(model.state_dict()),
            (std::vector<std::string>{"layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
                                      "blocks.conv.weight", "blocks.conv.bias", "blocks.norm.weight",
                                      "blocks.norm.bias"}));
  EXPECT_EQ(model(randn({4, 2})).shape(), (Shape{4, 3}));
  EXPECT_EQ(model.blocks->keys(), (std::vector<std::string>{"conv", "norm"}));
  EXPECT_TRUE(model.blocks->contains("conv"));
  EXPECT_FALSE(model.blocks->contains("fc"));
  EXPECT_EQ(model.layers->size(), 2u);
  EXPECT_THROW(model.layers->at<nn::Conv2d>(0), Error);  // a Linear
  EXPECT_THROW((*model.layers)[2], IndexError);
  try {
    (void)(*model.blocks)["fc"];
    FAIL() << "expected an error";
  } catch (const IndexError& e) {
    EXPECT_NE(std::string(e.what()).find("'conv', 'norm'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(model.blocks->insert("conv", std::make_shared<nn::ReLU>()), Error);  // the name is taken
}

TEST(Containers, NamedSequentialRunsItsChildrenUnderTheirNames) {
  manual_seed(5);
  auto conv = std::make_shared<nn::Conv2d>(1, 2, 3);
  nn::Sequential named(nn::NamedModules{{"conv", conv}, {"relu", std::make_shared<nn::ReLU>()},
                                        {"flatten", std::make_shared<nn::Flatten>()}});
  EXPECT_EQ(names_of(named.named_parameters()), (std::vector<std::string>{"conv.weight", "conv.bias"}));
  const Tensor x = randn({1, 1, 4, 4});
  EXPECT_EQ(named(x).to_vector<float>(), flatten(relu((*conv)(x)), 1).to_vector<float>());
  named.push_back("head", std::make_shared<nn::Linear>(8, 2));
  EXPECT_EQ(named.size(), 4u);
  EXPECT_EQ(named(x).shape(), (Shape{1, 2}));
  // A step must take one tensor: a decoder layer cannot be one.
  EXPECT_THROW(named.push_back(std::make_shared<nn::TransformerDecoderLayer>(4, 2)), Error);
  EXPECT_NE(named.str().find("(conv): Conv2d"), std::string::npos) << named.str();
}
