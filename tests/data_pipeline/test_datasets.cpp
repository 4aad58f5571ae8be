// Datasets, Fashion-MNIST loading, transforms, the spiral data and stratified splits.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include <unistd.h>

#include "nabla/data/dataloader.h"
#include "nabla/data/mnist.h"
#include "nabla/data/transforms.h"
#include "nabla/ops.h"

namespace nabla::data {
namespace {

#define SKIP_WITHOUT_FASHION_MNIST()                                                                 \
  if (!std::filesystem::exists(std::string(kFashionMnistDir) + "/t10k-labels-idx1-ubyte.gz"))        \
    GTEST_SKIP() << "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)";

TEST(FashionMnist, TestSplitShapesLabelsAndScale) {
  SKIP_WITHOUT_FASHION_MNIST();
  const LabeledImages test = load_fashion_mnist(kFashionMnistDir, false);
  EXPECT_EQ(test.images.shape(), (Shape{10000, 1, 28, 28}));
  EXPECT_EQ(test.images.dtype(), DType::f32);
  EXPECT_EQ(test.labels.shape(), (Shape{10000}));
  EXPECT_EQ(test.labels.dtype(), DType::i64);
  // torchvision.datasets.FashionMNIST(train=False).targets[:10]
  const auto labels = test.labels.to_vector<int64_t>();
  EXPECT_EQ(std::vector<int64_t>(labels.begin(), labels.begin() + 10),
            (std::vector<int64_t>{9, 2, 1, 1, 6, 1, 4, 6, 5, 7}));
  EXPECT_EQ(test.class_names.size(), 10u);
  EXPECT_EQ(test.class_names[9], "Ankle boot");
  EXPECT_EQ(test.class_names[0], "T-shirt/top");
  EXPECT_GE(min(test.images).item(), 0.0);
  EXPECT_EQ(max(test.images).item(), 1.0);
  std::map<int64_t, int64_t> counts;
  for (int64_t l : labels) ++counts[l];
  for (const auto& [label, count] : counts) EXPECT_EQ(count, 1000) << label;
}

TEST(FashionMnist, TrainSplitShapesAndFirstLabels) {
  SKIP_WITHOUT_FASHION_MNIST();
  const LabeledImages train = load_fashion_mnist();
  EXPECT_EQ(train.images.shape(), (Shape{60000, 1, 28, 28}));
  const auto labels = train.labels.to_vector<int64_t>();
  EXPECT_EQ(std::vector<int64_t>(labels.begin(), labels.begin() + 10),
            (std::vector<int64_t>{9, 0, 0, 3, 0, 2, 7, 2, 5, 5}));
  DataLoader loader(std::make_shared<TensorDataset>(train.dataset()), {.batch_size = 256, .shuffle = true, .seed = 0});
  EXPECT_EQ(loader.num_batches(), 235);
  const Batch first = *loader.begin();
  EXPECT_EQ(first.input.shape(), (Shape{256, 1, 28, 28}));
  EXPECT_EQ(first.target.shape(), (Shape{256}));
}

TEST(FashionMnist, MissingDirectoryNamesFileAndPackage) {
  try {
    load_fashion_mnist("/nonexistent/fashion", true);
    FAIL() << "expected IOError";
  } catch (const IOError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("/nonexistent/fashion/train-images-idx3-ubyte.gz"), std::string::npos) << message;
    EXPECT_NE(message.find("apt-get install dataset-fashion-mnist"), std::string::npos) << message;
  }
  EXPECT_THROW(load_mnist("/nonexistent/mnist", false), IOError);
}

// Plain (uncompressed) IDX files are accepted too; pixels become value / 255.
TEST(Mnist, ReadsPlainIdxFilesAndChecksTheirShapes) {
  const auto dir = std::filesystem::temp_directory_path() / ("nabla_mnist_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& bytes) {
    std::ofstream(dir / name, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  };
  std::string images{0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28};
  for (int i = 0; i < 2 * 28 * 28; ++i) images.push_back(static_cast<char>(i % 256));
  write("t10k-images-idx3-ubyte", images);
  write("t10k-labels-idx1-ubyte", std::string{0, 0, 0x08, 1, 0, 0, 0, 2, 7, 3});
  const LabeledImages data = load_mnist(dir.string(), false);
  EXPECT_EQ(data.images.shape(), (Shape{2, 1, 28, 28}));
  EXPECT_EQ(data.labels.to_vector<int64_t>(), (std::vector<int64_t>{7, 3}));
  EXPECT_EQ(data.images.to_vector<float>()[255], 1.0f);
  EXPECT_EQ(data.images.to_vector<float>()[51], 51.0f / 255.0f);
  EXPECT_EQ(data.class_names[7], "7");
  // Three labels for two images is a malformed pair.
  write("t10k-labels-idx1-ubyte", std::string{0, 0, 0x08, 1, 0, 0, 0, 3, 7, 3, 1});
  EXPECT_THROW(load_mnist(dir.string(), false), IOError);
  std::filesystem::remove_all(dir);
}

TEST(Datasets, TensorDatasetGetAndSubset) {
  auto data = std::make_shared<TensorDataset>(arange(0, 12, 1, DType::f32).reshape({6, 2}), arange(6));
  EXPECT_EQ(data->size(), 6);
  const Example e = data->get(2);
  EXPECT_EQ(e.input.to_vector<float>(), (std::vector<float>{4, 5}));
  EXPECT_EQ(e.target.item<int64_t>(), 2);
  EXPECT_THROW(data->get(6), IndexError);
  EXPECT_THROW(TensorDataset(zeros({3, 2}), arange(4)), ShapeError);

  Subset odd(data, {1, 3, 5});
  EXPECT_EQ(odd.size(), 3);
  const Batch b = odd.get_batch({2, 0});
  EXPECT_EQ(b.target.to_vector<int64_t>(), (std::vector<int64_t>{5, 1}));
  EXPECT_EQ(b.input.shape(), (Shape{2, 2}));
  EXPECT_THROW(Subset(data, {6}), IndexError);
}

TEST(Transforms, NormalizePerChannelAndFlatten) {
  const Tensor images = ones({2, 3, 2, 2});
  const Tensor out = normalize(images, {0.5, 1.0, 0.0}, {0.5, 1.0, 2.0});
  const auto v = out.to_vector<float>();
  EXPECT_EQ(v[0], 1.0f);   // channel 0: (1 - 0.5) / 0.5
  EXPECT_EQ(v[4], 0.0f);   // channel 1
  EXPECT_EQ(v[8], 0.5f);   // channel 2
  EXPECT_EQ(normalize(ones({1, 28, 28}), {0.5}, {0.25}).to_vector<float>()[0], 2.0f);
  EXPECT_THROW(normalize(images, {0.5, 0.5}, {1.0}), ShapeError);
  EXPECT_THROW(normalize(ones({4, 4}), {0.5}, {1.0}), ShapeError);

  const auto pipeline = compose({normalize_transform({0.5}, {0.5}), flatten_transform()});
  const Batch b = pipeline({ones({4, 1, 28, 28}), arange(4)});
  EXPECT_EQ(b.input.shape(), (Shape{4, 784}));
  EXPECT_EQ(b.input.to_vector<float>()[0], 1.0f);
}

TEST(Spiral, ShapesLabelsAndRadius) {
  const TensorDataset data = spiral();
  EXPECT_EQ(data.inputs().shape(), (Shape{300, 2}));
  EXPECT_EQ(data.inputs().dtype(), DType::f32);
  EXPECT_EQ(data.targets().shape(), (Shape{300}));
  std::map<int64_t, int> counts;
  for (int64_t t : data.targets().to_vector<int64_t>()) ++counts[t];
  EXPECT_EQ(counts, (std::map<int64_t, int>{{0, 100}, {1, 100}, {2, 100}}));
  // radius = i / 100 exactly, whatever the noise on the angle: the radii are 0, .01, ... .99.
  const auto x = data.inputs().to_vector<float>();
  std::vector<int> radius_hits(100, 0);
  for (size_t k = 0; k < 300; ++k) {
    const double r = std::hypot(x[2 * k], x[2 * k + 1]);
    ++radius_hits[static_cast<size_t>(std::lround(r * 100))];
  }
  for (int hits : radius_hits) EXPECT_EQ(hits, 3);
  // Shuffled, reproducible, seed-dependent.
  const auto targets = data.targets().to_vector<int64_t>();
  EXPECT_FALSE(std::is_sorted(targets.begin(), targets.end()));
  EXPECT_EQ(spiral().inputs().to_vector<float>(), x);
  EXPECT_NE(spiral(100, 3, 2020).inputs().to_vector<float>(), x);
  EXPECT_EQ(spiral(10, 5).inputs().shape(), (Shape{50, 2}));
}

TEST(Split, StratifiedKeepsClassProportions) {
  // 600 of class 0, 300 of class 1, 100 of class 2, interleaved.
  std::vector<int64_t> labels;
  for (int i = 0; i < 1000; ++i) labels.push_back(i % 10 < 6 ? 0 : (i % 10 < 9 ? 1 : 2));
  const Tensor t = from_vector(labels, {1000});
  const Split split = train_val_split(t, 0.2, 7);
  EXPECT_EQ(split.val.size(), 200u);
  EXPECT_EQ(split.train.size(), 800u);
  std::map<int64_t, int> val_counts;
  for (int64_t i : split.val) ++val_counts[labels[static_cast<size_t>(i)]];
  EXPECT_EQ(val_counts, (std::map<int64_t, int>{{0, 120}, {1, 60}, {2, 20}}));
  // A partition of all indices, sorted, reproducible.
  std::vector<int64_t> all = split.train;
  all.insert(all.end(), split.val.begin(), split.val.end());
  std::sort(all.begin(), all.end());
  for (int64_t i = 0; i < 1000; ++i) EXPECT_EQ(all[static_cast<size_t>(i)], i);
  EXPECT_TRUE(std::is_sorted(split.val.begin(), split.val.end()));
  EXPECT_EQ(train_val_split(t, 0.2, 7).val, split.val);
  EXPECT_NE(train_val_split(t, 0.2, 8).val, split.val);

  const Split plain = train_val_split(t, 0.25, 7, false);
  EXPECT_EQ(plain.val.size(), 250u);
  const TensorDataset data(zeros({1000, 2}), t);
  EXPECT_EQ(train_val_split(data, 0.2, 7).val, split.val);
  EXPECT_THROW(train_val_split(t, 1.5, 0), Error);
  EXPECT_THROW(train_val_split(zeros({10}), 0.5, 0), ShapeError);
}

}  // namespace
}  // namespace nabla::data
