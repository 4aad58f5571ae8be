// Fused differentiable functions for neural networks (torch.nn.functional). Each one computes its
// forward in one pass where that saves copies (linear: one GEMM; cross_entropy: log-softmax and
// NLL in one loop) and states its backward with ordinary ops, so second derivatives work.
//
// The losses reduce with Reduction::mean (default), sum or none, as PyTorch's.
#pragma once
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

// Batch normalisation over x [N, C] or [N, C, L], per channel C. In training the batch statistics
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

// ---- losses -----------------------------------------------------------------------------------
struct CrossEntropyOptions {
  Reduction reduction = Reduction::mean;
  double label_smoothing = 0.0;
  int64_t ignore_index = -100;  // only for class-index targets
};

// Softmax cross entropy from logits [N, C] (or [C] with a 0-d target). `target` is either i64
// class indices [N] (fused log-softmax + NLL) or f32/f64 class probabilities of the logits' shape.
Tensor cross_entropy(const Tensor& logits, const Tensor& target, CrossEntropyOptions options = {});

// Negative log-likelihood from log-probabilities [N, C] and i64 targets [N].
Tensor nll_loss(const Tensor& log_probs, const Tensor& target, Reduction reduction = Reduction::mean,
                int64_t ignore_index = -100);

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

}  // namespace nabla::functional

namespace nabla {
namespace F = functional;
}  // namespace nabla
