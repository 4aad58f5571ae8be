// The fused layer norm's gradients in f64, first and second order, in the cases the functional
// gradcheck does not cover: weight only, bias only, a rank-3 normalized shape, a strided input.
#include "gradcheck_helpers.h"
#include "nabla/functional.h"

namespace nabla {
namespace {

using namespace test_support;

TEST(GradcheckLayerNormFused, AffineVariantsAndLayouts) {
  manual_seed(2);
  check([](const Ts& x) { return functional::layer_norm(x[0], {5}, x[1]); }, {leaf({3, 5}), leaf({5})});
  check([](const Ts& x) { return functional::layer_norm(x[0], {5}, Tensor(), x[1]); },
        {leaf({2, 2, 5}), leaf({5})});
  check([](const Ts& x) { return functional::layer_norm(x[0], {2, 2, 3}, x[1], x[2]); },
        {leaf({2, 2, 2, 3}), leaf({2, 2, 3}), leaf({2, 2, 3})});
  check([](const Ts& x) { return functional::layer_norm(x[0], {4}, x[1], x[2]); },
        {strided({3, 4}), leaf({4}), leaf({4})});
}

}  // namespace
}  // namespace nabla
