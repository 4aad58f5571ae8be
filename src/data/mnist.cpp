#include "nabla/data/mnist.h"

#include <filesystem>

#include "nabla/io/idx.h"

namespace nabla::data {
namespace {

// The file `base` in `dir`, compressed (.gz, as distributed) or plain.
std::string find_idx_file(const std::string& dir, const std::string& base, const char* who,
                          const char* provider) {
  const std::filesystem::path folder(dir);
  for (const std::string& name : {base + ".gz", base})
    if (std::filesystem::exists(folder / name)) return (folder / name).string();
  throw IOError(std::string(who) + ": missing " + (folder / (base + ".gz")).string() +
                " (or " + base + " without .gz)" + provider);
}

LabeledImages load_idx_images(const std::string& dir, bool train, const char* who, const char* provider) {
  const std::string split = train ? "train" : "t10k";
  const std::string images_path = find_idx_file(dir, split + "-images-idx3-ubyte", who, provider);
  const std::string labels_path = find_idx_file(dir, split + "-labels-idx1-ubyte", who, provider);
  const io::IdxArray images = io::read_idx(images_path);
  const io::IdxArray labels = io::read_idx(labels_path);
  if (images.type != io::IdxType::u8 || images.shape.size() != 3)
    throw IOError(std::string(who) + ": " + images_path + " should hold u8 images [N, H, W], got " +
                  io::to_string(images.type) + " " + to_string(images.shape));
  if (labels.type != io::IdxType::u8 || labels.shape.size() != 1 || labels.shape[0] != images.shape[0])
    throw IOError(std::string(who) + ": " + labels_path + " should hold " +
                  std::to_string(images.shape[0]) + " u8 labels, got " + io::to_string(labels.type) +
                  " " + to_string(labels.shape));

  LabeledImages out;
  const int64_t n = images.shape[0];
  out.images = Tensor::empty({n, 1, images.shape[1], images.shape[2]}, DType::f32);
  float* pixels = out.images.data<float>();
  const int64_t count = images.numel();
  // Division (not multiplication by 1/255) so values equal torchvision's ToTensor bit for bit.
#pragma omp parallel for schedule(static) if (count >= (1 << 20))
  for (int64_t i = 0; i < count; ++i) pixels[i] = static_cast<float>(images.bytes[static_cast<size_t>(i)]) / 255.0f;
  out.labels = Tensor::empty({n}, DType::i64);
  int64_t* label_data = out.labels.data<int64_t>();
  for (int64_t i = 0; i < n; ++i) label_data[i] = labels.bytes[static_cast<size_t>(i)];
  return out;
}

}  // namespace

const std::vector<std::string>& fashion_mnist_classes() {
  static const std::vector<std::string> names{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                              "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return names;
}

LabeledImages load_fashion_mnist(const std::string& dir, bool train) {
  LabeledImages out = load_idx_images(dir, train, "load_fashion_mnist",
                                      "; `apt-get install dataset-fashion-mnist` provides it");
  out.class_names = fashion_mnist_classes();
  return out;
}

LabeledImages load_mnist(const std::string& dir, bool train) {
  LabeledImages out = load_idx_images(dir, train, "load_mnist",
                                      "; put MNIST's four IDX files (http://yann.lecun.com/exdb/mnist/) there");
  for (int digit = 0; digit < 10; ++digit) out.class_names.push_back(std::to_string(digit));
  return out;
}

}  // namespace nabla::data
