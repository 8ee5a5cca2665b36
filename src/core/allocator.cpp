// The CPU caching allocator. Training loops allocate the same sizes every step, so blocks are
// kept in per-size-class free lists (round_size) and reused.
#include <atomic>
#include <bit>
#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "nabla/storage.h"

namespace nabla::allocator {
namespace {

constexpr size_t kAlignment = 64;
constexpr size_t kMaxCachedBytes = size_t{4} << 30;  // beyond this, blocks go back to the system

std::atomic<size_t> g_limit{0};  // largest single allocation; 0: no limit

// The size class of a request: up to 64 KiB rounded to 64 B, up to 1 MiB to 4 KiB, and above
// that to one of four classes per power of two (at most a quarter more than asked; a fresh
// block's untouched tail pages cost no resident memory). The coarse classes let buffers that grow
// by a few percent from layer to layer (DenseNet's concatenations) share free lists instead of each
// size keeping blocks of its own (measured in docs/design.md#memory).
size_t round_size(size_t nbytes) {
  if (nbytes == 0) nbytes = 1;
  size_t quantum = kAlignment;
  if (nbytes > (size_t{1} << 20))
    quantum = size_t{1} << (std::bit_width(nbytes - 1) - 3);  // 2^k < nbytes <= 2^(k+1): 2^(k-2)
  else if (nbytes > (size_t{64} << 10))
    quantum = 4096;
  return (nbytes + quantum - 1) / quantum * quantum;
}

struct Cache {
  std::mutex mutex;
  std::unordered_map<size_t, std::vector<void*>> free_lists;
  AllocatorStats stats;
};

Cache& cache() {
  static Cache* c = new Cache();  // never destroyed: storages may outlive static destruction
  return *c;
}

}  // namespace

void* allocate(size_t nbytes) {
  if (const size_t limit = g_limit.load(std::memory_order_relaxed); limit != 0 && nbytes > limit)
    throw Error(str_cat("allocation of ", nbytes, " bytes exceeds the limit of ", limit,
                        " bytes (allocator::set_allocation_limit)"));
  const size_t size = round_size(nbytes);
  Cache& c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    ++c.stats.allocations;
    auto it = c.free_lists.find(size);
    if (it != c.free_lists.end() && !it->second.empty()) {
      void* p = it->second.back();
      it->second.pop_back();
      ++c.stats.cache_hits;
      c.stats.bytes_cached -= size;
      c.stats.bytes_in_use += size;
      return p;
    }
    c.stats.bytes_in_use += size;
  }
  void* p = std::aligned_alloc(kAlignment, size);
  if (p == nullptr) {
    std::lock_guard<std::mutex> lock(c.mutex);
    c.stats.bytes_in_use -= size;
    throw Error(str_cat("out of memory: cannot allocate ", nbytes, " bytes"));
  }
  return p;
}

void set_allocation_limit(size_t nbytes) { g_limit.store(nbytes, std::memory_order_relaxed); }

size_t allocation_limit() { return g_limit.load(std::memory_order_relaxed); }

void deallocate(void* ptr, size_t nbytes) {
  if (ptr == nullptr) return;
  const size_t size = round_size(nbytes);
  Cache& c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    c.stats.bytes_in_use -= size;
    if (c.stats.bytes_cached + size <= kMaxCachedBytes) {
      c.free_lists[size].push_back(ptr);
      c.stats.bytes_cached += size;
      return;
    }
  }
  std::free(ptr);
}

void empty_cache() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  for (auto& [size, list] : c.free_lists)
    for (void* p : list) std::free(p);
  c.free_lists.clear();
  c.stats.bytes_cached = 0;
}

AllocatorStats stats() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  return c.stats;
}

}  // namespace nabla::allocator

namespace nabla {

Storage::Storage(size_t nbytes, Device device)
    : data_(allocator::allocate(nbytes)), nbytes_(nbytes), device_(device), from_allocator_(true) {}

Storage::Storage(void* data, size_t nbytes, std::function<void(void*)> deleter, Device device)
    : data_(data), nbytes_(nbytes), device_(device), deleter_(std::move(deleter)) {}

Storage::~Storage() {
  if (from_allocator_)
    allocator::deallocate(data_, nbytes_);
  else if (deleter_)
    deleter_(data_);
}

}  // namespace nabla
