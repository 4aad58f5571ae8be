// Shapes whose element count or byte size does not fit are refused with an error that names the
// op, never wrapped around (which once made an unallocated tensor that crashed on first read).
#include <gtest/gtest.h>

#include "edges/expect_error.h"
#include "nabla/nabla.h"

namespace nabla::test_support {
namespace {

constexpr int64_t k2to32 = int64_t{1} << 32;

TEST(ShapeOverflow, CreationRefusesAnElementCountBeyondInt64) {
  const Shape huge{k2to32, k2to32, 4};  // 2^66 elements
  expect_error<ShapeError>([&] { Tensor::empty(huge); }, {"empty", "[4294967296,4294967296,4]", "int64"});
  expect_error<ShapeError>([&] { zeros(huge); }, {"zeros", "[4294967296,4294967296,4]"});
  expect_error<ShapeError>([&] { ones(huge); }, {"ones"});
  expect_error<ShapeError>([&] { full(huge, 2.0); }, {"full"});
  expect_error<ShapeError>([&] { randn(huge); }, {"randn"});
  expect_error<ShapeError>([&] { uniform(huge, 0, 1); }, {"uniform"});
}

TEST(ShapeOverflow, ByteCountBeyondTheAddressSpaceIsRefused) {
  // 2^62 f64 elements fit an int64 count but not a byte size.
  expect_error<ShapeError>([] { Tensor::empty({int64_t{1} << 62}, DType::f64); }, {"empty", "bytes"});
}

TEST(ShapeOverflow, AnAllocationTheMachineCannotMakeIsAnErrorNamingTheSize) {
  // 4 TiB: a valid shape, but no memory for it.
  expect_error<Error>([] { Tensor::empty({int64_t{1} << 40}, DType::f32); },
                      {"empty", "cannot allocate", "[1099511627776]"});
}

TEST(ShapeOverflow, ViewsRefuseOverflowingShapes) {
  const Tensor none = zeros({0});
  EXPECT_EQ(reshape(none, {k2to32, k2to32, 4, 0}).numel(), 0);  // a zero makes any shape countable
  expect_error<ShapeError>([&] { reshape(none, {k2to32, k2to32, 4}); }, {"reshape", "int64"});
  expect_error<ShapeError>([&] { reshape(zeros({4}), {k2to32, k2to32, -1}); }, {"reshape"});
  const Tensor one = zeros({1, 1});
  expect_error<ShapeError>([&] { broadcast_to(one, {k2to32, k2to32 * 4}); }, {"broadcast_to", "int64"});
}

TEST(ShapeOverflow, BroadcastingToAnOverflowingShapeIsRefusedByTheOp) {
  const Tensor a = zeros({k2to32, 1, 0}), b = broadcast_to(zeros({1, 1, 1}), {1, k2to32, 1});
  // [2^32, 2^32, 0] has zero elements: allowed, as in PyTorch.
  EXPECT_EQ((a + b).numel(), 0);
  // Views of one element each (no memory), whose broadcast would have 2^64 elements.
  const Tensor column = broadcast_to(zeros({1, 1}), {k2to32, 1}), row = broadcast_to(zeros({1, 1}), {1, k2to32});
  expect_error<ShapeError>([&] { add(column, row); }, {"add", "[4294967296,4294967296]", "int64"});
}

}  // namespace
}  // namespace nabla::test_support
