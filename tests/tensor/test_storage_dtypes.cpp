// The storage dtypes: bool, f16 and bf16. Conversions and promotion against PyTorch's answers
// (tests/data/tensor/dtype_fixtures.json, made by make_dtype_fixtures.py next to it), comparisons
// and logical ops giving bool, 16-bit floats computed in f32, refusals, printing and files.
#include <gtest/gtest.h>

#include <bit>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "edges/expect_error.h"
#include "nabla/io/safetensors.h"
#include "nabla/nn/all.h"
#include "nabla/optim/optimizer.h"
#include "nabla/nabla.h"

namespace nabla {
namespace {
using test_support::expect_error;

const nlohmann::json& fixture() {
  static const nlohmann::json j = [] {
    std::ifstream in(std::string(NABLA_TEST_DATA_DIR) + "/tensor/dtype_fixtures.json");
    return nlohmann::json::parse(in);
  }();
  return j;
}

std::vector<float> floats_from_bits(const nlohmann::json& bits) {
  std::vector<float> values;
  for (uint32_t b : bits.get<std::vector<uint32_t>>()) values.push_back(std::bit_cast<float>(b));
  return values;
}

Tensor f32_tensor(const char* key) { return from_vector(floats_from_bits(fixture()[key])); }

std::vector<bool> bools(const Tensor& t) {
  EXPECT_EQ(t.dtype(), DType::boolean);
  const Tensor c = t.contiguous();
  return std::vector<bool>(c.data<bool>(), c.data<bool>() + c.numel());
}

TEST(StorageDTypes, RoundToF16AndBF16AsPyTorch) {
  const Tensor x = f32_tensor("f32_bits");
  for (auto [dtype, key] : {std::pair{DType::f16, "f16_bits"}, std::pair{DType::bf16, "bf16_bits"}}) {
    const Tensor h = x.to(dtype);
    ASSERT_EQ(h.dtype(), dtype);
    const auto expected = fixture()[key].get<std::vector<uint16_t>>();
    ASSERT_EQ(static_cast<size_t>(h.numel()), expected.size());
    const auto* got = static_cast<const uint16_t*>(h.raw_data());
    for (size_t i = 0; i < expected.size(); ++i)
      EXPECT_EQ(got[i], expected[i]) << to_string(dtype) << " of " << x.to_vector<float>()[i];
  }
}

TEST(StorageDTypes, EveryF16AndBF16ValueRoundTripsThroughF32) {
  // All 65,536 bit patterns: widening is exact, so narrowing it back must give the same bits
  // (NaNs stay NaN, quieted).
  for (DType dtype : {DType::f16, DType::bf16}) {
    Tensor h = Tensor::empty({65536}, dtype);
    auto* raw = static_cast<uint16_t*>(h.raw_data());
    for (uint32_t b = 0; b < 65536; ++b) raw[b] = static_cast<uint16_t>(b);
    const Tensor wide = h.to(DType::f32);
    const Tensor back = wide.to(dtype);
    const auto* again = static_cast<const uint16_t*>(back.raw_data());
    const std::vector<float> w = wide.to_vector<float>();
    for (uint32_t b = 0; b < 65536; ++b) {
      if (std::isnan(w[b])) EXPECT_TRUE(std::isnan(back.select(0, b).item())) << b;
      else ASSERT_EQ(again[b], b) << to_string(dtype) << " bits " << b;
    }
  }
}

TEST(StorageDTypes, PromoteAsTorchResultType) {
  const std::map<std::string, DType> names{{"f32", DType::f32},     {"f64", DType::f64},
                                           {"i64", DType::i64},     {"bool", DType::boolean},
                                           {"f16", DType::f16},     {"bf16", DType::bf16}};
  for (const auto& row : fixture()["promotion"]) {
    const DType a = names.at(row[0]), b = names.at(row[1]), r = names.at(row[2]);
    EXPECT_EQ(promote(a, b), r) << row.dump();
    // ...and an op on the two computes to that dtype.
    EXPECT_EQ(add(zeros({2}, a), zeros({2}, b)).dtype(), r) << row.dump();
  }
}

TEST(StorageDTypes, FloatClassesAndLogicalOpsAsPyTorch) {
  const Tensor x = f32_tensor("classes_input_bits");
  for (DType dtype : {DType::f32, DType::f64, DType::f16, DType::bf16}) {
    const Tensor v = x.to(dtype);
    EXPECT_EQ(bools(isnan(v)), fixture()["isnan"].get<std::vector<bool>>()) << to_string(dtype);
    // 3e38 is finite in f32 and bf16 but overflows f16 to inf, as in PyTorch.
    std::vector<bool> inf = fixture()["isinf"].get<std::vector<bool>>(), fin = fixture()["isfinite"].get<std::vector<bool>>();
    if (dtype == DType::f16) inf.back() = true, fin.back() = false;
    EXPECT_EQ(bools(isinf(v)), inf) << to_string(dtype);
    EXPECT_EQ(bools(isfinite(v)), fin) << to_string(dtype);
  }
  EXPECT_EQ(bools(isfinite(from_vector(std::vector<int64_t>{1, -5}))), (std::vector<bool>{true, true}));
  EXPECT_EQ(bools(isnan(from_vector(std::vector<int64_t>{1, -5}))), (std::vector<bool>{false, false}));

  const Tensor a = f32_tensor("logical_a_bits"), b = f32_tensor("logical_b_bits");
  EXPECT_EQ(bools(logical_and(a, b)), fixture()["logical_and"].get<std::vector<bool>>());
  EXPECT_EQ(bools(logical_or(a, b)), fixture()["logical_or"].get<std::vector<bool>>());
  EXPECT_EQ(bools(logical_xor(a, b)), fixture()["logical_xor"].get<std::vector<bool>>());
  EXPECT_EQ(bools(logical_not(a)), fixture()["logical_not"].get<std::vector<bool>>());
}

TEST(StorageDTypes, LogicalOpsBroadcastAndMixDTypes) {
  const Tensor rows = from_vector(std::vector<int64_t>{0, 3}, {2, 1});
  const Tensor cols = gt(from_vector(std::vector<float>{-1, 0, 2}), zeros({3}));  // bool [3]
  EXPECT_EQ(bools(logical_or(rows, cols)), (std::vector<bool>{false, false, true, true, true, true}));
  EXPECT_EQ(logical_and(rows, cols).shape(), (Shape{2, 3}));
  expect_error<ShapeError>([&] { logical_and(zeros({2}), zeros({3})); }, {"logical_and", "[2]", "[3]"});
}

TEST(StorageDTypes, ComparisonsGiveBoolAndBoolsCombineAsPyTorch) {
  const Tensor x = from_vector(std::vector<float>{1, 2, 3, 4});
  const Tensor m = gt(x, full({}, 2.5));
  EXPECT_EQ(bools(m), (std::vector<bool>{false, false, true, true}));
  // Sums count (i64), products with floats promote, where selects.
  EXPECT_EQ(sum(m).dtype(), DType::i64);
  EXPECT_EQ(sum(m).item(), 2);
  EXPECT_EQ((m * x).dtype(), DType::f32);
  EXPECT_EQ((m * x).to_vector<float>(), (std::vector<float>{0, 0, 3, 4}));
  EXPECT_EQ(where(m, x, zeros_like(x)).to_vector<float>(), (std::vector<float>{0, 0, 3, 4}));
  // bool + bool stays bool (logical or), bool * bool too (and); - is refused as in PyTorch.
  EXPECT_EQ(bools(add(m, logical_not(m))), (std::vector<bool>{true, true, true, true}));
  EXPECT_EQ(bools(mul(m, logical_not(m))), (std::vector<bool>{false, false, false, false}));
  expect_error<DTypeError>([&] { sub(m, m); }, {"sub", "bool", "logical_xor"});
  expect_error<DTypeError>([&] { neg(m); }, {"neg", "bool"});
  expect_error<DTypeError>([&] { mean(m); }, {"mean", "bool"});
  // A float condition means non-zero, as before.
  EXPECT_EQ(where(x - 2.0, x, zeros_like(x)).to_vector<float>(), (std::vector<float>{1, 0, 3, 4}));
}

TEST(StorageDTypes, HalfFloatsComputeInF32AndRoundOnce) {
  // Each result is rounded once from f32, ties to even: 2^-11 is half of f16's step at 1. A sum of
  // 4096 ones accumulated in f16 would stall at 2048 (2049 is not an f16); in f32 it is exact.
  const Tensor one = ones({1}, DType::f16), half_step = full({1}, 1.0 / 2048, DType::f16);
  EXPECT_EQ((one + half_step).dtype(), DType::f16);
  EXPECT_EQ((one + half_step).item(), 1.0);
  EXPECT_EQ((one + half_step * 3.0).item(), 1.0 + 1.0 / 512);
  EXPECT_EQ(sum(ones({4096}, DType::f16)).item(), 4096);
  EXPECT_EQ(sum(ones({4096}, DType::f16)).dtype(), DType::f16);
  EXPECT_EQ(exp(zeros({2}, DType::bf16)).dtype(), DType::bf16);
  EXPECT_NEAR(mean(full({3}, 0.1, DType::bf16)).item(), 0.1, 1e-3);
  // f16 holds 0.1 as 0.0999755859375: below the f32 0.1 it is compared with, in f32.
  EXPECT_EQ(bools(lt(full({1}, 0.1, DType::f16), full({1}, 0.1, DType::f32))), std::vector<bool>{true});

  // Gradients flow through the conversions, in the dtype each side holds.
  const Tensor w = full({3}, 0.5).requires_grad_();
  const Tensor loss = sum(w.to(DType::f16) * 3.0).to(DType::f32);
  loss.backward();
  ASSERT_TRUE(w.grad().defined());
  EXPECT_EQ(w.grad().dtype(), DType::f32);
  EXPECT_EQ(w.grad().to_vector<float>(), (std::vector<float>{3, 3, 3}));

  // Data movement works on them as on any dtype.
  const Tensor h = arange(6, DType::f16).reshape({2, 3});
  EXPECT_EQ(h.T().contiguous().to_vector<float>(), (std::vector<float>{0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(concat({h, h}, 0).shape(), (Shape{4, 3}));
  EXPECT_EQ(index_select(h, 1, from_vector(std::vector<int64_t>{2, 0})).to_vector<float>(),
            (std::vector<float>{2, 0, 5, 3}));
}

TEST(StorageDTypes, OpsThatDoNotComputeInHalfFloatsSaySoAndHowToConvert) {
  const Tensor a = ones({2, 2}, DType::f16);
  expect_error<DTypeError>([&] { matmul(a, a); }, {"matmul", "f16", ".to(DType::f32)"});
  expect_error<DTypeError>([&] { softmax(a, 1); }, {"softmax", "f16"});
  expect_error<DTypeError>([&] { functional::linear(ones({2, 2}, DType::bf16), ones({3, 2}, DType::bf16), {}); },
                           {"linear", "bf16", "computes in f32 or f64"});
}

TEST(StorageDTypes, HalfCheckpointsLoadIntoF32ModulesAndOptimizersWantF32) {
  // A checkpoint saved in half precision loads into an f32 module, converted as copy_ does.
  nn::Linear source(3, 2), target(3, 2);
  nn::StateDict half_state;
  for (const auto& [name, t] : source.state_dict()) half_state.emplace_back(name, t.to(DType::f16));
  target.load_state_dict(half_state);
  EXPECT_EQ(target.weight.dtype(), DType::f32);
  EXPECT_EQ(target.weight.to_vector<float>(), source.weight.to(DType::f16).to_vector<float>());
  const Tensor w = ones({2}, DType::bf16).requires_grad_();
  expect_error<DTypeError>([&] { optim::SGD(std::vector<Tensor>{w}); }, {"bf16", "f32"});
}

TEST(StorageDTypes, PrintAsPyTorchDoes) {
  EXPECT_EQ(gt(from_vector(std::vector<float>{1, -1}), zeros({2})).str(), "tensor([ true, false], dtype=bool)");
  EXPECT_EQ(full({2}, 1.5, DType::f16).str(), "tensor([1.5000, 1.5000], dtype=f16)");
  EXPECT_EQ(scalar(-2, DType::bf16).str(), "tensor(-2., dtype=bf16)");
}

TEST(StorageDTypes, SafetensorsKeepsEveryDType) {
  const auto path = std::filesystem::temp_directory_path() / "nabla_storage_dtypes.safetensors";
  const Tensor mask = gt(from_vector(std::vector<float>{1, -1, 2}), zeros({3}));
  const Tensor half = from_vector(std::vector<float>{0.1f, -65504, 1e-7f}).to(DType::f16);
  const Tensor brain = from_vector(std::vector<float>{0.1f, 3e38f, -1}).to(DType::bf16);
  io::save_safetensors(path.string(), {{"mask", mask}, {"half", half}, {"brain", brain}});
  const io::SafetensorsFile file = io::load_safetensors(path.string());
  std::filesystem::remove(path);
  ASSERT_EQ(file.tensors.size(), 3u);
  for (const auto& [name, t] : file.tensors) {
    const Tensor& original = name == "mask" ? mask : name == "half" ? half : brain;
    EXPECT_EQ(t.dtype(), original.dtype()) << name;
    EXPECT_EQ(0, std::memcmp(t.raw_data(), original.raw_data(), original.nbytes())) << name;
  }
}

}  // namespace
}  // namespace nabla
