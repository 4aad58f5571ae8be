// MNIST and Fashion-MNIST from their IDX files (train-images-idx3-ubyte[.gz], ...), as
// torchvision.datasets.MNIST / FashionMNIST with ToTensor: images f32 [N, 1, 28, 28] in [0, 1],
// labels i64 [N].
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(TRAIN);
#include <string>
#include <vector>

#include "nabla/data/dataset.h"

namespace nabla::data {

inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";
inline constexpr const char* kMnistDir = "/usr/share/datasets/mnist";

struct LabeledImages {
  Tensor images;                         // f32 [N, 1, H, W], pixel / 255
  Tensor labels;                         // i64 [N]
  std::vector<std::string> class_names;  // index = label
  TensorDataset dataset() const { return TensorDataset(images, labels); }
};

// The ten Fashion-MNIST classes: "T-shirt/top", "Trouser", ..., "Ankle boot".
const std::vector<std::string>& fashion_mnist_classes();

// The training (60,000) or test (10,000) split from `dir`, gzip-compressed or plain files. Throws
// IOError naming the missing file (and the package that provides it) or the malformed one.
LabeledImages load_fashion_mnist(const std::string& dir = kFashionMnistDir, bool train = true);
LabeledImages load_mnist(const std::string& dir = kMnistDir, bool train = true);

}  // namespace nabla::data
