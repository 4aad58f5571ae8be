#include "tensor/allocator.h"

#include <cstdlib>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

#include "nabla/tensor.h"

namespace nabla {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kCaching = false;
#else
constexpr bool kCaching = true;
#endif
constexpr size_t kSmallest = 16 << 10;   // below this malloc is fast enough
constexpr size_t kLargest = 16 << 20;    // data sets, not step buffers: give them back
constexpr size_t kMaxCached = 512u << 20;

size_t rounded(size_t nbytes) { return nbytes == 0 ? 64 : (nbytes + 63) / 64 * 64; }

struct BlockCache {
  std::mutex mutex;
  std::unordered_map<size_t, std::vector<void*>> free_blocks;
  size_t cached_bytes = 0;

  void* take(size_t size) {
    std::lock_guard lock(mutex);
    auto it = free_blocks.find(size);
    if (it == free_blocks.end() || it->second.empty()) return nullptr;
    void* p = it->second.back();
    it->second.pop_back();
    cached_bytes -= size;
    return p;
  }
  bool keep(void* p, size_t size) {
    std::lock_guard lock(mutex);
    if (cached_bytes + size > kMaxCached) return false;
    free_blocks[size].push_back(p);
    cached_bytes += size;
    return true;
  }
  void release() {
    std::lock_guard lock(mutex);
    for (auto& [size, blocks] : free_blocks)
      for (void* p : blocks) std::free(p);
    free_blocks.clear();
    cached_bytes = 0;
  }
  ~BlockCache() { release(); }
};

BlockCache& cache() {
  static BlockCache* instance = new BlockCache;  // never destroyed: storages may outlive statics
  return *instance;
}

}  // namespace

namespace detail {

void* allocate_host(size_t nbytes) {
  const size_t size = rounded(nbytes);
  if (kCaching && size >= kSmallest && size <= kLargest)
    if (void* p = cache().take(size)) return p;
  void* p = std::aligned_alloc(64, size);
  if (!p) throw std::bad_alloc();
  return p;
}

void free_host(void* data, size_t nbytes) {
  if (!data) return;
  const size_t size = rounded(nbytes);
  if (kCaching && size >= kSmallest && size <= kLargest && cache().keep(data, size)) return;
  std::free(data);
}

}  // namespace detail

void empty_cache() { cache().release(); }

}  // namespace nabla
