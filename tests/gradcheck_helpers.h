// What the gradient-check tests share: f64 inputs that require grad, and a first- plus
// second-order check that reports which order failed.
#pragma once
#include <gtest/gtest.h>

#include "nabla/nabla.h"

namespace nabla::test_support {

inline Tensor leaf(const Shape& shape, double low = -1, double high = 1) {
  Tensor t = uniform(shape, low, high, DType::f64);
  t.requires_grad_();
  return t;
}

// A leaf laid out transposed, seen through a view of `shape`: a non-contiguous input.
inline Tensor strided(const Shape& shape, double low = -1, double high = 1) {
  Shape reversed(shape.rbegin(), shape.rend());
  return leaf(reversed, low, high).T();
}

inline void check(const DifferentiableFn& f, const std::vector<Tensor>& inputs, bool second_order = true) {
  const GradcheckResult first = gradcheck(f, inputs);
  EXPECT_TRUE(first.ok) << "first order: " << first.message;
  if (second_order) {
    const GradcheckResult second = gradgradcheck(f, inputs);
    EXPECT_TRUE(second.ok) << "second order: " << second.message;
  }
}

using Ts = std::vector<Tensor>;

}  // namespace nabla::test_support
