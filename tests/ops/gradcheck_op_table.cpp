// The op-table harness (the model is ggml's test-backend-ops): every entry of
// tests/ops/op_table_entries.h is checked for
//   - its first-order gradient against central differences in f64,
//   - its second-order gradient likewise, where the entry says second order applies,
//   - f32 agreeing with f64 (outputs and gradients),
//   - a fused op agreeing with its composite formula (outputs and gradients),
//   - strided (transposed) inputs agreeing with contiguous ones,
//   - the same numbers with 1 and 2 threads,
//   - f16 and bf16 inputs either computed in f32 (agreeing with f32 on the same rounded values)
//     or refused with an error that names the dtype and how to convert;
// and the table is checked to cover the ops twice over, so an op added without an entry fails here:
//   - every function that include/nabla/ops.h and functional.h declare is an entry or is listed
//     as not differentiable (the public API, read from the headers themselves);
//   - every node kind that src/ops records (`record("name", ...)`, read from the sources) turns up
//     in the graphs the entries build, forward or backward, so backward-only nodes such as
//     relu_backward are exercised too.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "ops/op_table_entries.h"

namespace nabla::test_support {

void PrintTo(const OpEntry& entry, std::ostream* os) { *os << entry.name; }

namespace {

void expect_all_close(const std::vector<Tensor>& expected, const std::vector<Tensor>& actual,
                      double tolerance, const std::string& what) {
  ASSERT_EQ(expected.size(), actual.size()) << what;
  for (size_t i = 0; i < expected.size(); ++i) {
    const Tensor e = cast(expected[i], DType::f64), a = cast(actual[i], DType::f64);
    EXPECT_TRUE(allclose(a, e, tolerance, tolerance))
        << what << ": "
        << (i == 0 ? std::string("the output") : "the gradient of input " + std::to_string(i - 1))
        << " differs (shape " << to_string(e.shape()) << ")";
  }
}

// Keeps the process's thread count across a test that changes it.
class ThreadCountGuard {
 public:
  ThreadCountGuard() : previous_(get_num_threads()) {}
  ~ThreadCountGuard() { set_num_threads(previous_); }
  ThreadCountGuard(const ThreadCountGuard&) = delete;
  ThreadCountGuard& operator=(const ThreadCountGuard&) = delete;

 private:
  int previous_;
};

class OpTable : public ::testing::TestWithParam<OpEntry> {};

TEST_P(OpTable, FirstOrderGradcheckInF64) {
  const OpEntry& entry = GetParam();
  const GradcheckResult result =
      gradcheck(entry.op, make_inputs(entry, DType::f64, Layout::contiguous), entry.tolerance);
  EXPECT_TRUE(result.ok) << result.message;
}

TEST_P(OpTable, SecondOrderGradcheckInF64) {
  const OpEntry& entry = GetParam();
  if (!entry.second_order) GTEST_SKIP() << entry.name << " has no second derivative to check";
  const GradcheckResult result =
      gradgradcheck(entry.op, make_inputs(entry, DType::f64, Layout::contiguous), entry.tolerance);
  EXPECT_TRUE(result.ok) << result.message;
}

TEST_P(OpTable, F32AgreesWithF64) {
  const OpEntry& entry = GetParam();
  const auto f64 = output_and_gradients(entry.op, make_inputs(entry, DType::f64, Layout::contiguous));
  const auto f32 = output_and_gradients(entry.op, make_inputs(entry, DType::f32, Layout::contiguous));
  for (const Tensor& t : f32) EXPECT_EQ(t.dtype(), DType::f32) << entry.name << " left f32";
  expect_all_close(f64, f32, entry.f32_tolerance, "f32 against f64");
}

TEST_P(OpTable, FusedAgreesWithComposite) {
  const OpEntry& entry = GetParam();
  if (!entry.composite) GTEST_SKIP() << entry.name << " is not fused";
  const std::vector<Tensor> inputs = make_inputs(entry, DType::f64, Layout::contiguous);
  expect_all_close(output_and_gradients(entry.composite, inputs), output_and_gradients(entry.op, inputs),
                   1e-9, "fused against composite");
}

TEST_P(OpTable, StridedAgreesWithContiguous) {
  const OpEntry& entry = GetParam();
  const std::vector<Tensor> strided = make_inputs(entry, DType::f64, Layout::strided);
  bool any_strided = false;
  for (const Tensor& x : strided) any_strided = any_strided || !x.is_contiguous();
  ASSERT_TRUE(any_strided) << "the strided layout made no strided input";
  expect_all_close(output_and_gradients(entry.op, make_inputs(entry, DType::f64, Layout::contiguous)),
                   output_and_gradients(entry.op, strided), 1e-12, "strided against contiguous");
}

TEST_P(OpTable, SameWithOneAndTwoThreads) {
  const OpEntry& entry = GetParam();
  const std::vector<InputSpec>& specs = entry.threaded_inputs.empty() ? entry.inputs : entry.threaded_inputs;
  ThreadCountGuard keep;
  set_num_threads(1);
  const auto one = output_and_gradients(entry.op, make_inputs(entry, specs, DType::f64, Layout::contiguous));
  set_num_threads(2);
  const auto two = output_and_gradients(entry.op, make_inputs(entry, specs, DType::f64, Layout::contiguous));
  expect_all_close(one, two, 1e-12, "2 threads against 1");
}

// A 16-bit float call computes in f32 and rounds its result (and gradients) back, so it must agree
// with f32 run on the same rounded inputs to about the 16-bit format's precision; an op that does
// not compute them refuses with a DTypeError saying how to convert. Anything else (a crash, a
// kernel reached with a dtype it cannot compute in, silent garbage) fails.
TEST_P(OpTable, HalfFloatsComputeInF32OrAreRefused) {
  const OpEntry& entry = GetParam();
  for (DType half : {DType::f16, DType::bf16}) {
    const std::vector<Tensor> values = make_inputs(entry, DType::f64, Layout::contiguous);
    std::vector<Tensor> in_half, in_f32;
    for (const Tensor& v : values) {
      in_half.push_back(cast(v.detach(), half));
      in_f32.push_back(cast(in_half.back(), DType::f32));
      if (v.requires_grad()) in_half.back().requires_grad_(), in_f32.back().requires_grad_();
    }
    std::vector<Tensor> results;
    try {
      results = output_and_gradients(entry.op, in_half);
    } catch (const DTypeError& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find(to_string(half)), std::string::npos) << message;
      EXPECT_NE(message.find(".to(DType::f32)"), std::string::npos) << message;
      continue;
    }
    for (size_t i = 1; i < results.size(); ++i)
      EXPECT_EQ(results[i].dtype(), half) << entry.name << ": gradient " << i - 1 << " left " << to_string(half);
    const double tolerance = half == DType::f16 ? 2e-2 : 1e-1;  // 11 and 8 significant bits
    expect_all_close(output_and_gradients(entry.op, in_f32), results, tolerance,
                     to_string(half) + std::string(" against f32"));
  }
}

std::string test_name(const ::testing::TestParamInfo<OpEntry>& info) {
  std::string name = info.param.name;
  for (char& c : name)
    if (c == '.') c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Ops, OpTable, ::testing::ValuesIn(op_table()), test_name);

// ---- the table covers the public API ------------------------------------------------------------

// Every function a public header declares at namespace level: a line that starts (unindented)
// with a return type followed by a lower-case name and '(' (operators and members do not match).
const std::string kProjectRoot = std::string(NABLA_TEST_DATA_DIR) + "/../..";

std::set<std::string> declared_functions(const std::string& header) {
  std::ifstream in(kProjectRoot + "/include/nabla/" + header);
  EXPECT_TRUE(in) << "cannot read include/nabla/" << header;
  const std::regex declaration(R"(^(?:const )?[A-Za-z_][\w:<>]*[&*]? ([a-z_][a-z0-9_]*)\()");
  std::set<std::string> names;
  std::string line;
  std::smatch match;
  while (std::getline(in, line))
    if (std::regex_search(line, match, declaration)) names.insert(match[1]);
  return names;
}

TEST(OpTableCoverage, EveryPublicFunctionIsAnEntryOrListedAsNotDifferentiable) {
  std::set<std::string> declared = declared_functions("ops.h");
  for (const std::string& name : declared_functions("functional.h")) declared.insert(name);
  ASSERT_GT(declared.size(), 80u) << "the declaration pattern no longer matches the headers";

  std::set<std::string> covered;
  for (const OpEntry& entry : op_table()) covered.insert(entry.function());
  std::set<std::string> exempt;
  for (const auto& [name, reason] : not_differentiable()) exempt.insert(name);

  for (const std::string& name : declared)
    EXPECT_TRUE(covered.count(name) || exempt.count(name))
        << name << " is declared in ops.h or functional.h but has no entry in tests/ops/op_table_entries.h";
  for (const std::string& name : covered)
    EXPECT_TRUE(declared.count(name)) << "entry " << name << " names no public function";
  for (const std::string& name : exempt)
    EXPECT_TRUE(declared.count(name)) << name << " is exempted but not declared";
  for (const std::string& name : exempt)
    EXPECT_FALSE(covered.count(name)) << name << " is both an entry and exempted";
}

// The node kinds src/ops records under a literal name.
std::set<std::string> recorded_node_kinds() {
  const std::regex recorded(R"re(record\(\s*"([a-z0-9_]+)")re");
  std::set<std::string> kinds;
  for (const auto& file : std::filesystem::directory_iterator(kProjectRoot + "/src/ops")) {
    std::ifstream in(file.path());
    std::stringstream text;
    text << in.rdbuf();
    const std::string source = text.str();
    for (std::sregex_iterator it(source.begin(), source.end(), recorded), end; it != end; ++it)
      kinds.insert((*it)[1]);
  }
  return kinds;
}

// The names of every node in the graph behind `t`.
void collect_node_kinds(const Tensor& t, std::set<std::string>& kinds) {
  std::vector<const Node*> work;
  std::set<const Node*> seen;
  if (t.grad_fn()) work.push_back(t.grad_fn().get());
  while (!work.empty()) {
    const Node* node = work.back();
    work.pop_back();
    if (!seen.insert(node).second) continue;
    kinds.insert(node->name());
    for (const Edge& edge : node->edges())
      if (edge.node) work.push_back(edge.node.get());
  }
}

TEST(OpTableCoverage, EveryNodeKindOfSrcOpsIsBuiltByAnEntry) {
  const std::set<std::string> recorded = recorded_node_kinds();
  ASSERT_GT(recorded.size(), 40u) << "the record(...) pattern no longer matches src/ops";
  std::set<std::string> built;
  for (const OpEntry& entry : op_table()) {
    const std::vector<Tensor> inputs = make_inputs(entry, DType::f64, Layout::contiguous);
    const Tensor out = entry.op(inputs);
    collect_node_kinds(out, built);
    std::vector<Tensor> wrt;
    for (const Tensor& x : inputs)
      if (x.requires_grad()) wrt.push_back(x);
    GradOptions options;
    options.create_graph = true;
    options.allow_unused = true;
    // A weighting that itself requires grad, so that backward nodes linear in it (the pooling
    // adjoints) are recorded too.
    Tensor weighting = ones_like(out);
    weighting.requires_grad_();
    for (const Tensor& g : grad({out}, wrt, {weighting}, options))
      if (g.defined()) collect_node_kinds(g, built);
  }
  for (const std::string& kind : recorded)
    EXPECT_TRUE(built.count(kind)) << "src/ops records node kind " << kind
                                   << " but no entry of tests/ops/op_table_entries.h builds it";
}

TEST(OpTableCoverage, EntryNamesAreUnique) {
  std::set<std::string> seen;
  for (const OpEntry& entry : op_table())
    EXPECT_TRUE(seen.insert(entry.name).second) << entry.name << " twice";
}

}  // namespace
}  // namespace nabla::test_support
