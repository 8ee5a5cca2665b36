// DataLoader: batching, worker threads and the bounded, in-order prefetch queue.
#include "nabla/data/dataloader.h"

#include <atomic>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

#include "nabla/error.h"

namespace nabla::data {

namespace {

std::shared_ptr<const Sampler> make_sampler(const std::shared_ptr<const Dataset>& dataset,
                                            const DataLoaderOptions& options) {
  NABLA_CHECK(dataset != nullptr, "DataLoader: the dataset is null");
  if (options.sampler) return options.sampler;
  if (options.shuffle) return std::make_shared<RandomSampler>(dataset->size(), false, -1, options.seed);
  return std::make_shared<SequentialSampler>(dataset->size());
}

// Batch numbers use a separate seed stream from sample positions.
constexpr uint64_t kBatchStream = 0x6261746368ull;

}  // namespace

DataLoader::DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options)
    : dataset_(std::move(dataset)),
      options_(std::move(options)),
      batch_sampler_(make_sampler(dataset_, options_), options_.batch_size, options_.drop_last) {
  NABLA_CHECK(options_.num_workers >= 0, "DataLoader: num_workers must be >= 0, got ", options_.num_workers);
  NABLA_CHECK(options_.prefetch_factor >= 1, "DataLoader: prefetch_factor must be >= 1, got ",
              options_.prefetch_factor);
}

DataLoader::~DataLoader() = default;

int64_t DataLoader::size() const { return batch_sampler_.size(); }

Batch DataLoader::load_batch(const std::vector<int64_t>& indices, uint64_t epoch, int64_t batch_number,
                             int64_t first_position) const {
  Batch batch;
  bool done = false;
  if (!options_.collate) {
    try {
      done = dataset_->get_batch(indices, batch);
    } catch (const std::exception& e) {
      throw Error(str_cat("DataLoader: batch ", batch_number, " (samples ", indices, "): ", e.what()));
    }
  }
  if (!done) {
    std::vector<Example> examples;
    examples.reserve(indices.size());
    for (size_t k = 0; k < indices.size(); ++k) {
      try {
        Generator gen(sample_seed(options_.seed, epoch, static_cast<uint64_t>(first_position) + k));
        examples.push_back(dataset_->sample(indices[k], gen));
      } catch (const std::exception& e) {
        throw Error(str_cat("DataLoader: sample ", indices[k], " (batch ", batch_number, "): ", e.what()));
      }
    }
    batch = options_.collate ? options_.collate(examples) : default_collate(examples);
  }
  if (options_.batch_transform) {
    Generator gen(sample_seed(options_.seed ^ kBatchStream, epoch, static_cast<uint64_t>(batch_number)));
    batch = options_.batch_transform(batch, gen);
  }
  return batch;
}

/// One epoch in flight: the batch list and, with workers, the threads and the result slots.
struct DataLoader::EpochRun {
  const DataLoader* loader;
  uint64_t epoch;
  std::vector<std::vector<int64_t>> batches;
  std::vector<int64_t> first_positions;
  int64_t next = 0;  // next batch handed to the consumer

  // Worker state (unused when num_workers == 0).
  std::mutex mutex;
  std::condition_variable cv;
  int64_t claimed = 0;  // next batch a worker may claim
  int64_t window = 1;   // batches allowed ahead of `next`
  bool stop = false;
  std::map<int64_t, std::pair<Batch, std::exception_ptr>> ready;
  std::vector<std::thread> workers;

  EpochRun(const DataLoader* l, uint64_t e) : loader(l), epoch(e), batches(l->batch_sampler_.batches(e)) {
    int64_t pos = 0;
    for (const auto& b : batches) {
      first_positions.push_back(pos);
      pos += static_cast<int64_t>(b.size());
    }
    const int nw = loader->options_.num_workers;
    if (nw > 0) {
      window = static_cast<int64_t>(nw) * loader->options_.prefetch_factor;
      for (int w = 0; w < nw; ++w) workers.emplace_back([this] { work(); });
    }
  }

  ~EpochRun() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stop = true;
    }
    cv.notify_all();
    for (auto& t : workers) t.join();
  }

  void work() {
    for (;;) {
      int64_t b;
      {
        std::unique_lock<std::mutex> lock(mutex);
        cv.wait(lock, [&] { return stop || claimed >= static_cast<int64_t>(batches.size()) || claimed < next + window; });
        if (stop || claimed >= static_cast<int64_t>(batches.size())) return;
        b = claimed++;
      }
      Batch batch;
      std::exception_ptr error;
      try {
        batch = loader->load_batch(batches[b], epoch, b, first_positions[b]);
      } catch (...) {
        error = std::current_exception();
      }
      {
        std::lock_guard<std::mutex> lock(mutex);
        ready.emplace(b, std::make_pair(std::move(batch), error));
      }
      cv.notify_all();
    }
  }

  /// The next batch in order, or false at the end of the epoch.
  bool take(Batch& out) {
    if (next >= static_cast<int64_t>(batches.size())) return false;
    if (workers.empty()) {
      out = loader->load_batch(batches[next], epoch, next, first_positions[next]);
      ++next;
      return true;
    }
    std::pair<Batch, std::exception_ptr> slot;
    {
      std::unique_lock<std::mutex> lock(mutex);
      cv.wait(lock, [&] { return ready.count(next) > 0; });
      auto it = ready.find(next);
      slot = std::move(it->second);
      ready.erase(it);
      ++next;
    }
    cv.notify_all();  // a worker may claim one more batch
    if (slot.second) std::rethrow_exception(slot.second);
    out = std::move(slot.first);
    return true;
  }
};

DataLoader::Iterator::Iterator(std::shared_ptr<EpochRun> run) : run_(std::move(run)), done_(false) { fetch(); }

void DataLoader::Iterator::fetch() {
  if (!run_->take(current_)) {
    done_ = true;
    current_ = Batch();
    run_.reset();  // stops and joins the workers
  }
}

DataLoader::Iterator& DataLoader::Iterator::operator++() {
  if (!done_) fetch();
  return *this;
}

DataLoader::Iterator DataLoader::begin() {
  auto run = std::make_shared<EpochRun>(this, epoch_);
  ++epoch_;
  return Iterator(std::move(run));
}

}  // namespace nabla::data
