// Convolution, pooling and the image layers against central differences in f64, first and second
// order. Batches of 1 run the sample-by-sample path, larger ones the per-thread path.
#include <gtest/gtest.h>

#include "gradcheck_helpers.h"
#include "nabla/functional.h"
#include "nabla/nabla.h"

using namespace nabla;
using namespace nabla::test_support;
namespace F = nabla::functional;

namespace {

class GradcheckConvolution : public ::testing::Test {
 protected:
  void SetUp() override { manual_seed(5); }
};

}  // namespace

TEST_F(GradcheckConvolution, Conv2dPlainWithBias) {
  check([](const Ts& x) { return F::conv2d(x[0], x[1], x[2]); },
        {leaf({3, 2, 5, 4}), leaf({3, 2, 3, 2}), leaf({3})});
  check([](const Ts& x) { return F::conv2d(x[0], x[1], x[2]); },
        {leaf({1, 2, 4, 4}), leaf({2, 2, 2, 2}), leaf({2})});
}

TEST_F(GradcheckConvolution, Conv2dStridePaddingDilation) {
  check([](const Ts& x) { return F::conv2d(x[0], x[1], Tensor(), {2, 1}, {1, 2}); },
        {leaf({2, 2, 5, 5}), leaf({3, 2, 3, 3})});
  check([](const Ts& x) { return F::conv2d(x[0], x[1], x[2], 1, 1, 2); },
        {leaf({2, 1, 6, 5}), leaf({2, 1, 2, 2}), leaf({2})});
  check([](const Ts& x) { return F::conv2d(x[0], x[1], Tensor(), 3, 0); },
        {leaf({3, 1, 7, 7}), leaf({2, 1, 3, 3})});
}

TEST_F(GradcheckConvolution, Conv2dGroupsAndPointwise) {
  check([](const Ts& x) { return F::conv2d(x[0], x[1], x[2], 1, 1, 1, 2); },
        {leaf({2, 4, 4, 3}), leaf({6, 2, 3, 3}), leaf({6})});
  check([](const Ts& x) { return F::conv2d(x[0], x[1], x[2]); },  // 1x1: no im2col
        {leaf({3, 3, 3, 4}), leaf({2, 3, 1, 1}), leaf({2})});
  check([](const Ts& x) { return F::conv2d(x[0], x[1]); }, {strided({2, 2, 4, 4}), leaf({2, 2, 2, 2})});
}

TEST_F(GradcheckConvolution, ConvTranspose2d) {
  check([](const Ts& x) { return F::conv_transpose2d(x[0], x[1], x[2]); },
        {leaf({2, 3, 3, 2}), leaf({3, 2, 2, 3}), leaf({2})});
  check([](const Ts& x) { return F::conv_transpose2d(x[0], x[1], x[2], 2, 1, 1); },
        {leaf({3, 2, 3, 3}), leaf({2, 2, 3, 3}), leaf({2})});
  check([](const Ts& x) { return F::conv_transpose2d(x[0], x[1], Tensor(), 1, 0, 0, 2, 2); },
        {leaf({1, 4, 3, 3}), leaf({4, 1, 2, 2})});
}

TEST_F(GradcheckConvolution, MaxPool2d) {
  // Distinct values keep every maximum away from a tie, where the derivative jumps.
  auto distinct = [](const Shape& shape) {
    Tensor t = arange(0, static_cast<double>(numel(shape)), 1, DType::f64);
    t = index_select(t, 0, randperm(numel(shape))).reshape(shape) * 0.1;
    return t.detach().requires_grad_();
  };
  check([](const Ts& x) { return F::max_pool2d(x[0], 2); }, {distinct({2, 2, 4, 5})});
  check([](const Ts& x) { return F::max_pool2d(x[0], 3, 2, 1); }, {distinct({3, 1, 5, 5})});
  check([](const Ts& x) { return F::max_pool2d(x[0], {2, 3}, 2, 0, true); }, {distinct({1, 2, 5, 7})});
}

TEST_F(GradcheckConvolution, AvgPool2d) {
  check([](const Ts& x) { return F::avg_pool2d(x[0], 2); }, {leaf({2, 2, 4, 4})});
  check([](const Ts& x) { return F::avg_pool2d(x[0], 3, 2, 1, false, false); }, {leaf({3, 1, 5, 6})});
  check([](const Ts& x) { return F::avg_pool2d(x[0], 3, 2, 1, true, true); }, {leaf({1, 2, 6, 6})});
}

TEST_F(GradcheckConvolution, AdaptiveAvgPool2d) {
  check([](const Ts& x) { return F::adaptive_avg_pool2d(x[0], 1); }, {leaf({2, 3, 4, 5})});
  check([](const Ts& x) { return F::adaptive_avg_pool2d(x[0], {3, 2}); }, {leaf({2, 2, 7, 5})});
}

TEST_F(GradcheckConvolution, BatchNormOverImages) {
  check([](const Ts& x) { return F::batch_norm(x[0], Tensor(), Tensor(), x[1], x[2], true); },
        {leaf({3, 2, 3, 2}), leaf({2}), leaf({2})});
}

TEST_F(GradcheckConvolution, LocalResponseNorm) {
  check([](const Ts& x) { return F::local_response_norm(x[0], 3, 0.1, 0.75, 1.0); }, {leaf({2, 5, 3, 2})});
  check([](const Ts& x) { return F::local_response_norm(x[0], 2, 0.5, 0.6, 2.0); }, {leaf({1, 3, 2, 2})});
}

TEST_F(GradcheckConvolution, Dropout2dWithAFixedMask) {
  // The same seed before every call gives the same channel mask, so the function is fixed.
  check([](const Ts& x) {
    manual_seed(3);
    return F::dropout2d(x[0], 0.5, true);
  }, {leaf({2, 4, 2, 2})});
}

TEST_F(GradcheckConvolution, ConvNetEndToEnd) {
  // conv -> relu-free smooth activation -> pool -> conv: gradients through the whole chain.
  check([](const Ts& x) {
    Tensor h = tanh(F::conv2d(x[0], x[1], x[2], 1, 1));
    h = F::avg_pool2d(h, 2);
    return F::conv_transpose2d(h, x[3], Tensor(), 2);
  }, {leaf({2, 1, 4, 4}), leaf({2, 1, 3, 3}), leaf({2}), leaf({2, 1, 2, 2})});
}
