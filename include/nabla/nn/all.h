// The nn layer in one include: modules, layers, losses, init, and the fused functions.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(NN);
#include "nabla/functional.h"
#include "nabla/nn/init.h"
#include "nabla/nn/containers.h"
#include "nabla/nn/conv.h"
#include "nabla/nn/layers.h"
#include "nabla/nn/pooling.h"
#include "nabla/nn/loss.h"
#include "nabla/nn/module.h"
#include "nabla/nn/module_holder.h"
#include "nabla/nn/summary.h"
#include "nabla/nn/recurrent.h"
#include "nabla/nn/attention.h"
#include "nabla/nn/positional.h"
#include "nabla/nn/transformer.h"
#include "nabla/nn/activation.h"
