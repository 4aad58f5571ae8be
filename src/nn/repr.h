// Python-style spellings for module reprs, so str() reads like PyTorch's.
#pragma once
#include <string>

namespace nabla::nn {
std::string python_float(double value);  // 1e-05, 0.1, 1.0
std::string python_bool(bool value);     // True / False
}  // namespace nabla::nn
