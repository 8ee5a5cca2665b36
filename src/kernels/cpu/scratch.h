#pragma once
// A scratch buffer for a kernel's intermediate values, from the caching allocator (64-byte
// aligned, reused across calls: large buffers do not fault in fresh pages on every call).
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "nabla/storage.h"

namespace nabla::cpu {

/// n elements of T, uninitialised (null for n = 0); returned to the allocator's cache on destruction.
template <class T>
class Scratch {
 public:
  explicit Scratch(int64_t n)
      : bytes_(static_cast<size_t>(std::max<int64_t>(n, 0)) * sizeof(T)),
        ptr_(bytes_ ? static_cast<T*>(allocator::allocate(bytes_)) : nullptr) {}
  ~Scratch() {
    if (ptr_) allocator::deallocate(ptr_, bytes_);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  T* get() const { return ptr_; }

 private:
  size_t bytes_;
  T* ptr_;
};

}  // namespace nabla::cpu
