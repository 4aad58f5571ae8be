// The usual AdamW recipe (nanoGPT's configure_optimizers, BERT's and timm's no-decay lists):
// weight decay pulls the matrices of linear layers, convolution kernels and embedding tables toward
// zero, but not biases and the gains and shifts of LayerNorm and BatchNorm, whose scale is
// meaningful (decaying a LayerNorm gain toward zero shrinks the whole activation). The rule is the
// parameter's rank, as in nanoGPT: every parameter with two or more dimensions is decayed, every
// vector or scalar is not.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(NN);
#include <vector>

#include "nabla/nn/module.h"
#include "nabla/optim/optimizer.h"

namespace nabla::optim {

// Two groups over all of module's parameters, in named_parameters() order within each: first the
// decayed ones (ndim >= 2) with `weight_decay`, then the rest with weight decay 0. Both take the
// optimizer's lr:  AdamW(weight_decay_groups(model, 0.1), {.lr = 3e-4}).
std::vector<ParamGroup> weight_decay_groups(const nn::Module& module, double weight_decay);

}  // namespace nabla::optim
