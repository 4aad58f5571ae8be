// Autograd refuses a backward whose saved tensors were modified in place after the forward ran
// (PyTorch's version counter), instead of returning a gradient computed from the new values.
#include <gtest/gtest.h>

#include "edges/expect_error.h"
#include "nabla/nabla.h"
#include "nabla/optim/optimizer.h"

namespace nabla::test_support {
namespace {

TEST(InplaceVersions, InPlaceWritesBumpTheStorageVersionSharedByViews) {
  Tensor x = zeros({4});
  const Tensor view = x.slice(0, 1, 3);
  EXPECT_EQ(x.storage()->version(), 0u);
  add_(view, ones({2}));
  EXPECT_EQ(x.storage()->version(), 1u);
  copy_(x, full({4}, 2.0));
  mul_(x, full({4}, 3.0));
  EXPECT_EQ(view.storage()->version(), 3u);
}

TEST(InplaceVersions, ModifyingASavedInputUnderNoGradIsAnErrorNamingTheOp) {
  const Tensor w = tensor({1, 2, 3}).requires_grad_();
  Tensor x = tensor({4, 5, 6});
  const Tensor y = sum(w * x);  // mul saves x for w's gradient
  {
    NoGradGuard no_grad;
    add_(x, ones({3}));
  }
  expect_error<AutogradError>([&] { y.backward(); },
                              {"backward of mul", "modified by an inplace operation", "f32 tensor of shape [3]",
                               "version 1", "expected version 0"});
}

TEST(InplaceVersions, ModifyingASavedOutputIsAnError) {
  const Tensor x = tensor({0.5, 1.0}).requires_grad_();
  const Tensor y = exp(x);  // exp's backward uses its own output
  const Tensor loss = sum(y);  // sum saves nothing
  {
    NoGradGuard no_grad;
    mul_(y, full({2}, 2.0));
  }
  expect_error<AutogradError>([&] { loss.backward(); }, {"backward of exp", "modified by an inplace operation"});
}

TEST(InplaceVersions, TensorsTheBackwardDoesNotReadMayChange) {
  const Tensor w = tensor({1, 2, 3}).requires_grad_();
  Tensor x = tensor({4, 5, 6});
  const Tensor y = sum(w + x);  // add saves neither operand
  {
    NoGradGuard no_grad;
    add_(x, ones({3}));
  }
  y.backward();
  EXPECT_EQ(w.grad().to_vector<float>(), (std::vector<float>{1, 1, 1}));
}

TEST(InplaceVersions, AnOptimizerStepBetweenForwardAndBackwardIsAnError) {
  const Tensor w = tensor({1, 2}).requires_grad_();
  const Tensor x = tensor({3, 4}).requires_grad_();
  optim::SGD sgd({w}, {.lr = 0.1});
  const Tensor loss = sum(w * x);  // mul saves w for x's gradient
  w.set_grad(ones({2}));
  sgd.step();
  expect_error<AutogradError>([&] { loss.backward(); }, {"backward of mul", "modified by an inplace operation"});
}

TEST(InplaceVersions, ABackwardAfterAReloadedWeightIsRefusedButARebuiltGraphIsFine) {
  const Tensor w = tensor({2.0}).requires_grad_();
  const Tensor x = tensor({3.0});
  Tensor loss = sum(w * w * x);
  {
    NoGradGuard no_grad;
    copy_(w, tensor({5.0}));
  }
  EXPECT_THROW(loss.backward(), AutogradError);
  loss = sum(w * w * x);  // a new forward saves the new version
  loss.backward();
  EXPECT_FLOAT_EQ(w.grad().item<float>(), 30.0f);  // 2 w x at w = 5
}

}  // namespace
}  // namespace nabla::test_support
