// Gradient clipping, as torch.nn.utils: applied between backward() and step().
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(NN);
#include <limits>
#include <vector>

#include "nabla/tensor.h"

namespace nabla::optim {

// Scales every gradient by min(1, max_norm / (total_norm + 1e-6)), where total_norm is the
// norm_type-norm of all gradients taken together (norm_type may be infinity). Returns total_norm,
// computed before clipping. Parameters without a gradient are ignored. Gradients are replaced by
// scaled copies rather than written in place, because a stored gradient may share memory with
// another parameter's gradient (the backward of a + b hands both the same tensor).
double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type = 2.0);

// Clamps every gradient element into [-clip_value, clip_value].
void clip_grad_value_(const std::vector<Tensor>& params, double clip_value);

inline constexpr double kInfNorm = std::numeric_limits<double>::infinity();

}  // namespace nabla::optim
