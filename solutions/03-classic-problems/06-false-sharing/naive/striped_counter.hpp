// Lab 03.06 false sharing, NAIVE: one atomic counter per slot, packed side by side in one array.
//
// The mistake people really make, and why it looks right: the whole point of striping is that each thread
// adds to its own counter, so no two threads share a variable, and every counter is an atomic, so the total is
// exact and ThreadSanitizer has nothing to say. All true, and it is still slow: the counters are 8 bytes each,
// so eight of them share one 64-byte cache line. The caches keep memory coherent a line at a time, and a core
// may write a line only while it holds the only copy; two threads adding to slots 0 and 1 therefore take the
// line away from each other on nearly every add, exactly as if they shared one counter. That is false sharing:
// no variable is shared, the line is. Two threads end up slower than one (the benchmark shows it).
//
// Nothing here is wrong in the sense a sanitizer or the explorer can see: the counts are exact. The graded tests
// catch it by looking at the layout: SlotsLiveOnDifferentCacheLines and EachSlotStartsACacheLine read where
// each slot's counter is (slot_address) and find slot 1 eight bytes after slot 0.
//
// Lesson: modules/03-classic-problems/06-false-sharing.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// The unit the caches keep coherent on x86-64: two variables written by two cores must not share one of these.
inline constexpr std::size_t kCacheLine = 64;

// StripedCounter: add(slot, n) from many threads (one thread per slot), total() at any time. Correct, and slow
// under contention: the slots are packed, so neighbouring slots share cache lines.
class StripedCounter {
 public:
  explicit StripedCounter(std::size_t slots)
      : slots_(slots), slot_(std::make_unique<sync::atomic<std::int64_t>[]>(slots)) {
    if (slots == 0) throw std::invalid_argument("StripedCounter: needs at least one slot");
  }
  StripedCounter(const StripedCounter&) = delete;
  StripedCounter& operator=(const StripedCounter&) = delete;

  std::size_t slots() const noexcept { return slots_; }

  void add(std::size_t slot, std::int64_t n = 1) {
    // relaxed: pairs with nothing; join() orders the adds before the final total().
    slot_[checked(slot)].fetch_add(n, std::memory_order_relaxed);
  }

  std::int64_t total() const {
    std::int64_t sum = 0;
    // relaxed: pairs with nothing (see add()).
    for (std::size_t i = 0; i < slots_; ++i) sum += slot_[i].load(std::memory_order_relaxed);
    return sum;
  }

  const void* slot_address(std::size_t slot) const { return &slot_[checked(slot)]; }

 private:
  std::size_t checked(std::size_t slot) const {
    if (slot >= slots_) throw std::out_of_range("StripedCounter: no such slot");
    return slot;
  }

  const std::size_t slots_;
  const std::unique_ptr<sync::atomic<std::int64_t>[]> slot_;  // 8 bytes apart: eight slots to a cache line
};

// LocalCounter: one thread's handle on one slot; forwards every add to the slot, so flush() has nothing to do.
class LocalCounter {
 public:
  LocalCounter(StripedCounter& counter, std::size_t slot) : counter_(counter), slot_(slot) {
    (void)counter.slot_address(slot);
  }
  LocalCounter(const LocalCounter&) = delete;
  LocalCounter& operator=(const LocalCounter&) = delete;
  ~LocalCounter() = default;

  void add(std::int64_t n = 1) { counter_.add(slot_, n); }
  void flush() {}

 private:
  StripedCounter& counter_;
  const std::size_t slot_;
};

}  // namespace lab
