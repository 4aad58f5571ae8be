#include "nabla/version.h"

#define NABLA_STRINGIFY_(x) #x
#define NABLA_STRINGIFY(x) NABLA_STRINGIFY_(x)

namespace nabla {

const char* version() {
  return NABLA_STRINGIFY(NABLA_VERSION_MAJOR) "." NABLA_STRINGIFY(NABLA_VERSION_MINOR) "." NABLA_STRINGIFY(
      NABLA_VERSION_PATCH);
}

}  // namespace nabla
