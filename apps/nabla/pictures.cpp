#include "pictures.h"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <vector>

#include "nabla/autograd.h"
#include "nabla/nabla.h"

namespace nabla::cli {

std::string shape_str(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

int64_t auto_scale(int64_t requested, int64_t height, int64_t width) {
  if (requested > 0) return requested;
  return std::max<int64_t>(1, std::lround(56.0 / static_cast<double>(std::max(height, width))));
}

Tensor predict_logits(nn::Module& model, const Tensor& images) {
  NoGradGuard no_grad;
  model.eval();
  std::vector<Tensor> parts;
  for (int64_t start = 0; start < images.size(0); start += 1000)
    parts.push_back(model(images.slice(0, start, std::min(start + 1000, images.size(0)))));
  return concat(parts, 0);
}

void report(const std::string& path, const io::Image& image, std::chrono::steady_clock::time_point start,
            const std::string& what) {
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "wrote " << path << " (" << image.width << "x" << image.height << "): " << what << ", "
            << std::lround(seconds * 1000) << " ms\n";
}

}  // namespace nabla::cli
