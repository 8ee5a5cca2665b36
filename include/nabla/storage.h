#pragma once
// Storage: one reference-counted, 64-byte-aligned block of memory shared by a tensor and its views.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "nabla/device.h"

namespace nabla {

/// A block of memory plus a version counter bumped by every in-place write
/// (autograd uses it to detect tensors modified after being saved for backward).
class Storage {
 public:
  /// Allocates `nbytes` from the caching allocator (64-byte aligned, uninitialised).
  explicit Storage(size_t nbytes, Device device = Device());
  /// Wraps memory the caller owns; `deleter` (may be empty) runs when the last user is gone.
  Storage(void* data, size_t nbytes, std::function<void(void*)> deleter, Device device = Device());
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }
  uint64_t version() const { return version_.load(std::memory_order_relaxed); }
  void bump_version() { version_.fetch_add(1, std::memory_order_relaxed); }

 private:
  void* data_ = nullptr;
  size_t nbytes_ = 0;
  Device device_ = Device();
  bool from_allocator_ = false;
  std::function<void(void*)> deleter_;
  std::atomic<uint64_t> version_{0};
};

/// Statistics of the caching allocator (for tests and benchmarks).
struct AllocatorStats {
  size_t allocations = 0;     // requests served
  size_t cache_hits = 0;      // requests served from the cache
  size_t bytes_cached = 0;    // bytes held in free lists now
  size_t bytes_in_use = 0;    // bytes handed out and not yet returned
};

/// The CPU caching allocator: size-class free lists so that training loops reuse blocks
/// instead of calling malloc each step. Thread-safe.
namespace allocator {
/// Returns a 64-byte-aligned block of at least `nbytes`.
void* allocate(size_t nbytes);
/// Returns a block obtained from allocate(); it is cached for reuse.
void deallocate(void* ptr, size_t nbytes);
/// Caps every single allocation at `nbytes` (0, the default: no cap); a larger request raises
/// Error naming both sizes. Process-wide. For programs that run untrusted models (a file's shapes
/// can ask for any size) and for the fuzzers.
void set_allocation_limit(size_t nbytes);
/// The cap set by set_allocation_limit (0: none).
size_t allocation_limit();
/// Releases every cached block to the system.
void empty_cache();
/// Current counters.
AllocatorStats stats();
}  // namespace allocator

}  // namespace nabla
