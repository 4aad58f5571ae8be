// Loss modules: each forwards to its function in nabla::functional.
#include "nabla/nn/loss.h"

namespace nabla::nn {

std::string Loss::extra_repr() const { return ""; }

Tensor CrossEntropyLoss::forward(const Tensor& logits, const Tensor& target) {
  return functional::cross_entropy(logits, target, {reduction, label_smoothing, ignore_index, weight});
}

Tensor NLLLoss::forward(const Tensor& log_probs, const Tensor& target) {
  return functional::nll_loss(log_probs, target, reduction, ignore_index, weight);
}

Tensor BCEWithLogitsLoss::forward(const Tensor& logits, const Tensor& target) {
  return functional::binary_cross_entropy_with_logits(logits, target, pos_weight, reduction);
}

Tensor MSELoss::forward(const Tensor& input, const Tensor& target) {
  return functional::mse_loss(input, target, reduction);
}

Tensor HuberLoss::forward(const Tensor& input, const Tensor& target) {
  return functional::huber_loss(input, target, reduction, delta);
}

}  // namespace nabla::nn
