#include "nabla/dtype.h"

#include <stdexcept>

namespace nabla {

const char* to_string(DType t) {
  switch (t) {
    case DType::f32: return "f32";
    case DType::f64: return "f64";
    case DType::i64: return "i64";
    case DType::boolean: return "bool";
    case DType::f16: return "f16";
    case DType::bf16: return "bf16";
  }
  return "?";
}

namespace {
// The order of the promotion lattice; the two 16-bit floats share a rank and meet above it.
int rank(DType t) {
  switch (t) {
    case DType::boolean: return 0;
    case DType::i64: return 1;
    case DType::f16: case DType::bf16: return 2;
    case DType::f32: return 3;
    case DType::f64: return 4;
  }
  return 0;
}
}  // namespace

DType promote(DType a, DType b) {
  if (a == b) return a;
  if (rank(a) == rank(b)) return DType::f32;  // f16 with bf16
  return rank(a) > rank(b) ? a : b;
}

void throw_not_computed_in(DType t) {
  throw std::logic_error(std::string("nabla: a kernel was reached with ") + to_string(t) +
                         ", which it does not compute in (the op should have converted or refused it)");
}

std::string Device::str() const {
  return kind == Kind::cpu ? "cpu" : "cuda:" + std::to_string(index);
}

}  // namespace nabla
