// MultiheadAttention (PyTorch's parameters and masks) and the seq2seq attention modules; the work is
// functional::scaled_dot_product_attention and masked_softmax.
#include "nabla/nn/attention.h"

#include "nabla/functional.h"
#include "nabla/nn/init.h"
#include "nabla/ops.h"
#include "nn/repr.h"

namespace nabla::nn {
namespace {

// A projection's input, weight and bias slice, applied with one GEMM.
Tensor project(const Tensor& x, const Tensor& weight, const Tensor& bias, int64_t part, int64_t width) {
  const Tensor b = bias.defined() ? slice(bias, 0, part * width, (part + 1) * width) : Tensor();
  return functional::linear(x, weight, b);
}

}  // namespace

// ---- MultiheadAttention -----------------------------------------------------------------------------
MultiheadAttention::MultiheadAttention(int64_t embed_dim, int64_t num_heads,
                                       MultiheadAttentionOptions options)
    : embed_dim(embed_dim), num_heads(num_heads), head_dim(num_heads > 0 ? embed_dim / num_heads : 0),
      kdim(options.kdim.value_or(embed_dim)), vdim(options.vdim.value_or(embed_dim)),
      dropout(options.dropout), batch_first(options.batch_first) {
  if (embed_dim < 1 || num_heads < 1 || embed_dim % num_heads != 0)
    throw ShapeError("MultiheadAttention: embed_dim " + std::to_string(embed_dim) +
                     " must be positive and divisible by num_heads " + std::to_string(num_heads));
  if (kdim < 1 || vdim < 1)
    throw ShapeError("MultiheadAttention: kdim " + std::to_string(kdim) + " and vdim " +
                     std::to_string(vdim) + " must be positive");
  if (!(dropout >= 0.0 && dropout <= 1.0))
    throw Error("MultiheadAttention: dropout must be in [0, 1], got " + std::to_string(dropout));
  // PyTorch's registration order, so named_parameters() and state_dict() list the same keys.
  if (kdim == embed_dim && vdim == embed_dim) {
    in_proj_weight = register_parameter("in_proj_weight", Tensor::empty({3 * embed_dim, embed_dim}));
  } else {
    q_proj_weight = register_parameter("q_proj_weight", Tensor::empty({embed_dim, embed_dim}));
    k_proj_weight = register_parameter("k_proj_weight", Tensor::empty({embed_dim, kdim}));
    v_proj_weight = register_parameter("v_proj_weight", Tensor::empty({embed_dim, vdim}));
  }
  in_proj_bias = register_parameter("in_proj_bias", options.bias ? Tensor::empty({3 * embed_dim}) : Tensor());
  out_proj = register_module("out_proj", std::make_shared<Linear>(embed_dim, embed_dim, options.bias));
  reset_parameters();
}

void MultiheadAttention::reset_parameters() {
  // As torch's _reset_parameters: xavier_uniform on the input projections, zero biases; the output
  // projection keeps Linear's weight initialisation.
  if (in_proj_weight.defined()) {
    init::xavier_uniform_(in_proj_weight);
  } else {
    init::xavier_uniform_(q_proj_weight);
    init::xavier_uniform_(k_proj_weight);
    init::xavier_uniform_(v_proj_weight);
  }
  if (in_proj_bias.defined()) {
    init::zeros_(in_proj_bias);
    init::zeros_(out_proj->bias);
  }
}

Tensor MultiheadAttention::forward(const Tensor& x) {
  AttentionCallOptions call;
  call.need_weights = false;
  return forward(x, x, x, call).output;
}

AttentionResult MultiheadAttention::forward(const Tensor& query_in, const Tensor& key_in,
                                                      const Tensor& value_in,
                                                      const AttentionCallOptions& call) {
  const char* op = "MultiheadAttention";
  const bool batched = query_in.dim() == 3;
  if (!(query_in.dim() == 2 || batched) || key_in.dim() != query_in.dim() || value_in.dim() != query_in.dim())
    throw ShapeError(std::string(op) + ": query " + to_string(query_in.shape()) + ", key " +
                     to_string(key_in.shape()) + " and value " + to_string(value_in.shape()) +
                     " must all be 3-D (batched) or all 2-D (unbatched)");
  // Unbatched [L, E] becomes a batch of one in the input's own layout.
  const int64_t batch_axis = batch_first ? 0 : 1;
  const auto batch_of = [&](const Tensor& t) { return batched ? t : unsqueeze(t, batch_axis); };
  const Tensor query = batch_of(query_in), key = batch_of(key_in), value = batch_of(value_in);
  const int64_t seq_axis = 1 - batch_axis;
  const int64_t n = query.shape()[batch_axis], l = query.shape()[seq_axis], s = key.shape()[seq_axis];
  if (query.shape()[2] != embed_dim || key.shape()[2] != kdim || value.shape()[2] != vdim ||
      key.shape()[batch_axis] != n || value.shape()[batch_axis] != n || value.shape()[seq_axis] != s)
    throw ShapeError(std::string(op) + ": query " + to_string(query_in.shape()) + ", key " +
                     to_string(key_in.shape()) + " and value " + to_string(value_in.shape()) +
                     " do not fit embed_dim " + std::to_string(embed_dim) + ", kdim " +
                     std::to_string(kdim) + ", vdim " + std::to_string(vdim) +
                     (batch_first ? " with inputs [N, L, E]" : " with inputs [L, N, E]"));

  // Projections in the input's own layout (no transposing copy), then a view per head:
  // [.., .., E] -> [.., .., H, hd] -> [N, H, L, hd]. Self-attention projects q, k, v in one GEMM.
  const Axes to_heads = batch_first ? Axes{0, 2, 1, 3} : Axes{1, 2, 0, 3};
  const auto heads = [&](const Tensor& t, int64_t length) {
    const Shape split = batch_first ? Shape{n, length, num_heads, head_dim} : Shape{length, n, num_heads, head_dim};
    return permute(reshape(t, split), to_heads);
  };
  Tensor q, k, v;
  if (in_proj_weight.defined() && query.is_same(key) && key.is_same(value)) {
    const Tensor qkv = functional::linear(query, in_proj_weight, in_proj_bias);  // [.., .., 3E]
    Shape split = batch_first ? Shape{n, l, 3, num_heads, head_dim} : Shape{l, n, 3, num_heads, head_dim};
    const Tensor parts = reshape(qkv, split);
    q = permute(select(parts, 2, 0), to_heads);
    k = permute(select(parts, 2, 1), to_heads);
    v = permute(select(parts, 2, 2), to_heads);
  } else {
    const auto weight = [&](int64_t part, const Tensor& separate) {
      return in_proj_weight.defined() ? slice(in_proj_weight, 0, part * embed_dim, (part + 1) * embed_dim)
                                      : separate;
    };
    q = heads(project(query, weight(0, q_proj_weight), in_proj_bias, 0, embed_dim), l);
    k = heads(project(key, weight(1, k_proj_weight), in_proj_bias, 1, embed_dim), s);
    v = heads(project(value, weight(2, v_proj_weight), in_proj_bias, 2, embed_dim), s);
  }

  // One additive mask broadcasting to the scores [N, H, L, S].
  Tensor mask;
  const DType dtype = q.dtype();
  if (call.attn_mask.defined()) {
    const Shape& m = call.attn_mask.shape();
    const bool two_d = m == Shape{l, s}, three_d = m == Shape{n * num_heads, l, s};
    if (!two_d && !three_d)
      throw ShapeError(std::string(op) + ": attn_mask of shape " + to_string(m) + " should be [" +
                       std::to_string(l) + "," + std::to_string(s) + "] or [" +
                       std::to_string(n * num_heads) + "," + std::to_string(l) + "," + std::to_string(s) + "]");
    mask = functional::additive_mask(call.attn_mask, dtype, false, op);
    if (three_d) mask = reshape(mask, {n, num_heads, l, s});
  }
  if (call.key_padding_mask.defined()) {
    const Tensor& kpm = call.key_padding_mask;
    const Shape expected = batched ? Shape{n, s} : Shape{s};
    if (kpm.shape() != expected)
      throw ShapeError(std::string(op) + ": key_padding_mask of shape " + to_string(kpm.shape()) +
                       " should be " + to_string(expected) + " (batch, key length)");
    const Tensor padding = reshape(functional::additive_mask(kpm, dtype, false, op), {n, 1, 1, s});
    mask = mask.defined() ? mask + padding : padding;
  }

  const functional::AttentionResult attended = functional::scaled_dot_product_attention(
      q, k, v, mask, call.is_causal, dropout, is_training(), call.need_weights);
  // [N, H, L, hd] back to the input's layout [.., .., E].
  const Axes from_heads = batch_first ? Axes{0, 2, 1, 3} : Axes{2, 0, 1, 3};
  const Shape merged = batch_first ? Shape{n, l, embed_dim} : Shape{l, n, embed_dim};
  Tensor output = out_proj(reshape(permute(attended.output, from_heads), merged));
  Tensor weights;
  if (call.need_weights) weights = call.average_attn_weights ? mean(attended.weights, {1}) : attended.weights;
  if (!batched) {
    output = squeeze(output, batch_axis);
    if (weights.defined()) weights = squeeze(weights, 0);
  }
  return {output, weights};
}

// ---- seq2seq attention --------------------------------------------------------------------------------
namespace {

// The shared checks and the query/mask shapes: query [N, H] or [N, Lq, H] becomes [N, Lq, H]; the
// mask [N, T] becomes additive [N, 1, T].
struct Seq2SeqInputs {
  Tensor query, mask;
  bool single_query;
};

Seq2SeqInputs seq2seq_inputs(const char* op, const Tensor& query, const Tensor& keys,
                             const Tensor& values, const Tensor& mask) {
  const bool fits = (query.dim() == 2 || query.dim() == 3) && keys.dim() == 3 && values.dim() == 3 &&
                    query.shape()[0] == keys.shape()[0] && values.shape()[0] == keys.shape()[0] &&
                    values.shape()[1] == keys.shape()[1];
  if (!fits)
    throw ShapeError(std::string(op) + ": query " + to_string(query.shape()) + ", keys " +
                     to_string(keys.shape()) + " and values " + to_string(values.shape()) +
                     " do not fit (expected [N, H] or [N, Lq, H], [N, T, H], [N, T, Hv])");
  Seq2SeqInputs in{query.dim() == 2 ? unsqueeze(query, 1) : query, Tensor(), query.dim() == 2};
  if (mask.defined()) {
    if (mask.shape() != Shape{keys.shape()[0], keys.shape()[1]})
      throw ShapeError(std::string(op) + ": mask of shape " + to_string(mask.shape()) + " should be [" +
                       std::to_string(keys.shape()[0]) + "," + std::to_string(keys.shape()[1]) +
                       "] (batch, keys)");
    in.mask = unsqueeze(functional::additive_mask(mask, query.dtype(), true, op), 1);
  }
  return in;
}

AttentionResult attend(const Seq2SeqInputs& in, const Tensor& scores, const Tensor& values) {
  const Tensor weights = functional::masked_softmax(scores, in.mask);  // [N, Lq, T]
  Tensor context = matmul(weights, values);                            // [N, Lq, Hv]
  if (in.single_query) return {squeeze(context, 1), squeeze(weights, 1)};
  return {context, weights};
}

}  // namespace

AttentionResult DotProductAttention::forward(const Tensor& query, const Tensor& keys,
                                                       const Tensor& values, const Tensor& mask) {
  const Seq2SeqInputs in = seq2seq_inputs("DotProductAttention", query, keys, values, mask);
  if (in.query.shape()[2] != keys.shape()[2])
    throw ShapeError("DotProductAttention: query " + to_string(query.shape()) + " and keys " +
                     to_string(keys.shape()) + " need the same feature size");
  return attend(in, matmul(in.query, transpose(keys, 1, 2)), values);
}

Tensor DotProductAttention::forward(const Tensor& x) { return forward(x, x, x).output; }

AdditiveAttention::AdditiveAttention(int64_t query_dim, int64_t key_dim, int64_t hidden_dim)
    : query_dim(query_dim), key_dim(key_dim), hidden_dim(hidden_dim) {
  query_proj = register_module("query_proj", std::make_shared<Linear>(query_dim, hidden_dim, false));
  key_proj = register_module("key_proj", std::make_shared<Linear>(key_dim, hidden_dim, false));
  v = register_module("v", std::make_shared<Linear>(hidden_dim, 1, false));
}

AttentionResult AdditiveAttention::forward(const Tensor& query, const Tensor& keys,
                                                     const Tensor& values, const Tensor& mask) {
  const Seq2SeqInputs in = seq2seq_inputs("AdditiveAttention", query, keys, values, mask);
  if (in.query.shape()[2] != query_dim || keys.shape()[2] != key_dim)
    throw ShapeError("AdditiveAttention: query " + to_string(query.shape()) + " and keys " +
                     to_string(keys.shape()) + " should end in query_dim " + std::to_string(query_dim) +
                     " and key_dim " + std::to_string(key_dim));
  // Every (query, key) pair: [N, Lq, 1, hidden] + [N, 1, T, hidden] -> tanh -> v -> [N, Lq, T].
  const Tensor features = tanh(unsqueeze(query_proj(in.query), 2) + unsqueeze(key_proj(keys), 1));
  return attend(in, squeeze(v(features), -1), values);
}

Tensor AdditiveAttention::forward(const Tensor& x) { return forward(x, x, x).output; }

std::string AdditiveAttention::extra_repr() const {
  return "query_dim=" + std::to_string(query_dim) + ", key_dim=" + std::to_string(key_dim) +
         ", hidden_dim=" + std::to_string(hidden_dim);
}

}  // namespace nabla::nn
