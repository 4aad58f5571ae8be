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
      {"eq", "comparison: a bool constant"},
      {"ne", "comparison"},
      {"lt", "comparison"},
      {"le", "comparison"},
      {"gt", "comparison"},
      {"ge", "comparison"},
      {"logical_and", "logical: a bool constant"},
      {"logical_or", "logical"},
      {"logical_xor", "logical"},
      {"logical_not", "logical"},
      {"isnan", "a float class: a bool constant"},
      {"isinf", "a float class"},
      {"isfinite", "a float class"},
      {"argmax", "indices"},
      {"argmin", "indices"},
      {"allclose", "a bool"},
      {"causal_mask", "a constant mask"},
      {"additive_mask", "converts a mask; masks are tested through the attention entries"},
      {"gate_count", "a number"},
      {"cell_name", "a name"},
      {"recurrent_sequence_reference", "the composite of the recurrent_sequence entries"},
      // tensor ops (src/ops/sort.cpp, position_masks.cpp)
      {"argsort", "indices"},
      {"one_hot", "an i64 encoding of i64 indices"},
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
// the entry runs on any device (tests/device/gradcheck_device_seam.cpp).
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

// The eight 2x2x2 windows' corners of x [N, C, D, H, W] (D, H, W even), for 3-D pooling composites.
inline Ts volume_corners(const Tensor& x) {
  Ts out;
  for (int64_t d = 0; d < 2; ++d)
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t j = 0; j < 2; ++j)
        out.push_back(slice(slice(slice(x, 2, d, std::nullopt, 2), 3, i, std::nullopt, 2), 4, j, std::nullopt, 2));
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

// The diagonal of a square matrix, element by element.
inline Tensor diagonal_by_selects(const Tensor& m) {
  Ts elements;
  for (int64_t i = 0; i < m.size(0); ++i) elements.push_back(select(select(m, 0, i), 0, i));
  return stack(elements);
}

// A constant of x's dtype on x's device: 0/1 masks that put exact zeros into an op's input.
inline Tensor mask_like(const Tensor& x, const std::vector<int64_t>& values, const Shape& shape) {
  return cast(indices(x, values, shape), x.dtype());
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
         [](const Ts& x) { return F::max_pool2d(x[0], {2, 3}, 2, 1, 1, true); }},
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
        // ---- functional: 1-D convolution and pooling, dilated pooling, unpooling, padding modes,
        // group and instance norm, bilinear, similarity and distance ----
        {"conv1d", {{2, 2, 7}, {3, 2, 3}, {3}}, [](const Ts& x) { return F::conv1d(x[0], x[1], x[2], 2, 1); },
         [](const Ts& x) { return squeeze(conv2d_by_slices(unsqueeze(pad(x[0], {1, 1}), 2), unsqueeze(x[1], 2), x[2], 2, 0), 2); }},
        {"conv1d.groups_dilation", {{2, 4, 9}, {6, 2, 3}, {6}}, [](const Ts& x) { return F::conv1d(x[0], x[1], x[2], 1, 2, 2, 2); }},
        {"max_pool1d", {InputSpec({2, 3, 8}).all_distinct()}, [](const Ts& x) { return F::max_pool1d(x[0], 2); },
         [](const Ts& x) { return maximum(slice(x[0], 2, 0, std::nullopt, 2), slice(x[0], 2, 1, std::nullopt, 2)); }},
        {"max_pool1d.dilated_padded_ceil", {InputSpec({2, 2, 10}).all_distinct()},
         [](const Ts& x) { return F::max_pool1d(x[0], 3, 2, 1, 2, true); }},
        {"max_pool1d_with_indices", {InputSpec({1, 2, 7}).all_distinct()},
         [](const Ts& x) { return F::max_pool1d_with_indices(x[0], 3, 2).output; }},
        // Taps two apart: each output is the maximum of four strided corners of the input.
        {"max_pool2d.dilated", {InputSpec({1, 2, 5, 6}).all_distinct()}, [](const Ts& x) { return F::max_pool2d(x[0], 2, 1, 0, 2); },
         [](const Ts& x) {
           const auto tap = [&](int64_t i, int64_t j) { return slice(slice(x[0], 2, i, i + 3), 3, j, j + 4); };
           return maximum(maximum(tap(0, 0), tap(0, 2)), maximum(tap(2, 0), tap(2, 2)));
         }},
        {"max_pool2d.dilated_padded", {InputSpec({2, 1, 6, 5}).all_distinct()},
         [](const Ts& x) { return F::max_pool2d(x[0], 3, F::Size2(2, 1), 1, F::Size2(2, 1)); }},
        {"max_pool2d_with_indices", {InputSpec({2, 2, 4, 4}).all_distinct()},
         [](const Ts& x) { return F::max_pool2d_with_indices(x[0], 2).output; }},
        {"avg_pool1d", {{2, 3, 8}}, [](const Ts& x) { return F::avg_pool1d(x[0], 2); },
         [](const Ts& x) { return (slice(x[0], 2, 0, std::nullopt, 2) + slice(x[0], 2, 1, std::nullopt, 2)) * 0.5; }},
        {"avg_pool1d.padded_ceil", {{2, 2, 7}}, [](const Ts& x) { return F::avg_pool1d(x[0], 3, 2, 1, true, false); }},
        // Indices as 2x2 max pooling of a 4x4 plane gives them: one position in each window.
        {"max_unpool2d", {{2, 2, 2, 2}}, [](const Ts& x) {
           return F::max_unpool2d(x[0], indices(x[0], {1, 2, 12, 15, 0, 7, 9, 10, 5, 3, 13, 14, 4, 6, 8, 11}, {2, 2, 2, 2}), 2);
         }},
        {"max_unpool2d.output_size", {{1, 2, 2, 2}}, [](const Ts& x) {
           return F::max_unpool2d(x[0], indices(x[0], {1, 2, 12, 24, 0, 3, 20, 18}, {1, 2, 2, 2}), 2, std::nullopt, 0,
                                  F::Size2(5, 5));
         }},
        {"pad.reflect", {{2, 3, 5}}, [](const Ts& x) { return pad(x[0], {2, 1, 1, 2}, PadMode::reflect); },
         [](const Ts& x) {
           const Tensor rows = concat({slice(x[0], 2, 2, 3), slice(x[0], 2, 1, 2), x[0], slice(x[0], 2, 3, 4)}, 2);
           return concat({slice(rows, 1, 1, 2), rows, slice(rows, 1, 1, 2), slice(rows, 1, 0, 1)}, 1);
         }},
        {"pad.replicate", {{2, 3, 4}}, [](const Ts& x) { return pad(x[0] * x[0], {3, 0, 2, 2}, PadMode::replicate); }},
        {"pad.circular", {{2, 4}}, [](const Ts& x) { return pad(x[0], {4, 1}, PadMode::circular); },
         [](const Ts& x) { return concat({x[0], x[0], slice(x[0], 1, 0, 1)}, 1); }},
        {"group_norm", {{2, 4, 3}, {4}, {4}}, [](const Ts& x) { return F::group_norm(x[0], 2, x[1], x[2]); },
         [](const Ts& x) {
           const Tensor groups = reshape(x[0], {2, 2, 6});
           const Tensor centred = groups - mean(groups, {2}, true);
           const Tensor normalised = reshape(centred / sqrt(mean(centred * centred, {2}, true) + 1e-5), {2, 4, 3});
           return normalised * reshape(x[1], {4, 1}) + reshape(x[2], {4, 1});
         }},
        {"group_norm.images_no_affine", {{2, 6, 2, 2}}, [](const Ts& x) { return F::group_norm(x[0], 3); }},
        {"instance_norm", {{2, 3, 4}, {3}, {3}}, [](const Ts& x) { return F::instance_norm(x[0], Tensor(), Tensor(), x[1], x[2]); },
         [](const Ts& x) {
           const Tensor centred = x[0] - mean(x[0], {2}, true);
           return centred / sqrt(mean(centred * centred, {2}, true) + 1e-5) * reshape(x[1], {3, 1}) + reshape(x[2], {3, 1});
         }},
        {"instance_norm.images_no_affine", {{2, 2, 3, 2}}, [](const Ts& x) { return F::instance_norm(x[0]); }},
        {"instance_norm.eval", {{2, 3, 2, 2}, InputSpec({3}).constant(), InputSpec({3}).range(0.5, 1.5).constant(), {3}, {3}},
         [](const Ts& x) { return F::instance_norm(x[0], x[1], x[2], x[3], x[4], false); },
         [](const Ts& x) {
           const Shape c{3, 1, 1};
           return (x[0] - reshape(x[1], c)) / sqrt(reshape(x[2], c) + 1e-5) * reshape(x[3], c) + reshape(x[4], c);
         }},
        {"bilinear", {{3, 2}, {3, 4}, {5, 2, 4}, {5}}, [](const Ts& x) { return F::bilinear(x[0], x[1], x[2], x[3]); },
         [](const Ts& x) {
           Ts outputs;
           for (int64_t k = 0; k < 5; ++k) outputs.push_back(sum(matmul(x[0], select(x[2], 0, k)) * x[1], {1}));
           return stack(outputs, 1) + x[3];
         }},
        {"bilinear.batched_no_bias", {{2, 3, 2}, {2, 3, 3}, {4, 2, 3}}, [](const Ts& x) { return F::bilinear(x[0], x[1], x[2]); }},
        {"cosine_similarity", {{3, 4}, {3, 4}}, [](const Ts& x) { return F::cosine_similarity(x[0], x[1]); },
         [](const Ts& x) { return sum(x[0] * x[1], {1}) / (sqrt(sum(x[0] * x[0], {1})) * sqrt(sum(x[1] * x[1], {1}))); }},
        {"cosine_similarity.broadcast_last_axis", {{2, 3, 4}, {3, 4}}, [](const Ts& x) { return F::cosine_similarity(x[0], x[1], -1); }},
        {"pairwise_distance", {{3, 4}, {3, 4}}, [](const Ts& x) { return F::pairwise_distance(x[0], x[1]); },
         [](const Ts& x) {
           const Tensor d = x[0] - x[1] + 1e-6;
           return sqrt(sum(d * d, {1}));
         }},
        {"pairwise_distance.p1_keepdim", {{2, 3, 4}, {4}}, [](const Ts& x) { return F::pairwise_distance(x[0], x[1], 1.0, 1e-6, true); }},
        {"pairwise_distance.p3", {{3, 4}, {3, 4}}, [](const Ts& x) { return F::pairwise_distance(x[0], x[1], 3.0); }},
        {"interpolate.nearest_scale2", {{2, 2, 3, 3}}, [](const Ts& x) { return F::interpolate(x[0], {.scale_factor = 2.0}); },
         [](const Ts& x) {
           const Tensor doubled = indices(x[0], {0, 0, 1, 1, 2, 2});
           return index_select(index_select(x[0], 2, doubled), 3, doubled);
         }},
        {"interpolate.nearest_downsample", {{1, 2, 7, 6}}, [](const Ts& x) { return F::interpolate(x[0], {.size = F::Size2(3, 4)}); }},
        {"interpolate.bilinear", {{2, 1, 3, 4}}, [](const Ts& x) {
           return F::interpolate(x[0], {.size = F::Size2(5, 7), .mode = F::InterpolateMode::bilinear});
         }},
        // Corners aligned, 2 -> 3 along each axis: the middle output is the mean of its neighbours.
        {"interpolate.bilinear_align_corners", {{1, 2, 2, 2}}, [](const Ts& x) {
           return F::interpolate(x[0], {.size = F::Size2(3, 3), .mode = F::InterpolateMode::bilinear, .align_corners = true});
         },
         [](const Ts& x) {
           const auto middle = [](const Tensor& t, int64_t axis) {
             const Tensor first = slice(t, axis, 0, 1), last = slice(t, axis, 1, 2);
             return concat({first, (first + last) * 0.5, last}, axis);
           };
           return middle(middle(x[0], 2), 3);
         }},
        {"interpolate.bilinear_scale", {{1, 2, 4, 5}}, [](const Ts& x) {
           return F::interpolate(x[0], {.scale_factor = 1.5, .mode = F::InterpolateMode::bilinear});
         }},
        {"pixel_shuffle", {{2, 8, 2, 3}}, [](const Ts& x) { return F::pixel_shuffle(x[0], 2); }},
        {"pixel_unshuffle", {{2, 2, 4, 6}}, [](const Ts& x) { return F::pixel_unshuffle(x[0] * x[0], 2); }},
        {"conv3d", {{1, 2, 4, 4, 3}, {3, 2, 2, 3, 2}, {3}}, [](const Ts& x) { return F::conv3d(x[0], x[1], x[2], 1, {1, 0, 1}); }},
        {"conv3d.strided_dilated_groups", {{2, 4, 5, 4, 4}, {4, 2, 2, 2, 2}},
         [](const Ts& x) { return F::conv3d(x[0], x[1], Tensor(), {2, 1, 1}, 0, {1, 2, 1}, 2); }},
        // 2x2x2 windows: the maximum (and the mean) of eight strided corners.
        {"max_pool3d", {InputSpec({1, 2, 4, 4, 4}).all_distinct()}, [](const Ts& x) { return F::max_pool3d(x[0], 2); },
         [](const Ts& x) {
           Tensor best;
           for (const Tensor& c : volume_corners(x[0])) best = best.defined() ? maximum(best, c) : c;
           return best;
         }},
        {"max_pool3d.padded_dilated", {InputSpec({1, 1, 5, 6, 5}).all_distinct()},
         [](const Ts& x) { return F::max_pool3d(x[0], {3, 2, 3}, F::Size3(2, 1, 2), 1, {1, 2, 1}); }},
        {"avg_pool3d", {{1, 2, 4, 4, 4}}, [](const Ts& x) { return F::avg_pool3d(x[0], 2); },
         [](const Ts& x) {
           Tensor total;
           for (const Tensor& c : volume_corners(x[0])) total = total.defined() ? total + c : c;
           return total * 0.125;
         }},
        {"avg_pool3d.padded_ceil_exclude", {{1, 1, 5, 5, 4}}, [](const Ts& x) { return F::avg_pool3d(x[0], 3, 2, 1, true, false); }},
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
        // ---- class weights (PyTorch's weighted mean: divided by the counted rows' target weights) ----
        {"cross_entropy.class_weights", {InputSpec({5, 4}).range(-2, 2), InputSpec({4}).range(0.5, 2).constant()},
         [](const Ts& x) { return F::cross_entropy(x[0], labels().to(x[0].device()), {.weight = x[1]}); },
         [](const Ts& x) {
           const Tensor target_weight = index_select(x[1], 0, labels());
           const Tensor picked = reshape(gather(log_softmax(x[0], 1), 1, unsqueeze(labels(), 1)), {5});
           return -sum(target_weight * picked) / sum(target_weight);
         }},
        // ignore_index 1 is a real class here: rows 1 and 3 count for nothing, in the sum or the mean.
        {"cross_entropy.class_weights_smoothed_ignoring", {InputSpec({5, 4}).range(-2, 2), InputSpec({4}).range(0.5, 2).constant()},
         [](const Ts& x) {
           return F::cross_entropy(x[0], indices(x[0], {2, 1, 3, 1, 0}), {F::Reduction::mean, 0.2, 1, x[1]});
         },
         [](const Ts& x) {
           const Tensor logp = log_softmax(x[0], 1);
           const Tensor targets = from_vector(std::vector<int64_t>{2, 0, 3, 0, 0});
           const Tensor counted = from_vector(std::vector<double>{1, 0, 1, 0, 1}, {5}, x[0].dtype());
           const Tensor target_weight = index_select(x[1], 0, targets) * counted;
           const Tensor nll = -reshape(gather(logp, 1, unsqueeze(targets, 1)), {5});
           const Tensor smooth = -sum(logp * x[1], {1}) * counted;
           return sum(target_weight * nll * 0.8 + smooth * (0.2 / 4)) / sum(target_weight);
         }},
        {"cross_entropy.class_weights_unreduced", {InputSpec({5, 4}).range(-2, 2), InputSpec({4}).range(0.5, 2).constant()},
         [](const Ts& x) {
           return F::cross_entropy(x[0], labels().to(x[0].device()), {F::Reduction::none, 0.1, -100, x[1]});
         }},
        {"cross_entropy.probabilities_weighted", {{3, 4}, InputSpec({3, 4}).constant(), InputSpec({4}).range(0.5, 2).constant()},
         [](const Ts& x) { return F::cross_entropy(x[0], softmax(x[1], 1), {.weight = x[2]}); },
         [](const Ts& x) { return mean(-sum(softmax(x[1], 1) * x[2] * log_softmax(x[0], 1), {1})); }},
        {"nll_loss.class_weights_ignoring", {{5, 4}, InputSpec({4}).range(0.5, 2).constant()},
         [](const Ts& x) { return F::nll_loss(x[0], labels().to(x[0].device()), F::Reduction::mean, 0, x[1]); },
         [](const Ts& x) {
           // labels() = {2, 0, 3, 1, 3}: row 1's target is class 0, the ignored one.
           const Tensor counted = from_vector(std::vector<double>{1, 0, 1, 1, 1}, {5}, x[0].dtype());
           const Tensor target_weight = index_select(x[1], 0, labels()) * counted;
           return -sum(target_weight * reshape(gather(x[0], 1, unsqueeze(labels(), 1)), {5})) / sum(target_weight);
         }},
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
        // ---- tensor ops: triangles, scans, products, norms, sorting, repetition, einsum ----
        {"tril", {{3, 4}}, [](const Ts& x) { return tril(x[0]); },
         [](const Ts& x) { return x[0] * mask_like(x[0], {1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0}, {3, 4}); }},
        {"tril.offset_batched", {{2, 3, 3}}, [](const Ts& x) { return tril(x[0], -1) * x[0]; }},
        {"triu", {{4, 3}}, [](const Ts& x) { return triu(x[0], 1); },
         [](const Ts& x) { return x[0] * mask_like(x[0], {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0}, {4, 3}); }},
        {"cumsum", {{3, 4}}, [](const Ts& x) { return cumsum(x[0], 1) * x[0]; },
         [](const Ts& x) {
           const Tensor upper_ones = mask_like(x[0], {1, 1, 1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1}, {4, 4});
           return matmul(x[0], upper_ones) * x[0];
         }},
        {"cumsum.axis0", {{4, 2, 3}}, [](const Ts& x) { return cumsum(x[0], 0); }},
        {"cumprod", {InputSpec({3, 4}).range(0.5, 1.5)}, [](const Ts& x) { return cumprod(x[0], -1); },
         [](const Ts& x) { return exp(cumsum(log(x[0]), -1)); }},
        // Rows without a zero, with one, with two, and with a zero first: every case of the gradient.
        {"cumprod.with_zeros", {{4, 4}}, [](const Ts& x) {
           return cumprod(x[0] * mask_like(x[0], {1, 1, 1, 1, 1, 0, 1, 1, 1, 0, 1, 0, 0, 1, 1, 1}, {4, 4}), 1);
         }},
        {"cumprod.axis0", {{4, 3}}, [](const Ts& x) { return cumprod(x[0], 0) * x[0]; }},
        {"prod", {{3, 4}}, [](const Ts& x) { return prod(x[0], 1); },
         [](const Ts& x) { return select(x[0], 1, 0) * select(x[0], 1, 1) * select(x[0], 1, 2) * select(x[0], 1, 3); }},
        {"prod.all_keepdim", {InputSpec({2, 3}).range(0.5, 1.5)}, [](const Ts& x) { return prod(x[0], std::nullopt, true); }},
        {"prod.with_zeros", {{3, 3}}, [](const Ts& x) {
           return prod(x[0] * mask_like(x[0], {1, 0, 1, 1, 1, 0, 1, 1, 0}, {3, 3}), 0);
         }},
        {"norm", {{3, 4}}, [](const Ts& x) { return norm(x[0]); },
         [](const Ts& x) { return sqrt(sum(x[0] * x[0])); }},
        {"norm.frobenius_keepdim", {{2, 3, 4}}, [](const Ts& x) { return norm(x[0], 2, {0, 2}, true); },
         [](const Ts& x) { return sqrt(sum(x[0] * x[0], {0, 2}, true)); }},
        {"norm.l1", {{3, 4}}, [](const Ts& x) { return norm(x[0], 1, {1}); },
         [](const Ts& x) { return sum(abs(x[0]), {1}); }},
        {"norm.inf", {InputSpec({3, 4}).range(-1.1, -0.1).all_distinct()},
         [](const Ts& x) { return norm(x[0], INFINITY, {0}); }},
        {"norm.minus_inf_axes", {InputSpec({2, 3, 2}).range(0.1, 1.1).all_distinct()},
         [](const Ts& x) { return norm(x[0], -INFINITY, {0, 2}); }},
        {"norm.p3", {{3, 4}}, [](const Ts& x) { return norm(x[0], 3, {-1}); },
         [](const Ts& x) { return pow(sum(pow(abs(x[0]), 3.0), {-1}), 1.0 / 3.0); }},
        {"norm.p1_5", {InputSpec({3, 4}).range(0.2, 1)}, [](const Ts& x) { return norm(x[0], 1.5, {0}); }},
        {"sort", {InputSpec({3, 5}).all_distinct()}, [](const Ts& x) { return sort(x[0], 1).values * x[0]; }},
        {"sort.descending_axis0", {InputSpec({4, 3}).all_distinct()}, [](const Ts& x) { return sort(x[0], 0, true).values; }},
        {"topk", {InputSpec({3, 6}).all_distinct()}, [](const Ts& x) { return pow(topk(x[0], 2).values, 2.0); }},
        {"topk.smallest_axis0", {InputSpec({5, 2}).all_distinct()}, [](const Ts& x) { return topk(x[0], 3, 0, false).values; }},
        {"repeat", {{2, 3}}, [](const Ts& x) { return repeat(x[0], {2, 3}) * repeat(x[0], {2, 3}); },
         [](const Ts& x) {
           const Tensor rows = concat({x[0], x[0]}, 0), both = concat({rows, rows, rows}, 1);
           return both * both;
         }},
        {"repeat.new_axis", {{3}}, [](const Ts& x) { return repeat(x[0], {2, 2}); }},
        {"tile", {{2, 3}}, [](const Ts& x) { return tile(x[0], {2}); },
         [](const Ts& x) { return concat({x[0], x[0]}, 1); }},
        {"flip", {{2, 3, 4}}, [](const Ts& x) { return flip(x[0], {0, 2}) * x[0]; },
         [](const Ts& x) {
           return index_select(index_select(x[0], 0, indices(x[0], {1, 0})), 2, indices(x[0], {3, 2, 1, 0})) * x[0];
         }},
        {"roll", {{3, 4}}, [](const Ts& x) { return roll(x[0], 1, 1) * x[0]; },
         [](const Ts& x) { return index_select(x[0], 1, indices(x[0], {3, 0, 1, 2})) * x[0]; }},
        {"roll.flattened", {{3, 4}}, [](const Ts& x) { return roll(x[0], -5); }},
        {"roll.axes", {{2, 3, 4}}, [](const Ts& x) { return roll(x[0], {1, -2}, {0, 2}); }},
        {"einsum.matmul", {{2, 3}, {3, 4}}, [](const Ts& x) { return einsum("ij,jk->ik", {x[0], x[1]}); },
         [](const Ts& x) { return matmul(x[0], x[1]); }},
        {"einsum.batched_matmul", {{2, 2, 3}, {2, 3, 2}}, [](const Ts& x) { return einsum("bij,bjk->bik", {x[0], x[1]}); },
         [](const Ts& x) { return matmul(x[0], x[1]); }},
        {"einsum.transpose", {{2, 3}}, [](const Ts& x) { return einsum("ij->ji", {x[0]}); },
         [](const Ts& x) { return transpose(x[0], 0, 1); }},
        {"einsum.trace", {{3, 3}}, [](const Ts& x) { return einsum("ii", {x[0] * x[0]}); },
         [](const Ts& x) { return sum(diagonal_by_selects(x[0] * x[0])); }},
        {"einsum.diagonal", {{3, 3}}, [](const Ts& x) { return einsum("ii->i", {x[0]}); },
         [](const Ts& x) { return diagonal_by_selects(x[0]); }},
        {"einsum.outer", {{3}, {2}}, [](const Ts& x) { return einsum("i,j->ij", {x[0], x[1]}); },
         [](const Ts& x) { return unsqueeze(x[0], 1) * unsqueeze(x[1], 0); }},
        {"einsum.sum", {{2, 3, 2}}, [](const Ts& x) { return einsum("ijk->j", {x[0] * x[0]}); },
         [](const Ts& x) { return sum(x[0] * x[0], {0, 2}); }},
        {"einsum.implicit", {{2, 3}, {3, 2}}, [](const Ts& x) { return einsum("ij,jk", {x[0], x[1]}); },
         [](const Ts& x) { return matmul(x[0], x[1]); }},
        {"einsum.ellipsis", {{2, 2, 3}, {3, 2}}, [](const Ts& x) { return einsum("...ij,...jk->...ik", {x[0], x[1]}); },
         [](const Ts& x) { return matmul(x[0], x[1]); }},
        {"einsum.bilinear", {{2, 3}, {3, 4}, {2, 4}}, [](const Ts& x) { return einsum("bi,ij,bj->b", {x[0], x[1], x[2]}); },
         [](const Ts& x) { return sum(matmul(x[0], x[1]) * x[2], {1}); }},
        {"einsum.broadcast_batch", {{2, 3}, {1, 3}}, [](const Ts& x) { return einsum("ij,ij->i", {x[0], x[1]}); },
         [](const Ts& x) { return sum(x[0] * x[1], {1}); }},

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
        // tensor ops
        {"cumsum", {{64, 512}}},
        {"cumprod", {InputSpec({64, 512}).range(0.5, 1.5)}},
        {"sort", {InputSpec({256, 128}).all_distinct()}},
        {"flip", {{32, 32, 32}}},
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
