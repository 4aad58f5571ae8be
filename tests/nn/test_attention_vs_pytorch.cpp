// MultiheadAttention and the Transformer layers against PyTorch 1.13's outputs and gradients
// (tests/data/nn/attention_fixtures.json, written by make_attention_fixtures.py): masks of both
// kinds, both layouts, kdim/vdim, post- and pre-norm encoder layers, a decoder layer and an
// encoder stack. Each case loads PyTorch's state_dict with strict key checking and runs in f64
// (agreement to 1e-10) and f32 (1e-5).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>

#include "nabla/nabla.h"
#include "nabla/nn/all.h"

#include "nn/pytorch_fixture.h"

using namespace nabla;
using nlohmann::json;
using fixture::expect_close;
using fixture::from_json;

namespace {

const json& fixtures() {
  static const json cases = fixture::read_cases("attention_fixtures.json");
  return cases;
}

struct CaseRun {
  const json* c = nullptr;
  std::map<std::string, Tensor> in;  // inputs and masks, floats in the run's dtype
  Tensor input(const std::string& name) const { return in.count(name) ? in.at(name) : Tensor(); }
};

// What a case's function returns: the output, and MultiheadAttention's weights.
struct Result {
  Tensor out, weights;
};

// Loads the case's inputs (requiring grad where PyTorch recorded a gradient) and PyTorch's
// state_dict into `module` (strictly), runs `fn`, and compares the output, the weights and the
// gradient of sum(out * upstream) for every input and parameter.
void check_case(const std::string& name, nn::Module& module, const std::function<Result(CaseRun&)>& fn) {
  const json& c = fixtures().at(name);
  for (DType dtype : {DType::f64, DType::f32}) {
    SCOPED_TRACE(name + " in " + to_string(dtype));
    const double tol = dtype == DType::f64 ? 1e-10 : 1e-5;
    module.to(dtype);
    module.zero_grad();
    nn::StateDict state;
    for (const auto& p : c.at("params")) state.emplace_back(p.get<std::string>(), from_json(c.at(p.get<std::string>()), dtype));
    module.load_state_dict(state, true);
    CaseRun run;
    run.c = &c;
    for (const auto& [key, value] : c.items()) {
      if (!value.is_object() || key.rfind("grad_", 0) == 0 || key == "out" || key == "weights") continue;
      Tensor t = from_json(value, dtype);
      if (c.contains("grad_" + key)) t.requires_grad_();
      run.in[key] = t;
    }
    const Result result = fn(run);
    expect_close(result.out, c.at("out"), tol, name + " output");
    if (c.contains("weights")) expect_close(result.weights, c.at("weights"), tol, name + " weights");
    sum(result.out * run.in.at("upstream")).backward();
    const auto parameters = module.named_parameters();
    size_t compared = 0;
    for (const auto& [key, value] : c.items()) {
      if (key.rfind("grad_", 0) != 0) continue;
      const std::string source = key.substr(5);
      Tensor grad;
      for (const auto& [pname, p] : parameters)
        if (pname == source) grad = p.grad();
      if (!grad.defined() && run.in.count(source)) grad = run.in.at(source).grad();
      expect_close(grad, value, tol, name + " gradient of " + source);
      ++compared;
    }
    EXPECT_EQ(compared, c.at("params").size() + (c.contains("memory") ? 2u : c.contains("key") ? 3u : 1u));
  }
}

nn::TransformerLayerOptions layer_options(const json& c) {
  nn::TransformerLayerOptions o;
  o.dim_feedforward = c.at("dim_feedforward").get<int64_t>();
  o.dropout = 0.0;
  o.activation = c.at("activation").get<std::string>();
  o.batch_first = c.at("batch_first").get<bool>();
  o.norm_first = c.at("norm_first").get<bool>();
  return o;
}

}  // namespace

TEST(AttentionVsPyTorch, FixturesCoverEveryLayer) {
  EXPECT_EQ(fixtures().size(), 7u);
}

TEST(AttentionVsPyTorch, MultiheadSelfAttentionWithMasks) {
  const json& c = fixtures().at("mha_self_masks");
  nn::MultiheadAttention mha(c.at("embed_dim").get<int64_t>(), c.at("num_heads").get<int64_t>());
  check_case("mha_self_masks", mha, [&](CaseRun& r) {
    nn::AttentionCallOptions call;
    call.attn_mask = r.input("attn_mask");
    call.key_padding_mask = r.input("key_padding_mask");
    const auto [out, weights] = mha.forward(r.input("x"), r.input("x"), r.input("x"), call);
    return Result{out, weights};
  });
}

TEST(AttentionVsPyTorch, MultiheadCrossAttentionBatchFirstPerHead) {
  const json& c = fixtures().at("mha_cross_batch_first");
  nn::MultiheadAttentionOptions o;
  o.batch_first = true;
  nn::MultiheadAttention mha(c.at("embed_dim").get<int64_t>(), c.at("num_heads").get<int64_t>(), o);
  check_case("mha_cross_batch_first", mha, [&](CaseRun& r) {
    nn::AttentionCallOptions call;
    call.attn_mask = r.input("attn_mask");
    call.average_attn_weights = false;
    const auto [out, weights] = mha.forward(r.input("x"), r.input("key"), r.input("value"), call);
    return Result{out, weights};
  });
}

TEST(AttentionVsPyTorch, MultiheadKdimVdim) {
  const json& c = fixtures().at("mha_kdim_vdim");
  nn::MultiheadAttentionOptions o;
  o.kdim = c.at("kdim").get<int64_t>();
  o.vdim = c.at("vdim").get<int64_t>();
  nn::MultiheadAttention mha(c.at("embed_dim").get<int64_t>(), c.at("num_heads").get<int64_t>(), o);
  check_case("mha_kdim_vdim", mha, [&](CaseRun& r) {
    const auto [out, weights] = mha.forward(r.input("x"), r.input("key"), r.input("value"));
    return Result{out, weights};
  });
}

TEST(AttentionVsPyTorch, EncoderLayers) {
  for (const std::string name : {"encoder_layer_post_norm", "encoder_layer_pre_norm_gelu"}) {
    const json& c = fixtures().at(name);
    nn::TransformerEncoderLayer layer(c.at("d_model").get<int64_t>(), c.at("nhead").get<int64_t>(), layer_options(c));
    check_case(name, layer, [&](CaseRun& r) {
      return Result{layer.forward(r.input("x"), r.input("src_mask"), r.input("src_key_padding_mask")), Tensor()};
    });
  }
}

TEST(AttentionVsPyTorch, DecoderLayer) {
  const json& c = fixtures().at("decoder_layer");
  nn::TransformerDecoderLayer layer(c.at("d_model").get<int64_t>(), c.at("nhead").get<int64_t>(), layer_options(c));
  check_case("decoder_layer", layer, [&](CaseRun& r) {
    return Result{layer.forward(r.input("x"), r.input("memory"), r.input("tgt_mask"), Tensor(), Tensor(),
                                r.input("memory_key_padding_mask")),
                  Tensor()};
  });
}

TEST(AttentionVsPyTorch, EncoderStackWithFinalNorm) {
  const json& c = fixtures().at("encoder_stack");
  nn::TransformerEncoder stack(c.at("d_model").get<int64_t>(), c.at("nhead").get<int64_t>(),
                               c.at("num_layers").get<int64_t>(), layer_options(c), true);
  check_case("encoder_stack", stack, [&](CaseRun& r) {
    const Tensor out = stack.forward(r.input("x"), r.input("mask"));
    // is_causal is the same mask.
    EXPECT_TRUE(allclose(stack.forward(r.input("x"), Tensor(), Tensor(), true), out, 1e-6, 1e-6));
    return Result{out, Tensor()};
  });
}
