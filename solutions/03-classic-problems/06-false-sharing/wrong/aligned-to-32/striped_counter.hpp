// Lab 03.06 false sharing, WRONG (aligned-to-32): the slot type is `struct alignas(32) Slot { atomic value; };`,
// and LocalCounter keeps a local tally (as final).
//
// Why it looks right: the alignment is on the element type, as it should be, and 32 bytes was the line size of
// many older CPUs (and of some ARM cores still); 32 is also the width of an AVX register, a number that sticks.
// Why it is wrong: this machine's caches keep lines of 64 bytes coherent, so two 32-byte slots share every line,
// and two threads adding to slots 0 and 1 bounce it between their cores as if they shared one counter. Half the
// false sharing of the packed layout is still false sharing. Caught every run by
// StripedCounterTest.SlotsLiveOnDifferentCacheLines (32 bytes apart) and EachSlotStartsACacheLine.
// The fix: align to kCacheLine (64 on x86-64; 128 where lines come in pairs), never to a number from memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;  // std's primitives (sync::atomic is std::atomic), instrumented in the sim build

// The unit the caches keep coherent on x86-64: two variables written by two cores must not share one of these.
inline constexpr std::size_t kCacheLine = 64;

// StripedCounter: a total that several threads add to at once, each through its own slot.
//   - add(slot, n) may run in any number of threads at once, provided each slot is used by one thread at a time;
//     total() may run at any time, in any thread, alongside them. Both are lock-free.
//   - total() is the sum of the slots: after the adding threads are joined it is exact; while they run it is
//     some sum at most the final one, and one reader's successive totals never go down.
//   - Each slot's counter starts a cache line of its own (alignas(kCacheLine)), so threads adding to different
//     slots never write the same line. slot_address(i) shows where slot i's counter lives (the tests check it).
class StripedCounter {
 public:
  explicit StripedCounter(std::size_t slots) : slots_(slots), slot_(std::make_unique<Slot[]>(slots)) {
    if (slots == 0) throw std::invalid_argument("StripedCounter: needs at least one slot");
  }
  StripedCounter(const StripedCounter&) = delete;
  StripedCounter& operator=(const StripedCounter&) = delete;

  std::size_t slots() const noexcept { return slots_; }

  void add(std::size_t slot, std::int64_t n = 1) {
    // relaxed: pairs with nothing. The count orders no other data; atomicity keeps every add, and a reader of
    // the exact total is ordered after the adds by join(), not by this operation.
    slot_[checked(slot)].value.fetch_add(n, std::memory_order_relaxed);
  }

  std::int64_t total() const {
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < slots_; ++i) {
      // relaxed: pairs with nothing (see add()). Read-read coherence: a later total() by this thread reads each
      // slot at the same or a later point of its modification order, so the sums never go down.
      sum += slot_[i].value.load(std::memory_order_relaxed);
    }
    return sum;
  }

  // For the tests: the address of the counter that add(slot, n) changes.
  const void* slot_address(std::size_t slot) const { return &slot_[checked(slot)].value; }

 private:
  // One slot per cache line (32 bytes, the size of an AVX register and of a cache line on older CPUs).
  struct alignas(32) Slot {
    sync::atomic<std::int64_t> value{0};
  };

  std::size_t checked(std::size_t slot) const {
    if (slot >= slots_) throw std::out_of_range("StripedCounter: no such slot");
    return slot;
  }

  const std::size_t slots_;
  const std::unique_ptr<Slot[]> slot_;  // the pointer never changes; the slots it points at are the shared part
};

// LocalCounter: one thread's private tally for one slot of a StripedCounter. Only the thread that made it may
// use it. add() touches only this object; flush() adds the tally to the slot (one atomic add) and starts again
// from zero; the destructor flushes. total() counts what has been flushed.
class LocalCounter {
 public:
  LocalCounter(StripedCounter& counter, std::size_t slot) : counter_(counter), slot_(slot) {
    (void)counter.slot_address(slot);  // a wrong slot fails here, not at the first flush
  }
  LocalCounter(const LocalCounter&) = delete;
  LocalCounter& operator=(const LocalCounter&) = delete;
  ~LocalCounter() { flush(); }

  void add(std::int64_t n = 1) noexcept { pending_ += n; }  // plain: no other thread ever reads pending_

  void flush() {
    if (pending_ == 0) return;
    counter_.add(slot_, pending_);  // the one atomic write, into this thread's own padded slot
    pending_ = 0;                   // flushed: the next flush must not add the same counts again
  }

 private:
  StripedCounter& counter_;
  const std::size_t slot_;
  std::int64_t pending_ = 0;  // this thread's counts not yet in the slot; only the owning thread touches it
};

}  // namespace lab
