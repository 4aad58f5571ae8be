// The LSTM language model against the same model built from torch.nn
// (tests/data/models/make_language_model_fixture.py): PyTorch's state_dict, tied decoder included,
// loads strictly; the logits of two consecutive windows (the second from the first's carried
// state), the loss and every parameter's gradient match within 1e-5.
#include <gtest/gtest.h>

#include "nabla/functional.h"
#include "nabla/io/safetensors.h"
#include "nabla/nabla.h"
#include "nabla/models/language_model.h"

namespace nabla::nn {
namespace {

std::string fixture(const std::string& name) { return std::string(NABLA_TEST_DATA_DIR) + "/models/" + name; }

Tensor named(const io::SafetensorsFile& file, const std::string& name) {
  for (const auto& [key, t] : file.tensors)
    if (key == name) return t;
  throw std::runtime_error("fixture has no tensor " + name);
}

void expect_close(const Tensor& ours, const Tensor& theirs, const std::string& what) {
  ASSERT_EQ(ours.shape(), theirs.shape()) << what;
  const auto a = ours.to_vector<double>(), b = theirs.to_vector<double>();
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-5 * (1 + std::abs(b[i]))) << what << " [" << i << "]";
}

TEST(LanguageModelVsPytorch, StateDictLogitsAcrossWindowsAndGradients) {
  models::LSTMLanguageModel model({.vocab_size = 7, .embedding_dim = 4, .hidden_size = 4, .num_layers = 2, .dropout = 0.5});
  ASSERT_TRUE(model.tied());
  const io::SafetensorsFile state = io::load_safetensors(fixture("language_model_fixture.safetensors"));
  const StateDict ours = model.state_dict();
  ASSERT_EQ(state.tensors.size(), ours.size());
  for (size_t i = 0; i < ours.size(); ++i) EXPECT_EQ(state.tensors[i].first, ours[i].first);
  model.load_state_dict(state.tensors, /*strict=*/true);

  const io::SafetensorsFile io = io::load_safetensors(fixture("language_model_fixture_io.safetensors"));
  model.eval();  // no dropout, as the fixture
  model.reset_state();
  {
    NoGradGuard no_grad;
    expect_close(model(named(io, "first")), named(io, "logits1"), "logits of the first window");
  }
  const Tensor logits = model(named(io, "second"));  // continues from the carried state
  expect_close(logits.detach(), named(io, "logits2"), "logits of the second window");
  const Tensor loss = functional::cross_entropy(logits.reshape({-1, 7}), named(io, "targets").reshape({-1}));
  expect_close(loss.reshape({1}).detach(), named(io, "loss"), "loss");
  loss.backward();
  for (const auto& [name, p] : model.named_parameters()) expect_close(p.grad(), named(io, "grad." + name), "grad " + name);
}

}  // namespace
}  // namespace nabla::nn
