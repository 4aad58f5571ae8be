// Gradient clipping against torch.nn.utils.clip_grad_norm_ / clip_grad_value_.
#include <gtest/gtest.h>

#include "nabla/optim/clip.h"
#include "optim/optim_fixture.h"

namespace nabla::optim {
namespace {

using test_fixture::expected;
using test_fixture::flat;

struct Grads {
  Tensor p1 = zeros({3}, DType::f64).requires_grad_();
  Tensor p2 = zeros({2, 2}, DType::f64).requires_grad_();
  Grads() {
    const auto& g = expected()["clipping"]["grads"];
    p1.set_grad(from_vector(flat(g["g1"]), {3}, DType::f64));
    p2.set_grad(from_vector(flat(g["g2"]), {2, 2}, DType::f64));
  }
};

void expect_near_all(const Tensor& t, const std::vector<double>& want) {
  const auto got = t.to_vector<double>();
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-12) << i;
}

TEST(Clip, GradNormMatchesPyTorchForSeveralNorms) {
  for (const auto& c : expected()["clipping"]["norm_cases"]) {
    const double norm_type = c["norm_type"].is_string() ? kInfNorm : c["norm_type"].get<double>();
    SCOPED_TRACE("norm_type " + std::to_string(norm_type));
    Grads g;
    const double total = clip_grad_norm_({g.p1, g.p2}, c["max_norm"].get<double>(), norm_type);
    EXPECT_NEAR(total, c["total_norm"].get<double>(), 1e-12);
    expect_near_all(g.p1.grad(), flat(c["g1"]));
    expect_near_all(g.p2.grad(), flat(c["g2"]));
  }
}

TEST(Clip, GradValueMatchesPyTorch) {
  Grads g;
  const auto& c = expected()["clipping"]["value_case"];
  clip_grad_value_({g.p1}, c["clip_value"].get<double>());
  expect_near_all(g.p1.grad(), flat(c["g1"]));
}

// The backward of a + b hands both leaves one gradient tensor; clipping one must not clip the
// other a second time through shared memory.
TEST(Clip, SharedGradientStorageIsClippedOnce) {
  Tensor a = zeros({2}, DType::f64).requires_grad_();
  Tensor b = zeros({2}, DType::f64).requires_grad_();
  const Tensor upstream = from_vector(std::vector<double>{3.0, 4.0}, {2}, DType::f64);
  (a + b).backward(upstream);
  const double total = clip_grad_norm_({a, b}, 1.0);
  EXPECT_NEAR(total, std::sqrt(50.0), 1e-12);
  const double scale = 1.0 / (std::sqrt(50.0) + 1e-6);
  expect_near_all(a.grad(), {3 * scale, 4 * scale});
  expect_near_all(b.grad(), {3 * scale, 4 * scale});
  EXPECT_EQ(upstream.to_vector<double>(), (std::vector<double>{3.0, 4.0}));
}

TEST(Clip, IgnoresParametersWithoutGradients) {
  Tensor a = zeros({2}).requires_grad_();
  EXPECT_EQ(clip_grad_norm_({a}, 1.0), 0.0);
  clip_grad_value_({a}, 1.0);
  EXPECT_FALSE(a.grad().defined());
  EXPECT_THROW(clip_grad_norm_({a}, 1.0, 0.0), Error);
  EXPECT_THROW(clip_grad_value_({a}, -1.0), Error);
}

}  // namespace
}  // namespace nabla::optim
