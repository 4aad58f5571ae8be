// Micro-benchmarks of the core ops: matmul (GFLOP/s) and elementwise/reduction ops (GB/s), f32.
// compare_ops.py runs this next to the same operations in PyTorch; see README.md.
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "nabla/nabla.h"

using namespace nabla;

namespace {

void configure_threads() {
  static const bool done = [] {
    if (const char* n = std::getenv("NABLA_THREADS")) set_num_threads(std::atoi(n));
    return true;
  }();
  (void)done;
}

void BM_matmul(benchmark::State& state) {
  configure_threads();
  const int64_t n = state.range(0);
  manual_seed(0);
  const Tensor a = randn({n, n}), b = randn({n, n});
  for (auto _ : state) benchmark::DoNotOptimize(matmul(a, b).raw_data());
  state.counters["GFLOP/s"] = benchmark::Counter(2e-9 * n * n * n, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_matmul)->RangeMultiplier(2)->Range(64, 1024)->Unit(benchmark::kMicrosecond)->UseRealTime();

// Elementwise ops on 2^20 floats. Bytes moved: inputs read plus output written.
template <class F>
void elementwise(benchmark::State& state, int operands, F f) {
  configure_threads();
  manual_seed(0);
  const Tensor a = randn({1024, 1024}), b = randn({1024, 1024});
  for (auto _ : state) benchmark::DoNotOptimize(f(a, b).raw_data());
  state.counters["GB/s"] = benchmark::Counter(1e-9 * operands * a.nbytes(), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_add(benchmark::State& s) { elementwise(s, 3, [](const Tensor& a, const Tensor& b) { return a + b; }); }
void BM_mul(benchmark::State& s) { elementwise(s, 3, [](const Tensor& a, const Tensor& b) { return a * b; }); }
void BM_add_row_broadcast(benchmark::State& s) {
  configure_threads();
  const Tensor a = randn({1024, 1024}), row = randn({1024});
  for (auto _ : s) benchmark::DoNotOptimize((a + row).raw_data());
  s.counters["GB/s"] = benchmark::Counter(2e-9 * a.nbytes(), benchmark::Counter::kIsIterationInvariantRate);
}
void BM_exp(benchmark::State& s) { elementwise(s, 2, [](const Tensor& a, const Tensor&) { return exp(a); }); }
void BM_relu(benchmark::State& s) { elementwise(s, 2, [](const Tensor& a, const Tensor&) { return relu(a); }); }
void BM_sigmoid(benchmark::State& s) { elementwise(s, 2, [](const Tensor& a, const Tensor&) { return sigmoid(a); }); }
void BM_sum(benchmark::State& s) { elementwise(s, 1, [](const Tensor& a, const Tensor&) { return sum(a); }); }
void BM_sum_axis0(benchmark::State& s) { elementwise(s, 1, [](const Tensor& a, const Tensor&) { return sum(a, {0}); }); }
void BM_transpose_copy(benchmark::State& s) {
  elementwise(s, 2, [](const Tensor& a, const Tensor&) { return a.transpose(0, 1).contiguous(); });
}
BENCHMARK(BM_add)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_mul)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_add_row_broadcast)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_exp)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_relu)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_sigmoid)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_sum)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_sum_axis0)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_transpose_copy)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
