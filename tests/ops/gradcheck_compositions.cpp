// What the op table (gradcheck_op_table.cpp) cannot check one op at a time: that the gradient
// checker itself catches a wrong backward, and gradients through whole small networks.
#include <gtest/gtest.h>

#include "gradcheck_helpers.h"
#include "nabla/functional.h"
#include "nabla/nabla.h"

using namespace nabla;
using namespace nabla::test_support;
namespace F = nabla::functional;

namespace {

class GradcheckCompositions : public ::testing::Test {
 protected:
  void SetUp() override { manual_seed(3); }
};

}  // namespace

TEST_F(GradcheckCompositions, DetectsAWrongGradient) {
  // A deliberately wrong backward must fail the check: the checker itself is tested.
  auto wrong = [](const Ts& x) {
    Tensor out = exp(x[0].detach());
    return record("wrong_exp", {x[0]}, out, [](const Tensor& g) -> std::vector<Tensor> { return {g * 2.0}; });
  };
  EXPECT_FALSE(gradcheck(wrong, {leaf({3})}).ok);
}

TEST_F(GradcheckCompositions, MultilayerPerceptron) {
  // tanh(x W1 + b1) W2 + b2, squared error.
  check([](const Ts& x) {
    const Tensor h = tanh(matmul(x[0], x[1]) + x[2]);
    const Tensor y = matmul(h, x[3]);
    return mean(pow(y - 1.0, 2.0));
  }, {leaf({4, 3}), leaf({3, 5}), leaf({5}), leaf({5, 2})});
}

TEST_F(GradcheckCompositions, ConvNet) {
  // conv -> smooth activation -> pool -> transposed conv: gradients through the whole chain.
  check([](const Ts& x) {
    Tensor h = tanh(F::conv2d(x[0], x[1], x[2], 1, 1));
    h = F::avg_pool2d(h, 2);
    return F::conv_transpose2d(h, x[3], Tensor(), 2);
  }, {leaf({2, 1, 4, 4}), leaf({2, 1, 3, 3}), leaf({2}), leaf({2, 1, 2, 2})});
}
