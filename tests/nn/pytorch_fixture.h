// What the *_vs_pytorch tests share: reading a fixture that a tests/data/*/make_*.py script wrote
// with PyTorch, turning its {"shape", "dtype", "values"} entries into tensors, and comparing.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nabla/nabla.h"

namespace nabla::fixture {

// The "cases" object of tests/data/<folder>/<file>.
inline nlohmann::json read_cases(const std::string& file, const std::string& folder = "nn") {
  std::ifstream in(std::string(NABLA_TEST_DATA_DIR) + "/" + folder + "/" + file);
  if (!in) throw std::runtime_error("cannot open " + file);
  return nlohmann::json::parse(in).at("cases");
}

// i64 entries stay i64; floats (exact in a JSON double) are cast to `dtype`, and the strings "inf"
// and "-inf" are infinities (JSON has none). from_vector reads an empty shape as 1-D, so a 0-d
// tensor is reshaped afterwards.
inline Tensor from_json(const nlohmann::json& entry, DType dtype) {
  const Shape shape = entry.at("shape").get<Shape>();
  if (entry.at("dtype") == "i64") return from_vector(entry.at("values").get<std::vector<int64_t>>()).reshape(shape);
  std::vector<double> values;
  for (const nlohmann::json& v : entry.at("values"))
    values.push_back(v.is_string() ? (v == "-inf" ? -INFINITY : INFINITY) : v.get<double>());
  return from_vector(values, {}, dtype).reshape(shape);
}

// |nabla - PyTorch| <= tol * max(1, |PyTorch|): absolute below 1, relative above.
inline void expect_close(const Tensor& actual, const nlohmann::json& expected_entry, double tol,
                         const std::string& what) {
  ASSERT_TRUE(actual.defined()) << what << " is undefined";
  const Tensor expected = from_json(expected_entry, DType::f64);
  ASSERT_EQ(to_string(actual.shape()), to_string(expected.shape())) << what;
  const std::vector<double> a = actual.to_vector<double>(), e = expected.to_vector<double>();
  for (size_t i = 0; i < a.size(); ++i)
    ASSERT_LE(std::abs(a[i] - e[i]), tol * std::max(1.0, std::abs(e[i])))
        << what << " element " << i << ": nabla " << a[i] << ", PyTorch " << e[i];
}

}  // namespace nabla::fixture
