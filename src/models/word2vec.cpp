// word2vec's negative-sampling losses over two embedding tables, and cosine nearest neighbours.
#include "nabla/models/word2vec.h"

#include <algorithm>
#include <cmath>

#include "nabla/autograd.h"
#include "nabla/functional.h"
#include "nabla/nn/init.h"
#include "nabla/ops.h"

namespace nabla::models {
namespace F = functional;
namespace {

void require_shape(const Tensor& t, int64_t dims, const char* what, const std::string& op) {
  if (t.dim() != dims)
    throw ShapeError(op + ": " + what + " must have " + std::to_string(dims) + " axes, got " +
                     to_string(t.shape()));
}

}  // namespace

Word2Vec::Word2Vec(int64_t vocab_size_, int64_t dim_) : vocab_size(vocab_size_), dim(dim_) {
  if (vocab_size < 1 || dim < 1)
    throw Error("Word2Vec: vocab_size and dim must be positive, got " + std::to_string(vocab_size) +
                " and " + std::to_string(dim));
  input_embedding = register_module("input_embedding", std::make_shared<nn::Embedding>(vocab_size, dim));
  output_embedding = register_module("output_embedding", std::make_shared<nn::Embedding>(vocab_size, dim));
  NoGradGuard no_grad;
  nn::init::uniform_(input_embedding->weight, -0.5 / static_cast<double>(dim), 0.5 / static_cast<double>(dim));
  nn::init::zeros_(output_embedding->weight);
}

Tensor Word2Vec::forward(const Tensor& ids) { return input_embedding(ids); }

std::string Word2Vec::extra_repr() const {
  return std::to_string(vocab_size) + ", " + std::to_string(dim);
}

Tensor Word2Vec::negative_sampling_loss(const Tensor& v, const Tensor& positive, const Tensor& negatives) {
  const int64_t batch = v.size(0);
  require_shape(positive, 1, "the positive ids", "Word2Vec");
  require_shape(negatives, 2, "the negatives", "Word2Vec");
  if (positive.size(0) != batch || negatives.size(0) != batch)
    throw ShapeError("Word2Vec: batch sizes differ: " + to_string(v.shape()) + " vectors, " +
                     to_string(positive.shape()) + " positives, " + to_string(negatives.shape()) + " negatives");
  // Column 0 is the true word, the rest are noise: one gather, one batched dot product.
  const Tensor targets = concat({positive.reshape({batch, 1}), negatives}, 1);       // [B, 1+K]
  const Tensor u = output_embedding(targets);                                      // [B, 1+K, D]
  const Tensor scores = sum(u * v.unsqueeze(1), {2});                                 // [B, 1+K]
  const Tensor labels = concat({ones({batch, 1}, scores.dtype()), zeros({batch, negatives.size(1)}, scores.dtype())}, 1);
  return F::binary_cross_entropy_with_logits(scores, labels, Tensor(), F::Reduction::sum);
}

Tensor Word2Vec::skipgram_loss(const Tensor& centers, const Tensor& contexts, const Tensor& negatives) {
  require_shape(centers, 1, "the centre ids", "Word2Vec::skipgram_loss");
  return negative_sampling_loss(input_embedding(centers), contexts, negatives);
}

Tensor Word2Vec::cbow_loss(const Tensor& contexts, const Tensor& mask, const Tensor& centers,
                           const Tensor& negatives) {
  require_shape(contexts, 2, "the context ids", "Word2Vec::cbow_loss");
  if (mask.shape() != contexts.shape())
    throw ShapeError("Word2Vec::cbow_loss: mask " + to_string(mask.shape()) + " does not match contexts " +
                     to_string(contexts.shape()));
  const Tensor m = mask.to(input_embedding->weight.dtype());
  const Tensor counts = sum(m, {1}, true);  // [B, 1]
  if (min(counts).item() <= 0)
    throw Error("Word2Vec::cbow_loss: a row of the mask has no context word");
  const Tensor summed = sum(input_embedding(contexts) * m.unsqueeze(2), {1});  // [B, D]
  return negative_sampling_loss(summed / counts, centers, negatives);
}

std::vector<Neighbour> nearest_by_cosine(const Tensor& embeddings, const Tensor& query, int64_t k,
                                         const std::vector<int64_t>& exclude) {
  if (embeddings.dim() != 2)
    throw ShapeError("nearest_by_cosine: embeddings must be [V, D], got " + to_string(embeddings.shape()));
  if (query.numel() != embeddings.size(1))
    throw ShapeError("nearest_by_cosine: query " + to_string(query.shape()) + " does not match embeddings " +
                     to_string(embeddings.shape()));
  NoGradGuard no_grad;
  const Tensor e = embeddings.to(DType::f64).contiguous();
  const Tensor q = query.reshape({-1}).to(DType::f64).contiguous();
  const std::vector<double> dots = matmul(e, q).to_vector<double>();
  const std::vector<double> norms = sqrt(sum(e * e, {1})).to_vector<double>();
  const double query_norm = std::sqrt(sum(q * q).item());
  std::vector<Neighbour> all;
  for (int64_t i = 0; i < embeddings.size(0); ++i) {
    if (std::find(exclude.begin(), exclude.end(), i) != exclude.end()) continue;
    const double denominator = norms[static_cast<size_t>(i)] * query_norm;
    all.push_back({i, denominator > 0 ? dots[static_cast<size_t>(i)] / denominator : 0.0});
  }
  const size_t keep = std::min(all.size(), static_cast<size_t>(std::max<int64_t>(k, 0)));
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(keep), all.end(),
                    [](const Neighbour& a, const Neighbour& b) {
                      return a.cosine != b.cosine ? a.cosine > b.cosine : a.id < b.id;
                    });
  all.resize(keep);
  return all;
}

}  // namespace nabla::models
