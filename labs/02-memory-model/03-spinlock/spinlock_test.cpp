// Graded tests for lab 02.03, spinlock. Lesson: modules/02-memory-model/03-memory-orders.md.
//
// A spinlock is right when (1) no two threads are ever inside at once, (2) what one holder wrote is visible to
// the next holder (each critical section happens-before the next), (3) try_lock() never waits and never takes a
// lock that is held, and (4) a waiter that went to sleep is woken when the lock is freed.
//
// A stress test on x86 catches almost none of the ways to get (1) and (2) wrong: the window of a check-then-act
// is a few nanoseconds, and x86 never reorders a store after a later store or a load after a later load, so a
// missing acquire or release changes nothing on this machine. The sim tests (CONCLAB_SIM_TEST) run under the
// explorer, which follows the C++ memory model instead of x86's: it tries every schedule of two threads with up
// to two preemptions, lets a load read an older store when C++ allows it, and checks every plain variable for a
// data race by happens-before. A broken lock fails there on every run, with the schedule printed step by step.
//
// In the sim build, a thread that only re-reads a value nobody changes (or exchanges it for the value it already
// has) is "spinning": it runs when nobody else can, or when a preemption picks it, so a lock whose waiter never
// gives up ends each schedule instead of running it past the step limit.
#include <spinlock.hpp>

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>  // std::lock_guard and std::scoped_lock, used with lab::Spinlock: that is the Lockable contract
#include <string>

#include "conclab/run_threads.hpp"
#include "conclab/sim_test.hpp"
#include "conclab/sync.hpp"
#include "conclab/watchdog.hpp"

namespace {

namespace sync = conclab::sync;
using namespace std::chrono_literals;

constexpr const char* kLesson = "modules/02-memory-model/03-memory-orders.md";

// For a schedule that never ends: a thread in lock() kept changing something on every turn, so the explorer
// counted it as making progress while the lock stayed taken.
constexpr const char* kSpinOnALoad =
    "If the schedule ran past its step limit with a thread looping in lock(): its loop changed the lock's state on "
    "every turn (a store or an exchange that writes a new value) while the lock was held, so it never waited for "
    "the holder. Wait by looking: spin on a load until the lock looks free, then try the exchange again "
    "(test-and-test-and-set), which also keeps the cache line shared while you wait.";

std::string read(const std::string& section) {
  return " Read " + std::string(kLesson) + " (\"" + section + "\").";
}

// Runs `call` on a thread of its own and waits a few seconds of real time for it: false means it is stuck.
bool returns(std::function<void()> call) { return conclab::returns_in_time(std::move(call), conclab::patience(2s)); }

TEST(SpinlockTest, TryLockTakesAFreeLockAndRefusesAHeldOne) {
  auto s = std::make_shared<lab::Spinlock>();
  auto results = std::make_shared<std::array<int, 4>>();  // -1: not reached
  results->fill(-1);
  const bool finished = returns([s, results] {
    (*results)[0] = s->try_lock() ? 1 : 0;  // free: takes it
    (*results)[1] = s->try_lock() ? 1 : 0;  // held (by this thread): must say no, at once
    s->unlock();
    s->lock();                              // free again: lock() must get it
    s->unlock();
    (*results)[2] = s->try_lock() ? 1 : 0;  // free again
    if ((*results)[2] == 1) s->unlock();
    (*results)[3] = 1;
  });
  ASSERT_TRUE(finished) << "one thread alone called try_lock(), try_lock(), unlock(), lock(), unlock(), try_lock(), "
                        << "and got stuck " << ((*results)[0] == -1   ? "in the first try_lock(), on a free lock"
                                                : (*results)[1] == -1 ? "in the second try_lock(), on a lock it holds: "
                                                                        "try_lock() must never wait, it returns false "
                                                                        "when the lock is held"
                                                                      : "in lock() after an unlock(): unlock() must "
                                                                        "free the lock, and lock() must take a free one")
                        << "." << read("The Lockable contract");
  EXPECT_EQ((*results)[0], 1) << "try_lock() on a new, free Spinlock returned false: a free lock must be taken, "
                              << "and try_lock() then returns true. (try_lock() returns whether it took the lock: "
                              << "exchange() returns the OLD value, so it succeeded when that was \"free\".)"
                              << read("The Lockable contract");
  EXPECT_EQ((*results)[1], 0) << "try_lock() on a Spinlock that is held returned true: it must take the lock only "
                              << "when it was free, and say false (at once) when it was not."
                              << read("The Lockable contract");
  EXPECT_EQ((*results)[2], 1) << "after lock() and unlock(), try_lock() on the free lock returned false: unlock() "
                              << "must leave the lock free." << read("The Lockable contract");
}

TEST(SpinlockTest, TryLockFailsWhileAnotherThreadHoldsIt) {
  auto s = std::make_shared<lab::Spinlock>();
  s->lock();
  auto got = std::make_shared<int>(-1);
  const bool finished = returns([s, got] { *got = s->try_lock() ? 1 : 0; });
  ASSERT_TRUE(finished) << "try_lock() on a Spinlock held by another thread did not return: try_lock() must never "
                        << "wait. It makes one attempt and returns false when the lock is held (lock() is the one "
                        << "that waits)." << read("The Lockable contract");
  EXPECT_EQ(*got, 0) << "try_lock() returned true while another thread held the lock: two holders at once."
                     << read("The Lockable contract");
  s->unlock();
  if (*got == 1) return;
  auto taken = std::make_shared<bool>(false);  // owned by the call too: a stuck call is left behind, detached
  ASSERT_TRUE(returns([s, taken] {
    *taken = s->try_lock();
    if (*taken) s->unlock();
  })) << "try_lock() on a lock just freed by unlock() did not return." << read("The Lockable contract");
  EXPECT_TRUE(*taken) << "the holder called unlock() (and the threads are ordered by join), yet try_lock() from "
                     << "another thread returned false: unlock() must free the lock." << read("The Lockable contract");
}

TEST(SpinlockTest, WorksWithLockGuardAndScopedLock) {
  auto a = std::make_shared<lab::Spinlock>();
  auto b = std::make_shared<lab::Spinlock>();
  auto count = std::make_shared<int>(0);
  const bool finished = returns([a, b, count] {
    {
      std::lock_guard guard(*a);  // calls a->lock(), and a->unlock() at the end of the scope
      ++*count;
    }
    {
      std::scoped_lock both(*a, *b);  // std::lock: lock() one, try_lock() the other, back off if that fails
      ++*count;
    }
    {
      std::lock_guard guard(*b);
      ++*count;
    }
  });
  ASSERT_TRUE(finished) << "one thread alone locked a Spinlock with std::lock_guard, then two with std::scoped_lock, "
                        << "then the second again with std::lock_guard, and got stuck: a lock was not freed by "
                        << "unlock(), or try_lock() waited or said no on a free lock (std::scoped_lock of two locks "
                        << "uses try_lock() and retries while it fails)." << read("The Lockable contract");
  EXPECT_EQ(*count, 3);
}

// Four threads on a 2-core machine (more threads than cores, so holders are descheduled while others wait), each
// entering the lock 5000 times and changing two fields that must stay equal. ThreadSanitizer reports a lock that
// does not order its critical sections when a run has them meet; a lock that lets two threads in may break the
// invariant or lose a count (in some runs: the sim tests catch both on every run).
TEST(SpinlockTest, FourThreadsKeepATwoFieldInvariant) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 5000;
  lab::Spinlock s;
  struct {
    long entries = 0;  // guarded by s
    long copy = 0;     // guarded by s: always equal to entries outside the lock
  } guarded;
  long broken = 0;  // guarded by s
  conclab::run_threads(kThreads, [&](int) {
    for (int k = 0; k < kPerThread; ++k) {
      std::lock_guard guard(s);
      if (guarded.copy != guarded.entries) ++broken;
      ++guarded.entries;
      ++guarded.copy;
    }
  });
  EXPECT_EQ(broken, 0) << "inside the lock, the two fields were seen unequal " << broken << " times: another thread "
                       << "was between its two increments, inside the lock at the same time."
                       << read("A lock is a test-and-set");
  EXPECT_EQ(guarded.entries, long{kThreads} * kPerThread)
      << kThreads << " threads entered the lock " << kPerThread << " times each, but only " << guarded.entries
      << " entries were counted: two threads were inside at once and one increment overwrote the other."
      << read("A lock is a test-and-set");
}

// Two threads enter once each. The explorer checks `count` (a plain int) for a data race on every schedule: a lock
// that lets both in (check-then-act), or that does not order one critical section before the next (a relaxed
// exchange in lock(), a relaxed store in unlock()), leaves the two `++count` unordered, and the explorer names both
// lines. A lock whose lock() and unlock() are right puts unlock()'s release store before the next lock()'s acquire.
CONCLAB_SIM_TEST(SpinlockTest, TwoHoldersNeverOverlap) {
  conclab::sim::explain("two threads lock, add one and unlock: this can only block forever if lock() waits for a lock "
                        "that unlock() never frees, or sleeps (atomic::wait) and unlock() never wakes it. " +
                        std::string(kSpinOnALoad));
  lab::Spinlock s;
  int count = 0;  // guarded by s
  {
    sync::jthread a([&] {
      s.lock();
      ++count;
      s.unlock();
    });
    sync::jthread b([&] {
      s.lock();
      ++count;
      s.unlock();
    });
  }
  EXPECT_EQ(count, 2) << "two threads each entered the lock once and added one, but the count is " << count
                      << ": both were inside at once." << read("A lock is a test-and-set");
}

// The handover of data, with atomics the explorer can let read an old value: a holder stores 42 and "written",
// both relaxed, inside the lock; the next holder, if it sees "written", must see 42. Relaxed stores inside a lock
// are enough ONLY because the lock orders them: unlock()'s release store, read by the next lock()'s acquire
// exchange, makes everything before it visible after it. With a relaxed unlock() or lock() nothing does, and the
// explorer shows the next holder reading "written" but the old 0.
CONCLAB_SIM_TEST(SpinlockTest, TheNextHolderSeesWhatTheLastOneWrote) {
  conclab::sim::explain(kSpinOnALoad);
  lab::Spinlock s;
  sync::atomic<int> payload{0};
  sync::atomic<bool> written{false};
  {
    sync::jthread writer([&] {
      s.lock();
      payload.store(42, std::memory_order_relaxed);
      written.store(true, std::memory_order_relaxed);
      s.unlock();
    });
    s.lock();
    if (written.load(std::memory_order_relaxed)) {
      const int seen = payload.load(std::memory_order_relaxed);
      EXPECT_EQ(seen, 42) << "the previous holder stored payload = 42, then written = true, then unlocked; this "
                          << "holder saw written == true but payload == " << seen << ": it does not see everything "
                          << "the previous holder wrote. unlock() must release (a release or seq_cst store) and lock() "
                          << "must acquire (an acquire or seq_cst exchange), so that each critical section "
                          << "happens-before the next." << read("What a lock needs");
    }
    s.unlock();
  }
}

// Two try_lock()s race for a free lock: each may win or lose, but never both at the same time. A try_lock() that
// looks (a load) and then takes (a store) lets both in; the explorer checks `count` for the race.
CONCLAB_SIM_TEST(SpinlockTest, TwoTryLocksNeverBothWin) {
  conclab::sim::explain("try_lock() must never wait: it makes one attempt and returns");
  lab::Spinlock s;
  int count = 0;  // guarded by s
  auto attempt = [&] {
    if (s.try_lock()) {
      ++count;
      s.unlock();
    }
  };
  {
    sync::jthread a(attempt);
    sync::jthread b(attempt);
  }
}

// A long critical section: whoever gets the lock first keeps losing the CPU while it holds it (300 yields), so the
// other thread gives up spinning and sleeps in atomic::wait (if its lock() ever sleeps). unlock() must then wake
// it. In the sim build a thread that yields, or reads a value nobody changes, counts as spinning, and spinning
// threads take turns: a waiter that looks at the lock fewer than about 300 times before it sleeps is asleep when
// the holder unlocks, and if nobody wakes it the explorer reports it left asleep (a lost wakeup).
CONCLAB_SIM_TEST(SpinlockTest, ASleepingWaiterIsWokenByUnlock) {
  conclab::sim::explain("one thread held the lock for a long time and the other waited in lock(). If lock() sleeps "
                        "(atomic::wait), unlock() must wake it (notify_one() after the store that frees the lock): "
                        "a sleeper nobody notifies sleeps forever, next to a free lock (a lost wakeup). " +
                        std::string(kSpinOnALoad));
  lab::Spinlock s;
  sync::latch started(1);
  int count = 0;  // guarded by s
  // On real threads (the default and TSan builds) a few yields are enough for a stress run: there, a waiter falls
  // asleep only when the scheduler says so, and this test is not what catches a lost wakeup.
  const int yields = sync::kSimulated ? 300 : 3;
  auto enter_and_work = [&] {
    s.lock();
    for (int i = 0; i < yields; ++i) sync::this_thread::yield();  // the holder keeps losing the CPU
    ++count;
    s.unlock();
  };
  {
    sync::jthread other([&] {
      started.count_down();
      enter_and_work();
    });
    started.wait();  // both threads now race for the lock; whichever loses waits the whole critical section
    enter_and_work();
  }
  EXPECT_EQ(count, 2) << "two threads entered the lock once each, but the count is " << count << "."
                      << read("Sleeping instead of spinning");
}

}  // namespace
