// Gradient descent on the Rosenbrock function (DeZero step 28):
// y = 100 (x1 - x0^2)^2 + (1 - x0)^2, minimum at (1, 1), starting from (0, 2).
//   rosenbrock [iterations=50000] [learning rate=0.001]
#include <cstdio>
#include <cstdlib>

#include "nabla/nabla.h"

using namespace nabla;

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 50000;
  const double lr = argc > 2 ? std::atof(argv[2]) : 0.001;
  Tensor x0 = scalar(0.0, DType::f64), x1 = scalar(2.0, DType::f64);
  x0.requires_grad_();
  x1.requires_grad_();
  for (int i = 0; i <= iterations; ++i) {
    const Tensor y = 100.0 * pow(x1 - pow(x0, 2.0), 2.0) + pow(1.0 - x0, 2.0);
    if (i % (iterations / 10 > 0 ? iterations / 10 : 1) == 0)
      std::printf("iter %6d  x0 %.6f  x1 %.6f  y %.3e\n", i, x0.item(), x1.item(), y.item());
    if (i == iterations) break;
    x0.zero_grad();
    x1.zero_grad();
    y.backward();
    NoGradGuard no_grad;
    // In-place update of the leaves' values: the step itself is not part of any graph.
    *x0.data<double>() -= lr * x0.grad().item();
    *x1.data<double>() -= lr * x1.grad().item();
  }
  std::printf("reached (%.6f, %.6f); the minimum is (1, 1)\n", x0.item(), x1.item());
  return 0;
}
