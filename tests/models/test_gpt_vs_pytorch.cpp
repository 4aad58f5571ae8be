// GPT and the BERT-style masked LM against the same models built from torch.nn 1.13: the state_dicts
// PyTorch wrote (tests/data/models/make_gpt_fixture.py) load with strict key checking, and the logits
// match PyTorch's to 1e-5 in f32.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "nabla/io/safetensors.h"
#include "nabla/nabla.h"
#include "nabla/models/bert.h"
#include "nabla/models/gpt.h"

namespace nabla::nn {
namespace {

std::string fixture(const std::string& name) { return std::string(NABLA_TEST_DATA_DIR) + "/models/" + name; }

Tensor named(const io::SafetensorsFile& file, const std::string& name) {
  for (const auto& [key, t] : file.tensors)
    if (key == name) return t;
  throw std::runtime_error("fixture has no tensor " + name);
}

// Loads PyTorch's state_dict strictly, after checking that ours lists the same names, in the same
// order, with the same shapes.
void load_pytorch_state(Module& model, const std::string& path) {
  const io::SafetensorsFile file = io::load_safetensors(path);
  const StateDict ours = model.state_dict();
  ASSERT_EQ(file.tensors.size(), ours.size());
  for (size_t i = 0; i < ours.size(); ++i) {
    EXPECT_EQ(file.tensors[i].first, ours[i].first);
    EXPECT_EQ(file.tensors[i].second.shape(), ours[i].second.shape()) << ours[i].first;
  }
  model.load_state_dict(file.tensors, /*strict=*/true);
}

// |ours - theirs| <= 1e-5 (1 + |theirs|) at every position where `valid` (i64 [N, T]) is nonzero.
void expect_logits_close(const Tensor& ours, const Tensor& theirs, const Tensor& valid) {
  ASSERT_EQ(ours.shape(), theirs.shape());
  const auto a = ours.to_vector<double>(), b = theirs.to_vector<double>();
  const auto keep = valid.to_vector<int64_t>();
  const size_t vocab = static_cast<size_t>(ours.size(2));
  size_t compared = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!keep[i / vocab]) continue;
    ++compared;
    ASSERT_NEAR(a[i], b[i], 1e-5 * (1 + std::abs(b[i]))) << "logit " << i;
  }
  EXPECT_GT(compared, a.size() / 2);
}

TEST(GptVsPyTorch, LogitsOfTheSameWeightsMatch) {
  models::GPTConfig c;
  c.vocab_size = 11;
  c.context = 16;
  c.layers = 2;
  c.d_model = 16;
  c.heads = 2;
  c.feedforward = 32;
  models::GPT model(c);
  load_pytorch_state(model, fixture("gpt_fixture.safetensors"));
  // The tie survives loading: both names were written into the one tensor.
  EXPECT_TRUE(dynamic_cast<const models::TiedLinear&>(*model.head).weight.is_same(model.token_embedding->weight));
  model.eval();
  const io::SafetensorsFile io = io::load_safetensors(fixture("gpt_fixture_io.safetensors"));
  const Tensor tokens = named(io, "tokens");
  expect_logits_close(model(tokens), named(io, "logits"), ones_like(tokens));
}

TEST(GptVsPyTorch, BertMaskedLmLogitsMatchAtEveryRealToken) {
  models::BertConfig c;
  c.vocab_size = 13;
  c.context = 12;
  c.layers = 2;
  c.d_model = 16;
  c.heads = 4;
  c.feedforward = 24;
  c.pad_id = 0;
  models::BertForMaskedLM model(c);
  load_pytorch_state(model, fixture("bert_fixture.safetensors"));
  model.eval();
  const io::SafetensorsFile io = io::load_safetensors(fixture("bert_fixture_io.safetensors"));
  expect_logits_close(model(named(io, "tokens")), named(io, "logits"), named(io, "valid"));
}

}  // namespace
}  // namespace nabla::nn
