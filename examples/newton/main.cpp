// Newton's method with second derivatives from autograd (DeZero step 33):
// minimise y = x^4 - 2x^2 from x = 2. Each step is x <- x - y'(x) / y''(x), where y'' comes from
// differentiating the graph of y' — no hand-written derivative anywhere.
#include <cstdio>

#include "nabla/nabla.h"

using namespace nabla;

int main() {
  Tensor x = scalar(2.0, DType::f64);
  x.requires_grad_();
  GradOptions keep_graph;
  keep_graph.create_graph = true;
  std::printf("iter  x                   y'(x)        y''(x)\n");
  for (int i = 0; i < 10; ++i) {
    const Tensor y = pow(x, 4.0) - 2.0 * pow(x, 2.0);
    const Tensor gx = grad({y}, {x}, keep_graph)[0];  // y'(x), itself differentiable
    const Tensor gx2 = grad({gx}, {x})[0];              // y''(x)
    std::printf("%4d  %.15f  %11.6f  %11.6f\n", i, x.item(), gx.item(), gx2.item());
    NoGradGuard no_grad;
    x = (x - gx / gx2).detach();
    x.requires_grad_();
  }
  std::printf("minimum at x = %.15f (exact: 1)\n", x.item());
  return 0;
}
