// CosineSimilarity and PairwiseDistance: their settings; the work is in nabla::functional.
#include "nabla/nn/distance.h"

#include "nabla/functional.h"

namespace nabla::nn {

Tensor CosineSimilarity::forward(const Tensor& x1, const Tensor& x2) {
  return functional::cosine_similarity(x1, x2, dim, eps);
}

Tensor PairwiseDistance::forward(const Tensor& x1, const Tensor& x2) {
  return functional::pairwise_distance(x1, x2, p, eps, keepdim);
}

}  // namespace nabla::nn
