// One training step of the course's SimpleConvNet (conv 30 5x5, ReLU, 2x2 max pool, Linear 100,
// ReLU, Linear 10) on a batch of 100 28x28 images with Adam, and its layers' pieces, so a profile
// can be read against the whole step. compare_training.py runs whole epochs next to PyTorch.
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "nabla/nabla.h"
#include "nabla/nn/all.h"
#include "nabla/optim/optimizer.h"

using namespace nabla;
namespace F = nabla::functional;

namespace {

void configure_threads() {
  static const bool done = [] {
    if (const char* n = std::getenv("NABLA_THREADS")) set_num_threads(std::atoi(n));
    return true;
  }();
  (void)done;
}

std::shared_ptr<nn::Sequential> simple_conv_net() {
  return std::make_shared<nn::Sequential>(std::initializer_list<nn::ModulePtr>{
      std::make_shared<nn::Conv2d>(1, 30, 5), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::MaxPool2d>(2), std::make_shared<nn::Flatten>(),
      std::make_shared<nn::Linear>(4320, 100), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::Linear>(100, 10)});
}

void BM_simplecnn_train_step(benchmark::State& state) {
  configure_threads();
  manual_seed(0);
  auto model = simple_conv_net();
  optim::Adam adam(model->parameters(), {.lr = 1e-3});
  const Tensor x = randn({100, 1, 28, 28});
  const Tensor y = randint(0, 10, {100});
  for (auto _ : state) {
    adam.zero_grad();
    const Tensor loss = F::cross_entropy((*model)(x), y);
    loss.backward();
    adam.step();
  }
  // forward 2 * (30*576*25 + 4320*100 + 100*10) per sample; backward twice that, less the
  // first layer's input gradient.
  const double forward = 2.0 * (30 * 576 * 25 + 4320 * 100 + 100 * 10);
  const double per_sample = forward + forward + 2.0 * (4320 * 100 + 100 * 10);
  state.counters["GFLOP/s"] = benchmark::Counter(1e-9 * per_sample * 100, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_simplecnn_train_step)->Unit(benchmark::kMillisecond)->UseRealTime();

// The convolution's three products alone, at the same sizes.
void BM_conv5x5_forward(benchmark::State& state) {
  configure_threads();
  const Tensor x = randn({100, 1, 28, 28}), w = randn({30, 1, 5, 5}), b = randn({30});
  for (auto _ : state) benchmark::DoNotOptimize(F::conv2d(x, w, b).raw_data());
}
BENCHMARK(BM_conv5x5_forward)->Unit(benchmark::kMicrosecond)->UseRealTime();

// Forward and backward of the first layer as in training: the weight and bias gradients only.
void BM_conv5x5_forward_backward(benchmark::State& state) {
  configure_threads();
  const Tensor x = randn({100, 1, 28, 28}), g = randn({100, 30, 24, 24});
  Tensor w = randn({30, 1, 5, 5}), b = randn({30});
  w.requires_grad_();
  b.requires_grad_();
  for (auto _ : state) benchmark::DoNotOptimize(grad({F::conv2d(x, w, b)}, {w, b}, {g}));
}
BENCHMARK(BM_conv5x5_forward_backward)->Unit(benchmark::kMicrosecond)->UseRealTime();

// The activation between the convolution and the pooling: relu forward and backward.
void BM_relu_forward_backward(benchmark::State& state) {
  configure_threads();
  Tensor x = randn({100, 30, 24, 24});
  x.requires_grad_();
  const Tensor g = randn({100, 30, 24, 24});
  for (auto _ : state) benchmark::DoNotOptimize(grad({relu(x)}, {x}, {g}));
}
BENCHMARK(BM_relu_forward_backward)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_maxpool2x2(benchmark::State& state) {
  configure_threads();
  const Tensor x = randn({100, 30, 24, 24});
  for (auto _ : state) benchmark::DoNotOptimize(F::max_pool2d(x, 2).raw_data());
}
BENCHMARK(BM_maxpool2x2)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
BENCHMARK_MAIN();
