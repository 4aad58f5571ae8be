// Fused differentiable functions for neural networks (torch.nn.functional). Each one computes its
// forward in one pass where that saves copies (linear: one GEMM; cross_entropy: log-softmax and
// NLL in one loop) and states its backward with ordinary ops, so second derivatives work.
//
// The losses reduce with Reduction::mean (default), sum or none, as PyTorch's.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(CORE);
#include <concepts>
#include <cstdint>
#include <optional>
#include <vector>

#include "nabla/tensor.h"

namespace nabla::functional {

enum class Reduction { none, mean, sum };

// ---- layers ------------------------------------------------------------------------------------
// y = x W^T + b for x [..., in], weight [out, in], bias [out] (may be undefined).
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());

// Inverted dropout: zeroes each element with probability p and scales the survivors by 1/(1-p),
// so evaluation needs no rescaling. The mask comes from default_generator(). Identity when
// !training or p == 0.
Tensor dropout(const Tensor& x, double p = 0.5, bool training = true);

// Batch normalisation over x [N, C], [N, C, L] or [N, C, H, W], per channel C. In training the batch statistics
// normalise x and update running_mean/running_var in place (when defined), with momentum and the
// unbiased batch variance, as PyTorch; in evaluation the running statistics normalise x.
// weight/bias [C] may be undefined (no affine transform).
Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight, const Tensor& bias, bool training, double momentum = 0.1,
                  double eps = 1e-5);

// Normalises over the trailing axes given by normalized_shape; weight/bias of that shape (or
// undefined).
Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight = Tensor(),
                  const Tensor& bias = Tensor(), double eps = 1e-5);

// Rows of weight [num_embeddings, dim] picked by i64 indices of any shape: indices.shape + [dim].
// The gradient scatter-adds into the touched rows only.
Tensor embedding(const Tensor& indices, const Tensor& weight);

// ---- convolution and pooling over images [N, C, H, W] ---------------------------------------------
// A height/width pair; one number means the same for both, as PyTorch's int-or-tuple arguments.
struct Size2 {
  Size2(int64_t both) : h(both), w(both) {}  // NOLINT: implicit, so `stride = 2` reads naturally
  Size2(int64_t h, int64_t w) : h(h), w(w) {}
  // A bool is not a size: a ceil_mode flag passed where a size goes must not compile.
  template <std::same_as<bool> B>
  Size2(B) = delete;
  bool operator==(const Size2&) const = default;
  int64_t h, w;
};

// Cross-correlation (torch.nn.functional.conv2d): x [N, C_in, H, W], weight
// [C_out, C_in / groups, kH, kW], bias [C_out] or undefined; output [N, C_out, H_out, W_out] with
// H_out = (H + 2 pad - dilation (kH - 1) - 1) / stride + 1. Computed by im2col and one GEMM per
// sample and group; the input gradient is conv_transpose2d, so it differentiates again.
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(), Size2 stride = 1,
              Size2 padding = 0, Size2 dilation = 1, int64_t groups = 1);

// Cross-correlation over sequences (torch.nn.functional.conv1d): x [N, C_in, L], weight
// [C_out, C_in / groups, K]; L_out = (L + 2 pad - dilation (K - 1) - 1) / stride + 1. Runs as
// conv2d over [N, C_in, 1, L].
Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(), int64_t stride = 1,
              int64_t padding = 0, int64_t dilation = 1, int64_t groups = 1);

// The adjoint of conv2d (torch.nn.functional.conv_transpose2d, "deconvolution"): x [N, C_in, H, W],
// weight [C_in, C_out / groups, kH, kW]; H_out = (H - 1) stride - 2 pad + dilation (kH - 1) +
// output_padding + 1. Upsamples in GAN generators.
Tensor conv_transpose2d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(),
                        Size2 stride = 1, Size2 padding = 0, Size2 output_padding = 0,
                        int64_t groups = 1, Size2 dilation = 1);

// Maximum over each window of kernel taps `dilation` apart; padding counts as -infinity. stride
// defaults to the kernel size. ceil_mode rounds the output size up (windows may then hang over the
// bottom/right edge). The backward sends each gradient to the position of its window's maximum.
// The arguments come in PyTorch's order.
Tensor max_pool2d(const Tensor& x, Size2 kernel, std::optional<Size2> stride = std::nullopt,
                  Size2 padding = 0, Size2 dilation = 1, bool ceil_mode = false);

// Max pooling's output and where each maximum is: `indices` (i64, the output's shape) holds the
// flat position h * W + w of the maximum within its input plane (the position along L for 1-D
// pooling), what max_unpool2d takes (PyTorch's return_indices = True).
struct MaxPoolResult {
  Tensor output, indices;
};
MaxPoolResult max_pool2d_with_indices(const Tensor& x, Size2 kernel,
                                      std::optional<Size2> stride = std::nullopt, Size2 padding = 0,
                                      Size2 dilation = 1, bool ceil_mode = false);

// Mean over each window. count_include_pad: zero padding counts in the divisor (PyTorch's default).
Tensor avg_pool2d(const Tensor& x, Size2 kernel, std::optional<Size2> stride = std::nullopt,
                  Size2 padding = 0, bool ceil_mode = false, bool count_include_pad = true);

// The same poolings over sequences [N, C, L] (they run as 2-D pooling over [N, C, 1, L]).
Tensor max_pool1d(const Tensor& x, int64_t kernel, std::optional<int64_t> stride = std::nullopt,
                  int64_t padding = 0, int64_t dilation = 1, bool ceil_mode = false);
MaxPoolResult max_pool1d_with_indices(const Tensor& x, int64_t kernel,
                                      std::optional<int64_t> stride = std::nullopt,
                                      int64_t padding = 0, int64_t dilation = 1,
                                      bool ceil_mode = false);
Tensor avg_pool1d(const Tensor& x, int64_t kernel, std::optional<int64_t> stride = std::nullopt,
                  int64_t padding = 0, bool ceil_mode = false, bool count_include_pad = true);

// The partial inverse of max_pool2d (torch.nn.functional.max_unpool2d): x [N, C, h, w] and the
// indices max_pool2d_with_indices gave with it; each value goes back to the position its index
// names, every other position is zero. The output is [N, C, H, W] with H = (h - 1) stride -
// 2 padding + kernel (likewise W), or output_size, which may differ from that by less than a
// stride. The gradient gathers from the same positions.
Tensor max_unpool2d(const Tensor& x, const Tensor& indices, Size2 kernel,
                    std::optional<Size2> stride = std::nullopt, Size2 padding = 0,
                    std::optional<Size2> output_size = std::nullopt);

// Mean over output_size windows that tile the input as evenly as possible (window i along an axis
// of length L covers [floor(i L / out), ceil((i + 1) L / out))); output_size 1 is global average
// pooling.
Tensor adaptive_avg_pool2d(const Tensor& x, Size2 output_size);

// ---- volumes [N, C, D, H, W] ------------------------------------------------------------------------
// A depth/height/width triple; one number means the same for all three.
struct Size3 {
  Size3(int64_t all) : d(all), h(all), w(all) {}  // NOLINT: implicit, as Size2
  Size3(int64_t d, int64_t h, int64_t w) : d(d), h(h), w(w) {}
  template <std::same_as<bool> B>
  Size3(B) = delete;
  bool operator==(const Size3&) const = default;
  int64_t d, h, w;
};

// torch.nn.functional.conv3d: x [N, C_in, D, H, W], weight [C_out, C_in / groups, kD, kH, kW]. A
// composition, not a kernel of its own: the sum over the kernel's depth offsets of one conv2d each,
// over the input's depth slices folded into the batch (kD GEMM-backed convolutions).
Tensor conv3d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(), Size3 stride = 1,
              Size3 padding = 0, Size3 dilation = 1, int64_t groups = 1);

// Max and average pooling over volumes, each as two 2-D poolings (the box is separable): over
// (H, W) of every depth slice, then over depth with (kD, 1) windows, so the indices, the ties
// and the divisors come out as PyTorch's.
Tensor max_pool3d(const Tensor& x, Size3 kernel, std::optional<Size3> stride = std::nullopt,
                  Size3 padding = 0, Size3 dilation = 1, bool ceil_mode = false);
Tensor avg_pool3d(const Tensor& x, Size3 kernel, std::optional<Size3> stride = std::nullopt,
                  Size3 padding = 0, bool ceil_mode = false, bool count_include_pad = true);

// Zeroes whole channels of x [N, C, H, W] with probability p, scaling survivors by 1 / (1 - p)
// (torch.nn.functional.dropout2d). Identity when !training or p == 0.
Tensor dropout2d(const Tensor& x, double p = 0.5, bool training = true);

// AlexNet's local response normalisation across channels:
// y = x / (k + alpha / size * sum_{size neighbouring channels} x^2)^beta, as PyTorch's.
Tensor local_response_norm(const Tensor& x, int64_t size, double alpha = 1e-4, double beta = 0.75,
                           double k = 1.0);

// ---- normalisation over groups and instances, bilinear maps, similarity and distance ------------
// Group normalisation (torch.nn.functional.group_norm): x [N, C, *] normalised over each of
// num_groups groups of C / num_groups channels and all the trailing axes (biased variance), then
// scaled and shifted per channel by weight/bias [C] (either may be undefined). Runs as layer_norm
// over [N, num_groups, rest].
Tensor group_norm(const Tensor& x, int64_t num_groups, const Tensor& weight = Tensor(),
                  const Tensor& bias = Tensor(), double eps = 1e-5);

// Instance normalisation (torch.nn.functional.instance_norm): x [N, C, L] or [N, C, H, W]
// normalised per sample and channel over the trailing axes. With use_input_stats the instance's
// own statistics normalise it and running_mean/running_var [C] (when defined) move towards their
// mean over the batch, with momentum and the unbiased variance, in place; otherwise the running
// statistics normalise x. weight/bias [C] may be undefined. Runs as batch_norm over [1, N C, ...].
Tensor instance_norm(const Tensor& x, const Tensor& running_mean = Tensor(),
                     const Tensor& running_var = Tensor(), const Tensor& weight = Tensor(),
                     const Tensor& bias = Tensor(), bool use_input_stats = true,
                     double momentum = 0.1, double eps = 1e-5);

// y_k = x1^T A_k x2 + b_k (torch.nn.functional.bilinear) for x1 [..., in1], x2 [..., in2] with the
// same leading axes, weight [out, in1, in2] and bias [out] (may be undefined): [..., out].
Tensor bilinear(const Tensor& x1, const Tensor& x2, const Tensor& weight, const Tensor& bias = Tensor());

// The cosine of the angle between x1 and x2 along `axis` (they broadcast), as PyTorch 1.13:
// sum(x1 / max(|x1|, eps) * x2 / max(|x2|, eps)) over the axis, which is removed; below eps the
// gradient is PyTorch's too (that of x / |x| with |x| evaluated as eps).
Tensor cosine_similarity(const Tensor& x1, const Tensor& x2, int64_t axis = 1, double eps = 1e-8);

// The p-norm of x1 - x2 + eps over the last axis (torch.nn.functional.pairwise_distance): the
// distance between the rows of [..., D] inputs that broadcast; p > 0.
Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, double p = 2.0, double eps = 1e-6,
                         bool keepdim = false);

// ---- resampling images [N, C, H, W] -------------------------------------------------------------
enum class InterpolateMode { nearest, bilinear };

struct InterpolateOptions {
  std::optional<Size2> size = std::nullopt;           // the output's H and W, or
  std::optional<double> scale_factor = std::nullopt;  // the factor both axes grow by (H_out = floor(H * factor))
  InterpolateMode mode = InterpolateMode::nearest;
  // bilinear only: the corner pixels' centres of input and output coincide (source position
  // i (H - 1) / (H_out - 1)) rather than their outer edges ((i + 0.5) / factor - 0.5, PyTorch's
  // default).
  bool align_corners = false;
};

// torch.nn.functional.interpolate for images: give exactly one of size and scale_factor. With a
// scale_factor the source positions use the factor itself, as PyTorch's (not the ratio of the
// rounded sizes). Composed of index_select: differentiable to any order.
Tensor interpolate(const Tensor& x, const InterpolateOptions& options);

// [N, C r^2, H, W] -> [N, C, H r, W r], channel c r^2 + i r + j going to sub-pixel (i, j)
// (torch.nn.functional.pixel_shuffle), and its inverse.
Tensor pixel_shuffle(const Tensor& x, int64_t upscale_factor);
Tensor pixel_unshuffle(const Tensor& x, int64_t downscale_factor);

// ---- losses -----------------------------------------------------------------------------------
struct CrossEntropyOptions {
  Reduction reduction = Reduction::mean;
  double label_smoothing = 0.0;
  int64_t ignore_index = -100;  // only for class-index targets
  // Class weights [C] (undefined: all 1), a constant that is not differentiated, as in PyTorch.
  Tensor weight = Tensor();
};

// Softmax cross entropy from logits [N, C] (or [C] with a 0-d target). `target` is either i64
// class indices [N] (fused log-softmax + NLL) or f32/f64 class probabilities of the logits' shape.
// With class weights w, PyTorch's semantics: a row with target t and label smoothing eps costs
// (1 - eps) w_t (-log p_t) + eps / C sum_c w_c (-log p_c); the mean over class-index targets
// divides by the sum of w_t over the rows not ignored (a weighted mean), the mean over
// probability targets by the number of rows.
Tensor cross_entropy(const Tensor& logits, const Tensor& target, CrossEntropyOptions options = {});

// Negative log-likelihood from log-probabilities [N, C] and i64 targets [N]: row i costs
// -w[t_i] log_probs[i, t_i] with class weights `weight` [C] (undefined: all 1; a constant); the
// mean divides by the sum of w[t_i] over the rows not ignored, as PyTorch's.
Tensor nll_loss(const Tensor& log_probs, const Tensor& target, Reduction reduction = Reduction::mean,
                int64_t ignore_index = -100, const Tensor& weight = Tensor());

// Sigmoid + binary cross entropy in the stable form max(x,0) - x*y + log1p(exp(-|x|)).
// pos_weight (broadcast against the last axis) weighs the positive term, as PyTorch's.
Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target,
                                        const Tensor& pos_weight = Tensor(),
                                        Reduction reduction = Reduction::mean);

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::mean);

// 0.5 d^2 where |d| < delta, delta (|d| - 0.5 delta) elsewhere, d = input - target.
Tensor huber_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::mean,
                  double delta = 1.0);

// ---- regularisation ------------------------------------------------------------------------------
// sum_i sum |p_i| and sum_i sum p_i^2 over a list of parameters (differentiable; add lambda * it to
// a loss). Weight decay inside the optimizers is the other way to regularise.
Tensor l1_penalty(const std::vector<Tensor>& params);
Tensor l2_penalty(const std::vector<Tensor>& params);

// ---- attention ---------------------------------------------------------------------------------
// Masks. nabla has no bool dtype, so a mask's dtype says how to read it:
//   - an i64 mask is boolean, nonzero = true, with the meaning of the argument it is passed as;
//   - a floating mask is additive: it is added to the scores (-inf forbids, 0 allows).
// Masks broadcast against the scores [..., Lq, Lk]. Which way "true" points follows PyTorch for
// each argument, and the two disagree exactly where PyTorch's do:
//   scaled_dot_product_attention's mask: true = may attend (torch 2's F.scaled_dot_product_attention);
//   MultiheadAttention's attn_mask and key_padding_mask: true = may NOT attend (torch.nn's).
//   DotProductAttention / AdditiveAttention's mask [N, T]: true = a real key, false = padding.
//
// A query whose every key is masked has no distribution to attend with: its weights are all zero
// and its output is zero (PyTorch returns NaN there). Its gradient is zero too.

struct AttentionResult {
  Tensor output;   // [..., Lq, dv]
  Tensor weights;  // [..., Lq, Lk]: each row sums to 1 (or is all zero when fully masked)
};

// softmax(q k^T / sqrt(d) + mask) v for q [..., Lq, d], k [..., Lk, d], v [..., Lk, dv] (batch axes
// broadcast). mask: i64 (nonzero = may attend) or floating additive, broadcastable to
// [..., Lq, Lk]. is_causal: query i sees keys 0..i only (top-left aligned, as PyTorch's); it
// combines with mask. dropout_p drops attention weights when training (the weights returned are
// the ones applied, after dropout). Without need_weights, attention runs fused, head by head
// (faster, less memory), and `weights` comes back undefined, provided q, k and v share their batch
// axes and the mask needs no gradient; otherwise the weights are computed and returned anyway.
AttentionResult scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v,
                                             const Tensor& mask = Tensor(), bool is_causal = false,
                                             double dropout_p = 0.0, bool training = true,
                                             bool need_weights = true);

// softmax(scores + mask) over the last axis, the mask read as in scaled_dot_product_attention
// (i64: nonzero = may attend; floating: additive). Fully masked rows give zeros, not NaN. One pass
// forward and one backward; differentiable to any order.
Tensor masked_softmax(const Tensor& scores, const Tensor& mask = Tensor());

// The additive causal mask [L, L] in `dtype`: 0 on and below the diagonal, -inf above, so
// position i attends to 0..i (torch.nn.Transformer.generate_square_subsequent_mask).
Tensor causal_mask(int64_t length, DType dtype = kDefaultDType, Device device = kCPU);

// Any mask as an additive float mask of `dtype`: i64 masks become 0 / -inf, with nonzero meaning
// "may attend" when true_attends, "masked" otherwise; floating masks are cast. `op` names the
// caller in errors.
Tensor additive_mask(const Tensor& mask, DType dtype, bool true_attends, const char* op);

// ---- recurrence ----------------------------------------------------------------------------------
// One recurrent layer and direction over a whole sequence as ONE differentiable op, the engine
// under nn::RNN / LSTM / GRU and their cells (include/nabla/nn/recurrent.h), which most users
// want instead.
//
// The caller does the input projection of all steps in one GEMM (input_gates = x W_ih^T + b_ih,
// [T, N, G*H]); this op does the recurrence: per step one GEMM h W_hh^T and one fused gate kernel.
// Its backward runs back-propagation through time with fused kernels, one GEMM per step for the
// gradient flowing to h_{t-1}, and then the weight and bias gradients of all steps at once (one
// GEMM over T*N rows) rather than T small ones. When the gradient is itself being differentiated
// (create_graph), the backward is instead the autograd of recurrent_sequence_reference, the same
// recurrence in general ops, so higher derivatives stay exact.
enum class RecurrentCellKind { rnn_tanh, rnn_relu, lstm, gru };

// The number of gate blocks stacked in W_ih / W_hh: 1, 4 (i, f, g, o) or 3 (r, z, n).
int64_t gate_count(RecurrentCellKind kind);
const char* cell_name(RecurrentCellKind kind);  // "rnn_tanh", "lstm", ... for error messages

struct RecurrentRun {
  Tensor output;   // [T, N, H]: h at every time step, in time order
  Tensor h_final;  // [N, H]: the last h computed (at t = 0 when reverse)
  Tensor c_final;  // [N, H]: LSTM only
};

// input_gates [T, N, G*H], weight_hh [G*H, H], bias_hh [G*H] or undefined, h0 [N, H], c0 [N, H]
// (LSTM only, otherwise undefined). reverse runs t = T-1 down to 0 (the backward direction of a
// bidirectional layer).
RecurrentRun recurrent_sequence(RecurrentCellKind kind, const Tensor& input_gates,
                                const Tensor& weight_hh, const Tensor& bias_hh, const Tensor& h0,
                                const Tensor& c0, bool reverse);

// The same recurrence written step by step with general ops: the definition the fused op must
// match, used by its create_graph backward and by the tests.
RecurrentRun recurrent_sequence_reference(RecurrentCellKind kind, const Tensor& input_gates,
                                          const Tensor& weight_hh, const Tensor& bias_hh,
                                          const Tensor& h0, const Tensor& c0, bool reverse);

}  // namespace nabla::functional

namespace nabla {
namespace F = functional;
}  // namespace nabla
