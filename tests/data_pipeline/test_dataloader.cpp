// DataLoader: order and coverage, reproducibility by seed, drop_last, the prefetch thread's
// shutdown and error propagation, transforms.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include "nabla/data/dataloader.h"
#include "nabla/ops.h"
#include "nabla/random.h"

namespace nabla::data {
namespace {

// Example i has input [i, 2i] and target i, so every batch names the examples it holds.
std::shared_ptr<TensorDataset> numbered(int64_t n) {
  std::vector<float> inputs;
  for (int64_t i = 0; i < n; ++i) {
    inputs.push_back(static_cast<float>(i));
    inputs.push_back(static_cast<float>(2 * i));
  }
  return std::make_shared<TensorDataset>(from_vector(inputs, {n, 2}), arange(n));
}

std::vector<std::vector<int64_t>> epoch_targets(DataLoader& loader) {
  std::vector<std::vector<int64_t>> batches;
  for (const Batch& batch : loader) batches.push_back(batch.target.to_vector<int64_t>());
  return batches;
}

std::vector<int64_t> concatenated(const std::vector<std::vector<int64_t>>& batches) {
  std::vector<int64_t> all;
  for (const auto& b : batches) all.insert(all.end(), b.begin(), b.end());
  return all;
}

TEST(DataLoader, SequentialBatchesStackExamples) {
  for (int64_t prefetch : {0, 1, 2}) {
    DataLoader loader(numbered(10), {.batch_size = 4, .prefetch = prefetch});
    EXPECT_EQ(loader.num_batches(), 3);
    std::vector<Shape> shapes;
    int64_t expected_first = 0;
    for (const Batch& batch : loader) {
      shapes.push_back(batch.input.shape());
      EXPECT_EQ(batch.target.dtype(), DType::i64);
      EXPECT_EQ(batch.input.to_vector<float>()[1], 2.0f * static_cast<float>(expected_first));
      expected_first += 4;
    }
    EXPECT_EQ(shapes, (std::vector<Shape>{{4, 2}, {4, 2}, {2, 2}})) << "prefetch " << prefetch;
  }
}

TEST(DataLoader, ShuffledEpochVisitsEveryExampleOnce) {
  DataLoader loader(numbered(103), {.batch_size = 10, .shuffle = true, .seed = 5});
  for (int epoch = 0; epoch < 3; ++epoch) {
    std::vector<int64_t> seen = concatenated(epoch_targets(loader));
    ASSERT_EQ(seen.size(), 103u);
    EXPECT_FALSE(std::is_sorted(seen.begin(), seen.end()));
    std::sort(seen.begin(), seen.end());
    for (int64_t i = 0; i < 103; ++i) EXPECT_EQ(seen[static_cast<size_t>(i)], i);
  }
}

TEST(DataLoader, SameSeedSameOrderAndEpochsDiffer) {
  auto data = numbered(50);
  DataLoader a(data, {.batch_size = 8, .shuffle = true, .seed = 42});
  DataLoader b(data, {.batch_size = 8, .shuffle = true, .seed = 42});
  DataLoader c(data, {.batch_size = 8, .shuffle = true, .seed = 43});
  const auto a1 = epoch_targets(a), a2 = epoch_targets(a);
  EXPECT_EQ(a1, epoch_targets(b));
  EXPECT_EQ(a2, epoch_targets(b));
  EXPECT_NE(a1, a2);
  EXPECT_NE(a1, epoch_targets(c));

  // Without a seed, the loader draws one from the process generator: manual_seed decides.
  manual_seed(3);
  DataLoader d(data, {.batch_size = 8, .shuffle = true});
  manual_seed(3);
  DataLoader e(data, {.batch_size = 8, .shuffle = true});
  EXPECT_EQ(epoch_targets(d), epoch_targets(e));
}

TEST(DataLoader, GeneratorStateResumesTheEpochSequence) {
  auto data = numbered(30);
  DataLoader a(data, {.batch_size = 7, .shuffle = true, .seed = 9});
  epoch_targets(a);
  const std::string saved = a.generator().state();
  const auto next = epoch_targets(a);
  DataLoader b(data, {.batch_size = 7, .shuffle = true, .seed = 1});
  b.generator().set_state(saved);
  EXPECT_EQ(epoch_targets(b), next);
}

TEST(DataLoader, DropLastDropsOnlyTheShortBatch) {
  DataLoader dropping(numbered(10), {.batch_size = 4, .drop_last = true});
  EXPECT_EQ(dropping.num_batches(), 2);
  const auto batches = epoch_targets(dropping);
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[1], (std::vector<int64_t>{4, 5, 6, 7}));
  DataLoader exact(numbered(8), {.batch_size = 4, .drop_last = true});
  EXPECT_EQ(epoch_targets(exact).size(), 2u);
  DataLoader too_small(numbered(3), {.batch_size = 4, .drop_last = true});
  EXPECT_TRUE(epoch_targets(too_small).empty());
}

// A dataset that counts the batches it has built and can be made slow or failing.
class ProbeDataset : public Dataset {
 public:
  explicit ProbeDataset(int64_t n, int64_t fail_at_batch = -1, int sleep_ms = 0)
      : n_(n), fail_at_batch_(fail_at_batch), sleep_ms_(sleep_ms) {}
  int64_t size() const override { return n_; }
  Example get(int64_t i) const override { return {full({1}, static_cast<double>(i)), scalar(0)}; }
  Batch get_batch(const std::vector<int64_t>& indices) const override {
    const int64_t k = built_++;
    if (sleep_ms_) std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms_));
    if (k == fail_at_batch_) throw IOError("probe: batch " + std::to_string(k) + " is corrupt");
    return Dataset::get_batch(indices);
  }
  int64_t built() const { return built_; }

 private:
  int64_t n_, fail_at_batch_;
  int sleep_ms_;
  mutable std::atomic<int64_t> built_{0};
};

TEST(DataLoader, StopsThePrefetchThreadWhenLeftMidEpoch) {
  auto probe = std::make_shared<ProbeDataset>(1000, -1, 1);
  const auto start = std::chrono::steady_clock::now();
  {
    DataLoader loader(probe, {.batch_size = 10, .prefetch = 2});
    int taken = 0;
    for (const Batch& batch : loader) {
      EXPECT_EQ(batch.input.shape(), (Shape{10, 1}));
      if (++taken == 3) break;
    }
    // The worker stays at most `prefetch` batches (plus the one in hand) ahead.
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    EXPECT_LE(probe->built(), 3 + 2 + 1);
    // A new epoch while the old one is unfinished restarts cleanly.
    EXPECT_EQ(concatenated(epoch_targets(loader)).size(), 1000u);
    for (const Batch& batch : loader) {
      (void)batch;
      break;
    }
  }  // destroyed mid-epoch: must join, not hang
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(DataLoader, RethrowsWorkerErrorsOnTheConsumerThread) {
  for (int64_t prefetch : {0, 2}) {
    auto probe = std::make_shared<ProbeDataset>(100, 3);
    DataLoader loader(probe, {.batch_size = 10, .prefetch = prefetch});
    int batches = 0;
    try {
      for (const Batch& batch : loader) {
        (void)batch;
        ++batches;
      }
      FAIL() << "expected the dataset's error";
    } catch (const IOError& e) {
      EXPECT_NE(std::string(e.what()).find("batch 3 is corrupt"), std::string::npos);
    }
    EXPECT_EQ(batches, 3) << "prefetch " << prefetch;
  }
}

TEST(DataLoader, TransformRunsOnEveryBatchInTheWorker) {
  std::atomic<int> calls{0};
  const auto consumer = std::this_thread::get_id();
  std::atomic<bool> on_worker{true};
  DataLoader loader(numbered(9), {.batch_size = 3,
                                  .transform = [&](Batch b) {
                                    ++calls;
                                    if (std::this_thread::get_id() == consumer) on_worker = false;
                                    b.input = b.input * 10.0;
                                    return b;
                                  }});
  std::vector<float> firsts;
  for (const Batch& batch : loader) firsts.push_back(batch.input.to_vector<float>()[0]);
  EXPECT_EQ(firsts, (std::vector<float>{0.0f, 30.0f, 60.0f}));
  EXPECT_EQ(calls, 3);
  EXPECT_TRUE(on_worker);
}

TEST(DataLoader, RejectsBadOptions) {
  EXPECT_THROW(DataLoader(numbered(3), {.batch_size = 0}), Error);
  EXPECT_THROW(DataLoader(nullptr), Error);
  EXPECT_THROW(DataLoader(numbered(3), {.prefetch = -1}), Error);
}

}  // namespace
}  // namespace nabla::data
