// Lab 03.06 false sharing, FINAL: padded slots, as in improved, and a LocalCounter that really is local: add()
// is a plain add into the thread's own object, and flush() publishes the whole tally with one atomic add.
//
// What changed from improved, and why: improved stopped two threads from fighting over one cache line, but
// every LocalCounter::add() still did an atomic read-modify-write on shared memory (a `lock xadd` on x86: about
// 5 ns here even when the line is already in this core's cache, measured in the lesson, and a barrier the
// compiler cannot move other memory accesses across). A thread that counts a million events does not need the world to see each one as it happens; it
// needs its events in the total by the time anyone reads the total for real (after the join). So the tally
// lives in the LocalCounter, an object on the counting thread's own stack that no other thread ever touches:
// nothing shared is written in the hot loop at all, so there is no line to share, falsely or truly. flush()
// moves the tally into the thread's slot with one fetch_add and starts again from zero; the destructor flushes
// whatever is left, so a thread that simply lets its LocalCounter go out of scope loses nothing.
//
// The price: total() no longer sees a thread's counts until it flushes. For statistics that is usually fine
// (flush every N events or at the end of each batch); when a reader needs fresher figures, flush more often.
// The slots stay padded: flushes are rare, but a slot that shared a line with another would still make two
// flushing threads (or a flush and a total()) move the line.
//
// What an expert would still do differently in production: give each thread its slot without asking the
// caller (a thread_local index handed out once, or oneTBB's tbb::combinable, which pads its per-thread
// elements for the same reason); pad to 128 bytes on Intel server parts, where the L2's spatial prefetcher
// pulls lines in 128-byte pairs (the lesson shows what 64 against 128 measures here); and, since each slot has
// one writer, flush with a relaxed load and a relaxed store instead of a locked fetch_add. That last one is
// correct only while the one-writer rule holds, which is why this version keeps fetch_add.
//
// Lesson: modules/03-classic-problems/06-false-sharing.md.
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
  // One slot per cache line: alignas on the ELEMENT makes sizeof(Slot) a multiple of kCacheLine, so slot i + 1
  // starts kCacheLine bytes after slot i, and new[] (C++17's aligned new) puts slot 0 at a line's start.
  struct alignas(kCacheLine) Slot {
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
