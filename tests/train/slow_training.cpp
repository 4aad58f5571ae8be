// End to end: a short training run learns, and a run resumed from its checkpoint ends with
// exactly the weights of a run that never stopped.
#include <gtest/gtest.h>

#include <filesystem>

#include "nabla/data/mnist.h"
#include "nabla/functional.h"
#include "nabla/nabla.h"
#include "nabla/nn/layers.h"
#include "nabla/optim/optimizer.h"
#include "nabla/train/trainer.h"

using namespace nabla;
namespace fs = std::filesystem;

namespace {

struct FashionSlice {
  std::shared_ptr<data::TensorDataset> train, test;
};

// The first 2,000 training and 1,000 test images of Fashion-MNIST.
FashionSlice fashion_slice() {
  const data::LabeledImages train = data::load_fashion_mnist(data::kFashionMnistDir, true);
  const data::LabeledImages test = data::load_fashion_mnist(data::kFashionMnistDir, false);
  return {std::make_shared<data::TensorDataset>(train.images.slice(0, 0, 2000), train.labels.slice(0, 0, 2000)),
          std::make_shared<data::TensorDataset>(test.images.slice(0, 0, 1000), test.labels.slice(0, 0, 1000))};
}

nn::ModulePtr small_mlp() {
  return std::make_shared<nn::Sequential>(std::initializer_list<nn::ModulePtr>{
      std::make_shared<nn::Flatten>(), std::make_shared<nn::Linear>(784, 64), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::Linear>(64, 10)});
}

const train::LossFn kLoss = [](const Tensor& out, const Tensor& y) { return F::cross_entropy(out, y); };

// Trains `epochs` epochs (resuming from `dir` when asked) and returns the final weights.
nn::StateDict run(const FashionSlice& data, const std::string& dir, int64_t epochs, bool resume, train::FitResult* out = nullptr) {
  manual_seed(7);
  nn::ModulePtr model = small_mlp();
  optim::Adam optimizer(model->parameters(), {.lr = 1e-3});
  data::DataLoader loader(data.train, {.batch_size = 50, .shuffle = true, .seed = 7});
  data::DataLoader test_loader(data.test, {.batch_size = 500});
  train::FitOptions options;
  options.epochs = epochs;
  options.out_dir = dir;
  options.resume = resume;
  options.progress = false;
  train::Trainer trainer(*model, optimizer, options);
  const train::Batches<data::Batch> validation = train::batches_from(test_loader);
  train::FitResult result = trainer.fit(train::batches_from(loader, 7), train::classification_step(kLoss), &validation);
  if (out) *out = result;
  return model->state_dict();
}

}  // namespace

TEST(Training, OneEpochOnASliceLearns) {
  const FashionSlice data = fashion_slice();
  const std::string dir = (fs::temp_directory_path() / "nabla_training_smoke").string();
  fs::remove_all(dir);
  train::FitResult result;
  run(data, dir, 1, false, &result);
  ASSERT_EQ(result.history.train_loss.size(), 1u);
  // Chance is log(10) = 2.30 and 10% accuracy; one epoch of 40 steps on raw pixels gets to
  // about 1.59 (mean over the epoch), 1.10 on held-out images, and 0.7 accuracy.
  EXPECT_LT(result.history.train_loss[0], 1.8);
  EXPECT_LT(result.history.validation_loss[0], 1.3);
  EXPECT_GT(result.history.validation_accuracy[0], 0.6);
  for (const char* file : {"checkpoint.safetensors", "best.safetensors", "metrics.csv", "curves.svg"})
    EXPECT_TRUE(fs::exists(fs::path(dir) / file)) << file;
  fs::remove_all(dir);
}

TEST(Training, ResumedRunMatchesAnUninterruptedOne) {
  const FashionSlice data = fashion_slice();
  const std::string straight = (fs::temp_directory_path() / "nabla_training_straight").string();
  const std::string resumed = (fs::temp_directory_path() / "nabla_training_resumed").string();
  fs::remove_all(straight);
  fs::remove_all(resumed);
  const nn::StateDict expected = run(data, straight, 3, false);
  run(data, resumed, 1, false);  // "crashes" after one epoch
  train::FitResult result;
  const nn::StateDict got = run(data, resumed, 3, true, &result);
  EXPECT_EQ(result.epochs_run, 3);
  EXPECT_EQ(result.history.train_loss.size(), 3u);  // the log carries on from the first run
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_EQ(got[i].second.to_vector<float>(), expected[i].second.to_vector<float>()) << got[i].first;
  fs::remove_all(straight);
  fs::remove_all(resumed);
}
