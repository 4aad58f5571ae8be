// nabla's version, one place for all: CMake reads it from here (the project's VERSION), the
// `nabla --version` line and nabla::version() report it, and a program built on nabla can test
// it at compile time (NABLA_VERSION >= 0'01'00, say) or compare it with the library it linked.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(KERNELS);

#define NABLA_VERSION_MAJOR 0
#define NABLA_VERSION_MINOR 1
#define NABLA_VERSION_PATCH 0
// major * 10000 + minor * 100 + patch, for comparisons in #if
#define NABLA_VERSION (NABLA_VERSION_MAJOR * 10000 + NABLA_VERSION_MINOR * 100 + NABLA_VERSION_PATCH)

namespace nabla {

// "major.minor.patch" of the library linked, which may differ from the headers compiled against
// (NABLA_VERSION) when a program runs with another build of a shared libnabla.
const char* version();

}  // namespace nabla
