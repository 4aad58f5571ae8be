// Datasets: indexed collections of (input, target) examples, as torch.utils.data.Dataset and
// DeZero's dezero.datasets. A DataLoader (dataloader.h) draws batches from one.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(TRAIN);
#include <cstdint>
#include <memory>
#include <vector>

#include "nabla/tensor.h"

namespace nabla::data {

// One example. The target may be undefined for unlabelled data.
struct Example {
  Tensor input;
  Tensor target;
};

// Examples stacked along a new first axis: input [B, ...], target [B, ...].
struct Batch {
  Tensor input;
  Tensor target;
};

class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual int64_t size() const = 0;
  virtual Example get(int64_t index) const = 0;
  // The examples at `indices`, stacked. The default stacks get(i) one by one; datasets that hold
  // their data in big tensors override it with one gather per tensor. Called from the loader's
  // worker thread, so it must not modify shared state.
  virtual Batch get_batch(const std::vector<int64_t>& indices) const;
};

// Inputs [N, ...] and targets [N, ...] held in memory. Batches are gathered with one
// index_select per tensor: the fast path for data that fits in RAM.
class TensorDataset : public Dataset {
 public:
  // targets may be undefined (inputs only). Throws ShapeError when the first axes differ.
  TensorDataset(Tensor inputs, Tensor targets);
  int64_t size() const override { return inputs_.size(0); }
  Example get(int64_t index) const override;
  Batch get_batch(const std::vector<int64_t>& indices) const override;
  const Tensor& inputs() const { return inputs_; }
  const Tensor& targets() const { return targets_; }

 private:
  Tensor inputs_, targets_;
};

// The examples of another dataset at the given indices, in that order (a train or validation
// split). get_batch maps the indices and defers to the base, so its fast path is kept.
class Subset : public Dataset {
 public:
  Subset(std::shared_ptr<const Dataset> base, std::vector<int64_t> indices);
  int64_t size() const override { return static_cast<int64_t>(indices_.size()); }
  Example get(int64_t index) const override;
  Batch get_batch(const std::vector<int64_t>& indices) const override;
  const std::vector<int64_t>& indices() const { return indices_; }

 private:
  std::shared_ptr<const Dataset> base_;
  std::vector<int64_t> indices_;
};

}  // namespace nabla::data
