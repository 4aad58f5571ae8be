// The tensor ops' values and errors beyond the PyTorch fixtures (test_tensor_ops_vs_pytorch.cpp):
// NaN and long runs of ties in sorting, integer dtypes, empty and 0-d inputs, and the messages of
// bad calls, which name the op and what was wrong.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "nabla/nabla.h"

using namespace nabla;

namespace {

using V = std::vector<double>;
using I = std::vector<int64_t>;

V values(const Tensor& t) { return t.to_vector<double>(); }

// The message of the Error that `call` throws, or "" when it throws none.
template <class F>
std::string error_of(F call) {
  try {
    call();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Sort, NanSortsAboveEveryNumberInBothDirections) {
  const Tensor x = tensor({1, NAN, -INFINITY, 0, INFINITY}, DType::f64);
  EXPECT_EQ(argsort(x).to_vector<int64_t>(), (I{2, 3, 0, 4, 1}));
  EXPECT_EQ(argsort(x, -1, true).to_vector<int64_t>(), (I{1, 4, 0, 3, 2}));
  const V top = values(topk(x, 2).values);
  EXPECT_TRUE(std::isnan(top[0]));
  EXPECT_EQ(top[1], INFINITY);
}

TEST(Sort, LongRunsOfTiesKeepTheirOrder) {
  const Tensor x = from_vector(std::vector<double>(300, 2.0), {3, 100}, DType::f64);
  const Tensor order = argsort(x, 1, true);
  I expected;
  for (int row = 0; row < 3; ++row)
    for (int64_t i = 0; i < 100; ++i) expected.push_back(i);
  EXPECT_EQ(order.to_vector<int64_t>(), expected);
}

TEST(Sort, IntegerAndZeroDimensionalInputs) {
  const ValuesAndIndices s = sort(from_vector(I{3, -1, 2}), 0, true);
  EXPECT_EQ(s.values.dtype(), DType::i64);
  EXPECT_EQ(s.values.to_vector<int64_t>(), (I{3, 2, -1}));
  EXPECT_EQ(s.indices.to_vector<int64_t>(), (I{0, 2, 1}));
  const ValuesAndIndices single = sort(scalar(4.0));
  EXPECT_EQ(single.values.shape(), Shape{});
  EXPECT_EQ(single.indices.item<int64_t>(), 0);
  EXPECT_EQ(topk(tensor({1, 2}), 0).values.shape(), (Shape{0}));
}

TEST(Sort, TopkOutOfRangeNamesTheOp) {
  EXPECT_EQ(error_of([] { topk(zeros({2, 3}), 4); }),
            "topk: k = 4 is out of range for an axis of size 3 of shape [2,3]");
  EXPECT_THROW(sort(zeros({2, 3}), 2), IndexError);
}

TEST(Scan, IntegersStayIntegersAndZeroDimensionalWorks) {
  const Tensor c = cumsum(from_vector(I{1, 2, 3, 4}, {2, 2}), 0);
  EXPECT_EQ(c.dtype(), DType::i64);
  EXPECT_EQ(c.to_vector<int64_t>(), (I{1, 2, 4, 6}));
  EXPECT_EQ(prod(from_vector(I{2, 3, 4})).item<int64_t>(), 24);
  EXPECT_EQ(values(cumprod(scalar(3.0), 0)), (V{3}));
  EXPECT_EQ(cumprod(scalar(3.0), 0).shape(), Shape{});
}

TEST(Scan, LongF32SumsAccumulateInDouble) {
  // 2^24 + 1 is not an f32, so a running f32 total would stick at 2^24; a double one does not.
  const Tensor big = full({1}, 16777216.0);
  const Tensor ones_after = ones({8});
  const Tensor running = cumsum(concat({big, ones_after}, 0), 0);
  EXPECT_EQ(running.dtype(), DType::f32);
  EXPECT_EQ(values(running).back(), 16777224.0);
}

TEST(Prod, GradientAtASingleZeroIsTheProductOfTheOthers) {
  const Tensor x = tensor({2, 0, 3, 5}, DType::f64).requires_grad_();
  prod(x).backward();
  EXPECT_EQ(values(x.grad()), (V{0, 30, 0, 0}));
}

TEST(Prod, SecondDerivativeThroughAZero) {
  // d/dx1 of d prod / dx0 = x2 * x3 even though x1 is 0.
  const Tensor x = tensor({2, 0, 3, 5}, DType::f64).requires_grad_();
  GradOptions create;
  create.create_graph = true;
  const Tensor g = grad({prod(x)}, {x}, create)[0];
  const Tensor h = grad({select(g, 0, 0)}, {x})[0];
  EXPECT_EQ(values(h), (V{0, 15, 0, 0}));
}

TEST(Norm, ZeroGradientAtZeroForEveryP) {
  for (double p : {1.0, 1.5, 2.0, 3.0, static_cast<double>(INFINITY)}) {
    const Tensor x = zeros({3}, DType::f64).requires_grad_();
    norm(x, p).backward();
    EXPECT_EQ(values(x.grad()), (V{0, 0, 0})) << "p = " << p;
  }
  EXPECT_EQ(error_of([] { norm(ones({2}), 0); }), "norm: p must be positive or infinite, got 0");
  EXPECT_THROW(norm(from_vector(I{1, 2})), DTypeError);
}

TEST(ArgExtremes, OverTheFlattenedInputGiveTheFlatIndex) {
  const Tensor x = tensor({{3, 7, 5}, {9, 1, 6}});
  EXPECT_EQ(argmax(x).item<int64_t>(), 3);
  EXPECT_EQ(argmin(x).item<int64_t>(), 4);
}

TEST(OneHot, ValuesAndErrors) {
  EXPECT_EQ(one_hot(from_vector(I{1, 0})).to_vector<int64_t>(), (I{0, 1, 1, 0}));
  EXPECT_EQ(one_hot(from_vector(I{}), 3).shape(), (Shape{0, 3}));
  EXPECT_EQ(error_of([] { one_hot(from_vector(I{0, 3}), 3); }),
            "one_hot: class index 3 is out of range for 3 classes");
  EXPECT_EQ(error_of([] { one_hot(from_vector(I{0, -1})); }), "one_hot: class index -1 is negative");
  EXPECT_EQ(error_of([] { one_hot(from_vector(I{})); }),
            "one_hot: cannot infer the number of classes from an empty tensor of shape [0]");
  EXPECT_THROW(one_hot(zeros({2})), DTypeError);
}

TEST(Triangles, KeepIntegersAndRefuseVectors) {
  const Tensor m = from_vector(I{1, 2, 3, 4}, {2, 2});
  EXPECT_EQ(tril(m).to_vector<int64_t>(), (I{1, 0, 3, 4}));
  EXPECT_EQ(triu(m, 1).to_vector<int64_t>(), (I{0, 2, 0, 0}));
  // Masked elements are 0 even where x is not finite.
  EXPECT_EQ(values(triu(tensor({{1, INFINITY}, {NAN, 2}}))), (V{1, INFINITY, 0, 2}));
  EXPECT_EQ(error_of([] { tril(zeros({3})); }), "tril: expects a tensor of at least 2 axes, got shape [3]");
}

TEST(Rearrange, RepeatTileFlipRollEdges) {
  EXPECT_EQ(repeat(tensor({1, 2}), {0}).shape(), (Shape{0}));
  EXPECT_EQ(values(flip(tensor({{1, 2}, {3, 4}}), {})), (V{1, 2, 3, 4}));
  EXPECT_EQ(values(flip(tensor({{1, 2}, {3, 4}}), {-1})), (V{2, 1, 4, 3}));
  EXPECT_EQ(values(roll(tensor({1, 2, 3}), 7)), (V{3, 1, 2}));
  EXPECT_EQ(flip(zeros({0, 2}), {0}).shape(), (Shape{0, 2}));
  EXPECT_EQ(error_of([] { repeat(zeros({2, 3}), {2}); }),
            "repeat: 1 repeats given for a tensor of shape [2,3]; give at least one per axis");
  EXPECT_EQ(error_of([] { roll(zeros({2, 3}), {1}, {0, 1}); }), "roll: 1 shifts given for 2 axes");
}

TEST(Einsum, BadEquationsAreRefusedWithTheEquationAndTheReason) {
  const Tensor a = zeros({2, 3}), b = zeros({4, 5});
  EXPECT_EQ(error_of([&] { einsum("ij,jk->ik", {a, b}); }),
            "einsum: \"ij,jk->ik\": label j has size 3 in operand 0 but 4 in operand 1");
  EXPECT_EQ(error_of([&] { einsum("ij->ik", {a}); }),
            "einsum: \"ij->ik\": the output label k is in no input term");
  EXPECT_EQ(error_of([&] { einsum("ij->ii", {a}); }), "einsum: \"ij->ii\": label i occurs twice in the output");
  EXPECT_EQ(error_of([&] { einsum("ij,jk", {a}); }), "einsum: \"ij,jk\": 2 input term(s) for 1 operand(s)");
  EXPECT_EQ(error_of([&] { einsum("ijk", {a}); }),
            "einsum: \"ijk\": term \"ijk\" does not fit operand 0 of shape [2,3]");
  EXPECT_EQ(error_of([&] { einsum("i1", {a}); }),
            "einsum: \"i1\": invalid character '1' (labels are letters, and \"...\")");
  EXPECT_EQ(error_of([&] { einsum("...i...", {a}); }), "einsum: \"...i...\": \"...\" twice in the term \"...i...\"");
  EXPECT_EQ(error_of([&] { einsum("ii", {a}); }), "einsum: \"ii\": label i repeats over axes of sizes 2 and 3 in operand 0");
  EXPECT_EQ(error_of([&] { einsum("ij->j->i", {a}); }), "einsum: \"ij->j->i\": more than one \"->\"");
  EXPECT_EQ(error_of([] { einsum("i", {}); }), "einsum: \"i\": needs at least one operand");
}

TEST(Einsum, ScalarsAndSpaces) {
  const Tensor v = tensor({1, 2, 3});
  EXPECT_EQ(values(einsum("i, i ->", {v, v})), (V{14}));
  EXPECT_EQ(einsum("i,i", {v, v}).shape(), Shape{});
  EXPECT_EQ(values(einsum("...->...", {v})), (V{1, 2, 3}));
}

}  // namespace
