// A program of one's own, built against an installed nabla (not inside nabla's tree): an MLP that
// learns to separate two interleaved half-moons of points. It exits 0 only if the network learned
// them, so the install check (scripts/check-install.sh) can trust it.
//
//   cmake -S examples/consumer -B build/consumer -DCMAKE_PREFIX_PATH=<prefix> && cmake --build build/consumer
//   g++ -std=c++20 -O2 two_moons.cpp $(pkg-config --cflags --libs nabla) -o two_moons
#include <cstdio>
#include <numbers>

#include "nabla/nabla.h"
#include "nabla/nn/all.h"
#include "nabla/optim/optimizer.h"

using namespace nabla;

int main() {
  manual_seed(0);
  // 400 points: the upper moon (class 0) and the lower one shifted right (class 1), with noise.
  const int64_t n = 400;
  const Tensor angle = rand({n}) * std::numbers::pi;
  const Tensor label = cast(gt(arange(n), full({}, n / 2 - 1, DType::i64)), DType::i64);
  const Tensor lower = cast(label, DType::f32);
  const Tensor x = cos(angle) + lower * (1.0 - 2.0 * cos(angle));
  const Tensor y = sin(angle) * (1.0 - 2.0 * lower) + lower * 0.5;
  const Tensor points = stack({x, y}, 1) + randn({n, 2}) * 0.1;

  nn::Sequential model{std::make_shared<nn::Linear>(2, 16), std::make_shared<nn::ReLU>(),
                       std::make_shared<nn::Linear>(16, 2)};
  optim::Adam adam(model.parameters(), {.lr = 0.05});
  double loss = 0;
  for (int step = 0; step < 200; ++step) {
    adam.zero_grad();
    const Tensor l = functional::cross_entropy(model(points), label);
    l.backward();
    adam.step();
    loss = l.item();
  }
  const double accuracy = sum(eq(argmax(model(points), 1), label)).item() / static_cast<double>(n);
  std::printf("nabla %s (headers %d): loss %.4f, accuracy %.3f\n", version(), NABLA_VERSION, loss, accuracy);
  return accuracy > 0.95 ? 0 : 1;
}
