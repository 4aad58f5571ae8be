// GPT: causality, sampling (top-k, temperature), generate's context handling, tied weights, weight
// decay groups, hooks, and errors for bad input (overfitting a string: slow_models_learn.cpp).
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>
#include <string>

#include "nabla/functional.h"
#include "nabla/nabla.h"
#include "nabla/models/gpt.h"
#include "nabla/nn/summary.h"
#include "nabla/optim/optimizer.h"
#include "nabla/optim/weight_decay_groups.h"

namespace nabla::nn {
namespace {

models::GPTConfig tiny(int64_t vocab, int64_t context) {
  models::GPTConfig c;
  c.vocab_size = vocab;
  c.context = context;
  c.layers = 2;
  c.d_model = 16;
  c.heads = 2;
  c.dropout = 0.0;
  return c;
}

Tensor tokens_of(const std::vector<int64_t>& ids) { return from_vector(ids, {1, static_cast<int64_t>(ids.size())}); }

TEST(Gpt, LogitsAtTDependOnTokensUpToTOnly) {
  manual_seed(1);
  models::GPT model(tiny(10, 12));
  model.eval();
  const std::vector<int64_t> a = {1, 5, 2, 7, 3, 3, 9, 0, 4, 6};
  for (int64_t t = 0; t < 9; ++t) {
    std::vector<int64_t> b = a;
    for (size_t i = static_cast<size_t>(t) + 1; i < b.size(); ++i) b[i] = (b[i] + 3) % 10;  // change the future
    const Tensor la = model(tokens_of(a)), lb = model(tokens_of(b));
    ASSERT_EQ(la.shape(), (Shape{1, 10, 10}));
    EXPECT_TRUE(allclose(la.slice(1, 0, t + 1), lb.slice(1, 0, t + 1), 1e-5, 1e-6)) << "position " << t;
    // Not vacuous: the next position does see the change.
    EXPECT_FALSE(allclose(la.slice(1, t + 1, t + 2), lb.slice(1, t + 1, t + 2), 1e-5, 1e-6)) << "position " << t + 1;
  }
}

TEST(Gpt, TopKOneIsArgmaxWhateverTheTemperature) {
  manual_seed(2);
  for (int trial = 0; trial < 20; ++trial) {
    const Tensor logits = randn({17});
    const int64_t best = argmax(logits).item<int64_t>();
    for (double temperature : {0.3, 1.0, 5.0}) {
      Generator g(static_cast<uint64_t>(trial));
      EXPECT_EQ(models::sample_token(logits, {temperature, 1}, g), best);
    }
  }
  // Ties go to the lower id, as argmax's.
  Generator g(0);
  EXPECT_EQ(models::sample_token(tensor({0.5, 2.0, 2.0, 1.0}), {1.0, 1}, g), 1);
}

TEST(Gpt, SamplingDrawsFromTheTopKWithSoftmaxFrequencies) {
  const Tensor logits = tensor({0.0, 2.0, 1.0, -1.0, 1.5});
  Generator g(5);
  std::map<int64_t, int> counts;
  const int draws = 20000;
  for (int i = 0; i < draws; ++i) ++counts[models::sample_token(logits, {1.0, 3}, g)];
  EXPECT_EQ(counts.size(), 3u) << "only ids 1, 4 and 2 are in the top 3";
  const double z = std::exp(2.0) + std::exp(1.5) + std::exp(1.0);
  // 4-sigma bounds on the frequencies (sigma <= 0.0036 for 20,000 draws).
  EXPECT_NEAR(counts[1] / double(draws), std::exp(2.0) / z, 0.015);
  EXPECT_NEAR(counts[4] / double(draws), std::exp(1.5) / z, 0.015);
  EXPECT_NEAR(counts[2] / double(draws), std::exp(1.0) / z, 0.015);
  // A temperature of 0.5 squares the odds: p(1) / p(2) = e^((2 - 1) / 0.5) = e^2.
  counts.clear();
  for (int i = 0; i < draws; ++i) ++counts[models::sample_token(logits, {0.5, 0}, g)];
  const double z_half = std::exp(0.0) + std::exp(4.0) + std::exp(2.0) + std::exp(-2.0) + std::exp(3.0);
  EXPECT_NEAR(counts[1] / double(draws), std::exp(4.0) / z_half, 0.015);
  EXPECT_NEAR(counts[2] / double(draws), std::exp(2.0) / z_half, 0.015);
}

TEST(Gpt, GenerateCropsOrRefusesContextsLongerThanTheModels) {
  manual_seed(3);
  models::GPT model(tiny(9, 8));
  const std::vector<int64_t> prompt = {1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3};  // 12 > context 8
  models::GenerationOptions options;
  options.new_tokens = 5;
  options.sampling.top_k = 1;
  Generator g(0);
  const std::vector<int64_t> cropped = generate(model, prompt, options, g);
  ASSERT_EQ(cropped.size(), prompt.size() + 5);
  EXPECT_TRUE(std::equal(prompt.begin(), prompt.end(), cropped.begin())) << "the whole prompt is kept";
  // Cropping conditions on the last 8 tokens: the same continuation as from those 8 alone.
  const std::vector<int64_t> tail(prompt.end() - 8, prompt.end());
  const std::vector<int64_t> from_tail = generate(model, tail, options, g);
  EXPECT_TRUE(std::equal(from_tail.begin() + 8, from_tail.end(), cropped.begin() + 12));

  options.overflow = models::ContextOverflow::refuse;
  EXPECT_THROW(generate(model, prompt, options, g), ShapeError);
  options.new_tokens = 4;  // a window of 4 + 4 - 1 = 7 tokens fits
  EXPECT_EQ(generate(model, {1, 2, 3, 4}, options, g).size(), 8u);
  options.new_tokens = 6;  // 4 + 6 - 1 = 9 does not
  EXPECT_THROW(generate(model, {1, 2, 3, 4}, options, g), ShapeError);
  EXPECT_THROW(generate(model, {}, options, g), Error);
}

TEST(Gpt, TiedHeadSharesTheTokenEmbedding) {
  models::GPTConfig c = tiny(7, 6);
  models::GPT tied(c);
  c.tie_weights = false;
  models::GPT untied(c);
  EXPECT_EQ(untied.parameter_count() - tied.parameter_count(), 7 * 16);
  const auto& head = dynamic_cast<const models::TiedLinear&>(*tied.head);
  EXPECT_TRUE(head.weight.is_same(tied.token_embedding->weight));
  int named = 0;
  for (const auto& [name, t] : tied.state_dict()) named += name == "head.weight" || name == "token_embedding.weight";
  EXPECT_EQ(named, 2) << "PyTorch's state_dict lists a tied weight under both names";
}

TEST(Gpt, RejectsBadInput) {
  models::GPT model(tiny(5, 4));
  EXPECT_THROW(model(from_vector(std::vector<int64_t>{1, 2, 3, 4, 0}, {1, 5})), ShapeError);  // longer than context
  EXPECT_THROW(model(from_vector(std::vector<int64_t>{1, 2}, {2})), ShapeError);              // not [N, T]
  EXPECT_THROW(model(zeros({1, 3})), DTypeError);
  EXPECT_THROW(model(from_vector(std::vector<int64_t>{1, 5}, {1, 2})), IndexError);           // not in the vocabulary
  Generator g(0);
  EXPECT_THROW(models::sample_token(tensor({1.0, 2.0}), {0.0, 0}, g), Error);
  EXPECT_THROW(models::sample_token(tensor({1.0, 2.0}), {1.0, -1}, g), Error);
  EXPECT_THROW(models::sample_token(zeros({2, 2}), {1.0, 0}, g), ShapeError);
  models::GPTConfig bad = tiny(5, 4);
  bad.heads = 3;  // 16 is not divisible by 3
  EXPECT_THROW(models::GPT{bad}, ShapeError);
}

// The AdamW recipe on a GPT: no LayerNorm gain or shift and no bias is decayed; every matrix and
// both embedding tables are.
TEST(Gpt, WeightDecayGroupsLeaveLayerNormsAndBiasesUndecayed) {
  models::GPT model(tiny(10, 12));
  std::set<const TensorImpl*> layer_norm_params;
  std::function<void(const Module&)> visit = [&](const Module& m) {
    if (dynamic_cast<const LayerNorm*>(&m))
      for (const Tensor& p : m.parameters()) layer_norm_params.insert(p.impl());
    for (const auto& [name, child] : m.named_children()) visit(*child);
  };
  visit(model);
  ASSERT_EQ(layer_norm_params.size(), 2u * (2 * 2 + 1));  // two per block's two norms and the final norm

  const auto groups = optim::weight_decay_groups(model, 0.1);
  std::set<const TensorImpl*> decayed;
  for (const Tensor& p : groups[0].params) decayed.insert(p.impl());
  size_t matrices = 0;
  for (const auto& [name, p] : model.named_parameters()) {
    const bool is_decayed = decayed.count(p.impl()) > 0;
    EXPECT_EQ(is_decayed, p.dim() >= 2) << name;
    if (layer_norm_params.count(p.impl()) || name.ends_with(".bias")) {
      EXPECT_FALSE(is_decayed) << name;
    }
    if (name.find("embedding") != std::string::npos) {
      EXPECT_TRUE(is_decayed) << name;
    }
    matrices += is_decayed;
  }
  EXPECT_EQ(matrices, groups[0].params.size());
  EXPECT_EQ(groups[0].params.size() + groups[1].params.size(), model.parameters().size());
}

// Every call goes through the hooks, the Transformer's included: summary lists each block's layers.
TEST(Gpt, SummaryListsTheTransformersLayers) {
  models::GPT model(tiny(10, 12));
  const Tensor tokens = zeros({1, 12}, DType::i64);
  std::vector<std::string> names;
  std::vector<std::string> types;
  {
    std::vector<std::pair<Module*, int64_t>> hooks;
    std::function<void(Module&, const std::string&)> hook_all = [&](Module& m, const std::string& name) {
      if (m.named_children().empty())
        hooks.emplace_back(&m, m.add_forward_hook([&, name](const Module& layer, const Tensor&, const Tensor&) {
          names.push_back(name);
          types.push_back(layer.type_name());
        }));
      for (const auto& [child_name, child] : m.named_children())
        hook_all(*child, name.empty() ? child_name : name + "." + child_name);
    };
    hook_all(model, "");
    model.eval();
    model(tokens);
    for (const auto& [m, id] : hooks) m->remove_forward_hook(id);
  }
  const std::vector<std::string> block0{
      "transformer.layers.0.norm1",          "transformer.layers.0.self_attn.out_proj",
      "transformer.layers.0.dropout1",       "transformer.layers.0.norm2",
      "transformer.layers.0.linear1",        "transformer.layers.0.dropout",
      "transformer.layers.0.linear2",        "transformer.layers.0.dropout2"};
  const std::vector<std::string> head{"token_embedding", "position_embedding", "embedding_dropout"};
  ASSERT_EQ(names.size(), 3 + 2 * block0.size() + 2);
  EXPECT_EQ(std::vector<std::string>(names.begin(), names.begin() + 3), head);
  EXPECT_EQ(std::vector<std::string>(names.begin() + 3, names.begin() + 3 + 8), block0);
  EXPECT_EQ(names[3 + 8], "transformer.layers.1.norm1");
  EXPECT_EQ(names[names.size() - 2], "transformer.norm");
  EXPECT_EQ(names.back(), "head");
  EXPECT_EQ(types[4], "Linear");

  // nn::summary sees the same calls: the rows and the FLOPs of every Linear in the blocks.
  const ModelSummary s = summary(model, {1, 12}, DType::i64);
  ASSERT_EQ(s.layers.size(), names.size());
  for (size_t i = 0; i < names.size(); ++i) EXPECT_EQ(s.layers[i].name, names[i]);
  EXPECT_GT(s.layers[4].flops, 0);  // out_proj
}

}  // namespace
}  // namespace nabla::nn
