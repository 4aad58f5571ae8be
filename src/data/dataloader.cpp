#include "nabla/data/dataloader.h"

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <numeric>
#include <thread>

#include "nabla/autograd.h"

namespace nabla::data {

// One pass over the data. With prefetching, a worker thread fills `ready` (at most `prefetch`
// batches ahead) and the consumer drains it; the worker's last item is an end marker or the
// exception that stopped it, so the consumer never waits for a batch that will not come.
struct DataLoader::Epoch {
  struct Item {
    Batch batch;
    std::exception_ptr error;
    bool end = false;
  };

  std::vector<std::vector<int64_t>> batches;  // the example indices of each batch, in order
  size_t next_batch = 0;                      // without a worker: the next one to load
  bool finished = false;                      // the consumer has seen the end (or an error)

  std::mutex mutex;
  std::condition_variable changed;
  std::deque<Item> ready;
  bool stop = false;  // set by the consumer side to end the worker early
  std::thread worker;
};

DataLoader::DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options)
    : dataset_(std::move(dataset)), options_(std::move(options)),
      generator_(options_.seed ? *options_.seed : default_generator().next_u64()) {
  if (!dataset_) throw Error("DataLoader: no dataset");
  if (options_.batch_size <= 0)
    throw Error("DataLoader: batch_size must be positive, got " + std::to_string(options_.batch_size));
  if (options_.prefetch < 0)
    throw Error("DataLoader: prefetch must be >= 0, got " + std::to_string(options_.prefetch));
}

DataLoader::~DataLoader() { stop_epoch(); }

int64_t DataLoader::num_batches() const {
  const int64_t n = dataset_->size(), b = options_.batch_size;
  return options_.drop_last ? n / b : (n + b - 1) / b;
}

void DataLoader::stop_epoch() {
  if (!epoch_) return;
  if (epoch_->worker.joinable()) {
    {
      std::lock_guard lock(epoch_->mutex);
      epoch_->stop = true;
    }
    epoch_->changed.notify_all();
    // The worker finishes at most the batch it is building, then sees `stop`.
    epoch_->worker.join();
  }
  epoch_.reset();
}

DataLoader::Iterator DataLoader::begin() {
  stop_epoch();
  const int64_t n = dataset_->size();
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), int64_t{0});
  if (options_.shuffle) shuffle(order, generator_);

  auto epoch = std::make_unique<Epoch>();
  const int64_t count = num_batches(), b = options_.batch_size;
  for (int64_t k = 0; k < count; ++k) {
    const auto first = order.begin() + k * b;
    epoch->batches.emplace_back(first, order.begin() + std::min(n, (k + 1) * b));
  }
  epoch_ = std::move(epoch);

  if (options_.prefetch > 0) {
    Epoch* e = epoch_.get();
    e->worker = std::thread([this, e] {
      // Batches are data, not part of any model's graph (and grad mode is per thread).
      NoGradGuard no_grad;
      const size_t capacity = static_cast<size_t>(options_.prefetch);
      for (const auto& indices : e->batches) {
        {
          std::unique_lock lock(e->mutex);
          e->changed.wait(lock, [&] { return e->stop || e->ready.size() < capacity; });
          if (e->stop) return;
        }
        Epoch::Item item;
        try {
          item.batch = dataset_->get_batch(indices);
          if (options_.transform) item.batch = options_.transform(std::move(item.batch));
        } catch (...) {
          item.error = std::current_exception();
        }
        const bool failed = item.error != nullptr;
        {
          std::lock_guard lock(e->mutex);
          e->ready.push_back(std::move(item));
        }
        e->changed.notify_all();
        if (failed) return;
      }
      {
        std::lock_guard lock(e->mutex);
        e->ready.push_back({.batch = {}, .error = nullptr, .end = true});
      }
      e->changed.notify_all();
    });
  }
  return Iterator(this);
}

std::optional<Batch> DataLoader::next_batch() {
  if (!epoch_ || epoch_->finished) return std::nullopt;
  Epoch& e = *epoch_;
  if (!e.worker.joinable()) {  // no prefetching: load here
    if (e.next_batch == e.batches.size()) {
      e.finished = true;
      return std::nullopt;
    }
    Batch batch = dataset_->get_batch(e.batches[e.next_batch++]);
    if (options_.transform) batch = options_.transform(std::move(batch));
    return batch;
  }
  Epoch::Item item;
  {
    std::unique_lock lock(e.mutex);
    e.changed.wait(lock, [&] { return !e.ready.empty(); });
    item = std::move(e.ready.front());
    e.ready.pop_front();
  }
  e.changed.notify_all();
  if (item.end || item.error) e.finished = true;
  if (item.error) std::rethrow_exception(item.error);
  if (item.end) return std::nullopt;
  return std::move(item.batch);
}

DataLoader::Iterator::Iterator(DataLoader* loader) : loader_(loader) { ++*this; }

DataLoader::Iterator& DataLoader::Iterator::operator++() {
  if (!loader_) return *this;
  std::optional<Batch> next = loader_->next_batch();
  if (next) {
    current_ = std::move(*next);
  } else {
    loader_ = nullptr;
    current_ = {};
  }
  return *this;
}

}  // namespace nabla::data
