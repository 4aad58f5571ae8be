// Higher-order derivatives by differentiating gradients again (DeZero steps 34-35): the first
// four derivatives of sin and of tanh at a point, checked against their closed forms, and the
// graph of a tanh derivative written as Graphviz DOT.
//
//   higher_order [x=1.0] [order of the tanh graph=2] [dot file=tanh_grad.dot]
//   dot -Tpng tanh_grad.dot -o tanh_grad.png
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>

#include "nabla/nabla.h"

using namespace nabla;

namespace {

// y, y', y'', ... up to `order` derivatives of f at x.
std::vector<Tensor> derivatives(const std::function<Tensor(const Tensor&)>& f, const Tensor& x, int order) {
  GradOptions o;
  o.create_graph = true;
  std::vector<Tensor> ds{f(x)};
  for (int i = 0; i < order; ++i) ds.push_back(grad({ds.back()}, {x}, o)[0]);
  return ds;
}

void report(const char* name, const std::vector<Tensor>& ds, const std::vector<double>& exact) {
  std::printf("%s\n", name);
  for (size_t i = 1; i < ds.size(); ++i)
    std::printf("  d%zu = %+.15f   closed form %+.15f   |diff| %.1e\n", i, ds[i].item(), exact[i - 1],
                std::abs(ds[i].item() - exact[i - 1]));
}

}  // namespace

int main(int argc, char** argv) {
  const double at = argc > 1 ? std::atof(argv[1]) : 1.0;
  const int graph_order = argc > 2 ? std::atoi(argv[2]) : 2;
  const std::string dot_path = argc > 3 ? argv[3] : "tanh_grad.dot";

  Tensor x = scalar(at, DType::f64);
  x.requires_grad_();
  x.set_name("x");
  std::printf("derivatives at x = %g\n", at);

  report("sin(x)", derivatives([](const Tensor& v) { return sin(v); }, x, 4),
         {std::cos(at), -std::sin(at), -std::cos(at), std::sin(at)});

  // tanh' = 1 - t^2, tanh'' = -2t(1 - t^2), tanh''' = -2(1 - t^2)(1 - 3t^2),
  // tanh'''' = 8t(1 - t^2)(2 - 3t^2)
  const double t = std::tanh(at), s = 1 - t * t;
  report("tanh(x)", derivatives([](const Tensor& v) { return tanh(v); }, x, 4),
         {s, -2 * t * s, -2 * s * (1 - 3 * t * t), 8 * t * s * (2 - 3 * t * t)});

  Tensor g = derivatives([](const Tensor& v) { return tanh(v); }, x, graph_order).back();
  g.set_name("gx" + std::to_string(graph_order));
  std::ofstream(dot_path) << to_dot(g);
  std::printf("graph of d%d tanh/dx%d written to %s\n", graph_order, graph_order, dot_path.c_str());
  return 0;
}
