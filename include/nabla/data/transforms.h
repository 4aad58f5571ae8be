// Transforms and small data sets: per-channel normalisation, flattening, the course's spiral data,
// and stratified train/validation splits.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(TRAIN);
#include <cstdint>
#include <vector>

#include "nabla/data/dataloader.h"
#include "nabla/data/dataset.h"

namespace nabla::data {

// (x - mean[c]) / std[c] over the channel axis of images [..., C, H, W] (torchvision's
// Normalize); mean and std hold C values, or one value for every channel.
Tensor normalize(const Tensor& images, const std::vector<double>& mean, const std::vector<double>& std);
// [N, ...] -> [N, prod(...)]: images to vectors for a multilayer perceptron.
Tensor flatten_examples(const Tensor& x);

// The same as DataLoader batch transforms (they touch the input and keep the target).
BatchTransform normalize_transform(std::vector<double> mean, std::vector<double> std);
BatchTransform flatten_transform();
// Applies `transforms` in order.
BatchTransform compose(std::vector<BatchTransform> transforms);

// The spiral data set of DeZero (dezero.datasets.get_spiral): for class j and i in [0, n),
// rate = i / n, radius = rate, theta = 4j + 4 rate + 0.2 * normal(), x = radius * (sin theta,
// cos theta), then shuffled. Inputs f32 [num_classes * n, 2], targets i64. DeZero's seeds are 1984
// (train) and 2020 (test); the values differ from NumPy's, the distribution does not.
TensorDataset spiral(int64_t num_per_class = 100, int64_t num_classes = 3, uint64_t seed = 1984);

// Example indices for training and validation, each sorted ascending.
struct Split {
  std::vector<int64_t> train;
  std::vector<int64_t> val;
};

// Holds out round(val_fraction * count) examples of each class when stratified (so every class
// keeps its proportion to within one example), or round(val_fraction * N) overall when not.
// labels: i64 [N]. The same seed gives the same split.
Split train_val_split(const Tensor& labels, double val_fraction, uint64_t seed, bool stratified = true);
// The same over a dataset's targets (taken from a TensorDataset directly, else example by example).
Split train_val_split(const Dataset& dataset, double val_fraction, uint64_t seed, bool stratified = true);

}  // namespace nabla::data
