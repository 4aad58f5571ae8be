// Attention: scaled dot-product attention against its formula and by its properties (masks,
// causality, fully masked rows), MultiheadAttention's layout, names and masks, the seq2seq
// attention modules, positional encodings, and the errors. PyTorch's numbers are in
// test_attention_vs_pytorch.cpp.
#include <gtest/gtest.h>

#include <cmath>

#include "nabla/nabla.h"
#include "nabla/nn/all.h"

using namespace nabla;
using Ts = std::vector<Tensor>;

namespace {

std::vector<std::string> names_of(const nn::NamedTensors& entries) {
  std::vector<std::string> out;
  for (const auto& [name, t] : entries) out.push_back(name);
  return out;
}

void expect_near_tensor(const Tensor& a, const Tensor& b, double tol) {
  ASSERT_EQ(to_string(a.shape()), to_string(b.shape()));
  const auto x = a.to_vector<double>(), y = b.to_vector<double>();
  for (size_t i = 0; i < x.size(); ++i) ASSERT_NEAR(x[i], y[i], tol) << "element " << i;
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

TEST(ScaledDotProductAttention, MatchesItsFormula) {
  manual_seed(3);
  const Tensor q = randn({2, 3, 5, 4}, DType::f64), k = randn({2, 3, 6, 4}, DType::f64),
               v = randn({2, 3, 6, 7}, DType::f64);
  const auto [out, weights] = functional::scaled_dot_product_attention(q, k, v);
  const Tensor expected_w = softmax(matmul(q, transpose(k, -1, -2)) / 2.0, -1);
  expect_near_tensor(weights, expected_w, 1e-12);
  expect_near_tensor(out, matmul(expected_w, v), 1e-12);
}

TEST(ScaledDotProductAttention, EqualKeysAverageTheValues) {
  const Tensor q = tensor({{1, 2}, {-3, 0.5}}), k = ones({3, 2});
  const Tensor v = tensor({{1, 10}, {2, 20}, {6, 60}});
  const auto [out, weights] = functional::scaled_dot_product_attention(q, k, v);
  for (double w : weights.to_vector<double>()) EXPECT_NEAR(w, 1.0 / 3, 1e-6);
  EXPECT_EQ(out.to_vector<float>(), (std::vector<float>{3, 30, 3, 30}));
}

TEST(ScaledDotProductAttention, BooleanAndAdditiveMasksAgree) {
  manual_seed(4);
  const Tensor q = randn({2, 4, 3}), k = randn({2, 5, 3}), v = randn({2, 5, 3});
  const Tensor allowed = from_vector(std::vector<int64_t>{1, 1, 0, 1, 0, 0, 1, 1, 1, 1}, {2, 1, 5});
  const auto with_bool = functional::scaled_dot_product_attention(q, k, v, allowed);
  const Tensor additive = where(allowed, zeros({}), full({}, -INFINITY));
  const auto with_float = functional::scaled_dot_product_attention(q, k, v, additive);
  expect_near_tensor(with_bool.output, with_float.output, 1e-6);
  const auto w = with_bool.weights.to_vector<float>();
  const auto a = allowed.to_vector<int64_t>();
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t i = 0; i < 4; ++i) {
      float total = 0;
      for (int64_t j = 0; j < 5; ++j) {
        const float wij = w[static_cast<size_t>((b * 4 + i) * 5 + j)];
        if (!a[static_cast<size_t>(b * 5 + j)]) {
          EXPECT_EQ(wij, 0.0f);
        }
        total += wij;
      }
      EXPECT_NEAR(total, 1.0f, 1e-6);
    }
}

TEST(ScaledDotProductAttention, FullyMaskedRowsGiveZerosNotNaN) {
  const Tensor q = randn({3, 2}, DType::f64).requires_grad_(), k = randn({4, 2}, DType::f64),
               v = randn({4, 2}, DType::f64).requires_grad_();
  const Tensor allowed = from_vector(std::vector<int64_t>{1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1}, {3, 4});
  const auto [out, weights] = functional::scaled_dot_product_attention(q, k, v, allowed);
  const auto w = weights.to_vector<double>(), o = out.to_vector<double>();
  for (int j = 0; j < 4; ++j) EXPECT_EQ(w[static_cast<size_t>(4 + j)], 0.0);
  EXPECT_EQ(o[2], 0.0);
  EXPECT_EQ(o[3], 0.0);
  sum(out).backward();
  for (double g : q.grad().to_vector<double>()) EXPECT_TRUE(std::isfinite(g));
  EXPECT_EQ(q.grad().to_vector<double>()[2], 0.0);  // the fully masked query gets no gradient
  EXPECT_EQ(q.grad().to_vector<double>()[3], 0.0);
}

TEST(ScaledDotProductAttention, CausalOutputIgnoresLaterPositions) {
  manual_seed(5);
  Tensor q = randn({2, 6, 4}), k = randn({2, 6, 4}), v = randn({2, 6, 4});
  const auto first = functional::scaled_dot_product_attention(q, k, v, {}, true);
  for (int64_t i = 0; i < 6; ++i)
    for (int64_t j = i + 1; j < 6; ++j) EXPECT_EQ(first.weights.index({0, i, j}).item(), 0.0);
  // Changing position 4 onwards leaves outputs 0..3 exactly as they were.
  const Tensor later = concat({slice(q, 1, 0, 4), randn({2, 2, 4})}, 1);
  const Tensor later_k = concat({slice(k, 1, 0, 4), randn({2, 2, 4})}, 1);
  const Tensor later_v = concat({slice(v, 1, 0, 4), randn({2, 2, 4})}, 1);
  const auto second = functional::scaled_dot_product_attention(later, later_k, later_v, {}, true);
  EXPECT_EQ(slice(first.output, 1, 0, 4).to_vector<float>(), slice(second.output, 1, 0, 4).to_vector<float>());
  EXPECT_NE(slice(first.output, 1, 4, 6).to_vector<float>(), slice(second.output, 1, 4, 6).to_vector<float>());
  // is_causal is the causal mask.
  const auto masked = functional::scaled_dot_product_attention(q, k, v, functional::causal_mask(6));
  expect_near_tensor(masked.output, first.output, 0);
}

TEST(ScaledDotProductAttention, CausalMaskValues) {
  const auto m = functional::causal_mask(3).to_vector<float>();
  const float inf = INFINITY;
  EXPECT_EQ(m, (std::vector<float>{0, -inf, -inf, 0, 0, -inf, 0, 0, 0}));
}

TEST(ScaledDotProductAttention, DropoutOnlyInTraining) {
  manual_seed(6);
  const Tensor q = randn({8, 16}), k = randn({16, 16}), v = randn({16, 16});
  const auto eval = functional::scaled_dot_product_attention(q, k, v, {}, false, 0.5, false);
  const auto plain = functional::scaled_dot_product_attention(q, k, v);
  EXPECT_EQ(eval.output.to_vector<float>(), plain.output.to_vector<float>());
  const auto train = functional::scaled_dot_product_attention(q, k, v, {}, false, 0.5, true);
  int zeros_count = 0;
  for (float w : train.weights.to_vector<float>()) zeros_count += w == 0.0f;
  EXPECT_GT(zeros_count, 8 * 16 / 4);  // about half are dropped
}

TEST(ScaledDotProductAttention, FusedPathMatchesTheComposedOne) {
  // need_weights = false runs head by head in one kernel; the values, gradients and the dropout
  // draws (same seed) are those of the op-by-op path.
  for (bool dropout : {false, true}) {
    manual_seed(13);
    const Tensor q = randn({2, 3, 5, 4}, DType::f64), k = randn({2, 3, 6, 4}, DType::f64),
                 v = randn({2, 3, 6, 7}, DType::f64);
    // A non-contiguous view (a transposed q) and a mask broadcast over the heads; with the causal
    // mask, the first query of the second sequence has no key left (zero weights and output).
    const Tensor qt = transpose(randn({2, 3, 4, 5}, DType::f64), -1, -2);
    const Tensor allowed = from_vector(std::vector<int64_t>{1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1}, {2, 1, 1, 6});
    std::vector<std::vector<double>> results[2];
    for (int fused = 0; fused < 2; ++fused) {
      Ts inputs{q.detach().clone().requires_grad_(), k.detach().clone().requires_grad_(),
                v.detach().clone().requires_grad_(), qt.detach().requires_grad_()};
      manual_seed(14);
      const auto r = functional::scaled_dot_product_attention(inputs[0] + inputs[3], inputs[1], inputs[2], allowed,
                                                              true, dropout ? 0.3 : 0.0, true, fused == 0);
      EXPECT_EQ(r.weights.defined(), fused == 0);
      EXPECT_EQ(r.output.index({1, 2, 0, 3}).item(), 0.0);
      sum(r.output * r.output).backward();
      results[fused] = {r.output.to_vector<double>(), inputs[0].grad().to_vector<double>(),
                        inputs[1].grad().to_vector<double>(), inputs[2].grad().to_vector<double>(),
                        inputs[3].grad().to_vector<double>()};
    }
    for (size_t i = 0; i < results[0].size(); ++i)
      for (size_t j = 0; j < results[0][i].size(); ++j)
        ASSERT_NEAR(results[0][i][j], results[1][i][j], 1e-12) << "dropout " << dropout << " tensor " << i << " element " << j;
  }
}

TEST(ScaledDotProductAttention, FusedHeadsInParallelMatchOneThread) {
  // Enough heads and scores to spread them over threads: the result is the one-thread result.
  manual_seed(15);
  const Tensor q = randn({4, 8, 40, 8}), k = randn({4, 8, 40, 8}), v = randn({4, 8, 40, 8});
  const int threads = get_num_threads();
  std::vector<std::vector<float>> results;
  for (int n : {1, 2}) {
    set_num_threads(n);
    Ts inputs{q.detach().clone().requires_grad_(), k.detach().clone().requires_grad_(), v.detach().clone().requires_grad_()};
    const auto r = functional::scaled_dot_product_attention(inputs[0], inputs[1], inputs[2], Tensor(), true, 0.0,
                                                            true, false);
    sum(r.output * r.output).backward();
    for (const Tensor& t : {r.output, inputs[0].grad(), inputs[1].grad(), inputs[2].grad()})
      results.push_back(t.to_vector<float>());
  }
  set_num_threads(threads);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(results[i], results[i + 4]) << "tensor " << i;
  // And the op-by-op path agrees.
  const auto composed = functional::scaled_dot_product_attention(q, k, v, Tensor(), true);
  EXPECT_TRUE(allclose(composed.output, from_vector(results[0], q.shape()), 1e-5, 1e-6));
}

TEST(ScaledDotProductAttention, ErrorsNameTheShapes) {
  expect_error_naming([] { functional::scaled_dot_product_attention(zeros({2, 3}), zeros({4, 5}), zeros({4, 5})); },
                      {"scaled_dot_product_attention", "[2,3]", "[4,5]"});
  expect_error_naming(
      [] { functional::scaled_dot_product_attention(zeros({2, 3}), zeros({4, 3}), zeros({4, 5}), zeros({3, 4})); },
      {"mask", "[3,4]", "[2,4]"});
  expect_error_naming([] { functional::masked_softmax(zeros({2, 3}, DType::i64)); }, {"masked_softmax", "i64"});
}

TEST(MaskedSoftmax, EqualsSoftmaxWithoutMask) {
  manual_seed(7);
  const Tensor x = randn({3, 4, 9}, DType::f64);
  expect_near_tensor(functional::masked_softmax(x), softmax(x, -1), 1e-14);
}

// ---- MultiheadAttention --------------------------------------------------------------------------------
TEST(MultiheadAttention, PyTorchNamesAndShapes) {
  nn::MultiheadAttention mha(8, 2);
  EXPECT_EQ(names_of(mha.named_parameters()),
            (std::vector<std::string>{"in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"}));
  EXPECT_EQ(mha.in_proj_weight.shape(), (Shape{24, 8}));
  EXPECT_EQ(mha.in_proj_bias.to_vector<float>(), std::vector<float>(24, 0.0f));
  nn::MultiheadAttentionOptions o;
  o.kdim = 5;
  o.vdim = 3;
  o.bias = false;
  nn::MultiheadAttention separate(8, 4, o);
  EXPECT_EQ(names_of(separate.named_parameters()),
            (std::vector<std::string>{"q_proj_weight", "k_proj_weight", "v_proj_weight", "out_proj.weight"}));
  EXPECT_EQ(separate.k_proj_weight.shape(), (Shape{8, 5}));
  const auto r = separate.forward(randn({4, 2, 8}), randn({6, 2, 5}), randn({6, 2, 3}));
  EXPECT_EQ(r.output.shape(), (Shape{4, 2, 8}));
  EXPECT_EQ(r.weights.shape(), (Shape{2, 4, 6}));
}

TEST(MultiheadAttention, BatchFirstAndUnbatchedAgreeWithSequenceFirst) {
  manual_seed(8);
  nn::MultiheadAttention seq_first(8, 2);
  nn::MultiheadAttentionOptions o;
  o.batch_first = true;
  nn::MultiheadAttention batch_first(8, 2, o);
  batch_first.load_state_dict(seq_first.state_dict());
  const Tensor x = randn({5, 3, 8});  // [L, N, E]
  const auto a = seq_first.forward(x, x, x);
  const Tensor xb = transpose(x, 0, 1).contiguous();
  const auto b = batch_first.forward(xb, xb, xb);
  expect_near_tensor(transpose(b.output, 0, 1), a.output, 1e-6);
  expect_near_tensor(b.weights, a.weights, 1e-6);
  const Tensor one = select(x, 1, 2);  // unbatched [L, E]
  const auto u = seq_first.forward(one, one, one);
  expect_near_tensor(u.output, select(a.output, 1, 2), 1e-6);
  expect_near_tensor(u.weights, select(a.weights, 0, 2), 1e-6);
  expect_near_tensor(seq_first(x), a.output, 1e-6);  // forward(x) is self-attention
}

TEST(MultiheadAttention, WeightsPerHeadAverageToTheReturnedWeights) {
  manual_seed(9);
  nn::MultiheadAttention mha(12, 3);
  const Tensor q = randn({4, 2, 12}), kv = randn({7, 2, 12});
  nn::AttentionCallOptions per_head;
  per_head.average_attn_weights = false;
  const auto heads = mha.forward(q, kv, kv, per_head);
  const auto averaged = mha.forward(q, kv, kv);
  EXPECT_EQ(heads.weights.shape(), (Shape{2, 3, 4, 7}));
  expect_near_tensor(mean(heads.weights, {1}), averaged.weights, 1e-6);
  expect_near_tensor(sum(heads.weights, {-1}), ones({2, 3, 4}), 1e-5);
  nn::AttentionCallOptions none;
  none.need_weights = false;
  EXPECT_FALSE(mha.forward(q, kv, kv, none).weights.defined());
}

TEST(MultiheadAttention, KeyPaddingIsIgnored) {
  manual_seed(10);
  nn::MultiheadAttention mha(8, 2);
  const Tensor q = randn({3, 2, 8}), kv = randn({5, 2, 8});
  // Batch 0 pads its last two keys, batch 1 only its last one: changing keys 3 and 4 changes
  // nothing for batch 0 and something for batch 1.
  nn::AttentionCallOptions call;
  call.key_padding_mask = from_vector(std::vector<int64_t>{0, 0, 0, 1, 1, 0, 0, 0, 0, 1}, {2, 5});
  const auto a = mha.forward(q, kv, kv, call);
  const Tensor changed = concat({slice(kv, 0, 0, 3), randn({2, 2, 8})}, 0);
  const auto b = mha.forward(q, changed, changed, call);
  expect_near_tensor(select(a.output, 1, 0), select(b.output, 1, 0), 1e-6);
  EXPECT_FALSE(allclose(select(a.output, 1, 1), select(b.output, 1, 1)));
  EXPECT_EQ(a.weights.index({0, 1, 3}).item(), 0.0);
  EXPECT_EQ(a.weights.index({1, 0, 4}).item(), 0.0);
  EXPECT_GT(a.weights.index({1, 0, 3}).item(), 0.0);
}

TEST(MultiheadAttention, AttnMaskTrueForbids) {
  manual_seed(11);
  nn::MultiheadAttention mha(4, 1);
  const Tensor x = randn({3, 1, 4});
  nn::AttentionCallOptions forbid_upper;
  forbid_upper.attn_mask = from_vector(std::vector<int64_t>{0, 1, 1, 0, 0, 1, 0, 0, 0}, {3, 3});
  nn::AttentionCallOptions causal;
  causal.is_causal = true;
  const auto a = mha.forward(x, x, x, forbid_upper), b = mha.forward(x, x, x, causal);
  expect_near_tensor(a.output, b.output, 0);
  EXPECT_EQ(a.weights.index({0, 0, 1}).item(), 0.0);
}

TEST(MultiheadAttention, ErrorsNameTheShapes) {
  expect_error_naming([] { nn::MultiheadAttention(10, 3); }, {"MultiheadAttention", "10", "3"});
  nn::MultiheadAttention mha(8, 2);
  expect_error_naming([&] { mha.forward(zeros({3, 2, 6}), zeros({3, 2, 8}), zeros({3, 2, 8})); },
                      {"MultiheadAttention", "[3,2,6]", "embed_dim 8"});
  nn::AttentionCallOptions call;
  call.key_padding_mask = zeros({3, 3}, DType::i64);
  expect_error_naming([&] { mha.forward(zeros({3, 2, 8}), zeros({4, 2, 8}), zeros({4, 2, 8}), call); },
                      {"key_padding_mask", "[3,3]", "[2,4]"});
  call = {};
  call.attn_mask = zeros({3, 3});
  expect_error_naming([&] { mha.forward(zeros({3, 2, 8}), zeros({4, 2, 8}), zeros({4, 2, 8}), call); },
                      {"attn_mask", "[3,3]", "[3,4]"});
}

// ---- seq2seq attention ---------------------------------------------------------------------------------
TEST(DotProductAttention, ScoresAreDotProducts) {
  nn::DotProductAttention attention;
  const Tensor query = tensor({{1, 0}});                                       // [1, 2]
  const Tensor keys = tensor({{2, 0}, {0, 5}, {-1, 0}}).reshape({1, 3, 2});    // scores 2, 0, -1
  const Tensor values = tensor({{1, 0}, {0, 1}, {1, 1}}).reshape({1, 3, 2});
  const auto [context, weights] = attention.forward(query, keys, values);
  const double z = std::exp(2.0) + 1 + std::exp(-1.0);
  EXPECT_EQ(weights.shape(), (Shape{1, 3}));
  EXPECT_NEAR(weights.index({0, 0}).item(), std::exp(2.0) / z, 1e-6);
  EXPECT_NEAR(context.index({0, 1}).item(), (1 + std::exp(-1.0)) / z, 1e-6);
  // A mask of the real keys (the last one padding).
  const auto masked = attention.forward(query, keys, values, from_vector(std::vector<int64_t>{1, 1, 0}, {1, 3}));
  EXPECT_NEAR(masked.weights.index({0, 0}).item(), std::exp(2.0) / (std::exp(2.0) + 1), 1e-6);
  EXPECT_EQ(masked.weights.index({0, 2}).item(), 0.0);
}

TEST(AdditiveAttention, ScoresAreVTanhOfProjections) {
  manual_seed(12);
  nn::AdditiveAttention attention(3, 4, 5);
  EXPECT_EQ(names_of(attention.named_parameters()),
            (std::vector<std::string>{"query_proj.weight", "key_proj.weight", "v.weight"}));
  const Tensor query = randn({2, 3}), keys = randn({2, 6, 4}), values = randn({2, 6, 7});
  const auto [context, weights] = attention.forward(query, keys, values);
  EXPECT_EQ(context.shape(), (Shape{2, 7}));
  // Query 1, key 4 by hand.
  const Tensor qp = matmul(attention.query_proj->weight, select(query, 0, 1));
  const Tensor kp = matmul(attention.key_proj->weight, keys.index({1, 4}));
  const double score = matmul(select(attention.v->weight, 0, 0), tanh(qp + kp)).item();
  double z = 0;
  for (int64_t j = 0; j < 6; ++j) {
    const Tensor kj = matmul(attention.key_proj->weight, keys.index({1, j}));
    z += std::exp(matmul(select(attention.v->weight, 0, 0), tanh(qp + kj)).item());
  }
  EXPECT_NEAR(weights.index({1, 4}).item(), std::exp(score) / z, 1e-5);
  const auto several = attention.forward(randn({2, 3, 3}), keys, values);
  EXPECT_EQ(several.output.shape(), (Shape{2, 3, 7}));
  EXPECT_EQ(several.weights.shape(), (Shape{2, 3, 6}));
  expect_error_naming([&] { attention.forward(randn({2, 4}), keys, values); },
                      {"AdditiveAttention", "[2,4]", "query_dim 3"});
  expect_error_naming([&] { attention.forward(query, keys, values, ones({2, 5}, DType::i64)); },
                      {"AdditiveAttention", "mask", "[2,5]", "[2,6]"});
}
