// Graded tests for lab 01.01, counter. Lessons: modules/01-primitives/01-mutexes-and-locks.md and
// modules/01-primitives/04-atomics-basics.md.
//
// Threads are released together through a start gate (conclab::run_threads), so their increments
// really overlap. A counter without synchronisation may lose increments in one run and not in the
// next; ThreadSanitizer (the graded run builds the tests with it too) reports the data race in every
// test that increments from two or more threads, whether or not an increment was lost that time.
// ThreadSanitizer cannot see a lost update made of *atomic* steps (a load, then a store; a compare_exchange
// whose failure is ignored) nor an increment skipped because try_lock() failed: the sim test
// TwoIncrementsAreNeverLost runs under the explorer, which tries every interleaving of two increments (and
// spurious try_lock failures) and so finds the one that loses an increment, on every run. The sim test
// ValueReadWhileAnotherThreadIncrementsIsSafe has the explorer check value() for a data race with increment().
#include <counter.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "conclab/run_threads.hpp"
#include "conclab/sim_test.hpp"
#include "conclab/sync.hpp"

namespace {

constexpr const char* kLessons =
    "modules/01-primitives/01-mutexes-and-locks.md (a mutex) and modules/01-primitives/04-atomics-basics.md "
    "(an atomic)";

// The failure message when `threads` threads each called increment() `per_thread` times.
std::string explain_total(int threads, std::int64_t per_thread, std::int64_t got) {
  const std::int64_t want = threads * per_thread;
  std::ostringstream out;
  out << threads << " threads called increment() " << per_thread << " times each (" << want
      << " in all) and were joined, but value() is " << got << ".\n";
  if (got == 0) {
    out << "Nothing was counted: increment() must add one to the count, and value() must return it.";
  } else if (got < want) {
    out << (want - got) << " increments were lost. `++count_` is a load, an add and a store: two threads "
        << "load the same old value and both store old + 1, so one increment disappears. Make the "
        << "read-add-write indivisible: a conclab::sync::mutex around it, or conclab::sync::atomic's fetch_add.";
  } else {
    out << "That is more increments than were made: each increment() must add exactly one.";
  }
  out << "\nRead " << kLessons << '.';
  return out.str();
}

TEST(CounterTest, StartsAtZero) {
  const lab::Counter counter;
  EXPECT_EQ(counter.value(), 0) << "a new Counter has counted nothing yet, so value() must be 0. "
                                << "Initialise the count where you declare it.";
}

TEST(CounterTest, CountsEveryIncrementFromOneThread) {
  lab::Counter counter;
  for (int i = 1; i <= 1000; ++i) {
    counter.increment();
    if (counter.value() != i) {
      ADD_FAILURE() << "after " << i << " increment() calls on one thread, value() is " << counter.value()
                    << ": each increment() must add exactly one, and value() must return the count so far. "
                    << "Fix this before trying several threads.";
      return;
    }
  }
}

TEST(CounterTest, ConcurrentIncrementsAreNotLost) {
  constexpr int kThreads = 2;
  constexpr std::int64_t kPerThread = 20'000;
  lab::Counter counter;
  conclab::run_threads(kThreads, [&](int) {
    for (std::int64_t k = 0; k < kPerThread; ++k) counter.increment();
  });
  // run_threads joined every thread: all their increments happen-before this read.
  EXPECT_EQ(counter.value(), kThreads * kPerThread) << explain_total(kThreads, kPerThread, counter.value());
}

// The failure message when two threads called increment() once each and were joined.
std::string explain_two(std::int64_t got) {
  std::ostringstream out;
  out << "two threads called increment() once each and were joined, but value() is " << got << ".\n";
  if (got == 1) {
    out << "One increment was lost, in the schedule below. Three ways to lose one: two atomic steps (a load, "
        << "then a store: both threads load 0 and both store 1); a compare_exchange whose failure is ignored "
        << "(it fails exactly when another thread got in first, and then nothing was added); a try_lock() that "
        << "gives up when the mutex is busy (or fails spuriously, which the standard allows). An increment must "
        << "be one indivisible read-modify-write that always happens: fetch_add, a compare_exchange retried in "
        << "a loop until it succeeds, or a blocking lock held across the read-add-write.";
  } else if (got == 0) {
    out << "Nothing was counted: each increment() must add one to the count (see the schedule below: was an "
        << "increment skipped?).";
  } else {
    out << "That is more increments than were made: each increment() must add exactly one.";
  }
  out << "\nRead " << kLessons << '.';
  return out.str();
}

// In the sim build: every schedule of two threads that increment once each (with up to two preemptions).
// In the other builds: the same two threads, 20 times, on real threads.
CONCLAB_SIM_TEST(CounterTest, TwoIncrementsAreNeverLost) {
  conclab::sim::explain("two increment()s and a join can only block forever if increment() waits for something "
                        "nobody releases: a mutex locked and never unlocked, or locked twice by one thread");
  lab::Counter counter;
  {
    conclab::sync::jthread a([&] { counter.increment(); });
    conclab::sync::jthread b([&] { counter.increment(); });
  }  // both joined
  const std::int64_t got = counter.value();
  EXPECT_EQ(got, 2) << explain_two(got);
}

// value() while another thread is inside increment(). In the sim build the explorer also checks every plain
// load and store: a count written under a mutex (or through an atomic) but read by value() without it is a
// data race, reported with both lines, even in a schedule where the number read happens to be right.
CONCLAB_SIM_TEST(CounterTest, ValueReadWhileAnotherThreadIncrementsIsSafe) {
  lab::Counter counter;
  std::int64_t seen = -1;
  {
    conclab::sync::jthread writer([&] { counter.increment(); });
    seen = counter.value();  // the test's thread reads while the writer may be halfway through increment()
  }  // joined
  EXPECT_TRUE(seen == 0 || seen == 1)
      << "value() read while one increment() ran returned " << seen
      << ": it must be a count that was true at some moment, 0 (before the increment) or 1 (after it). value() "
      << "must read the count the same safe way increment() writes it. Read " << kLessons << '.';
  const std::int64_t after = counter.value();
  EXPECT_EQ(after, 1) << "one thread called increment() once and was joined, but value() is " << after
                      << ": an increment that runs while another thread calls value() must still count (an "
                      << "increment() that gives up when try_lock() fails, because value() holds the mutex or "
                      << "spuriously, drops it: wait for the lock). Read " << kLessons << '.';
}

TEST(CounterTest, MoreThreadsThanCoresLoseNothing) {
  // Eight threads on a machine with fewer cores: more threads than cores, so the scheduler switches
  // between them; an unsynchronised counter loses increments when a switch falls inside one (rarely:
  // the window is a few instructions), and ThreadSanitizer reports the race every time.
  constexpr int kThreads = 8;
  constexpr std::int64_t kPerThread = 5'000;
  lab::Counter counter;
  conclab::run_threads(kThreads, [&](int) {
    for (std::int64_t k = 0; k < kPerThread; ++k) counter.increment();
  });
  EXPECT_EQ(counter.value(), kThreads * kPerThread) << explain_total(kThreads, kPerThread, counter.value());
}

TEST(CounterTest, ValueIsSafeToReadWhileOthersIncrement) {
  // Two threads increment while a third reads value() over and over. Each read must be a count that
  // was true at some moment: never below an earlier read (the count only grows), never above the
  // number of increments in all. A torn or stale-then-fresh read shows up as a step backwards.
  constexpr int kWriters = 2;
  constexpr std::int64_t kPerWriter = 20'000;
  constexpr int kReads = 20'000;
  lab::Counter counter;
  std::vector<std::int64_t> seen;
  seen.reserve(kReads);
  conclab::run_threads(kWriters + 1, [&](int i) {
    if (i == kWriters) {
      for (int r = 0; r < kReads; ++r) seen.push_back(counter.value());
    } else {
      for (std::int64_t k = 0; k < kPerWriter; ++k) counter.increment();
    }
  });
  for (std::size_t r = 0; r < seen.size(); ++r) {
    if (seen[r] < 0 || seen[r] > kWriters * kPerWriter || (r > 0 && seen[r] < seen[r - 1])) {
      ADD_FAILURE() << "read " << r << " of value() while two threads incremented returned " << seen[r]
                    << (r > 0 ? " after an earlier read returned " + std::to_string(seen[r - 1]) : std::string())
                    << ". A count only grows, and never beyond " << kWriters * kPerWriter
                    << ": value() must read the count the same safe way increment() writes it (under the "
                    << "same mutex, or with an atomic load). Read " << kLessons << '.';
      break;
    }
  }
  EXPECT_EQ(counter.value(), kWriters * kPerWriter) << explain_total(kWriters, kPerWriter, counter.value());
}

}  // namespace
