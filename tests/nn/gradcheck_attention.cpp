// Attention against central differences in f64, first and second order: the masked softmax (both
// backward paths: the fused kernel in plain backward, the op formula under create_graph), scaled
// dot-product attention with boolean, additive and causal masks, MultiheadAttention with key
// padding, additive attention, and an encoder and a decoder layer with respect to their inputs and
// every parameter.
#include <gtest/gtest.h>

#include "gradcheck_helpers.h"
#include "nabla/nabla.h"
#include "nabla/nn/all.h"

using namespace nabla;
using namespace nabla::test_support;
namespace F = nabla::functional;

namespace {

class GradcheckAttention : public ::testing::Test {
 protected:
  void SetUp() override { manual_seed(31); }
};

// Checks f over `inputs` followed by every parameter of `module` (converted to f64 first).
void check_module(nn::Module& module, const std::function<Tensor(const Ts&)>& f, Ts inputs) {
  module.to(DType::f64);
  for (const Tensor& p : module.parameters()) inputs.push_back(p);
  check(f, inputs);
}

}  // namespace

TEST_F(GradcheckAttention, MaskedSoftmax) {
  const Tensor allowed = from_vector(std::vector<int64_t>{1, 0, 1, 1, 1, 1, 0, 1, 0, 0}, {2, 1, 5});
  check([&](const Ts& x) { return F::masked_softmax(x[0], allowed); }, {leaf({2, 3, 5})});
  // An additive mask that requires grad gets the softmax's gradient summed to its shape.
  check([](const Ts& x) { return F::masked_softmax(x[0], x[1]); }, {leaf({2, 3, 4}), leaf({3, 4})});
  check([](const Ts& x) { return F::masked_softmax(x[0]); }, {strided({4, 3})});
}

TEST_F(GradcheckAttention, ScaledDotProductAttentionWithMasks) {
  const Tensor allowed = from_vector(std::vector<int64_t>{1, 1, 0, 1, 0, 1, 1, 1}, {2, 1, 1, 4});
  check([&](const Ts& x) { return F::scaled_dot_product_attention(x[0], x[1], x[2], allowed).output; },
        {leaf({2, 2, 3, 4}), leaf({2, 2, 4, 4}), leaf({2, 2, 4, 3})});
  check([](const Ts& x) { return F::scaled_dot_product_attention(x[0], x[1], x[2], Tensor(), true).output; },
        {leaf({2, 4, 3}), leaf({2, 4, 3}), leaf({2, 4, 2})});
  const Tensor additive = uniform({3, 5}, -2, 2, DType::f64);
  check([&](const Ts& x) { return F::scaled_dot_product_attention(x[0], x[1], x[2], additive, true).output; },
        {leaf({3, 2}), leaf({5, 2}), leaf({5, 3})});
  // The weights themselves, with a fully masked row (zero weights, zero gradient).
  const Tensor some_rows_empty = from_vector(std::vector<int64_t>{1, 1, 0, 0, 0, 1}, {3, 2});
  check([&](const Ts& x) { return F::scaled_dot_product_attention(x[0], x[1], x[2], some_rows_empty).weights; },
        {leaf({3, 2}), leaf({2, 2}), leaf({2, 2})});
}

TEST_F(GradcheckAttention, FusedScaledDotProductAttention) {
  // need_weights = false: the fused kernel in first order, its op formula in second order.
  const Tensor allowed = from_vector(std::vector<int64_t>{1, 1, 0, 1, 0, 1, 1, 1}, {2, 1, 1, 4});
  check([&](const Ts& x) {
          return F::scaled_dot_product_attention(x[0], x[1], x[2], allowed, true, 0.0, true, false).output;
        },
        {leaf({2, 2, 3, 4}), leaf({2, 2, 4, 4}), strided({2, 2, 4, 3})});
}

TEST_F(GradcheckAttention, MultiheadAttentionWithKeyPadding) {
  nn::MultiheadAttention mha(4, 2);
  nn::AttentionCallOptions call;
  call.key_padding_mask = from_vector(std::vector<int64_t>{0, 0, 1, 0, 0, 0}, {2, 3});
  call.is_causal = true;
  check_module(mha, [&](const Ts& x) { return mha.forward(x[0], x[0], x[0], call).output; },
               {leaf({3, 2, 4})});
}

TEST_F(GradcheckAttention, MultiheadCrossAttention) {
  nn::MultiheadAttentionOptions o;
  o.batch_first = true;
  o.kdim = 3;
  nn::MultiheadAttention mha(4, 2, o);
  check_module(mha, [&](const Ts& x) { return mha.forward(x[0], x[1], x[2]).output; },
               {leaf({1, 2, 4}), leaf({1, 3, 3}), leaf({1, 3, 4})});
}

TEST_F(GradcheckAttention, AdditiveAndDotProductAttention) {
  nn::AdditiveAttention additive(3, 2, 4);
  const Tensor mask = from_vector(std::vector<int64_t>{1, 1, 0, 1, 1, 1}, {2, 3});
  check_module(additive, [&](const Ts& x) { return additive.forward(x[0], x[1], x[2], mask).output; },
               {leaf({2, 3}), leaf({2, 3, 2}), leaf({2, 3, 2})});
  nn::DotProductAttention dot;
  check([&](const Ts& x) { return dot.forward(x[0], x[1], x[2], mask).output; },
        {leaf({2, 2, 3}), leaf({2, 3, 3}), leaf({2, 3, 2})});
}

TEST_F(GradcheckAttention, EncoderLayer) {
  for (bool norm_first : {false, true}) {
    nn::TransformerLayerOptions o;
    o.dim_feedforward = 6;
    o.dropout = 0.0;
    o.activation = "gelu";  // smooth, so central differences are exact enough everywhere
    o.norm_first = norm_first;
    nn::TransformerEncoderLayer layer(4, 2, o);
    check_module(layer, [&](const Ts& x) { return layer.forward(x[0], Tensor(), Tensor(), true); },
                 {leaf({3, 1, 4})});
  }
}

TEST_F(GradcheckAttention, DecoderLayer) {
  nn::TransformerLayerOptions o;
  o.dim_feedforward = 4;
  o.dropout = 0.0;
  o.activation = "gelu";
  o.batch_first = true;
  nn::TransformerDecoderLayer layer(4, 2, o);
  check_module(layer,
               [&](const Ts& x) {
                 return layer.forward(x[0], x[1], Tensor(), Tensor(), Tensor(), Tensor(), true);
               },
               {leaf({1, 2, 4}), leaf({1, 3, 4})});
}
