// Forward values of every op, broadcasting, and the errors users see.
#include <gtest/gtest.h>

#include <cmath>

#include "nabla/nabla.h"

using namespace nabla;
using V = std::vector<double>;

static V values(const Tensor& t) { return t.to_vector<double>(); }

TEST(Ops, ArithmeticBroadcastsLikeNumPy) {
  Tensor a = tensor({{1, 2, 3}, {4, 5, 6}}, DType::f64);
  Tensor row = tensor({10, 20, 30}, DType::f64);
  Tensor col = from_vector(V{1, 2}, {2, 1}, DType::f64);
  EXPECT_EQ(values(a + row), (V{11, 22, 33, 14, 25, 36}));
  EXPECT_EQ(values(a - col), (V{0, 1, 2, 2, 3, 4}));
  EXPECT_EQ(values(a * col), (V{1, 2, 3, 8, 10, 12}));
  EXPECT_EQ(values(row / 10.0), (V{1, 2, 3}));
  EXPECT_EQ(values(1.0 - row), (V{-9, -19, -29}));
  EXPECT_EQ(values(-a.slice(1, 0, 1)), (V{-1, -4}));
  EXPECT_EQ((col + row).shape(), (Shape{2, 3}));
  EXPECT_EQ(values(pow(row, 2.0)), (V{100, 400, 900}));
  EXPECT_EQ(values(pow(tensor({2, 3}, DType::f64), tensor({3, 2}, DType::f64))), (V{8, 9}));
  EXPECT_EQ(values(maximum(a, col * 3.0)), (V{3, 3, 3, 6, 6, 6}));
  EXPECT_EQ(values(minimum(a, col * 3.0)), (V{1, 2, 3, 4, 5, 6}));
  // f32 with f64 computes in f64; integers divide as floats, as Python's / and torch.div.
  EXPECT_EQ((tensor({1.0}) + tensor({1.0}, DType::f64)).dtype(), DType::f64);
  const Tensor ints = from_vector(std::vector<int64_t>{7, -7});
  EXPECT_EQ((ints / 2.0).to_vector<float>(), (std::vector<float>{3.5f, -3.5f}));
  EXPECT_EQ(div(ints, from_vector(std::vector<int64_t>{2, 2})).to_vector<float>(), (std::vector<float>{3.5f, -3.5f}));
  EXPECT_EQ((ints * 2.0).to_vector<int64_t>(), (std::vector<int64_t>{14, -14}));
}

TEST(Ops, ShapeErrorsNameTheOpAndShapes) {
  try {
    matmul(zeros({64, 100}), zeros({784, 10}));
    FAIL();
  } catch (const ShapeError& e) {
    EXPECT_STREQ(e.what(), "matmul: [64,100] x [784,10]: inner dimensions 100 and 784 differ");
  }
  try {
    add(zeros({2, 3}), zeros({4}));
    FAIL();
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("add: shapes [2,3] and [4] cannot be broadcast"), std::string::npos);
  }
  EXPECT_THROW(exp(arange(3)), DTypeError);
  EXPECT_THROW(sum(zeros({2}), {1}), IndexError);
  EXPECT_THROW(concat({zeros({2, 3}), zeros({2, 4})}, 0), ShapeError);
  EXPECT_THROW(index_select(zeros({3}), 0, from_vector(std::vector<int64_t>{3})), IndexError);
  EXPECT_THROW(matmul(zeros({2, 2}), zeros({2, 2}, DType::f64)), DTypeError);
}

TEST(Ops, ElementwiseMaths) {
  Tensor x = tensor({-1, 0, 2}, DType::f64);
  const V e = values(exp(x));
  EXPECT_NEAR(e[0], std::exp(-1), 1e-15);
  EXPECT_EQ(values(abs(x)), (V{1, 0, 2}));
  EXPECT_EQ(values(relu(x)), (V{0, 0, 2}));
  EXPECT_EQ(values(leaky_relu(x, 0.1)), (V{-0.1, 0, 2}));
  EXPECT_EQ(values(clamp(x, -0.5, 1.0)), (V{-0.5, 0, 1}));
  EXPECT_EQ(values(clamp(x, std::nullopt, 1.0)), (V{-1, 0, 1}));
  EXPECT_EQ(values(sign(x)), (V{-1, 0, 1}));
  EXPECT_NEAR(values(sigmoid(x))[0], 1 / (1 + std::exp(1.0)), 1e-15);
  EXPECT_NEAR(values(tanh(x))[2], std::tanh(2.0), 1e-15);
  EXPECT_NEAR(values(sin(x))[2], std::sin(2.0), 1e-15);
  EXPECT_NEAR(values(cos(x))[0], std::cos(-1.0), 1e-15);
  EXPECT_NEAR(values(sqrt(tensor({4.0}, DType::f64)))[0], 2, 1e-15);
  EXPECT_NEAR(values(log(tensor({M_E}, DType::f64)))[0], 1, 1e-15);
  // gelu(1) = 0.8413447460685429 (torch.nn.functional.gelu(torch.tensor(1.)))
  EXPECT_NEAR(values(gelu(tensor({1.0}, DType::f64)))[0], 0.8413447460685429, 1e-12);
  // sigmoid does not overflow for large inputs.
  EXPECT_EQ(values(sigmoid(tensor({-1000.0, 1000.0}, DType::f64))), (V{0, 1}));
}

TEST(Ops, ComparisonsAndWhere) {
  Tensor a = tensor({1, 2, 3}, DType::f64), b = tensor({3, 2, 1}, DType::f64);
  EXPECT_EQ(values(eq(a, b)), (V{0, 1, 0}));
  EXPECT_EQ(values(ne(a, b)), (V{1, 0, 1}));
  EXPECT_EQ(values(lt(a, b)), (V{1, 0, 0}));
  EXPECT_EQ(values(le(a, b)), (V{1, 1, 0}));
  EXPECT_EQ(values(gt(a, b)), (V{0, 0, 1}));
  EXPECT_EQ(values(ge(a, b)), (V{0, 1, 1}));
  EXPECT_EQ(values(where(gt(a, b), a, b)), (V{3, 2, 3}));
  EXPECT_EQ(values(where(gt(a, b), a, zeros({}, DType::f64))), (V{0, 0, 3}));
  EXPECT_TRUE(allclose(a, a + 1e-9));
  EXPECT_FALSE(allclose(a, b));
}

TEST(Ops, Reductions) {
  Tensor x = tensor({{1, 5, 3}, {4, 2, 6}}, DType::f64);
  EXPECT_EQ(values(sum(x)), (V{21}));
  EXPECT_EQ(values(sum(x, {0})), (V{5, 7, 9}));
  EXPECT_EQ(values(sum(x, {1}, true)), (V{9, 12}));
  EXPECT_EQ(sum(x, {1}, true).shape(), (Shape{2, 1}));
  EXPECT_EQ(values(sum(x.transpose(0, 1), {1})), (V{5, 7, 9}));
  EXPECT_EQ(values(mean(x, {-1})), (V{3, 4}));
  EXPECT_EQ(values(var(x, {1})), (V{4, 4}));
  EXPECT_EQ(values(var(x, {1}, false, 0)), (V{8.0 / 3, 8.0 / 3}));
  EXPECT_EQ(values(max(x)), (V{6}));
  EXPECT_EQ(values(max(x, 1)), (V{5, 6}));
  EXPECT_EQ(values(min(x, 0)), (V{1, 2, 3}));
  EXPECT_EQ(argmax(x, 1).to_vector<int64_t>(), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(argmin(x).to_vector<int64_t>(), (std::vector<int64_t>{0}));
  EXPECT_EQ(argmax(x, 0, true).shape(), (Shape{1, 3}));
  const V lse = values(logsumexp(x, {1}));
  EXPECT_NEAR(lse[0], std::log(std::exp(1) + std::exp(5) + std::exp(3)), 1e-12);
  // logsumexp and softmax are stable for large inputs.
  EXPECT_NEAR(values(logsumexp(tensor({1000, 1000}, DType::f64)))[0], 1000 + std::log(2.0), 1e-9);
  const V s = values(softmax(tensor({1000, 1000}, DType::f64)));
  EXPECT_EQ(s, (V{0.5, 0.5}));
  const V ls = values(log_softmax(tensor({{1, 2, 3}}, DType::f64)));
  EXPECT_NEAR(ls[2], 3 - std::log(std::exp(1) + std::exp(2) + std::exp(3)), 1e-12);
  // A long f32 sum keeps its accuracy.
  EXPECT_NEAR(sum(full({1 << 22}, 0.1f)).item(), 419430.4, 0.5);
  // Big tensors take the threaded paths: column and row sums.
  Tensor big = ones({300, 500}, DType::f64);
  EXPECT_EQ(values(sum(big, {0}))[499], 300);
  EXPECT_EQ(values(sum(big, {1}))[299], 500);
}

TEST(Ops, Matmul) {
  Tensor a = tensor({{1, 2}, {3, 4}}, DType::f64), b = tensor({{5, 6}, {7, 8}}, DType::f64);
  EXPECT_EQ(values(matmul(a, b)), (V{19, 22, 43, 50}));
  EXPECT_EQ(values(matmul(a.transpose(0, 1), b)), (V{26, 30, 38, 44}));
  EXPECT_EQ(values(matmul(a, b.transpose(0, 1))), (V{17, 23, 39, 53}));
  EXPECT_EQ(values(matmul(tensor({1, 1}, DType::f64), b)), (V{12, 14}));
  EXPECT_EQ(values(matmul(a, tensor({1, 1}, DType::f64))), (V{3, 7}));
  EXPECT_EQ(matmul(tensor({1, 1}, DType::f64), tensor({1, 1}, DType::f64)).shape(), (Shape{}));
  // Batched with broadcast batch axes.
  Tensor batch = stack({a, b});  // [2,2,2]
  EXPECT_EQ(values(matmul(batch, a)), (V{7, 10, 15, 22, 23, 34, 31, 46}));
  EXPECT_EQ(matmul(zeros({3, 1, 4, 5}), zeros({2, 5, 6})).shape(), (Shape{3, 2, 4, 6}));
  EXPECT_EQ(values(matmul(a, batch)), (V{7, 10, 15, 22, 19, 22, 43, 50}));
  // f32 through BLAS, integers through the portable kernel.
  EXPECT_EQ(matmul(a.to(DType::f32), b.to(DType::f32)).to_vector<float>(), (std::vector<float>{19, 22, 43, 50}));
  EXPECT_EQ(matmul(a.to(DType::i64), b.to(DType::i64)).to_vector<int64_t>(), (std::vector<int64_t>{19, 22, 43, 50}));
}

TEST(Ops, JoinSplitPadIndex) {
  Tensor a = tensor({{1, 2}, {3, 4}}, DType::f64), b = tensor({{5, 6}}, DType::f64);
  EXPECT_EQ(values(concat({a, b}, 0)), (V{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(values(concat({a, a}, 1)), (V{1, 2, 1, 2, 3, 4, 3, 4}));
  EXPECT_EQ(stack({a, a}, 1).shape(), (Shape{2, 2, 2}));
  auto parts = split(arange(0, 5, 1, DType::f64), 2);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(values(parts[2]), (V{4}));
  auto sized = split(a, std::vector<int64_t>{1, 1}, 1);
  EXPECT_EQ(values(sized[1]), (V{2, 4}));
  EXPECT_EQ(values(pad(b, {1, 2}, -1)), (V{-1, 5, 6, -1, -1}));
  EXPECT_EQ(pad(a, {1, 1, 1, 1}).shape(), (Shape{4, 4}));
  Tensor idx = from_vector(std::vector<int64_t>{1, 1, 0});
  EXPECT_EQ(values(index_select(a, 0, idx)), (V{3, 4, 3, 4, 1, 2}));
  EXPECT_EQ(values(index_add(zeros({2, 2}, DType::f64), 0, idx, ones({3, 2}, DType::f64))), (V{1, 1, 2, 2}));
  Tensor gidx = from_vector(std::vector<int64_t>{1, 0, 0, 0}, {2, 2});
  EXPECT_EQ(values(gather(a, 1, gidx)), (V{2, 1, 3, 3}));
  EXPECT_EQ(values(scatter_add(zeros({2, 2}, DType::f64), 1, gidx, ones({2, 2}, DType::f64))), (V{1, 1, 2, 0}));
  EXPECT_EQ(values(slice_scatter(b, {3, 2}, 0, 2, 3, 1)), (V{0, 0, 0, 0, 5, 6}));
  EXPECT_EQ(values(sum_to(ones({2, 3, 4}, DType::f64), {3, 1})), (V{8, 8, 8}));
}

TEST(Ops, F32ExpAndSigmoidStayWithinTwoUlpOfLibm) {
  // f32 exp has its own vectorised kernel; check it against the double-precision result.
  Tensor x = linspace(-103, 88.7, 200001);
  const std::vector<float> got = exp(x).to_vector<float>();
  const std::vector<float> xs = x.to_vector<float>();
  for (size_t i = 0; i < xs.size(); ++i) {
    const double want = std::exp(static_cast<double>(xs[i]));
    if (want < 1.2e-38) continue;  // denormal results may lose bits
    const float f = static_cast<float>(want);
    ASSERT_LE(std::abs(got[i] - want), 2.0 * (std::nextafter(f, INFINITY) - f)) << "x = " << xs[i];
  }
  EXPECT_EQ(exp(tensor({-1000, 1000})).to_vector<float>(), (std::vector<float>{0, INFINITY}));
  EXPECT_EQ(sigmoid(tensor({-1000, 0, 1000})).to_vector<float>(), (std::vector<float>{0, 0.5f, 1}));
}

TEST(Ops, InPlaceArithmeticWritesIntoItsTarget) {
  Tensor x = tensor({{1, 2}, {3, 4}}, DType::f64);
  const void* before = x.raw_data();
  add_(x, tensor({10, 20}, DType::f64));
  mul_(x, scalar(2, DType::f64));
  sub_(x, scalar(1, DType::f64));
  div_(x, tensor({1, 2}, DType::f64));
  EXPECT_EQ(x.raw_data(), before);
  EXPECT_EQ(x.to_vector<double>(), (std::vector<double>{21, 21.5, 25, 23.5}));
  EXPECT_THROW(add_(x, zeros({3}, DType::f64)), ShapeError);
  EXPECT_THROW(add_(tensor({1.0}), zeros({2, 1})), ShapeError);  // would grow self
  Tensor w = ones({2});
  w.requires_grad_();
  EXPECT_THROW(add_(w, ones({2})), AutogradError);
  NoGradGuard no_grad;
  add_(w, ones({2}));  // an optimizer-style update
  EXPECT_EQ(w.to_vector<float>(), (std::vector<float>{2, 2}));
}

TEST(Ops, CopyWritesBroadcastConvertedValuesIntoItsTarget) {
  Tensor x = zeros({2, 3}, DType::f64);
  const void* before = x.raw_data();
  EXPECT_EQ(&copy_(x, tensor({1.5f, 2.5f, 3.5f})), &x);  // f32 row broadcast over f64 rows
  EXPECT_EQ(x.raw_data(), before);
  EXPECT_EQ(x.to_vector<double>(), (std::vector<double>{1.5, 2.5, 3.5, 1.5, 2.5, 3.5}));
  // Into a strided view: only the viewed elements change.
  Tensor m = zeros({2, 2});
  copy_(m.T(), tensor({{1, 2}, {3, 4}}));
  EXPECT_EQ(m.to_vector<float>(), (std::vector<float>{1, 3, 2, 4}));
  Tensor counts = zeros({2}, DType::i64);
  copy_(counts, tensor({3.0, 4.0}));
  EXPECT_EQ(counts.to_vector<int64_t>(), (std::vector<int64_t>{3, 4}));
  EXPECT_THROW(copy_(x, zeros({2})), ShapeError);
  EXPECT_THROW(copy_(tensor({1.0}), zeros({2, 1})), ShapeError);  // would grow self
}

TEST(Ops, CopyIsRefusedOnATensorThatRequiresGradWhileRecording) {
  Tensor w = zeros({2});
  w.requires_grad_();
  EXPECT_THROW(copy_(w, ones({2})), AutogradError);
  Tensor source = ones({2});
  source.requires_grad_();
  EXPECT_THROW(copy_(zeros({2}), source), AutogradError);
  NoGradGuard no_grad;
  copy_(w, full({2}, 5.0));  // loading a checkpoint, initialising a parameter
  EXPECT_EQ(w.to_vector<float>(), (std::vector<float>{5, 5}));
  EXPECT_TRUE(w.requires_grad());
}
