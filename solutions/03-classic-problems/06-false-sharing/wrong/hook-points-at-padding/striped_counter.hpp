// Lab 03.06 false sharing, WRONG (hook-points-at-padding): the slots are the naive packed array, and slot_address()
// returns addresses in a separate, correctly padded array that nothing ever adds to.
//
// Why it looks right (to its author): the layout tests pass, since the addresses they are shown are 64 bytes
// apart, and the counts are exact. Why it is wrong: the counters the threads really write are still 8 bytes apart,
// so the false sharing is all still there; only the evidence was moved. A test hook is a promise about the code it
// exposes. Caught every run by StripedCounterTest.SlotAddressIsTheCounterAddChanges, which adds to each slot and
// reads the bytes at slot_address: they never change. The fix: pad the real slots, and return their address.
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

  // For the layout tests: where a slot "is". (Points at a padded array that add() never writes.)
  const void* slot_address(std::size_t slot) const { return &layout_[checked(slot)]; }

 private:
  std::size_t checked(std::size_t slot) const {
    if (slot >= slots_) throw std::out_of_range("StripedCounter: no such slot");
    return slot;
  }

  const std::size_t slots_;
  const std::unique_ptr<sync::atomic<std::int64_t>[]> slot_;  // 8 bytes apart: eight slots to a cache line
  struct alignas(kCacheLine) Line {
    std::int64_t unused = 0;
  };
  const std::unique_ptr<Line[]> layout_ = std::make_unique<Line[]>(slots_);  // what slot_address shows
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
