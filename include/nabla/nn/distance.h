// Similarity and distance between two inputs (torch.nn.CosineSimilarity, PairwiseDistance), the
// heads of Siamese networks. Called with (x1, x2).
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(NN);
#include "nabla/nn/module.h"

namespace nabla::nn {

class CosineSimilarity : public CallableModule<CosineSimilarity> {
 public:
  explicit CosineSimilarity(int64_t dim = 1, double eps = 1e-8) : dim(dim), eps(eps) {}
  Tensor forward(const Tensor& x1, const Tensor& x2);
  int64_t dim;
  double eps;
};

class PairwiseDistance : public CallableModule<PairwiseDistance> {
 public:
  explicit PairwiseDistance(double p = 2.0, double eps = 1e-6, bool keepdim = false)
      : p(p), eps(eps), keepdim(keepdim) {}
  Tensor forward(const Tensor& x1, const Tensor& x2);
  double p, eps;
  bool keepdim;
};

}  // namespace nabla::nn
