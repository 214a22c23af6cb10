// Lab 03.06 false sharing, WRONG (padding-miscounted): each slot is padded by hand, `struct Slot { atomic value;
// char pad[kCacheLine - 2 * sizeof(std::int64_t)]; };`, an expression left over from when the slot also held an
// 8-byte flush count that was later removed. LocalCounter keeps a local tally (as final).
//
// Why it looks right: there is padding, it is computed from kCacheLine rather than typed in, and it used to be
// right. Why it is wrong: sizeof(Slot) is now 56, so slot i + 1 starts 56 bytes after slot i, and since nothing
// aligns the array to a line, some pair of neighbouring slots always shares a line (with 8 or more slots, one
// pair in every 8 starts both counters inside the same 64 bytes). Hand-computed padding silently goes wrong
// whenever the struct changes; alignas(kCacheLine) on the type cannot. Caught every run by
// StripedCounterTest.SlotsLiveOnDifferentCacheLines (56 bytes apart) and EachSlotStartsACacheLine.
// The fix: `struct alignas(kCacheLine) Slot { sync::atomic<std::int64_t> value{0}; };`, or at least a
// static_assert(sizeof(Slot) % kCacheLine == 0) beside hand-made padding.
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
  // One slot per cache line: the counter, then padding up to kCacheLine bytes. (The padding still subtracts the
  // 8 bytes of the `flushes` field this struct used to have: sizeof(Slot) is 56, not 64.)
  struct Slot {
    sync::atomic<std::int64_t> value{0};
    char pad[kCacheLine - 2 * sizeof(std::int64_t)];  // kCacheLine minus the counter and the flush count
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
