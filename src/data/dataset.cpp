#include "nabla/data/dataset.h"

#include "nabla/autograd.h"
#include "nabla/ops.h"

namespace nabla::data {
namespace {

void check_index(int64_t index, int64_t size, const char* who) {
  if (index < 0 || index >= size)
    throw IndexError(std::string(who) + ": index " + std::to_string(index) +
                     " is out of range for a dataset of " + std::to_string(size) + " examples");
}

}  // namespace

Batch Dataset::get_batch(const std::vector<int64_t>& indices) const {
  if (indices.empty()) throw Error("Dataset::get_batch: no indices");
  std::vector<Tensor> inputs, targets;
  inputs.reserve(indices.size());
  for (int64_t i : indices) {
    Example e = get(i);
    inputs.push_back(std::move(e.input));
    if (e.target.defined()) targets.push_back(std::move(e.target));
  }
  if (!targets.empty() && targets.size() != inputs.size())
    throw Error("Dataset::get_batch: some examples have a target and some do not");
  NoGradGuard no_grad;
  return {stack(inputs), targets.empty() ? Tensor() : stack(targets)};
}

// ---- TensorDataset -----------------------------------------------------------------------------------

TensorDataset::TensorDataset(Tensor inputs, Tensor targets)
    : inputs_(std::move(inputs)), targets_(std::move(targets)) {
  if (!inputs_.defined() || inputs_.dim() == 0)
    throw ShapeError("TensorDataset: inputs need a first (example) axis");
  if (targets_.defined() && (targets_.dim() == 0 || targets_.size(0) != inputs_.size(0)))
    throw ShapeError("TensorDataset: inputs of shape " + to_string(inputs_.shape()) +
                     " and targets of shape " + to_string(targets_.shape()) +
                     " must have the same number of examples along the first axis");
}

Example TensorDataset::get(int64_t index) const {
  check_index(index, size(), "TensorDataset::get");
  return {inputs_.select(0, index), targets_.defined() ? targets_.select(0, index) : Tensor()};
}

Batch TensorDataset::get_batch(const std::vector<int64_t>& indices) const {
  for (int64_t i : indices) check_index(i, size(), "TensorDataset::get_batch");
  NoGradGuard no_grad;
  const Tensor index = from_vector(indices, {static_cast<int64_t>(indices.size())});
  return {index_select(inputs_, 0, index),
          targets_.defined() ? index_select(targets_, 0, index) : Tensor()};
}

// ---- Subset -------------------------------------------------------------------------------------------

Subset::Subset(std::shared_ptr<const Dataset> base, std::vector<int64_t> indices)
    : base_(std::move(base)), indices_(std::move(indices)) {
  if (!base_) throw Error("Subset: no base dataset");
  for (int64_t i : indices_) check_index(i, base_->size(), "Subset");
}

Example Subset::get(int64_t index) const {
  check_index(index, size(), "Subset::get");
  return base_->get(indices_[static_cast<size_t>(index)]);
}

Batch Subset::get_batch(const std::vector<int64_t>& indices) const {
  std::vector<int64_t> mapped;
  mapped.reserve(indices.size());
  for (int64_t i : indices) {
    check_index(i, size(), "Subset::get_batch");
    mapped.push_back(indices_[static_cast<size_t>(i)]);
  }
  return base_->get_batch(mapped);
}

}  // namespace nabla::data
