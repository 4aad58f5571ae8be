// Every op's gradient against central differences in f64, first and second order, with
// broadcasting and non-contiguous inputs.
#include <gtest/gtest.h>

#include "nabla/nabla.h"
#include "gradcheck_helpers.h"

using namespace nabla;
using namespace nabla::test_support;

namespace {

class Gradcheck : public ::testing::Test {
 protected:
  void SetUp() override { manual_seed(3); }
};

}  // namespace

TEST_F(Gradcheck, Arithmetic) {
  check([](const Ts& x) { return x[0] + x[1]; }, {leaf({2, 3}), leaf({3})});
  check([](const Ts& x) { return x[0] - x[1]; }, {leaf({2, 1}), strided({2, 3})});
  check([](const Ts& x) { return x[0] * x[1]; }, {strided({3, 2}), leaf({1, 2})});
  check([](const Ts& x) { return x[0] / x[1]; }, {leaf({2, 3}), leaf({2, 3}, 0.5, 2)});
  check([](const Ts& x) { return -x[0]; }, {strided({2, 3})});
  check([](const Ts& x) { return x[0] * 3.0 - 2.0 / x[0]; }, {leaf({4}, 0.5, 2)});
  check([](const Ts& x) { return pow(x[0], x[1]); }, {leaf({2, 3}, 0.5, 2), leaf({3})});
  check([](const Ts& x) { return pow(x[0], 3.0); }, {strided({2, 2})});
  check([](const Ts& x) { return pow(x[0], -1.5); }, {leaf({3}, 0.5, 2)});
  check([](const Ts& x) { return maximum(x[0], x[1]); }, {leaf({2, 3}), leaf({3})});
  check([](const Ts& x) { return minimum(x[0], x[1]); }, {leaf({2, 3}), strided({2, 3})});
}

TEST_F(Gradcheck, ElementwiseMaths) {
  check([](const Ts& x) { return exp(x[0]); }, {strided({2, 3})});
  check([](const Ts& x) { return log(x[0]); }, {leaf({2, 3}, 0.5, 3)});
  check([](const Ts& x) { return sqrt(x[0]); }, {leaf({2, 3}, 0.5, 3)});
  check([](const Ts& x) { return abs(x[0]); }, {leaf({5}, 0.1, 1)});
  check([](const Ts& x) { return abs(x[0]); }, {leaf({5}, -1, -0.1)});
  check([](const Ts& x) { return sin(x[0]); }, {strided({2, 3})});
  check([](const Ts& x) { return cos(x[0]); }, {leaf({2, 3})});
  check([](const Ts& x) { return tanh(x[0]); }, {strided({3, 2}, -2, 2)});
  check([](const Ts& x) { return erf(x[0]); }, {leaf({4})});
  check([](const Ts& x) { return clamp(x[0], -0.5, 0.5); }, {leaf({8})});
}

TEST_F(Gradcheck, Activations) {
  check([](const Ts& x) { return sigmoid(x[0]); }, {strided({2, 3}, -3, 3)});
  check([](const Ts& x) { return relu(x[0]); }, {leaf({8})});
  check([](const Ts& x) { return leaky_relu(x[0], 0.2); }, {leaf({8})});
  check([](const Ts& x) { return gelu(x[0]); }, {leaf({6}, -3, 3)});
  check([](const Ts& x) { return softmax(x[0], 1); }, {strided({2, 4})});
  check([](const Ts& x) { return softmax(x[0], 0); }, {leaf({3, 2})});
  check([](const Ts& x) { return log_softmax(x[0], -1); }, {leaf({2, 4})});
}

TEST_F(Gradcheck, Reductions) {
  check([](const Ts& x) { return sum(x[0]); }, {strided({2, 3})});
  check([](const Ts& x) { return sum(x[0], {0}) * sum(x[0], {0}); }, {leaf({3, 2})});
  check([](const Ts& x) { return sum(x[0], {0, 2}, true); }, {leaf({2, 3, 2})});
  check([](const Ts& x) { return mean(x[0], {1}); }, {strided({3, 4})});
  check([](const Ts& x) { return var(x[0], {1}); }, {leaf({2, 5})});
  check([](const Ts& x) { return var(x[0]); }, {strided({3, 3})});
  check([](const Ts& x) { return logsumexp(x[0], {1}); }, {leaf({3, 4})});
  check([](const Ts& x) { return logsumexp(x[0], {0, 1}); }, {leaf({2, 3})});
  check([](const Ts& x) { return max(x[0], 1); }, {leaf({3, 4})});
  check([](const Ts& x) { return min(x[0]); }, {strided({3, 4})});
  check([](const Ts& x) { return max(x[0], 0, true) * x[0]; }, {leaf({3, 2})});
}

TEST_F(Gradcheck, Matmul) {
  check([](const Ts& x) { return matmul(x[0], x[1]); }, {leaf({3, 4}), leaf({4, 2})});
  check([](const Ts& x) { return matmul(x[0], x[1]); }, {strided({3, 4}), strided({4, 2})});
  check([](const Ts& x) { return matmul(x[0], x[1]); }, {leaf({2, 3, 4}), leaf({4, 2})});
  check([](const Ts& x) { return matmul(x[0], x[1]); }, {leaf({2, 1, 3, 4}), leaf({3, 4, 2})});
  check([](const Ts& x) { return matmul(x[0], x[1]); }, {leaf({4}), leaf({4, 3})});
  check([](const Ts& x) { return matmul(x[0], x[1]); }, {leaf({2, 4}), leaf({4})});
  check([](const Ts& x) { return tanh(matmul(x[0], x[1])); }, {leaf({3, 4}), leaf({4, 2})});
}

TEST_F(Gradcheck, ShapeOps) {
  check([](const Ts& x) { return reshape(x[0], {3, 2}) * x[1]; }, {strided({2, 3}), leaf({3, 2})});
  check([](const Ts& x) { return transpose(x[0], 0, 2) * x[1]; }, {leaf({2, 3, 4}), leaf({4, 3, 2})});
  check([](const Ts& x) { return permute(x[0], {1, 2, 0}) * x[1]; }, {leaf({2, 3, 4}), leaf({3, 4, 2})});
  check([](const Ts& x) { return squeeze(x[0]) * unsqueeze(x[1], 0); }, {leaf({1, 3, 1}), leaf({3})});
  check([](const Ts& x) { return flatten(x[0], 1) * x[1]; }, {leaf({2, 2, 3}), leaf({6})});
  check([](const Ts& x) { return broadcast_to(x[0], {2, 3, 4}) * x[1]; }, {leaf({3, 1}), leaf({4})});
  check([](const Ts& x) { return sum_to(x[0] * x[0], {3, 1}); }, {leaf({2, 3, 4})});
  check([](const Ts& x) { return x[0].clone() * x[0]; }, {strided({2, 3})});
}

TEST_F(Gradcheck, Indexing) {
  check([](const Ts& x) { return x[0][1] * x[0][0]; }, {leaf({3, 4})});
  check([](const Ts& x) { return x[0].index({Slice{0, std::nullopt, 2}, -1}) * x[0].index({Slice{2}, 0}); },
        {strided({4, 3})});
  check([](const Ts& x) { return pow(slice(x[0], 1, 1, 4, 2), 2.0); }, {leaf({2, 5})});
  check([](const Ts& x) { return slice_scatter(x[0] * x[0], {4, 3}, 0, 1, 4, 2); }, {leaf({2, 3})});
  const Tensor idx = from_vector(std::vector<int64_t>{2, 0, 2});
  check([idx](const Ts& x) { return pow(index_select(x[0], 1, idx), 2.0); }, {leaf({2, 3})});
  check([idx](const Ts& x) { return index_add(x[0], 0, idx, x[1] * x[1]); }, {leaf({3, 2}), leaf({3, 2})});
  const Tensor gidx = from_vector(std::vector<int64_t>{1, 1, 0, 2, 0, 0}, {2, 3});
  check([gidx](const Ts& x) { return pow(gather(x[0], 1, gidx), 3.0); }, {leaf({2, 3})});
  check([gidx](const Ts& x) { return scatter_add(x[0], 1, gidx, x[1] * x[1]); }, {leaf({2, 3}), leaf({2, 3})});
}

TEST_F(Gradcheck, JoinSplitPadWhere) {
  check([](const Ts& x) { return concat({x[0], x[1] * x[1]}, 1); }, {leaf({2, 2}), strided({2, 3})});
  check([](const Ts& x) { return stack({x[0], x[0] * x[1]}, 0); }, {leaf({2, 3}), leaf({2, 3})});
  check([](const Ts& x) {
    auto parts = split(x[0], 2, 1);
    return parts[0] * parts[1] + parts[2].sum();
  }, {leaf({2, 5})});
  check([](const Ts& x) { return pad(x[0] * x[0], {1, 2, 0, 1}, 0.5); }, {strided({2, 3})});
  // Padding only the trailing axis leaves the leading ones whole (in forward and backward).
  check([](const Ts& x) { return pad(x[0], {2, 1}); }, {leaf({3, 2})});
  check([](const Ts& x) { return where(gt(x[0], x[1]), x[0] * x[0], x[1]); }, {leaf({2, 3}), leaf({3})});
}

TEST_F(Gradcheck, Composite) {
  // A small MLP end to end: tanh(x W1 + b1) W2 + b2, squared error.
  check([](const Ts& x) {
    const Tensor h = tanh(matmul(x[0], x[1]) + x[2]);
    const Tensor y = matmul(h, x[3]);
    return mean(pow(y - 1.0, 2.0));
  }, {leaf({4, 3}), leaf({3, 5}), leaf({5}), leaf({5, 2})});
}

TEST_F(Gradcheck, DetectsAWrongGradient) {
  // A deliberately wrong backward must fail the check: the checker itself is tested.
  auto wrong = [](const Ts& x) {
    Tensor out = exp(x[0].detach());
    return record("wrong_exp", {x[0]}, out, [](const Tensor& g) -> std::vector<Tensor> { return {g * 2.0}; });
  };
  EXPECT_FALSE(gradcheck(wrong, {leaf({3})}).ok);
}
