// DataLoader: batches from a Dataset, optionally shuffled, prepared by a background thread while
// the caller trains on the previous batch (as torch.utils.data.DataLoader with one worker).
//
//   data::DataLoader loader(dataset, {.batch_size = 64, .shuffle = true, .seed = 1});
//   for (int epoch = 0; epoch < 10; ++epoch)
//     for (const data::Batch& batch : loader) train_step(batch.input, batch.target);
//
// Each range-for (each begin()) is one epoch: it draws a fresh order from the loader's own
// generator, so the sequence of epochs is the same for the same seed. Leaving the loop early is
// fine: the next begin(), or the loader's destruction, stops the worker and waits for it.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(TRAIN);
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <vector>

#include "nabla/data/dataset.h"
#include "nabla/random.h"

namespace nabla::data {

using BatchTransform = std::function<Batch(Batch)>;

struct DataLoaderOptions {
  int64_t batch_size = 1;
  bool shuffle = false;
  bool drop_last = false;  // drop the last batch when it is smaller than batch_size
  // The shuffling seed; without one the loader seeds itself from nabla::default_generator() at
  // construction, so manual_seed still makes runs reproducible.
  std::optional<uint64_t> seed = std::nullopt;
  // Batches prepared ahead of the consumer. 0 loads each batch in the calling thread (no worker
  // thread at all; handy for debugging a transform).
  int64_t prefetch = 2;
  // Applied to each batch in the worker thread (augmentation, normalisation, ...).
  BatchTransform transform = nullptr;
};

class DataLoader {
 public:
  DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options = {});
  ~DataLoader();
  DataLoader(const DataLoader&) = delete;
  DataLoader& operator=(const DataLoader&) = delete;

  // Batches per epoch.
  int64_t num_batches() const;
  const Dataset& dataset() const { return *dataset_; }
  const DataLoaderOptions& options() const { return options_; }
  // The shuffling generator: save its state() with a checkpoint to resume the epoch sequence.
  Generator& generator() { return generator_; }

  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Batch;
    using difference_type = std::ptrdiff_t;
    Iterator() = default;
    const Batch& operator*() const { return current_; }
    const Batch* operator->() const { return &current_; }
    Iterator& operator++();
    bool operator==(std::default_sentinel_t) const { return loader_ == nullptr; }

   private:
    friend class DataLoader;
    explicit Iterator(DataLoader* loader);
    DataLoader* loader_ = nullptr;  // null once the epoch is over
    Batch current_;
  };

  // Starts a new epoch (stopping any unfinished one) and returns its first batch. Exceptions from
  // the dataset or the transform surface here or in ++, on the consumer's thread.
  Iterator begin();
  std::default_sentinel_t end() const { return {}; }

 private:
  struct Epoch;
  // The next batch of the running epoch, or nothing at its end.
  std::optional<Batch> next_batch();
  void stop_epoch();

  std::shared_ptr<const Dataset> dataset_;
  DataLoaderOptions options_;
  Generator generator_;
  std::unique_ptr<Epoch> epoch_;
};

}  // namespace nabla::data
