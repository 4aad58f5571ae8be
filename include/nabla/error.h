// Every error nabla raises derives from nabla::Error, so a caller can catch them all in one place.
// Messages name the operation and the shapes involved: "matmul: [64,100] x [784,10]: ...".
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(CORE);
#include <stdexcept>
#include <string>

namespace nabla {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Operands whose shapes do not fit the operation.
class ShapeError : public Error {
 public:
  using Error::Error;
};

// Operands of a dtype the operation does not accept.
class DTypeError : public Error {
 public:
  using Error::Error;
};

// An index or axis outside its range.
class IndexError : public Error {
 public:
  using Error::Error;
};

// Misuse of the autograd engine: backward on a freed graph, on a non-scalar without a gradient, ...
class AutogradError : public Error {
 public:
  using Error::Error;
};

// A file that cannot be read or does not hold what its format promises.
class IOError : public Error {
 public:
  using Error::Error;
};

}  // namespace nabla
