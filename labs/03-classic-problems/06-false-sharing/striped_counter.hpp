// Lab 03.06: a striped counter, without false sharing.
// Lesson: modules/03-classic-problems/06-false-sharing.md.   Check: ./conclab check 03.06   Speed: ./conclab bench 03.06
//
// Many threads count events into one total. A single shared atomic makes every core fight over one cache line,
// so the counter is split into SLOTS, one per thread: thread i adds to slot i, and total() sums the slots.
//
//   - StripedCounter(slots): `slots` counters, all 0. slots() says how many.
//   - add(slot, n = 1): adds n to that slot. Any number of threads may call it at once, each with its own slot
//     (one thread per slot at a time).
//   - total(): the sum of the slots. It may run at any time, in any thread, while others add: it must never race
//     with add(), and one reader's successive totals never go down. After the adding threads are joined, it is
//     exact.
//   - slot_address(slot): the address of the counter add(slot, n) changes. The tests use it to check the layout:
//     every slot's counter must start a cache line of its own (kCacheLine bytes, below), because two counters on
//     one line make the line bounce between the cores that write them, as if they were one variable.
//   - LocalCounter(counter, slot): one thread's private tally for its slot. add(n) should touch only the
//     LocalCounter; flush() publishes the tally into the slot with one atomic add and starts again from 0; the
//     destructor flushes what is left. Only the thread that made a LocalCounter uses it.
//
// Correctness first (atomics, exact totals), then the layout (padding), then the speed (per-thread tallies):
// the benchmark `./conclab bench 03.06` compares packed, padded and per-thread versions on this machine.
//
// The course's primitives are std's under conclab::sync's names (sync::atomic is std::atomic); in the sim build
// they are instrumented so that the explorer can try every schedule of the sim tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>

#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// The unit the caches keep coherent on x86-64 (Intel and AMD): 64 bytes. Two variables that different cores write
// must not share one. (The lesson explains where 64 comes from, why std::hardware_destructive_interference_size is
// not used here, and when 128 is the better choice.)
inline constexpr std::size_t kCacheLine = 64;

class StripedCounter {
 public:
  explicit StripedCounter(std::size_t slots) : slots_(slots) {
    if (slots == 0) throw std::invalid_argument("StripedCounter: needs at least one slot");
    // TODO(lab): allocate `slots` counters, each starting at 0, each on a cache line of its own.
  }
  StripedCounter(const StripedCounter&) = delete;
  StripedCounter& operator=(const StripedCounter&) = delete;

  std::size_t slots() const noexcept { return slots_; }

  void add(std::size_t slot, std::int64_t n = 1) {
    // TODO(lab): add n to that slot's counter. Other threads add to other slots at the same time, and total()
    // may read this slot while you write it: the counter must be a sync::atomic (fetch_add; say which memory
    // order and why).
    (void)slot;
    (void)n;
  }

  std::int64_t total() const {
    // TODO(lab): the sum of all the slots, each read atomically.
    return 0;
  }

  const void* slot_address(std::size_t slot) const {
    // TODO(lab): the address of the counter add(slot, n) changes (not of anything else: the tests check).
    (void)slot;
    return this;
  }

 private:
  const std::size_t slots_;
  // TODO(lab): the slots. A plain array or std::vector of sync::atomic<std::int64_t> packs them 8 bytes apart,
  // eight to a cache line. Give each slot a line of its own: put the alignment on the element's TYPE.
};

class LocalCounter {
 public:
  LocalCounter(StripedCounter& counter, std::size_t slot) : counter_(counter), slot_(slot) {}
  LocalCounter(const LocalCounter&) = delete;
  LocalCounter& operator=(const LocalCounter&) = delete;
  ~LocalCounter() {
    // TODO(lab): a LocalCounter that goes out of scope must not lose its counts.
  }

  void add(std::int64_t n = 1) {
    // TODO(lab): count n. Cheapest: keep it in this object (no other thread reads it) until flush().
    (void)n;
  }

  void flush() {
    // TODO(lab): publish what this LocalCounter has counted since the last flush into its slot (one atomic add),
    // and make sure the next flush does not publish the same counts again.
    (void)counter_;
    (void)slot_;
  }

 private:
  StripedCounter& counter_;
  const std::size_t slot_;
  // TODO(lab): this thread's tally, if you keep one.
};

}  // namespace lab
