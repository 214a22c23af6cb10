// Graded tests for lab 03.06, false sharing. Lesson: modules/03-classic-problems/06-false-sharing.md.
//
// False sharing is slow, not wrong: a counter whose slots share cache lines counts exactly, and neither
// ThreadSanitizer nor the explorer has anything to report. And a test must never decide by timing (this machine's
// two cores are shared). So the layout is checked directly: slot_address(i) says where slot i's counter lives, and
// SlotsLiveOnDifferentCacheLines / EachSlotStartsACacheLine compute which 64-byte line each one is on.
// SlotAddressIsTheCounterAddChanges makes sure the hook tells the truth. The speed itself is the benchmark's
// business: `./conclab bench 03.06`.
//
// The rest is correctness, which the layout must not break: exact totals after the threads join, LocalCounter's
// flush and destructor, and total() read while threads add (ThreadSanitizer in the graded run; the two sim tests
// run under the explorer, which checks every plain load and store of every schedule for a data race).
#include <striped_counter.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "conclab/run_threads.hpp"
#include "conclab/sim_test.hpp"
#include "conclab/sync.hpp"

namespace {

constexpr const char* kLesson = "modules/03-classic-problems/06-false-sharing.md";

// The line size these tests hold you to: x86-64's coherence unit (the lesson, "Cache lines"). A bigger
// lab::kCacheLine (128, for Intel's pairs of lines) passes too; a smaller one does not.
constexpr std::uintptr_t kLine = 64;

std::uintptr_t address_of(const lab::StripedCounter& c, std::size_t slot) {
  return reinterpret_cast<std::uintptr_t>(c.slot_address(slot));
}

// The first two slots whose counters share a 64-byte line, or are less than 64 bytes apart; "" if none.
std::string first_shared_line(const lab::StripedCounter& c, const char* where) {
  const std::size_t n = c.slots();
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      const std::uintptr_t a = address_of(c, i);
      const std::uintptr_t b = address_of(c, j);
      const std::uintptr_t distance = a < b ? b - a : a - b;
      // The counter is 8 bytes: it covers lines (a / 64) to ((a + 7) / 64).
      const bool same_line = (a / kLine <= (b + 7) / kLine) && (b / kLine <= (a + 7) / kLine);
      if (same_line || distance < kLine) {
        std::ostringstream out;
        out << "In a StripedCounter of " << n << " slots (" << where << "), slot " << i << "'s counter is at "
            << c.slot_address(i) << " and slot " << j << "'s at " << c.slot_address(j) << ": " << distance
            << " bytes apart" << (same_line ? ", on the same 64-byte cache line" : "") << ".\n"
            << "Two threads adding to those two slots write the same line, and a core may write a line only while "
               "it holds the only copy: the line travels between the two cores on nearly every add, as if the "
               "threads shared one counter (false sharing). Each slot's counter needs a line of its own: make the "
               "ELEMENT type cache-line aligned, `struct alignas(kCacheLine) Slot { sync::atomic<std::int64_t> "
               "value{0}; };`.\n"
            << (distance == 0 ? "The same address for two slots: slot_address(slot) must return the address of that "
                                "slot's own counter."
                : distance == 8 ? "8 bytes apart is packed: nothing pads the elements. alignas on the array member or on "
                                "the std::vector object aligns only that object (or the first element), not each one."
                : distance < kLine && kLine % distance == 0
                    ? "The slots are a power-of-two step apart, but less than a line: aligned to less than 64 bytes."
                    : "The step between slots is not a whole line: hand-made padding that does not add up to 64 "
                      "bytes (alignas on the type computes it for you).")
            << " Read " << kLesson << ", \"Padding that works\".";
        return out.str();
      }
    }
  }
  return "";
}

TEST(StripedCounterTest, SlotsLiveOnDifferentCacheLines) {
  for (std::size_t slots : {2, 3, 16}) {
    const auto heap = std::make_unique<lab::StripedCounter>(slots);
    const std::string problem = first_shared_line(*heap, "made with std::make_unique");
    if (!problem.empty()) {
      ADD_FAILURE() << problem;
      return;
    }
  }
  const lab::StripedCounter on_stack(5);
  const std::string problem = first_shared_line(on_stack, "a local variable");
  EXPECT_TRUE(problem.empty()) << problem;
}

TEST(StripedCounterTest, EachSlotStartsACacheLine) {
  for (std::size_t slots : {2, 3, 16}) {
    const auto c = std::make_unique<lab::StripedCounter>(slots);
    for (std::size_t i = 0; i < slots; ++i) {
      const std::uintptr_t a = address_of(*c, i);
      if (a % kLine != 0) {
        ADD_FAILURE() << "In a StripedCounter of " << slots << " slots, slot " << i << "'s counter is at "
                      << c->slot_address(i) << ", " << a % kLine << " bytes into its 64-byte cache line. A slot "
                      << "that does not start a line shares that line with whatever lies just before it: the slot "
                      << "before it, or another object's data. alignas(kCacheLine) on the slot's TYPE both rounds "
                      << "its size up to a whole line and makes new[], std::vector and std::make_unique (C++17's "
                      << "aligned new) put each slot at a line's start. Read " << kLesson << ", \"Padding that "
                      << "works\".";
        return;
      }
    }
  }
}

TEST(StripedCounterTest, SlotAddressIsTheCounterAddChanges) {
  constexpr std::size_t kSlots = 4;
  lab::StripedCounter c(kSlots);
  for (std::size_t i = 0; i < kSlots; ++i) c.add(i, static_cast<std::int64_t>(100 + i));
  for (std::size_t i = 0; i < kSlots; ++i) {
    std::int64_t seen = 0;
    std::memcpy(&seen, c.slot_address(i), sizeof seen);  // this thread wrote it: no other thread is involved
    EXPECT_EQ(seen, static_cast<std::int64_t>(100 + i))
        << "add(" << i << ", " << 100 + i << ") was called once, but the 8 bytes at slot_address(" << i
        << ") hold " << seen << ". slot_address(slot) must return the address of the counter that add(slot, n) "
        << "changes (a std::int64_t, or a sync::atomic<std::int64_t>, which has the same bytes): the layout tests "
        << "judge your real slots through it. A hook that points at something else (a padded array nobody adds "
        << "to) proves nothing about where the adds go. Read " << kLesson << ", \"The lab\".";
  }
}

TEST(StripedCounterTest, StartsAtZeroWithTheSlotsAskedFor) {
  for (std::size_t slots : {1, 5}) {
    const lab::StripedCounter c(slots);
    EXPECT_EQ(c.slots(), slots) << "StripedCounter(" << slots << ").slots() must be " << slots
                                << ": one slot per adding thread, as many as the constructor was given.";
    EXPECT_EQ(c.total(), 0) << "a new StripedCounter has counted nothing: total() must be 0. Start every slot "
                            << "at 0.";
  }
}

TEST(StripedCounterTest, AddsFromOneThreadAreCounted) {
  lab::StripedCounter c(3);
  c.add(0);
  c.add(1, 10);
  c.add(2, 100);
  c.add(2, 1000);
  EXPECT_EQ(c.total(), 1111) << "one thread called add(0), add(1, 10), add(2, 100) and add(2, 1000), so total() "
                             << "must be 1111, the sum over all slots. add(slot) with no n adds 1.";
}

TEST(LocalCounterTest, FlushPublishesTheTallyOnce) {
  lab::StripedCounter c(2);
  {
    lab::LocalCounter mine(c, 1);
    mine.add(5);
    mine.flush();
    EXPECT_EQ(c.total(), 5) << "a LocalCounter added 5 and flushed: total() must count the 5 now. flush() moves "
                            << "the tally into the counter's slot.";
    mine.add();
    mine.add(1);
    mine.flush();
    EXPECT_EQ(c.total(), 7) << "a LocalCounter added 5, flushed, added 1 twice and flushed again: total() must be 7. "
                            << "If it is 12, the second flush published the first 5 again: after flush() the "
                            << "LocalCounter's own tally must start again from 0. Read " << kLesson
                            << ", \"Per-thread accumulation\".";
    mine.flush();
  }  // destroyed: nothing left to flush
  EXPECT_EQ(c.total(), 7) << "a LocalCounter that had flushed everything (7) was flushed again and destroyed, but "
                          << "total() is " << c.total() << ": a flush with nothing new must add nothing. Reset "
                          << "the tally to 0 in flush(). Read " << kLesson << ", \"Per-thread accumulation\".";
}

TEST(LocalCounterTest, FlushesWhenItGoesOutOfScope) {
  lab::StripedCounter c(2);
  {
    lab::LocalCounter mine(c, 0);
    for (int i = 0; i < 3; ++i) mine.add();
  }  // no flush() call: the destructor must do it
  EXPECT_EQ(c.total(), 3) << "a LocalCounter added 1 three times and went out of scope without a flush() call, "
                          << "and total() is " << c.total() << ". A thread that returns without flushing (an early "
                          << "return, an exception) would lose its counts: ~LocalCounter() must flush what is left. "
                          << "Read " << kLesson << ", \"Per-thread accumulation\".";
}

// The failure message when threads added and were joined but the total is off.
std::string explain_total(int threads, std::int64_t per_thread, const char* how, std::int64_t got) {
  std::ostringstream out;
  const std::int64_t want = threads * per_thread;
  out << threads << " threads each added " << per_thread << " (" << how << ") and were joined, but total() is "
      << got << " instead of " << want << ".\n";
  if (got < want) {
    out << "Counts were lost: every add must end up in the slot, and a LocalCounter's tally must be flushed by its "
        << "destructor at the latest.";
  } else {
    out << "More than was added: a flush must publish each count once (reset the tally after publishing it).";
  }
  out << " Read " << kLesson << '.';
  return out.str();
}

TEST(StripedCounterTest, ThreadsAddingToTheirOwnSlotsLoseNothing) {
  constexpr int kThreads = 4;
  constexpr std::int64_t kPerThread = 20'000;
  lab::StripedCounter c(kThreads);
  conclab::run_threads(kThreads, [&](int i) {
    const auto slot = static_cast<std::size_t>(i);
    for (std::int64_t k = 0; k < kPerThread / 2; ++k) c.add(slot);
    lab::LocalCounter mine(c, slot);
    for (std::int64_t k = 0; k < kPerThread / 2; ++k) mine.add();
  });
  // run_threads joined every thread: their adds and their LocalCounters' destructors happen-before this read.
  EXPECT_EQ(c.total(), kThreads * kPerThread)
      << explain_total(kThreads, kPerThread,
                       "half with StripedCounter::add, half through a LocalCounter that they let go out of scope",
                       c.total());
}

TEST(StripedCounterTest, TotalIsSafeToReadWhileThreadsAdd) {
  // Two threads add (one with add(), one through a LocalCounter that flushes every 64 adds) while a third reads
  // total() over and over. A slot only grows, so one reader's totals never go down, and never pass the final sum.
  // ThreadSanitizer (the graded run) reports a slot or a tally written plainly by its owner and read by total().
  //
  // `reader_done` makes that report likely (measured: 18 to 20 runs in 20): each writer adds once more after the
  // reader's last total(), so a plain slot (or tally) is written right after the reader read it, while both
  // accesses are still in ThreadSanitizer's memory (it forgets old ones, and a report needs the stacks of both).
  // The flag is relaxed on purpose: a relaxed atomic orders nothing, so ThreadSanitizer still sees that read and
  // that write as unordered, which they are. The sim test TotalReadWhileAnotherThreadAddsIsSafe is the catch on
  // every run: the explorer checks every plain access of every schedule.
  constexpr std::int64_t kPerWriter = 20'000;
  constexpr std::int64_t kAdded = 2 * (kPerWriter + 1);
  constexpr int kReads = 5'000;
  lab::StripedCounter c(2);
  std::atomic<bool> reader_done{false};
  std::vector<std::int64_t> seen;
  seen.reserve(kReads);
  auto wait_for_reader = [&] {
    while (!reader_done.load(std::memory_order_relaxed)) std::this_thread::yield();  // relaxed: see above
  };
  conclab::run_threads(3, [&](int i) {
    if (i == 0) {
      for (std::int64_t k = 0; k < kPerWriter; ++k) c.add(0);
      wait_for_reader();
      c.add(0);
    } else if (i == 1) {
      lab::LocalCounter mine(c, 1);
      for (std::int64_t k = 1; k <= kPerWriter; ++k) {
        mine.add();
        if (k % 64 == 0) mine.flush();
      }
      wait_for_reader();
      mine.add();
    } else {
      for (int r = 0; r < kReads; ++r) seen.push_back(c.total());
      reader_done.store(true, std::memory_order_relaxed);  // relaxed: see above
    }
  });
  for (std::size_t r = 0; r < seen.size(); ++r) {
    if (seen[r] < 0 || seen[r] > kAdded || (r > 0 && seen[r] < seen[r - 1])) {
      ADD_FAILURE() << "read " << r << " of total() while two threads added returned " << seen[r]
                    << (r > 0 ? " after an earlier read returned " + std::to_string(seen[r - 1]) : std::string())
                    << ". Every slot only grows, and the total never passes " << kAdded << ": total() must "
                    << "read each slot atomically, and count only what was published. Read " << kLesson << '.';
      break;
    }
  }
  EXPECT_EQ(c.total(), kAdded)
      << explain_total(2, kPerWriter + 1,
                       "one with StripedCounter::add, one through a LocalCounter that flushed every 64 adds and then "
                       "went out of scope with the last 33",
                       c.total());
}

// In the sim build: every schedule of two threads, each adding twice through its own LocalCounter.
CONCLAB_SIM_TEST(LocalCounterTest, TwoThreadsFlushIntoTheirOwnSlots) {
  lab::StripedCounter c(2);
  {
    conclab::sync::jthread a([&] {
      lab::LocalCounter mine(c, 0);
      mine.add();
      mine.add();
    });
    conclab::sync::jthread b([&] {
      lab::LocalCounter mine(c, 1);
      mine.add();
      mine.flush();
      mine.add();
    });
  }  // both joined; both LocalCounters destroyed before their threads ended
  const std::int64_t got = c.total();
  EXPECT_EQ(got, 4) << "two threads each added 2 through their own LocalCounter (one flushed halfway, neither "
                    << "flushed at the end) and were joined, but total() is " << got << ": "
                    << (got < 4 ? "counts were lost; ~LocalCounter() must flush what is left."
                                : "counts were published twice; flush() must reset the tally.")
                    << " Read " << kLesson << ", \"Per-thread accumulation\".";
}

// total() while another thread adds: in the sim build the explorer checks every plain load and store, so a slot
// (or a LocalCounter's tally) written plainly by its owner and read by total() is reported with both lines.
CONCLAB_SIM_TEST(StripedCounterTest, TotalReadWhileAnotherThreadAddsIsSafe) {
  lab::StripedCounter c(2);
  std::int64_t seen = -1;
  {
    conclab::sync::jthread writer([&] {
      c.add(0);
      lab::LocalCounter mine(c, 1);
      mine.add();
    });
    seen = c.total();  // may run before, between or after the writer's two adds
  }
  EXPECT_TRUE(seen >= 0 && seen <= 2) << "total() read while another thread added 1 twice returned " << seen
                                      << ": it must be a sum that was possible at some moment, 0, 1 or 2. Read "
                                      << kLesson << '.';
  EXPECT_EQ(c.total(), 2) << "one thread added 1 with add() and 1 through a LocalCounter, and was joined, but "
                          << "total() is " << c.total() << ". Read " << kLesson << '.';
}

}  // namespace
