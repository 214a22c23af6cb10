// Lab 03.06 false sharing, WRONG (total-reads-the-tallies): LocalCounter's tally lives in its slot, a plain
// std::int64_t beside the atomic counter, so that total() can add the unflushed counts too and "never be behind".
//
// Why it looks right: only the owner writes its tally, the slot is padded so there is no false sharing, and a
// total that includes everything counted so far seems strictly better than one that lags by a flush. Why it is
// wrong: total() reads the tallies while their owners write them: a plain read and a plain write of the same
// variable in two threads, with nothing ordering them, is a data race (undefined behaviour). And it defeats the
// design: the point of a local tally is that nobody else looks at it until it is published; once another
// thread reads it, it must be atomic, and the owner's every add becomes a store to a line another core reads.
// If total() must be fresher, flush more often. The explorer reports the race every run
// (StripedCounterTest.TotalReadWhileAnotherThreadAddsIsSafe); ThreadSanitizer in TotalIsSafeToReadWhileThreadsAdd
// in most runs, not all.
// The fix: the tally private to the LocalCounter, and total() counting only what was flushed.
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
      sum += slot_[i].pending;  // the owner's unflushed counts too, so the total is never behind (a racy read)
    }
    return sum;
  }

  // The owner's tally for a slot, kept in the slot so total() can see it.
  std::int64_t& pending(std::size_t slot) { return slot_[checked(slot)].pending; }

  // For the tests: the address of the counter that add(slot, n) changes.
  const void* slot_address(std::size_t slot) const { return &slot_[checked(slot)].value; }

 private:
  // One slot per cache line: the published counter, and the owner's not-yet-published tally beside it, so that
  // total() can include counts before they are flushed.
  struct alignas(kCacheLine) Slot {
    sync::atomic<std::int64_t> value{0};
    std::int64_t pending = 0;  // written only by the slot's owner, through its LocalCounter
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
  LocalCounter(StripedCounter& counter, std::size_t slot)
      : counter_(counter), slot_(slot), pending_(counter.pending(slot)) {}
  LocalCounter(const LocalCounter&) = delete;
  LocalCounter& operator=(const LocalCounter&) = delete;
  ~LocalCounter() { flush(); }

  void add(std::int64_t n = 1) noexcept { pending_ += n; }  // plain: only the owner writes it (total() reads it)

  void flush() {
    if (pending_ == 0) return;
    counter_.add(slot_, pending_);  // the one atomic write, into this thread's own padded slot
    pending_ = 0;
  }

 private:
  StripedCounter& counter_;
  const std::size_t slot_;
  std::int64_t& pending_;  // the tally lives in the slot, where total() can read it
};

}  // namespace lab
