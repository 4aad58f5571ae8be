#include "nabla/data/transforms.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "nabla/autograd.h"
#include "nabla/ops.h"
#include "nabla/random.h"

namespace nabla::data {
namespace {

// Values for each of `channels` channels, shaped [C, 1, 1] to broadcast over [..., C, H, W].
Tensor per_channel(const std::vector<double>& values, int64_t channels, DType dtype, const char* what,
                   const Tensor& images) {
  if (values.size() != 1 && static_cast<int64_t>(values.size()) != channels)
    throw ShapeError(std::string("normalize: ") + what + " has " + std::to_string(values.size()) +
                     " values for images of shape " + to_string(images.shape()) + " with " +
                     std::to_string(channels) + " channels");
  std::vector<double> filled(static_cast<size_t>(channels), values[0]);
  if (values.size() != 1) filled = values;
  return from_vector(filled, {channels, 1, 1}, dtype);
}

}  // namespace

Tensor normalize(const Tensor& images, const std::vector<double>& mean, const std::vector<double>& std) {
  if (images.dim() < 3)
    throw ShapeError("normalize: expected images [..., C, H, W], got shape " + to_string(images.shape()));
  if (!is_floating(images.dtype()))
    throw DTypeError("normalize: images must be f32 or f64, got " + std::string(to_string(images.dtype())));
  for (double s : std)
    if (s == 0) throw Error("normalize: a standard deviation of 0 would divide by zero");
  const int64_t channels = images.size(-3);
  // One new tensor, divided in place: a whole data set is normalised with one extra copy, not two.
  Tensor out = images - per_channel(mean, channels, images.dtype(), "mean", images);
  if (!out.requires_grad()) return div_(out, per_channel(std, channels, images.dtype(), "std", images));
  return out / per_channel(std, channels, images.dtype(), "std", images);
}

Tensor flatten_examples(const Tensor& x) {
  if (x.dim() < 1) throw ShapeError("flatten_examples: expected [N, ...], got a scalar");
  return x.reshape({x.size(0), -1});
}

BatchTransform normalize_transform(std::vector<double> mean, std::vector<double> std) {
  return [mean = std::move(mean), std = std::move(std)](Batch b) {
    b.input = normalize(b.input, mean, std);
    return b;
  };
}

BatchTransform flatten_transform() {
  return [](Batch b) {
    b.input = flatten_examples(b.input);
    return b;
  };
}

BatchTransform compose(std::vector<BatchTransform> transforms) {
  return [transforms = std::move(transforms)](Batch b) {
    for (const auto& t : transforms) b = t(std::move(b));
    return b;
  };
}

TensorDataset spiral(int64_t num_per_class, int64_t num_classes, uint64_t seed) {
  if (num_per_class <= 0 || num_classes <= 0)
    throw Error("spiral: need positive counts, got " + std::to_string(num_per_class) + " per class and " +
                std::to_string(num_classes) + " classes");
  Generator generator(seed);
  const int64_t n = num_per_class * num_classes;
  std::vector<float> x(static_cast<size_t>(n * 2));
  std::vector<int64_t> t(static_cast<size_t>(n));
  for (int64_t j = 0; j < num_classes; ++j)
    for (int64_t i = 0; i < num_per_class; ++i) {
      const double rate = static_cast<double>(i) / static_cast<double>(num_per_class);
      const double radius = 1.0 * rate;
      const double theta = static_cast<double>(j) * 4.0 + 4.0 * rate + generator.normal() * 0.2;
      const size_t k = static_cast<size_t>(num_per_class * j + i);
      x[2 * k] = static_cast<float>(radius * std::sin(theta));
      x[2 * k + 1] = static_cast<float>(radius * std::cos(theta));
      t[k] = j;
    }
  // Shuffled as DeZero does, so a plain slice is a fair sample of every class.
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), int64_t{0});
  shuffle(order, generator);
  std::vector<float> xs(x.size());
  std::vector<int64_t> ts(t.size());
  for (size_t k = 0; k < order.size(); ++k) {
    const size_t from = static_cast<size_t>(order[k]);
    xs[2 * k] = x[2 * from];
    xs[2 * k + 1] = x[2 * from + 1];
    ts[k] = t[from];
  }
  return TensorDataset(from_vector(xs, {n, 2}), from_vector(ts, {n}));
}

Split train_val_split(const Tensor& labels, double val_fraction, uint64_t seed, bool stratified) {
  if (!(val_fraction >= 0 && val_fraction <= 1))
    throw Error("train_val_split: val_fraction must lie in [0, 1], got " + std::to_string(val_fraction));
  if (labels.dim() != 1 || labels.dtype() != DType::i64)
    throw ShapeError("train_val_split: labels must be i64 [N], got " + std::string(to_string(labels.dtype())) +
                     " " + to_string(labels.shape()));
  const std::vector<int64_t> values = labels.to_vector<int64_t>();
  // Classes in label order, so the same labels and seed always give the same split.
  std::map<int64_t, std::vector<int64_t>> groups;
  for (size_t i = 0; i < values.size(); ++i) groups[stratified ? values[i] : 0].push_back(static_cast<int64_t>(i));
  Generator generator(seed);
  Split split;
  for (auto& [label, members] : groups) {
    shuffle(members, generator);
    const auto held_out = static_cast<size_t>(std::llround(val_fraction * static_cast<double>(members.size())));
    split.val.insert(split.val.end(), members.begin(), members.begin() + static_cast<std::ptrdiff_t>(held_out));
    split.train.insert(split.train.end(), members.begin() + static_cast<std::ptrdiff_t>(held_out), members.end());
  }
  std::sort(split.train.begin(), split.train.end());
  std::sort(split.val.begin(), split.val.end());
  return split;
}

Split train_val_split(const Dataset& dataset, double val_fraction, uint64_t seed, bool stratified) {
  if (const auto* tensors = dynamic_cast<const TensorDataset*>(&dataset); tensors && tensors->targets().defined())
    return train_val_split(tensors->targets().to(DType::i64), val_fraction, seed, stratified);
  const int64_t n = dataset.size();
  std::vector<int64_t> labels(static_cast<size_t>(n), 0);
  if (stratified)
    for (int64_t i = 0; i < n; ++i) {
      const Tensor target = dataset.get(i).target;
      if (!target.defined() || target.numel() != 1)
        throw Error("train_val_split: stratifying needs one label per example; example " + std::to_string(i) +
                    " has " + (target.defined() ? "shape " + to_string(target.shape()) : std::string("none")));
      labels[static_cast<size_t>(i)] = static_cast<int64_t>(target.item());
    }
  return train_val_split(from_vector(labels, {n}), val_fraction, seed, stratified);
}

}  // namespace nabla::data
