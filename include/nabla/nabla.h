// The core of nabla in one include: tensors, autograd, ops and the functional ops (nabla/all.h has
// everything, from nn to the applications).
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(CORE);
#include "nabla/autograd.h"
#include "nabla/dtype.h"
#include "nabla/error.h"
#include "nabla/gradcheck.h"
#include "nabla/ops.h"
#include "nabla/parallel.h"
#include "nabla/random.h"
#include "nabla/shape.h"
#include "nabla/tensor.h"
#include "nabla/version.h"
