// Lab 03.06 false sharing, WRONG (plain-slots): padded slots, as in final, but each slot's counter is a plain
// std::int64_t incremented with `+=`, because "each slot has exactly one writer".
//
// Why it looks right: the reason counters need atomics is two threads doing read-add-write on one variable, and
// here no two threads ever write the same slot; the totals after join are exact, and padding made it fast. Why
// it is wrong: total() READS every slot while the owners write them. A plain read concurrent with a plain write of
// the same variable is a data race, undefined behaviour, not merely a stale number: the compiler may keep the
// slot in a register and never store it, or store it in pieces. One writer is enough for a race; it takes two
// accesses, one a write. The explorer reports it on the first schedule where total() meets an add(), every run
// (StripedCounterTest.TotalReadWhileAnotherThreadAddsIsSafe); ThreadSanitizer reports it in
// TotalIsSafeToReadWhileThreadsAdd in most runs, not all (it forgets old accesses, and a report needs both). The fix: sync::atomic<std::int64_t>, with relaxed fetch_add and load (on x86 a
// relaxed load is a plain mov: atomicity costs the reader nothing here).
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
    // Only the slot's own thread writes it, so a plain += cannot lose an add.
    slot_[checked(slot)].value += n;
  }

  std::int64_t total() const {
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < slots_; ++i) {
      sum += slot_[i].value;  // a plain read of a slot its owner may be writing right now
    }
    return sum;
  }

  // For the tests: the address of the counter that add(slot, n) changes.
  const void* slot_address(std::size_t slot) const { return &slot_[checked(slot)].value; }

 private:
  // One slot per cache line: alignas on the ELEMENT makes sizeof(Slot) a multiple of kCacheLine, so slot i + 1
  // starts kCacheLine bytes after slot i, and new[] (C++17's aligned new) puts slot 0 at a line's start.
  struct alignas(kCacheLine) Slot {
    std::int64_t value = 0;  // one writer per slot, so no atomic needed (wrong: total() reads it concurrently)
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
