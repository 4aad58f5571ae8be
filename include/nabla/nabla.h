// The whole public API of nabla in one include.
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
