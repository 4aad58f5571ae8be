#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "nabla/nabla.h"
#include "nabla/io/atomic_file.h"
#include "nabla/train/checkpoint.h"

using namespace nabla;

namespace {
std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("nabla_ckpt_" + name)).string();
}
}  // namespace

TEST(Checkpoint, RoundTripsEveryPartExactly) {
  train::Checkpoint c;
  c.model = {{"0.weight", tensor({{1, 2}, {3, 4}})}, {"0.bias", tensor({0.5, -0.5})}};
  c.optimizer.optimizer = "Adam";
  c.optimizer.tensors = {{"state.0.exp_avg", tensor({0.1, 0.2}, DType::f64)}};
  c.optimizer.hyperparameters = {{"lr", 1e-3}, {"betas.0", 0.9}, {"eps", 1.0 / 3.0}};
  c.scheduler = {{"last_epoch", 4}};
  c.training = {{"epoch", "3"}, {"generator", default_generator().state()}};
  const std::string path = temp_path("roundtrip.safetensors");
  train::save_checkpoint(path, c);
  const train::Checkpoint back = train::load_checkpoint(path);
  ASSERT_EQ(back.model.size(), 2u);
  EXPECT_EQ(back.model[1].first, "0.bias");
  EXPECT_EQ(back.model[0].second.to_vector<float>(), (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(back.optimizer.optimizer, "Adam");
  EXPECT_EQ(back.optimizer.tensors[0].second.to_vector<double>(), (std::vector<double>{0.1, 0.2}));
  EXPECT_EQ(back.optimizer.hyperparameters.at("eps"), 1.0 / 3.0);  // bit for bit
  EXPECT_EQ(back.scheduler.at("last_epoch"), 4);
  EXPECT_EQ(back.training, c.training);
  std::filesystem::remove(path);
}

TEST(Checkpoint, DamagedFilesNameThePathAndTheProblem) {
  const std::string path = temp_path("damaged.safetensors");
  train::Checkpoint c;
  c.model = {{"w", ones({64})}};
  c.optimizer.optimizer = "SGD";
  train::save_checkpoint(path, c);
  std::string bytes = io::read_file(path);
  io::write_file_atomic(path, bytes.substr(0, bytes.size() - 10));  // truncated
  try {
    train::load_checkpoint(path);
    FAIL();
  } catch (const IOError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  // A valid safetensors file that is not a checkpoint.
  io::save_safetensors(path, {{"w", ones({2})}});
  try {
    train::load_checkpoint(path);
    FAIL();
  } catch (const IOError& e) {
    EXPECT_NE(std::string(e.what()).find("not a nabla checkpoint"), std::string::npos);
  }
  // A checkpoint of the format before parameter groups.
  io::save_safetensors(path, {{"model/w", ones({2})}}, {{"format", "nabla.checkpoint.v1"}, {"optimizer", "SGD"}});
  try {
    train::load_checkpoint(path);
    FAIL();
  } catch (const IOError& e) {
    EXPECT_NE(std::string(e.what()).find("a checkpoint of an older nabla (nabla.checkpoint.v1"), std::string::npos)
        << e.what();
  }
  std::filesystem::remove(path);
}
