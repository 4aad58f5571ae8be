// The tensor ops against PyTorch 1.13's outputs, indices and gradients
// (tests/data/ops/tensor_op_fixtures.json, written by make_tensor_op_fixtures.py). Each case runs
// in f64 (agreement to 1e-10) and in f32 (1e-5); the calls' arguments are those of the script.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>

#include "nabla/nabla.h"
#include "nn/pytorch_fixture.h"

using namespace nabla;
using nlohmann::json;
using fixture::from_json;

namespace {

const json& fixtures() {
  static const json cases = fixture::read_cases("tensor_op_fixtures.json", "ops");
  return cases;
}

void expect_close(const Tensor& actual, const json& expected_entry, DType dtype, const std::string& what) {
  ASSERT_TRUE(actual.defined()) << what << " is undefined";
  const Tensor expected = from_json(expected_entry, DType::f64);
  ASSERT_EQ(to_string(actual.shape()), to_string(expected.shape())) << what;
  const std::vector<double> a = actual.to_vector<double>(), e = expected.to_vector<double>();
  const double tol = dtype == DType::f64 ? 1e-10 : 1e-5;
  for (size_t i = 0; i < a.size(); ++i)
    ASSERT_LE(std::abs(a[i] - e[i]), tol * std::max(1.0, std::abs(e[i])))
        << what << " element " << i << ": nabla " << a[i] << ", PyTorch " << e[i] << " (" << to_string(dtype) << ")";
}

void expect_equal_indices(const Tensor& actual, const json& expected_entry, const std::string& what) {
  ASSERT_EQ(actual.dtype(), DType::i64) << what;
  const Tensor expected = from_json(expected_entry, DType::f64);
  ASSERT_EQ(to_string(actual.shape()), to_string(expected.shape())) << what;
  EXPECT_EQ(actual.to_vector<int64_t>(), expected.to_vector<int64_t>()) << what;
}

using Inputs = std::map<std::string, Tensor>;
// An op's result: the output, and the indices for the ops that also give them.
struct Result {
  Tensor out, indices;
  Result(Tensor o) : out(std::move(o)) {}  // NOLINT: most ops give one tensor
  Result(const ValuesAndIndices& r) : out(r.values), indices(r.indices) {}  // NOLINT
};

// Loads the case's tensors in f64 and in f32 (those with a recorded gradient require grad), runs
// `fn` and compares its output, its indices and the gradient of sum(out * upstream).
void check_case(const std::string& name, const std::function<Result(const Inputs&)>& fn) {
  const json& c = fixtures().at(name);
  for (DType dtype : {DType::f64, DType::f32}) {
    SCOPED_TRACE(name + " in " + to_string(dtype));
    Inputs in;
    for (const auto& [key, value] : c.items()) {
      if (key == "out" || key == "indices" || key.rfind("grad_", 0) == 0) continue;
      Tensor t = from_json(value, dtype);
      if (c.contains("grad_" + key)) t.requires_grad_();
      in[key] = t;
    }
    const Result result = fn(in);
    const bool integer_out = c.at("out").at("dtype") == "i64";
    if (integer_out) expect_equal_indices(result.out, c.at("out"), name + " output");
    else expect_close(result.out, c.at("out"), dtype, name + " output");
    if (c.contains("indices")) expect_equal_indices(result.indices, c.at("indices"), name + " indices");
    if (!c.contains("upstream")) continue;
    sum(result.out * in.at("upstream")).backward();
    for (const auto& [key, value] : c.items())
      if (key.rfind("grad_", 0) == 0) expect_close(in.at(key.substr(5)).grad(), value, dtype, name + " gradient of " + key.substr(5));
  }
}

// One test per fixture case, named as the case; the call may hold commas.
#define CASE(name, ...) \
  TEST(TensorOpsVsPyTorch, name) { check_case(#name, [](const Inputs& in) -> Result { return __VA_ARGS__; }); }

Tensor x(const Inputs& in) { return in.at("x"); }
Tensor operand(const Inputs& in, int i) { return in.at("x" + std::to_string(i)); }

// ---- triangles ----
CASE(tril, tril(x(in)))
CASE(tril_minus1, tril(x(in), -1))
CASE(triu_2, triu(x(in), 2))
CASE(triu_minus1, triu(x(in), -1))
// ---- scans and products ----
CASE(cumsum_axis1, cumsum(x(in), 1))
CASE(cumsum_axis0, cumsum(x(in), 0))
CASE(cumprod_zeros_axis1, cumprod(x(in), 1))
CASE(cumprod_zeros_axis0, cumprod(x(in), 0))
CASE(prod_zeros_axis1, prod(x(in), 1))
CASE(prod_zeros_axis0_keepdim, prod(x(in), 0, true))
CASE(prod_all_one_zero, prod(x(in)))
CASE(prod_all, prod(x(in)))
CASE(prod_empty_axis, prod(x(in), 1))
// ---- norms ----
CASE(norm_2, norm(x(in)))
CASE(norm_2_zero_row, norm(x(in), 2, {1}))
CASE(norm_frobenius_keepdim, norm(x(in), 2, {0, 1}, true))
CASE(norm_1, norm(x(in), 1, {1}))
CASE(norm_inf_ties, norm(x(in), INFINITY, {1}))
CASE(norm_inf_zero_row, norm(x(in), INFINITY, {1}))
CASE(norm_minus_inf, norm(x(in), -INFINITY, {0}))
CASE(norm_3, norm(x(in), 3, {1}))
CASE(norm_1_5_zeros, norm(x(in), 1.5, {1}))
// ---- sorting ----
CASE(sort_ties, sort(x(in), 1))
CASE(sort_ties_descending, sort(x(in), 1, true))
CASE(sort_axis0, sort(x(in), 0))
CASE(argsort_descending, argsort(x(in), 1, true))
CASE(topk_largest, topk(x(in), 3, 1))
CASE(topk_smallest_axis0, topk(x(in), 2, 0, false))
// ---- one_hot ----
CASE(one_hot_inferred, one_hot(in.at("labels")))
CASE(one_hot_5, one_hot(in.at("labels"), 5))
// ---- repetition, flips and rolls ----
CASE(repeat, repeat(x(in), {2, 1, 3}))
CASE(tile_short, tile(x(in), {2}))
CASE(tile_long, tile(x(in), {2, 1, 2}))
CASE(flip, flip(x(in), {0, 2}))
CASE(roll_axis, roll(x(in), 2, 1))
CASE(roll_flattened, roll(x(in), -5))
CASE(roll_axes, roll(x(in), {1, -1}, {0, 1}))
// ---- einsum ----
CASE(einsum_matmul, einsum("ij,jk->ik", {operand(in, 0), operand(in, 1)}))
CASE(einsum_batched_matmul, einsum("bij,bjk->bik", {operand(in, 0), operand(in, 1)}))
CASE(einsum_trace, einsum("ii->", {operand(in, 0)}))
CASE(einsum_diagonal, einsum("ii->i", {operand(in, 0)}))
CASE(einsum_outer, einsum("i,j->ij", {operand(in, 0), operand(in, 1)}))
CASE(einsum_sum, einsum("ijk->j", {operand(in, 0)}))
CASE(einsum_implicit_transpose, einsum("ba", {operand(in, 0)}))
CASE(einsum_ellipsis_broadcast, einsum("...ij,...jk->...ik", {operand(in, 0), operand(in, 1)}))
CASE(einsum_bilinear, einsum("bi,ij,bj->b", {operand(in, 0), operand(in, 1), operand(in, 2)}))
CASE(einsum_attention_scores, einsum("bhqd,bhkd->bhqk", {operand(in, 0), operand(in, 1)}))
CASE(einsum_size_one_broadcast, einsum("ij,ij->i", {operand(in, 0), operand(in, 1)}))
CASE(einsum_repeated_and_summed, einsum("iij,jk->k", {operand(in, 0), operand(in, 1)}))

}  // namespace
