// word2vec (Mikolov et al. 2013) with negative sampling: two embedding tables, one for words as
// centres ("input" vectors, the ones kept as word vectors) and one for words as contexts
// ("output" vectors). For a centre vector v, its true context u_o and K noise words u_k, the loss
//   -log sigmoid(u_o . v) - sum_k log sigmoid(-u_k . v)
// teaches the model to tell real neighbours from noise. Skip-gram takes v from the centre word
// and predicts each context word; CBOW takes v as the mean of the context words' input vectors and
// predicts the centre. Both tables are nn::Embedding, whose backward writes only the rows used.
//
// The examples and the noise words come from data/negative_sampling.h.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(MODELS);
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nabla/nn/layers.h"
#include "nabla/nn/module.h"

namespace nabla::models {

class Word2Vec : public nn::UnaryModule {
 public:
  // As word2vec's C code: input vectors U(-0.5/dim, 0.5/dim), output vectors zero.
  Word2Vec(int64_t vocab_size, int64_t dim);
  // The input (word) vectors of i64 ids of any shape: ids.shape + [dim].
  Tensor forward(const Tensor& ids) override;
  std::string extra_repr() const override;

  // centers [B], contexts [B], negatives [B, K] (i64) -> the loss summed over the batch (a scalar),
  // so that a plain SGD step moves each example as word2vec's per-example updates do.
  Tensor skipgram_loss(const Tensor& centers, const Tensor& contexts, const Tensor& negatives);
  // contexts [B, C] with mask [B, C] (1 for a real context word, 0 for padding; every row needs
  // one), centers [B], negatives [B, K] -> the loss summed over the batch.
  Tensor cbow_loss(const Tensor& contexts, const Tensor& mask, const Tensor& centers,
                   const Tensor& negatives);

  int64_t vocab_size, dim;
  nn::ModuleHolder<nn::Embedding> input_embedding;   // "input_embedding.weight" [V, D]: the word vectors
  nn::ModuleHolder<nn::Embedding> output_embedding;  // "output_embedding.weight" [V, D]

 private:
  // v [B, D], positive [B], negatives [B, K] -> summed negative-sampling loss.
  Tensor negative_sampling_loss(const Tensor& v, const Tensor& positive, const Tensor& negatives);
};

// The k rows of embeddings [V, D] with the largest cosine similarity to query [D], best first,
// skipping the ids in `exclude` (e.g. the query word itself). Rows of norm zero have cosine 0.
// Throws ShapeError when the query does not have D elements.
struct Neighbour {
  int64_t id;
  double cosine;
};
std::vector<Neighbour> nearest_by_cosine(const Tensor& embeddings, const Tensor& query, int64_t k,
                                         const std::vector<int64_t>& exclude = {});

}  // namespace nabla::models
