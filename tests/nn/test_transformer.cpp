// Transformer layers and stacks: PyTorch's state_dict keys, shapes in both layouts, causality
// through a stack, key padding, dropout only in training, the decoder's memory, positional
// encodings, and the errors. PyTorch's numbers are in test_attention_vs_pytorch.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <type_traits>

#include "nabla/nabla.h"
#include "nabla/nn/all.h"

using namespace nabla;

namespace {

std::vector<std::string> keys_of(const nn::StateDict& entries) {
  std::vector<std::string> out;
  for (const auto& [name, t] : entries) out.push_back(name);
  return out;
}

nn::TransformerLayerOptions small(bool batch_first = false, bool norm_first = false, double dropout = 0.0) {
  nn::TransformerLayerOptions o;
  o.dim_feedforward = 16;
  o.dropout = dropout;
  o.batch_first = batch_first;
  o.norm_first = norm_first;
  return o;
}

template <class F>
void expect_error_naming(F&& f, const std::vector<std::string>& parts) {
  try {
    f();
    FAIL() << "no error";
  } catch (const Error& e) {
    for (const auto& part : parts) EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

}  // namespace

TEST(TransformerEncoderLayer, PyTorchStateDictKeys) {
  nn::TransformerEncoderLayer layer(8, 2, small());
  EXPECT_EQ(keys_of(layer.state_dict()),
            (std::vector<std::string>{"self_attn.in_proj_weight", "self_attn.in_proj_bias",
                                      "self_attn.out_proj.weight", "self_attn.out_proj.bias", "linear1.weight",
                                      "linear1.bias", "linear2.weight", "linear2.bias", "norm1.weight",
                                      "norm1.bias", "norm2.weight", "norm2.bias"}));
  nn::TransformerDecoder decoder(8, 2, 2, small(), true);
  const auto keys = keys_of(decoder.state_dict());
  EXPECT_EQ(keys.size(), 2 * 18 + 2u);
  EXPECT_EQ(keys.front(), "layers.0.self_attn.in_proj_weight");
  EXPECT_EQ(keys[4], "layers.0.multihead_attn.in_proj_weight");
  EXPECT_EQ(keys[17], "layers.0.norm3.bias");
  EXPECT_EQ(keys.back(), "norm.bias");
}

TEST(TransformerEncoderLayer, LayoutsAgree) {
  manual_seed(21);
  nn::TransformerEncoderLayer seq_first(8, 2, small()), batch_first(8, 2, small(true));
  batch_first.load_state_dict(seq_first.state_dict());
  const Tensor x = randn({5, 3, 8});
  const Tensor a = seq_first(x);
  EXPECT_EQ(a.shape(), (Shape{5, 3, 8}));
  const Tensor b = batch_first(transpose(x, 0, 1).contiguous());
  EXPECT_TRUE(allclose(transpose(b, 0, 1), a, 1e-5, 1e-6));
  // Post-norm output is layer-normalised: each position has mean 0 and variance 1 (weight 1, bias 0).
  const Tensor m = mean(a, {-1});
  for (float v : m.to_vector<float>()) EXPECT_NEAR(v, 0.0f, 1e-5);
}

TEST(TransformerEncoder, CausalStackIgnoresTheFuture) {
  manual_seed(22);
  for (bool norm_first : {false, true}) {
    nn::TransformerEncoder encoder(8, 2, 3, small(true, norm_first), norm_first);
    const Tensor x = randn({2, 7, 8});
    const Tensor a = encoder.forward(x, Tensor(), Tensor(), true);
    const Tensor changed = concat({slice(x, 1, 0, 4), randn({2, 3, 8})}, 1);
    const Tensor b = encoder.forward(changed, Tensor(), Tensor(), true);
    EXPECT_EQ(slice(a, 1, 0, 4).to_vector<float>(), slice(b, 1, 0, 4).to_vector<float>());
    EXPECT_NE(slice(a, 1, 4, 7).to_vector<float>(), slice(b, 1, 4, 7).to_vector<float>());
    // The causal mask as an explicit additive mask gives the same result.
    EXPECT_TRUE(allclose(encoder.forward(x, functional::causal_mask(7)), a, 1e-6, 1e-6));
    // Without it, position 0 sees the future.
    EXPECT_NE(slice(encoder(x), 1, 0, 1).to_vector<float>(), slice(encoder(changed), 1, 0, 1).to_vector<float>());
  }
}

TEST(TransformerEncoder, KeyPaddingHidesPaddedPositions) {
  manual_seed(23);
  nn::TransformerEncoder encoder(8, 2, 2, small(true));
  const Tensor x = randn({1, 5, 8});
  const Tensor padding = from_vector(std::vector<int64_t>{0, 0, 0, 1, 1}, {1, 5});
  const Tensor a = encoder.forward(x, Tensor(), padding);
  const Tensor b = encoder.forward(concat({slice(x, 1, 0, 3), randn({1, 2, 8})}, 1), Tensor(), padding);
  EXPECT_TRUE(allclose(slice(a, 1, 0, 3), slice(b, 1, 0, 3), 1e-5, 1e-6));
}

TEST(TransformerEncoderLayer, DropoutOnlyInTraining) {
  manual_seed(24);
  nn::TransformerEncoderLayer layer(8, 2, small(false, false, 0.5));
  const Tensor x = randn({4, 2, 8});
  layer.eval();
  const Tensor a = layer(x);
  EXPECT_EQ(a.to_vector<float>(), layer(x).to_vector<float>());
  layer.train();
  EXPECT_NE(layer(x).to_vector<float>(), a.to_vector<float>());
}

TEST(TransformerEncoderLayer, GeluAndNormFirstChangeTheResult) {
  manual_seed(25);
  nn::TransformerEncoderLayer relu_layer(8, 2, small());
  auto o = small();
  o.activation = "gelu";
  nn::TransformerEncoderLayer gelu_layer(8, 2, o);
  nn::TransformerEncoderLayer pre_norm(8, 2, small(false, true));
  gelu_layer.load_state_dict(relu_layer.state_dict());
  pre_norm.load_state_dict(relu_layer.state_dict());
  const Tensor x = randn({3, 2, 8});
  EXPECT_FALSE(allclose(relu_layer(x), gelu_layer(x)));
  EXPECT_FALSE(allclose(relu_layer(x), pre_norm(x)));
}

TEST(TransformerDecoder, UsesTheMemory) {
  manual_seed(26);
  nn::TransformerDecoder decoder(8, 2, 2, small(true));
  const Tensor tgt = randn({2, 4, 8}), memory = randn({2, 6, 8});
  const Tensor a = decoder.forward(tgt, memory, Tensor(), Tensor(), Tensor(), Tensor(), true);
  EXPECT_EQ(a.shape(), (Shape{2, 4, 8}));
  EXPECT_FALSE(allclose(a, decoder.forward(tgt, randn({2, 6, 8}), Tensor(), Tensor(), Tensor(), Tensor(), true)));
  // Causal over the target: position 0 ignores target positions 1..3.
  const Tensor changed = concat({slice(tgt, 1, 0, 1), randn({2, 3, 8})}, 1);
  const Tensor b = decoder.forward(changed, memory, Tensor(), Tensor(), Tensor(), Tensor(), true);
  EXPECT_EQ(slice(a, 1, 0, 1).to_vector<float>(), slice(b, 1, 0, 1).to_vector<float>());
  // Without the memory a call does not compile.
  static_assert(!std::is_invocable_v<nn::TransformerDecoder&, Tensor>);
  static_assert(!std::is_invocable_v<nn::ModuleHolder<nn::TransformerDecoderLayer>, Tensor>);
  static_assert(std::is_invocable_v<nn::TransformerDecoder&, Tensor, Tensor>);
  EXPECT_EQ(decoder(tgt, memory, Tensor(), Tensor(), Tensor(), Tensor(), true).to_vector<float>(), a.to_vector<float>());
}

TEST(Transformer, ErrorsNameTheProblem) {
  expect_error_naming([] { nn::TransformerEncoderLayer(10, 4); }, {"TransformerEncoderLayer", "10", "4"});
  auto o = small();
  o.activation = "tanh";
  expect_error_naming([&] { nn::TransformerEncoderLayer(8, 2, o); }, {"activation", "tanh"});
  expect_error_naming([] { nn::TransformerEncoder(8, 2, 0); }, {"num_layers", "0"});
  nn::TransformerEncoderLayer layer(8, 2, small());
  expect_error_naming([&] { layer(zeros({3, 2, 6})); }, {"[3,2,6]", "embed_dim 8"});
}

// ---- positional encodings -----------------------------------------------------------------------------
TEST(SinusoidalPositionalEncoding, ValuesAndAxes) {
  nn::SinusoidalPositionalEncoding pe(6, 10);
  EXPECT_EQ(pe.named_buffers().size(), 1u);
  EXPECT_TRUE(pe.parameters().empty());
  const Tensor table = pe.encoding(3);
  EXPECT_NEAR(table.index({0, 1}).item(), 1.0, 1e-7);             // cos(0)
  EXPECT_NEAR(table.index({2, 0}).item(), std::sin(2.0), 1e-6);   // frequency 1
  EXPECT_NEAR(table.index({2, 3}).item(), std::cos(2.0 / std::pow(10000.0, 2.0 / 6)), 1e-6);
  EXPECT_NEAR(table.index({1, 4}).item(), std::sin(1.0 / std::pow(10000.0, 4.0 / 6)), 1e-6);
  const Tensor x = randn({2, 3, 6});
  EXPECT_TRUE(allclose(pe(x) - x, broadcast_to(table, {2, 3, 6}), 1e-6, 1e-6));
  nn::SinusoidalPositionalEncoding seq_first(6, 10, false);
  const Tensor xs = randn({3, 2, 6});
  EXPECT_TRUE(allclose(select(seq_first(xs) - xs, 1, 1), table, 1e-6, 1e-6));
  expect_error_naming([&] { pe(zeros({1, 11, 6})); }, {"length 11", "max_len 10"});
  expect_error_naming([&] { pe(zeros({1, 3, 5})); }, {"SinusoidalPositionalEncoding", "[1,3,5]"});
}

TEST(LearnedPositionalEmbedding, AddsTrainedRows) {
  manual_seed(27);
  nn::LearnedPositionalEmbedding pos(5, 4);
  EXPECT_EQ(pos.weight.shape(), (Shape{5, 4}));
  const Tensor x = randn({2, 3, 4});
  const Tensor y = pos(x);
  EXPECT_TRUE(allclose(y - x, broadcast_to(slice(pos.weight, 0, 0, 3), {2, 3, 4}), 1e-6, 1e-6));
  sum(y).backward();
  // Rows 0..2 are used by both batch entries, rows 3..4 not at all.
  const auto g = pos.weight.grad().to_vector<float>();
  for (size_t i = 0; i < 12; ++i) EXPECT_EQ(g[i], 2.0f);
  for (size_t i = 12; i < 20; ++i) EXPECT_EQ(g[i], 0.0f);
  expect_error_naming([&] { pos(zeros({1, 6, 4})); }, {"LearnedPositionalEmbedding", "length 6", "max_len 5"});
}
