#include "dataset_choice.h"

#include "nabla/data/mnist.h"
#include "nabla/data/transforms.h"
#include "nabla/ops.h"

namespace nabla::cli {

LabelledImages load_images(const std::string& name, const std::string& dir, bool train) {
  const bool fashion = name == "fashion-mnist";
  if (!fashion && name != "mnist") throw Error("unknown data set '" + name + "'; choose fashion-mnist or mnist");
  const std::string where = dir.empty() ? (fashion ? data::kFashionMnistDir : data::kMnistDir) : dir;
  data::LabeledImages raw = fashion ? data::load_fashion_mnist(where, train) : data::load_mnist(where, train);
  // The training set's pixel mean and standard deviation (torchvision's usual constants).
  const double mean = fashion ? 0.2860 : 0.1307, stddev = fashion ? 0.3530 : 0.3081;
  LabelledImages out;
  out.images = data::normalize(raw.images, {mean}, {stddev});
  out.labels = raw.labels;
  out.class_names = raw.class_names;
  if (out.class_names.empty())
    for (int i = 0; i < 10; ++i) out.class_names.push_back(std::to_string(i));
  out.num_classes = static_cast<int64_t>(out.class_names.size());
  return out;
}

std::pair<std::shared_ptr<data::Dataset>, std::shared_ptr<data::Dataset>> split_for_validation(
    const LabelledImages& all, double fraction, uint64_t seed) {
  if (fraction <= 0) return {std::make_shared<data::TensorDataset>(all.images, all.labels), nullptr};
  const data::Split split = data::train_val_split(all.labels, fraction, seed);
  auto part = [&](const std::vector<int64_t>& indices) {
    const Tensor idx = from_vector(indices);
    return std::make_shared<data::TensorDataset>(index_select(all.images, 0, idx), index_select(all.labels, 0, idx));
  };
  return {part(split.train), part(split.val)};
}

}  // namespace nabla::cli
