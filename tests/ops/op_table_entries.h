// THE op table: one entry per public differentiable op of include/nabla/ops.h and
// include/nabla/functional.h, with the inputs it is tested on, its tolerance, whether second
// order applies, and for a fused op the composite formula it must agree with; and, beside it, the
// public functions that are not differentiable ops, each with the reason. gradcheck_op_table.cpp
// fails when a function those headers declare is in neither list, so a new op cannot go untested.
#pragma once
#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "nabla/functional.h"
#include "ops/op_table.h"

namespace nabla::test_support {

// The declared functions that are not differentiable ops.
inline const std::vector<std::pair<std::string, std::string>>& not_differentiable() {
  static const std::vector<std::pair<std::string, std::string>> list{
      {"add_", "in place: refused on a tensor that requires grad while recording"},
      {"sub_", "in place"},
      {"mul_", "in place"},
      {"div_", "in place"},
      {"copy_", "in place"},
      {"sign", "zero gradient almost everywhere; records nothing"},
      {"eq", "comparison: a 0/1 constant"},
      {"ne", "comparison"},
      {"lt", "comparison"},
      {"le", "comparison"},
      {"gt", "comparison"},
      {"ge", "comparison"},
      {"argmax", "indices"},
      {"argmin", "indices"},
      {"allclose", "a bool"},
      {"causal_mask", "a constant mask"},
      {"additive_mask", "converts a mask; masks are tested through the attention entries"},
      {"gate_count", "a number"},
      {"cell_name", "a name"},
      {"recurrent_sequence_reference", "the composite of the recurrent_sequence entries"},
      // ---- rounding: zero gradient almost everywhere, as sign ----
      {"floor", "zero gradient almost everywhere; records nothing"},
      {"ceil", "zero gradient almost everywhere; records nothing"},
      {"round", "zero gradient almost everywhere; records nothing"},
      {"trunc", "zero gradient almost everywhere; records nothing"},
  };
  return list;
}

namespace table_detail {

namespace F = functional;
using Ts = std::vector<Tensor>;

inline const Tensor& labels() {  // i64 class indices for 5 rows of 4 classes
  static const Tensor t = from_vector(std::vector<int64_t>{2, 0, 3, 1, 3});
  return t;
}

// An op's constant i64 argument (indices, targets, a mask) on the device of its input `like`, so
// the entry runs on any device (tests/device/device_seam.cpp).
inline Tensor indices(const Tensor& like, const std::vector<int64_t>& values, const Shape& shape = {}) {
  return from_vector(values, shape).to(like.device());
}

// A 0-d zero in x's dtype, on its device: the other operand of minimum(x, 0) in the activations'
// composites.
inline Tensor scalar_zero(const Tensor& x) { return zeros({}, x.dtype(), x.device()); }

// conv2d without groups or dilation as a sum over kernel offsets of strided slices times the
// weight's [C_out, C_in] slice: no im2col, no fused kernel.
inline Tensor conv2d_by_slices(const Tensor& x, const Tensor& w, const Tensor& b, int64_t stride,
                               int64_t padding) {
  const Tensor xp = pad(x, {padding, padding, padding, padding});
  const int64_t kh = w.size(2), kw = w.size(3);
  const int64_t ho = (xp.size(2) - kh) / stride + 1, wo = (xp.size(3) - kw) / stride + 1;
  Tensor out;
  for (int64_t i = 0; i < kh; ++i)
    for (int64_t j = 0; j < kw; ++j) {
      const Tensor patch =
          slice(slice(xp, 2, i, i + (ho - 1) * stride + 1, stride), 3, j, j + (wo - 1) * stride + 1, stride);
      const Tensor term =
          matmul(permute(patch, {0, 2, 3, 1}), transpose(select(select(w, 3, j), 2, i), 0, 1));
      out = out.defined() ? out + term : term;
    }
  out = permute(out, {0, 3, 1, 2});
  return b.defined() ? out + reshape(b, {-1, 1, 1}) : out;
}

// The four 2x2 windows' corners of x [N, C, H, W] (H, W even), for pooling composites.
inline Ts corners(const Tensor& x) {
  Ts out;
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 2; ++j)
      out.push_back(slice(slice(x, 2, i, std::nullopt, 2), 3, j, std::nullopt, 2));
  return out;
}

inline Tensor attention_by_ops(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& additive) {
  Tensor scores = matmul(q, transpose(k, -1, -2)) * (1.0 / std::sqrt(static_cast<double>(q.shape().back())));
  if (additive.defined()) scores = scores + additive;
  return matmul(softmax(scores, -1), v);
}

// A recurrent run as one tensor: every output, the final h and (LSTM) the final c.
inline Tensor packed_run(const F::RecurrentRun& run) {
  Ts parts{reshape(run.output, {-1}), reshape(run.h_final, {-1})};
  if (run.c_final.defined()) parts.push_back(reshape(run.c_final, {-1}));
  return concat(parts, 0);
}

inline OpEntry recurrent_entry(F::RecurrentCellKind kind, bool reverse) {
  const int64_t steps = 3, batch = 2, hidden = 3, width = F::gate_count(kind) * hidden;
  const bool lstm = kind == F::RecurrentCellKind::lstm;
  auto run = [kind, reverse, lstm](auto sequence) {
    return [=](const Ts& x) {
      return packed_run(sequence(kind, x[0], x[1], x[2], x[3], lstm ? x[4] : Tensor(), reverse));
    };
  };
  std::vector<InputSpec> inputs{InputSpec({steps, batch, width}), InputSpec({width, hidden}),
                                InputSpec({width}), InputSpec({batch, hidden})};
  if (lstm) inputs.push_back(InputSpec({batch, hidden}));
  return {std::string("recurrent_sequence.") + F::cell_name(kind) + (reverse ? "_reverse" : ""), inputs,
          run(F::recurrent_sequence), run(F::recurrent_sequence_reference)};
}

}  // namespace table_detail

inline const std::vector<OpEntry>& op_table() {
  using namespace table_detail;
  static const std::vector<OpEntry> table = [] {
    std::vector<OpEntry> t{
        // ---- arithmetic (broadcasting operands) ----
        {"add", {{2, 3}, {3}}, [](const Ts& x) { return add(x[0], x[1]); }},
        {"sub", {{2, 1}, {2, 3}}, [](const Ts& x) { return sub(x[0], x[1]); }},
        {"mul", {{3, 2}, {1, 2}}, [](const Ts& x) { return mul(x[0], x[1]); }},
        {"div", {{2, 3}, InputSpec({2, 3}).range(0.5, 2)}, [](const Ts& x) { return div(x[0], x[1]); }},
        {"neg", {{2, 3}}, [](const Ts& x) { return neg(x[0]); }},
        {"pow", {InputSpec({2, 3}).range(0.5, 2), {3}}, [](const Ts& x) { return pow(x[0], x[1]); },
         [](const Ts& x) { return exp(x[1] * log(x[0])); }},
        {"pow.scalar", {InputSpec({2, 3}).range(0.5, 2)}, [](const Ts& x) { return pow(x[0], -1.5); },
         [](const Ts& x) { return exp(log(x[0]) * -1.5); }},
        {"maximum", {{2, 3}, {3}}, [](const Ts& x) { return maximum(x[0], x[1]); }},
        {"minimum", {{2, 3}, {2, 3}}, [](const Ts& x) { return minimum(x[0], x[1]); }},
        // ---- elementwise maths ----
        {"exp", {{2, 3}}, [](const Ts& x) { return exp(x[0]); }},
        {"log", {InputSpec({2, 3}).range(0.5, 3)}, [](const Ts& x) { return log(x[0]); }},
        {"sqrt", {InputSpec({2, 3}).range(0.5, 3)}, [](const Ts& x) { return sqrt(x[0]); },
         [](const Ts& x) { return pow(x[0], 0.5); }},
        {"abs", {InputSpec({2, 3}).range(0.1, 1)}, [](const Ts& x) { return abs(x[0]) * abs(neg(x[0])); }},
        {"sin", {{2, 3}}, [](const Ts& x) { return sin(x[0]); }},
        {"cos", {{2, 3}}, [](const Ts& x) { return cos(x[0]); }},
        {"tanh", {InputSpec({3, 2}).range(-2, 2)}, [](const Ts& x) { return tanh(x[0]); },
         [](const Ts& x) { return (exp(x[0] * 2.0) - 1.0) / (exp(x[0] * 2.0) + 1.0); }},
        {"erf", {{4}}, [](const Ts& x) { return erf(x[0]); }},
        {"clamp", {{8}}, [](const Ts& x) { return clamp(x[0], -0.5, 0.5); },
         [](const Ts& x) {
           return minimum(maximum(x[0], full({}, -0.5, x[0].dtype())), full({}, 0.5, x[0].dtype()));
         }},
        // ---- activations ----
        {"sigmoid", {InputSpec({2, 3}).range(-3, 3)}, [](const Ts& x) { return sigmoid(x[0]); },
         [](const Ts& x) { return 1.0 / (exp(neg(x[0])) + 1.0); }},
        {"relu", {{8}}, [](const Ts& x) { return relu(x[0]); },
         [](const Ts& x) { return maximum(x[0], zeros({}, x[0].dtype())); }},
        {"leaky_relu", {{8}}, [](const Ts& x) { return leaky_relu(x[0], 0.2); },
         [](const Ts& x) { return maximum(x[0], x[0] * 0.2); }},
        {"gelu", {InputSpec({6}).range(-3, 3)}, [](const Ts& x) { return gelu(x[0]); },
         [](const Ts& x) { return x[0] * (erf(x[0] * (1.0 / std::sqrt(2.0))) + 1.0) * 0.5; }},
        {"softmax", {{2, 4}}, [](const Ts& x) { return softmax(x[0], 1); },
         [](const Ts& x) { return exp(x[0]) / sum(exp(x[0]), {1}, true); }},
        {"softmax.axis0", {{3, 2}}, [](const Ts& x) { return softmax(x[0], 0); }},
        {"log_softmax", {{2, 4}}, [](const Ts& x) { return log_softmax(x[0], -1); },
         [](const Ts& x) { return x[0] - log(sum(exp(x[0]), {-1}, true)); }},
        // ---- selection ----
        {"where", {{2, 3}, {3}}, [](const Ts& x) { return where(gt(x[0], x[1]), x[0] * x[0], x[1]); }},
        // ---- reductions ----
        {"sum", {{2, 3}}, [](const Ts& x) { return sum(x[0]); }},
        {"sum.axes_keepdim", {{2, 3, 2}}, [](const Ts& x) { return sum(x[0], {0, 2}, true); }},
        {"mean", {{3, 4}}, [](const Ts& x) { return mean(x[0], {1}); },
         [](const Ts& x) { return sum(x[0], {1}) / 4.0; }},
        {"var", {{2, 5}}, [](const Ts& x) { return var(x[0], {1}); },
         [](const Ts& x) { return sum(pow(x[0] - mean(x[0], {1}, true), 2.0), {1}) / 4.0; }},
        {"var.all", {{3, 3}}, [](const Ts& x) { return var(x[0]); }},
        {"logsumexp", {{3, 4}}, [](const Ts& x) { return logsumexp(x[0], {1}); },
         [](const Ts& x) { return log(sum(exp(x[0]), {1})); }},
        {"max", {InputSpec({3, 4}).all_distinct()}, [](const Ts& x) { return max(x[0], 1); }},
        {"max.all", {InputSpec({3, 4}).all_distinct()}, [](const Ts& x) { return max(x[0]); }},
        {"min", {InputSpec({3, 4}).all_distinct()}, [](const Ts& x) { return min(x[0], 0, true) * x[0]; }},
        // ---- linear algebra ----
        {"matmul", {{3, 4}, {4, 2}}, [](const Ts& x) { return matmul(x[0], x[1]); }},
        {"matmul.batched_broadcast", {{2, 1, 3, 4}, {3, 4, 2}}, [](const Ts& x) { return matmul(x[0], x[1]); }},
        {"matmul.vector", {{4}, {4, 3}}, [](const Ts& x) { return matmul(x[0], x[1]); }},
        {"matmul.batched", {{2, 3, 4}, {4, 2}}, [](const Ts& x) { return matmul(x[0], x[1]); }},
        {"matmul.matrix_vector", {{2, 4}, {4}}, [](const Ts& x) { return tanh(matmul(x[0], x[1])); }},
        // ---- shape ----
        {"reshape", {{2, 3}, {3, 2}}, [](const Ts& x) { return reshape(x[0], {3, 2}) * x[1]; }},
        {"transpose", {{2, 3, 4}, {4, 3, 2}}, [](const Ts& x) { return transpose(x[0], 0, 2) * x[1]; }},
        {"permute", {{2, 3, 4}, {3, 4, 2}}, [](const Ts& x) { return permute(x[0], {1, 2, 0}) * x[1]; }},
        {"squeeze", {{1, 3, 1}, {3}}, [](const Ts& x) { return squeeze(x[0]) * x[1]; }},
        {"unsqueeze", {{3}, {2, 3}}, [](const Ts& x) { return unsqueeze(x[0], 0) * x[1]; }},
        {"flatten", {{2, 2, 3}, {6}}, [](const Ts& x) { return flatten(x[0], 1) * x[1]; }},
        {"broadcast_to", {{3, 1}, {4}}, [](const Ts& x) { return broadcast_to(x[0], {2, 3, 4}) * x[1]; }},
        {"sum_to", {{2, 3, 4}}, [](const Ts& x) { return sum_to(x[0] * x[0], {3, 1}); }},
        {"concat", {{2, 2}, {2, 3}}, [](const Ts& x) { return concat({x[0], x[1] * x[1]}, 1); }},
        {"stack", {{2, 3}, {2, 3}}, [](const Ts& x) { return stack({x[0], x[0] * x[1]}, 0); }},
        {"split", {{2, 5}}, [](const Ts& x) {
           const std::vector<Tensor> p = split(x[0], 2, 1);
           return concat({p[2], p[0] * p[1]}, 1);
         }},
        {"split.sizes", {{4, 3}}, [](const Ts& x) {
           const std::vector<Tensor> p = split(x[0], std::vector<int64_t>{1, 3}, 0);
           return p[1] * p[0];
         }},
        {"pad", {{2, 3}}, [](const Ts& x) { return pad(x[0] * x[0], {1, 2, 0, 1}, 0.5); }},
        // Padding only the trailing axis leaves the leading ones whole (in forward and backward).
        {"pad.trailing_axis", {{3, 2}}, [](const Ts& x) { return pad(x[0], {2, 1}); }},
        // ---- indexing ----
        {"select", {{4, 4}}, [](const Ts& x) { return select(x[0], 0, 1) * select(x[0], 1, 2); }},
        {"slice", {{2, 5}}, [](const Ts& x) { return pow(slice(x[0], 1, 1, 4, 2), 2.0); }},
        {"slice_scatter", {{2, 3}}, [](const Ts& x) { return slice_scatter(x[0] * x[0], {4, 3}, 0, 1, 4, 2); }},
        {"index_select", {{2, 3}}, [](const Ts& x) {
           return pow(index_select(x[0], 1, indices(x[0], {2, 0, 2})), 2.0);
         }},
        {"index_add", {{3, 2}, {3, 2}}, [](const Ts& x) {
           return index_add(x[0], 0, indices(x[0], {2, 0, 2}), x[1] * x[1]);
         }},
        {"gather", {{2, 3}}, [](const Ts& x) {
           return pow(gather(x[0], 1, indices(x[0], {1, 1, 0, 2, 0, 0}, {2, 3})), 3.0);
         }},
        {"scatter_add", {{2, 3}, {2, 3}}, [](const Ts& x) {
           return scatter_add(x[0], 1, indices(x[0], {1, 1, 0, 2, 0, 0}, {2, 3}), x[1] * x[1]);
         }},
        // ---- conversion: to the other float dtype and back. In f64 the round trip through f32
        // loses digits, so the central differences step wider ----
        {"cast", {{2, 3}}, [](const Ts& x) {
           const DType other = x[0].dtype() == DType::f64 ? DType::f32 : DType::f64;
           return cast(cast(x[0], other) * cast(x[0], other), x[0].dtype());
         },
         nullptr, {.eps = 1e-3, .atol = 1e-4, .rtol = 1e-3}},

        // ---- functional: layers ----
        {"linear", {{4, 3}, {2, 3}, {2}}, [](const Ts& x) { return F::linear(x[0], x[1], x[2]); },
         [](const Ts& x) { return matmul(x[0], transpose(x[1], 0, 1)) + x[2]; }},
        {"linear.no_bias_batched", {{2, 3, 3}, {4, 3}}, [](const Ts& x) { return F::linear(x[0], x[1]); },
         [](const Ts& x) { return matmul(x[0], transpose(x[1], 0, 1)); }},
        {"dropout", {{4, 5}}, [](const Ts& x) {
           manual_seed(7);  // the same mask at every evaluation
           return F::dropout(x[0], 0.4, true);
         }},
        {"dropout2d", {{2, 4, 2, 2}}, [](const Ts& x) {
           manual_seed(3);
           return F::dropout2d(x[0], 0.5, true);
         }},
        {"batch_norm", {{5, 3}, {3}, {3}},
         [](const Ts& x) { return F::batch_norm(x[0], Tensor(), Tensor(), x[1], x[2], true); },
         [](const Ts& x) {
           const Tensor centred = x[0] - mean(x[0], {0}, true);
           return centred / sqrt(mean(centred * centred, {0}, true) + 1e-5) * x[1] + x[2];
         }},
        {"batch_norm.images", {{3, 2, 3, 2}, {2}, {2}},
         [](const Ts& x) { return F::batch_norm(x[0], Tensor(), Tensor(), x[1], x[2], true); },
         [](const Ts& x) {
           const Tensor centred = x[0] - mean(x[0], {0, 2, 3}, true);
           const Tensor scale = reshape(x[1], {2, 1, 1}), shift = reshape(x[2], {2, 1, 1});
           return centred / sqrt(mean(centred * centred, {0, 2, 3}, true) + 1e-5) * scale + shift;
         }},
        {"batch_norm.sequence", {{2, 3, 4}, {3}, {3}},
         [](const Ts& x) { return F::batch_norm(x[0], Tensor(), Tensor(), x[1], x[2], true); }},
        {"batch_norm.eval", {{4, 3}, InputSpec({3}).constant(), InputSpec({3}).range(0.5, 1.5).constant(), {3}, {3}},
         [](const Ts& x) { return F::batch_norm(x[0], x[1], x[2], x[3], x[4], false); },
         [](const Ts& x) { return (x[0] - x[1]) / sqrt(x[2] + 1e-5) * x[3] + x[4]; }},
        {"layer_norm", {{3, 4}, {4}, {4}}, [](const Ts& x) { return F::layer_norm(x[0], {4}, x[1], x[2]); },
         [](const Ts& x) {
           const Tensor centred = x[0] - mean(x[0], {-1}, true);
           return centred / sqrt(mean(centred * centred, {-1}, true) + 1e-5) * x[1] + x[2];
         }},
        {"layer_norm.rank2_no_affine", {{2, 2, 3}}, [](const Ts& x) { return F::layer_norm(x[0], {2, 3}); },
         [](const Ts& x) {
           const Tensor centred = x[0] - mean(x[0], {-2, -1}, true);
           return centred / sqrt(mean(centred * centred, {-2, -1}, true) + 1e-5);
         }},
        {"layer_norm.weight_only", {{3, 5}, {5}}, [](const Ts& x) { return F::layer_norm(x[0], {5}, x[1]); }},
        {"layer_norm.bias_only", {{2, 2, 5}, {5}}, [](const Ts& x) { return F::layer_norm(x[0], {5}, Tensor(), x[1]); }},
        {"layer_norm.rank3", {{2, 2, 2, 3}, {2, 2, 3}, {2, 2, 3}},
         [](const Ts& x) { return F::layer_norm(x[0], {2, 2, 3}, x[1], x[2]); }},
        {"embedding", {{5, 3}}, [](const Ts& x) {
           return F::embedding(indices(x[0], {0, 2, 2, 4}, {2, 2}), x[0]);
         },
         [](const Ts& x) {
           return reshape(index_select(x[0], 0, from_vector(std::vector<int64_t>{0, 2, 2, 4})), {2, 2, 3});
         }},
        {"local_response_norm", {{2, 5, 3, 2}}, [](const Ts& x) { return F::local_response_norm(x[0], 3, 0.1, 0.75, 1.0); }},
        // ---- functional: convolution and pooling ----
        {"conv2d", {{2, 2, 5, 4}, {3, 2, 3, 2}, {3}}, [](const Ts& x) { return F::conv2d(x[0], x[1], x[2], 1, 1); },
         [](const Ts& x) { return conv2d_by_slices(x[0], x[1], x[2], 1, 1); }},
        {"conv2d.strided", {{2, 2, 5, 5}, {3, 2, 3, 3}}, [](const Ts& x) { return F::conv2d(x[0], x[1], Tensor(), 2); },
         [](const Ts& x) { return conv2d_by_slices(x[0], x[1], Tensor(), 2, 0); }},
        {"conv2d.groups_dilation", {{2, 4, 6, 5}, {6, 2, 2, 2}, {6}},
         [](const Ts& x) { return F::conv2d(x[0], x[1], x[2], 1, 1, 2, 2); }},
        // A batch of one takes the sample-by-sample path, larger ones the per-thread path.
        {"conv2d.single_sample", {{1, 2, 4, 4}, {2, 2, 2, 2}, {2}}, [](const Ts& x) { return F::conv2d(x[0], x[1], x[2]); },
         [](const Ts& x) { return conv2d_by_slices(x[0], x[1], x[2], 1, 0); }},
        {"conv2d.pointwise", {{3, 3, 3, 4}, {2, 3, 1, 1}, {2}}, [](const Ts& x) { return F::conv2d(x[0], x[1], x[2]); },
         [](const Ts& x) { return conv2d_by_slices(x[0], x[1], x[2], 1, 0); }},
        {"conv2d.asymmetric", {{2, 2, 5, 5}, {3, 2, 3, 3}},
         [](const Ts& x) { return F::conv2d(x[0], x[1], Tensor(), {2, 1}, {1, 2}); }},
        {"conv_transpose2d", {{2, 3, 3, 2}, {3, 2, 2, 3}, {2}},
         [](const Ts& x) { return F::conv_transpose2d(x[0], x[1], x[2], 2, 1, 1); }},
        {"conv_transpose2d.groups_dilation", {{1, 4, 3, 3}, {4, 1, 2, 2}},
         [](const Ts& x) { return F::conv_transpose2d(x[0], x[1], Tensor(), 1, 0, 0, 2, 2); }},
        {"max_pool2d", {InputSpec({2, 2, 4, 4}).all_distinct()}, [](const Ts& x) { return F::max_pool2d(x[0], 2); },
         [](const Ts& x) {
           const Ts c = corners(x[0]);
           return maximum(maximum(c[0], c[1]), maximum(c[2], c[3]));
         }},
        {"max_pool2d.padded_ceil", {InputSpec({1, 2, 5, 7}).all_distinct()},
         [](const Ts& x) { return F::max_pool2d(x[0], {2, 3}, 2, 1, true); }},
        {"max_pool2d.overlapping", {InputSpec({3, 1, 5, 5}).all_distinct()},
         [](const Ts& x) { return F::max_pool2d(x[0], 3, 2, 1); }},
        {"avg_pool2d", {{2, 2, 4, 4}}, [](const Ts& x) { return F::avg_pool2d(x[0], 2); },
         [](const Ts& x) {
           const Ts c = corners(x[0]);
           return (c[0] + c[1] + c[2] + c[3]) * 0.25;
         }},
        {"avg_pool2d.padded", {{3, 1, 5, 6}}, [](const Ts& x) { return F::avg_pool2d(x[0], 3, 2, 1, false, false); }},
        {"avg_pool2d.ceil", {{1, 2, 6, 6}}, [](const Ts& x) { return F::avg_pool2d(x[0], 3, 2, 1, true, true); }},
        {"adaptive_avg_pool2d", {{2, 3, 4, 5}}, [](const Ts& x) { return F::adaptive_avg_pool2d(x[0], 1); },
         [](const Ts& x) { return mean(x[0], {2, 3}, true); }},
        {"adaptive_avg_pool2d.uneven", {{2, 2, 7, 5}}, [](const Ts& x) { return F::adaptive_avg_pool2d(x[0], {3, 2}); }},
        // ---- functional: losses ----
        {"cross_entropy", {InputSpec({5, 4}).range(-2, 2)}, [](const Ts& x) { return F::cross_entropy(x[0], labels().to(x[0].device())); },
         [](const Ts& x) { return -mean(gather(log_softmax(x[0], 1), 1, unsqueeze(labels(), 1))); }},
        {"cross_entropy.smoothed_ignoring", {InputSpec({5, 4}).range(-2, 2)}, [](const Ts& x) {
           return F::cross_entropy(x[0], indices(x[0], {2, -1, 3, -1, 0}),
                                   {F::Reduction::sum, 0.1, -1});
         }},
        {"cross_entropy.probabilities", {{3, 4}, InputSpec({3, 4}).constant()},
         [](const Ts& x) { return F::cross_entropy(x[0], softmax(x[1], 1), {F::Reduction::none}); },
         [](const Ts& x) { return -sum(softmax(x[1], 1) * log_softmax(x[0], 1), {1}); }},
        {"cross_entropy.single_sample", {{4}}, [](const Ts& x) {
           return F::cross_entropy(x[0], indices(x[0], {1}).reshape({}));
         },
         [](const Ts& x) { return -select(log_softmax(x[0], 0), 0, 1); }},
        {"nll_loss", {{5, 4}}, [](const Ts& x) { return F::nll_loss(x[0], labels().to(x[0].device()), F::Reduction::sum); },
         [](const Ts& x) { return -sum(gather(x[0], 1, unsqueeze(labels(), 1))); }},
        {"nll_loss.unreduced", {{5, 4}}, [](const Ts& x) { return F::nll_loss(x[0], labels().to(x[0].device()), F::Reduction::none); },
         [](const Ts& x) { return -reshape(gather(x[0], 1, unsqueeze(labels(), 1)), {5}); }},
        {"binary_cross_entropy_with_logits",
         {InputSpec({3, 4}).range(-3, 3), InputSpec({3, 4}).range(0, 1), InputSpec({4}).range(0.5, 3)},
         [](const Ts& x) { return F::binary_cross_entropy_with_logits(x[0], x[1], x[2], F::Reduction::none); },
         [](const Ts& x) { return x[2] * x[1] * log(1.0 + exp(neg(x[0]))) + (1.0 - x[1]) * log(1.0 + exp(x[0])); }},
        {"binary_cross_entropy_with_logits.mean", {InputSpec({3, 4}).range(-3, 3), InputSpec({3, 4}).range(0, 1)},
         [](const Ts& x) { return F::binary_cross_entropy_with_logits(x[0], x[1]); }},
        {"mse_loss", {{3, 4}, {3, 4}}, [](const Ts& x) { return F::mse_loss(x[0], x[1]); },
         [](const Ts& x) { return mean(pow(x[0] - x[1], 2.0)); }},
        // Differences on both sides of delta = 1: quadratic inside, linear outside.
        {"huber_loss", {{3, 4}, InputSpec({3, 4}).range(-0.3, 0.3)},
         [](const Ts& x) { return F::huber_loss(x[0] * 3.0, x[1], F::Reduction::none, 1.0); },
         [](const Ts& x) {
           const Tensor d = x[0] * 3.0 - x[1];
           return where(lt(abs(d.detach()), full({}, 1.0, d.dtype())), d * d * 0.5, abs(d) - 0.5);
         }},
        {"huber_loss.small_delta", {{3, 4}, InputSpec({3, 4}).range(-0.3, 0.3)},
         [](const Ts& x) { return F::huber_loss(x[0], x[1], F::Reduction::sum, 0.5); }},
        {"l1_penalty", {InputSpec({4}).range(0.1, 1), InputSpec({2, 2}).range(-1, -0.1)},
         [](const Ts& x) { return F::l1_penalty({x[0], x[1]}); },
         [](const Ts& x) { return sum(abs(x[0])) + sum(abs(x[1])); }},
        {"l2_penalty", {{3}, {2, 2}}, [](const Ts& x) { return F::l2_penalty({x[0], x[1]}); },
         [](const Ts& x) { return sum(x[0] * x[0]) + sum(x[1] * x[1]); }},
        // ---- functional: attention ----
        {"scaled_dot_product_attention", {{2, 3, 4}, {2, 5, 4}, {2, 5, 3}, InputSpec({3, 5}).range(-2, 2).constant()},
         [](const Ts& x) { return F::scaled_dot_product_attention(x[0], x[1], x[2], x[3]).output; },
         [](const Ts& x) { return attention_by_ops(x[0], x[1], x[2], x[3]); }},
        {"scaled_dot_product_attention.fused", {{2, 2, 3, 4}, {2, 2, 4, 4}, {2, 2, 4, 3}},
         [](const Ts& x) {
           return F::scaled_dot_product_attention(x[0], x[1], x[2], Tensor(), false, 0.0, true, false).output;
         },
         [](const Ts& x) { return attention_by_ops(x[0], x[1], x[2], Tensor()); }},
        {"scaled_dot_product_attention.causal_weights", {{2, 4, 3}, {2, 4, 3}, {2, 4, 2}},
         [](const Ts& x) { return F::scaled_dot_product_attention(x[0], x[1], x[2], Tensor(), true).weights; }},
        {"masked_softmax", {{2, 3, 4}, {3, 4}}, [](const Ts& x) { return F::masked_softmax(x[0], x[1]); },
         [](const Ts& x) { return softmax(x[0] + x[1], -1); }},
        {"masked_softmax.boolean_mask", {{2, 3, 5}}, [](const Ts& x) {
           const Tensor allowed = indices(x[0], {1, 0, 1, 1, 1, 1, 0, 1, 0, 0}, {2, 1, 5});
           return F::masked_softmax(x[0], allowed);
         }},

        // ---- remainders, trigonometry and erfinv (torch's elementwise maths) ----
        // The composites write a - q b with the quotient q from rounding, which records nothing:
        // the same value, and between the jumps the same gradient.
        {"fmod", {InputSpec({2, 3}).range(-3, 3), InputSpec({3}).range(0.5, 1.5)},
         [](const Ts& x) { return fmod(x[0], x[1]); },
         [](const Ts& x) { return x[0] - trunc(x[0] / x[1]) * x[1]; }},
        {"fmod.negative_divisor", {InputSpec({2, 3}).range(-3, 3), InputSpec({2, 3}).range(-1.5, -0.5)},
         [](const Ts& x) { return fmod(x[0], x[1]); },
         [](const Ts& x) { return x[0] - trunc(x[0] / x[1]) * x[1]; }},
        {"fmod.scalar", {InputSpec({6}).range(-3, 3)}, [](const Ts& x) { return fmod(x[0], -0.7); },
         [](const Ts& x) { return x[0] - trunc(x[0] / -0.7) * -0.7; }},
        {"remainder", {InputSpec({2, 3}).range(-3, 3), InputSpec({3}).range(0.5, 1.5)},
         [](const Ts& x) { return remainder(x[0], x[1]); },
         [](const Ts& x) { return x[0] - floor(x[0] / x[1]) * x[1]; }},
        {"remainder.negative_divisor", {InputSpec({2, 3}).range(-3, 3), InputSpec({2, 3}).range(-1.5, -0.5)},
         [](const Ts& x) { return remainder(x[0], x[1]); },
         [](const Ts& x) { return x[0] - floor(x[0] / x[1]) * x[1]; }},
        {"remainder.scalar", {InputSpec({6}).range(-3, 3)}, [](const Ts& x) { return remainder(x[0], 0.7); },
         [](const Ts& x) { return x[0] - floor(x[0] / 0.7) * 0.7; }},
        {"tan", {InputSpec({2, 3}).range(-1.2, 1.2)}, [](const Ts& x) { return tan(x[0]); },
         [](const Ts& x) { return sin(x[0]) / cos(x[0]); }},
        {"asin", {InputSpec({2, 3}).range(-0.9, 0.9)}, [](const Ts& x) { return asin(x[0]); }},
        {"acos", {InputSpec({2, 3}).range(-0.9, 0.9)}, [](const Ts& x) { return acos(x[0]); }},
        {"atan", {InputSpec({2, 3}).range(-3, 3)}, [](const Ts& x) { return atan(x[0]); }},
        // Every quadrant, with b broadcast; then the right half-plane, where atan2 is atan(a / b).
        {"atan2", {{2, 3}, {3}}, [](const Ts& x) { return atan2(x[0], x[1]); }},
        {"atan2.right_half_plane", {{2, 3}, InputSpec({2, 3}).range(0.5, 2)},
         [](const Ts& x) { return atan2(x[0], x[1]); }, [](const Ts& x) { return atan(x[0] / x[1]); }},
        {"sinh", {InputSpec({2, 3}).range(-2, 2)}, [](const Ts& x) { return sinh(x[0]); },
         [](const Ts& x) { return (exp(x[0]) - exp(neg(x[0]))) * 0.5; }},
        {"cosh", {InputSpec({2, 3}).range(-2, 2)}, [](const Ts& x) { return cosh(x[0]); },
         [](const Ts& x) { return (exp(x[0]) + exp(neg(x[0]))) * 0.5; }},
        {"asinh", {InputSpec({2, 3}).range(-3, 3)}, [](const Ts& x) { return asinh(x[0]); },
         [](const Ts& x) { return log(x[0] + sqrt(x[0] * x[0] + 1.0)); }},
        {"acosh", {InputSpec({2, 3}).range(1.2, 3)}, [](const Ts& x) { return acosh(x[0]); },
         [](const Ts& x) { return log(x[0] + sqrt(x[0] * x[0] - 1.0)); }},
        {"atanh", {InputSpec({2, 3}).range(-0.9, 0.9)}, [](const Ts& x) { return atanh(x[0]); },
         [](const Ts& x) { return log((1.0 + x[0]) / (1.0 - x[0])) * 0.5; }},
        {"erfinv", {InputSpec({2, 3}).range(-0.95, 0.95)}, [](const Ts& x) { return erfinv(x[0]); }},

        // ---- the activations of torch.nn: both sides of every kink ----
        {"elu", {InputSpec({8}).range(-2, 2)}, [](const Ts& x) { return elu(x[0], 1.3); },
         [](const Ts& x) { return relu(x[0]) + (exp(minimum(x[0], scalar_zero(x[0]))) - 1.0) * 1.3; }},
        {"selu", {InputSpec({8}).range(-2, 2)}, [](const Ts& x) { return selu(x[0]); },
         [](const Ts& x) {
           const double alpha = 1.6732632423543772848, scale = 1.0507009873554804934;
           return (relu(x[0]) + (exp(minimum(x[0], scalar_zero(x[0]))) - 1.0) * alpha) * scale;
         }},
        {"celu", {InputSpec({8}).range(-2, 2)}, [](const Ts& x) { return celu(x[0], 0.7); },
         [](const Ts& x) { return relu(x[0]) + (exp(minimum(x[0], scalar_zero(x[0])) / 0.7) - 1.0) * 0.7; }},
        {"softplus", {InputSpec({2, 3}).range(-3, 3)}, [](const Ts& x) { return softplus(x[0]); },
         [](const Ts& x) { return log(exp(x[0]) + 1.0); }},
        // beta x > threshold from x > 1.5 on: the linear side too.
        {"softplus.beta_threshold", {InputSpec({2, 4}).range(-3, 3)}, [](const Ts& x) { return softplus(x[0], 2, 3); }},
        {"softsign", {InputSpec({2, 3}).range(-3, 3)}, [](const Ts& x) { return softsign(x[0]); }},
        {"prelu", {{2, 3, 4}, InputSpec({3}).range(0.1, 0.5)}, [](const Ts& x) { return prelu(x[0], x[1]); },
         [](const Ts& x) {
           return relu(x[0]) + reshape(x[1], {3, 1}) * minimum(x[0], scalar_zero(x[0]));
         }},
        {"prelu.shared_slope", {{2, 5}, InputSpec({1}).range(0.1, 0.5)}, [](const Ts& x) { return prelu(x[0], x[1]); },
         [](const Ts& x) { return relu(x[0]) + x[1] * minimum(x[0], scalar_zero(x[0])); }},
        {"hardtanh", {InputSpec({8}).range(-2, 2)}, [](const Ts& x) { return hardtanh(x[0]); },
         [](const Ts& x) { return clamp(x[0], -1, 1); }},
        {"hardtanh.bounds", {InputSpec({8}).range(-1, 1)}, [](const Ts& x) { return hardtanh(x[0], -0.5, 0.25); }},
        {"hardsigmoid", {InputSpec({8}).range(-4, 4)}, [](const Ts& x) { return hardsigmoid(x[0]); },
         [](const Ts& x) { return clamp(x[0] + 3.0, 0, 6) / 6.0; }},
        {"hardswish", {InputSpec({8}).range(-4, 4)}, [](const Ts& x) { return hardswish(x[0]); },
         [](const Ts& x) { return x[0] * clamp(x[0] + 3.0, 0, 6) / 6.0; }},
        {"silu", {InputSpec({2, 3}).range(-3, 3)}, [](const Ts& x) { return silu(x[0]); }},
        {"mish", {InputSpec({2, 3}).range(-3, 3)}, [](const Ts& x) { return mish(x[0]); }},
    };
    // ---- functional: the recurrent sequence op, every cell, both directions ----
    for (auto kind : {F::RecurrentCellKind::rnn_tanh, F::RecurrentCellKind::rnn_relu,
                      F::RecurrentCellKind::lstm, F::RecurrentCellKind::gru})
      t.push_back(recurrent_entry(kind, kind == F::RecurrentCellKind::gru));

    // Inputs at which the kernels fork (kParallelThreshold elements and up), so that the threads
    // check compares a threaded run with a serial one.
    const std::vector<std::pair<std::string, std::vector<InputSpec>>> threaded{
        {"add", {{256, 256}, {256}}},
        {"exp", {{256, 256}}},
        {"softmax", {{256, 256}}},
        {"sum.axes_keepdim", {{64, 32, 32}}},
        {"index_select", {{16384, 3}}},
        {"batch_norm", {{16384, 3}, {3}, {3}}},
        {"layer_norm", {{8192, 4}, {4}, {4}}},
        {"conv2d", {{16, 2, 32, 32}, {3, 2, 3, 2}, {3}}},
        {"max_pool2d", {InputSpec({8, 8, 32, 32}).all_distinct()}},
        {"avg_pool2d", {{8, 8, 32, 32}}},
        {"scaled_dot_product_attention.fused", {{4, 4, 64, 16}, {4, 4, 64, 16}, {4, 4, 64, 16}}},
        {"masked_softmax", {{64, 32, 32}, {32, 32}}},
    };
    for (const auto& [name, inputs] : threaded) {
      auto entry = std::find_if(t.begin(), t.end(), [&](const OpEntry& e) { return e.name == name; });
      if (entry == t.end()) throw Error("op table: threaded inputs for " + name + ", which has no entry");
      entry->threaded_inputs = inputs;
    }
    return t;
  }();
  return table;
}

}  // namespace nabla::test_support
