// Python-style spellings for module reprs, so str() reads like PyTorch's.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(NN);
#include <string>

#include "nabla/functional.h"

namespace nabla::nn {
std::string python_float(double value);  // 1e-05, 0.1, 1.0
std::string python_bool(bool value);     // True / False
std::string size2_repr(functional::Size2 s);  // (3, 3)
}  // namespace nabla::nn
