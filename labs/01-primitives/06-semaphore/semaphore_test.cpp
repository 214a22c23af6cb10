// Graded tests for lab 01.06, the semaphore and its Permit.
//
// Threads are lined up with latches and start gates, never with sleeps. "At most N inside" is measured with
// an atomic counter of users inside the section and the highest value it ever reached.
//
// The CONCLAB_SIM_TESTs (two or three threads, a few operations) also run under the explorer in the sim build:
// it tries every schedule of their sync:: operations with up to two preemptions, spurious wakeups included, so
// a permit taken by two threads, an acquire() that returns without a release, and a release() that leaves a
// sleeper asleep are found on every run, where the stress tests below hit them only now and then. In the other
// builds they run 20 times on real threads (and under ThreadSanitizer).
//
// A release() that notifies after its unlock may run on a semaphore its waiter has already destroyed. Two tests
// catch it: TheWaiterMayDestroyTheSemaphoreOnceAcquireReturns under the explorer (which knows when a primitive
// is used after its destructor ran), and ASemaphoreOnTheWaitersStackCanSignalCompletion under ThreadSanitizer
// (nothing orders the notify before the destruction).
#include <semaphore.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <exception>
#include <functional>
#include <latch>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "conclab/run_threads.hpp"
#include "conclab/sim_test.hpp"
#include "conclab/sync.hpp"
#include "conclab/watchdog.hpp"

namespace {

constexpr const char* kLesson = " (lesson: modules/01-primitives/06-latch-barrier-semaphore.md)";

// Raises `max` to `value` if it is higher.
void record_max(conclab::sync::atomic<int>& max, int value) {
  int seen = max.load();
  while (value > seen && !max.compare_exchange_weak(seen, value)) {
  }
}

// Runs `body` on `n` threads (through a start gate) and returns the first exception's message, or "".
std::string run_catching(int n, const std::function<void(int)>& body) {
  try {
    conclab::run_threads(n, body);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST(SemaphoreTest, TryAcquireTakesOnlyFreePermits) {
  lab::Semaphore sem(2);
  EXPECT_EQ(sem.available(), 2) << "a Semaphore(2) starts with two free permits";
  EXPECT_TRUE(sem.try_acquire()) << "try_acquire() must take a free permit and return true";
  EXPECT_TRUE(sem.try_acquire()) << "the second of two permits must be free too";
  EXPECT_FALSE(sem.try_acquire()) << "with no permit left, try_acquire() must return false at once (never block)";
  EXPECT_EQ(sem.available(), 0) << "a failed try_acquire() must change nothing";
  sem.release();
  EXPECT_EQ(sem.available(), 1) << "release() must give one permit back";
  EXPECT_TRUE(sem.try_acquire()) << "a released permit can be taken again";
  sem.release(2);
  EXPECT_EQ(sem.available(), 2) << "release(2) must give two permits back";
}

TEST(SemaphoreTest, RejectsNegativeCounts) {
  EXPECT_THROW(lab::Semaphore(-1), std::invalid_argument) << "a semaphore cannot start with fewer than 0 permits";
  lab::Semaphore sem(1);
  EXPECT_THROW(sem.release(-1), std::invalid_argument) << "release(-1) would take a permit without waiting for it";
  EXPECT_EQ(sem.available(), 1) << "a rejected release() must change nothing";
}

TEST(SemaphoreTest, AcquireBlocksUntilRelease) {
  // The user thread records whether its acquire() returned before the test released the permit. On real
  // threads nothing can make sure the user is already asleep when the release comes (if it is late, it finds the
  // permit free, which is correct), so this test can only ever catch an early return, never invent one; the sim
  // test ReleaseWakesABlockedAcquire below runs the schedule where the user sleeps first, on every run.
  lab::Semaphore sem(1);
  sem.acquire();  // the only permit: now the next acquire() must wait
  conclab::sync::atomic<bool> released{false};
  conclab::sync::atomic<bool> got_in_early{false};
  conclab::sync::atomic<bool> got_in{false};
  std::string error;
  conclab::sync::latch started(1);
  conclab::sync::jthread user([&] {
    try {
      started.count_down();
      sem.acquire();
      got_in_early.store(!released.load());
      got_in.store(true);
      sem.release();
    } catch (const std::exception& e) {
      error = e.what();
    }
  });
  started.wait();
  released.store(true);  // before release(): an acquire() that sees it false returned without this permit
  sem.release();
  user.join();
  EXPECT_EQ(error, "") << "acquire() with no free permit must wait for a release(), but it threw" << kLesson;
  EXPECT_FALSE(got_in_early.load()) << "acquire() returned while the only permit was still held: it must block "
                                       "until a release() gives one back"
                                    << kLesson;
  EXPECT_TRUE(got_in.load()) << "release() must let the blocked acquire() through";
  EXPECT_EQ(sem.available(), 1) << "one permit out, one back: the semaphore must end where it started";
}

TEST(SemaphoreTest, NeverMoreThanNUsersInside) {
  constexpr int kLimit = 2;
  constexpr int kThreads = 4;
  constexpr int kRounds = 30;
  lab::Semaphore sem(kLimit);
  conclab::sync::atomic<int> inside{0};
  conclab::sync::atomic<int> most_inside{0};
  const std::string error = run_catching(kThreads, [&](int) {
    for (int r = 0; r < kRounds; ++r) {
      lab::Permit permit(sem);
      record_max(most_inside, inside.fetch_add(1) + 1);
      conclab::sync::this_thread::yield();  // stay inside a moment, so that others try to get in meanwhile
      inside.fetch_sub(1);
    }
  });
  ASSERT_EQ(error, "") << "a user thread threw" << kLesson;
  EXPECT_LE(most_inside.load(), kLimit)
      << most_inside.load() << " users were inside at once with a limit of " << kLimit
      << ": two threads took the same permit (checked that one was free, then took it, in two steps)" << kLesson;
  EXPECT_EQ(sem.available(), kLimit) << "every Permit gave its permit back, so all " << kLimit
                                     << " must be free again: a lost update lost a permit" << kLesson;
}

TEST(SemaphoreTest, NUsersCanBeInsideAtOnce) {
  // Three permits, three users that meet inside: each waits at a latch until all three are in. A semaphore
  // that admits fewer than N at once (e.g. a plain mutex) never lets the third one in, and the test hangs.
  constexpr int kLimit = 3;
  lab::Semaphore sem(kLimit);
  conclab::sync::latch all_inside(kLimit);
  const std::string error = run_catching(kLimit, [&](int) {
    lab::Permit permit(sem);
    all_inside.arrive_and_wait();
  });
  ASSERT_EQ(error, "") << "a user thread threw" << kLesson;
  EXPECT_EQ(sem.available(), kLimit) << "all permits must be free again after the users left";
}

// The watchdog's patience (conclab::Watchdog, conclab/watchdog.hpp). Not a timing assertion: a correct semaphore
// disarms it in microseconds; it exists so that a release() that wakes too few waiters ends this test with a
// message instead of a hang until the runner's timeout. Real time: only the ordinary tests use it.
const std::chrono::milliseconds kPatience = conclab::patience(std::chrono::seconds(5));  // conclab/watchdog.hpp

TEST(SemaphoreTest, ReleaseOfSeveralPermitsLetsThatManyWaitersIn) {
  // On real threads the waiters may or may not be asleep when release(2) comes (the sim test
  // ReleaseOfTwoLetsTwoBlockedAcquiresIn makes them sleep first, on every run). When they are, a release(2)
  // that wakes only one leaves the other asleep next to a free permit; the watchdog then reports it and
  // releases the rest one by one, so that the test ends with this message instead of a timeout.
  constexpr int kWaiters = 3;
  lab::Semaphore sem(0);
  conclab::sync::atomic<int> passed{0};
  conclab::sync::latch started(kWaiters);
  std::vector<std::string> errors(kWaiters);
  bool stuck = false;
  {
    std::vector<conclab::sync::jthread> waiters;
    for (int i = 0; i < kWaiters; ++i) {
      waiters.emplace_back([&, i] {
        try {
          started.count_down();
          sem.acquire();
          passed.fetch_add(1);
          passed.notify_all();
        } catch (const std::exception& e) {
          errors[static_cast<std::size_t>(i)] = e.what();
          passed.fetch_add(100);  // wakes the test thread below, which then reports the error
          passed.notify_all();
        }
      });
    }
    started.wait();
    conclab::Watchdog watchdog(kPatience, [&] {
      for (int i = 0; i < kWaiters; ++i) sem.release();  // one at a time: each wakes a sleeper, if it notifies
    });
    sem.release(2);
    for (int seen = passed.load(); seen < 2; seen = passed.load()) passed.wait(seen);  // two permits: two get in
    watchdog.disarm();
    stuck = watchdog.fired();
    EXPECT_FALSE(stuck) << "release(2) gave two permits while three threads waited in acquire(), but after "
                        << kPatience.count() / 1000.0 << " s fewer than two had got in: release(n) woke fewer sleepers "
                        << "than it gave permits, and the others sleep next to a free permit. notify_one() wakes "
                        << "one thread; for several permits wake them all (notify_all(): each re-checks the "
                        << "count, and those that find none sleep again). The sim test "
                        << "ReleaseOfTwoLetsTwoBlockedAcquiresIn shows the schedule" << kLesson;
    if (!stuck) {
      EXPECT_EQ(passed.load(), 2) << "release(2) must let exactly two of three waiters in" << kLesson;
      sem.release();
    }
  }  // joins the waiters
  for (const auto& e : errors) EXPECT_EQ(e, "") << "acquire() threw instead of waiting for a release()" << kLesson;
  if (stuck) return;  // the watchdog released extra permits: the counts below no longer mean anything
  EXPECT_EQ(passed.load(), kWaiters) << "three permits released for three waiters: all three must get in";
  EXPECT_EQ(sem.available(), 0) << "all released permits were taken";
}

TEST(SemaphoreTest, RacingTryAcquiresGiveTheLastPermitToOneThread) {
  constexpr int kThreads = 4;
  lab::Semaphore sem(1);
  conclab::sync::atomic<int> winners{0};
  const std::string error = run_catching(kThreads, [&](int) {
    if (sem.try_acquire()) winners.fetch_add(1);
  });
  ASSERT_EQ(error, "") << "try_acquire() threw" << kLesson;
  EXPECT_EQ(winners.load(), 1) << kThreads << " threads raced for one permit and " << winners.load()
                               << " got it: checking that a permit is free and taking it must be ONE step" << kLesson;
  EXPECT_EQ(sem.available(), 0) << "the one permit was taken";
}

// ---- Under the explorer (sim build): every schedule of a few threads. ----

// `body`, with an exception turned into a failed assertion: one that left a thread would end the whole test
// program (std::terminate) on real threads.
template <class Body>
auto failing_on_exception(Body body) {
  return [body]() mutable {
    try {
      body();
    } catch (const std::exception& e) {
      ADD_FAILURE() << "a thread's acquire() or release() threw: " << e.what() << kLesson;
    }
  };
}

CONCLAB_SIM_TEST(SemaphoreTest, OnePermitLetsOneOfTwoAcquirersIn) {
  lab::Semaphore sem(1);
  conclab::sync::atomic<int> inside{0};
  auto user = [&] {
    sem.acquire();
    const int now_inside = inside.fetch_add(1) + 1;
    EXPECT_EQ(now_inside, 1)
        << "one permit, and " << now_inside << " threads are inside at once. In the schedule below, both "
        << "acquire()s saw the permit free before either took it (or one got in without waiting for it to come "
        << "back). Checking that a permit is free and taking it must be ONE step: both under the mutex, or a "
        << "compare-exchange that only moves the count from the value it saw. `if (count.load() > 0) "
        << "count.fetch_sub(1)` is two atomic steps, not one" << kLesson;
    inside.fetch_sub(1);
    sem.release();
  };
  {
    conclab::sync::jthread a(failing_on_exception(user));
    conclab::sync::jthread b(failing_on_exception(user));
  }  // both joined: a hang here (the explorer reports it) is a release() that did not wake the other acquirer
  EXPECT_EQ(sem.available(), 1) << "each thread took the one permit and gave it back, so it must be free again, "
                                   "but available() is "
                                << sem.available() << kLesson;
}

CONCLAB_SIM_TEST(SemaphoreTest, TwoTryAcquiresRacingForOnePermitGiveItToOne) {
  lab::Semaphore sem(1);
  conclab::sync::atomic<int> winners{0};
  auto racer = [&] {
    if (sem.try_acquire()) winners.fetch_add(1);
  };
  {
    conclab::sync::jthread a(failing_on_exception(racer));
    conclab::sync::jthread b(failing_on_exception(racer));
  }
  EXPECT_EQ(winners.load(), 1)
      << "two try_acquire()s raced for one permit and " << winners.load() << " returned true. In the schedule "
      << "below, both saw the permit free before either took it: `if (count.load() > 0) count.fetch_sub(1)` is "
      << "two atomic steps. Take it with one step that fails if the count changed (compare_exchange in a loop), "
      << "or under the mutex" << kLesson;
  EXPECT_EQ(sem.available(), 0) << "the one permit was taken once, so none is left, but available() is "
                                << sem.available() << kLesson;
}

CONCLAB_SIM_TEST(SemaphoreTest, ReleaseWakesABlockedAcquire) {
  conclab::sim::explain(
      "the acquire() below sleeps forever although release() gave it a permit: a lost wakeup. Either release() "
      "did not notify at all, or it notified BEFORE it added the permit (the woken acquire() took the mutex "
      "first, found nothing, and slept again; the permit then came with nobody told). Lock, change the count, "
      "notify, in that order" + std::string(kLesson));
  lab::Semaphore sem(0);
  conclab::sync::atomic<bool> released{false};
  {
    conclab::sync::jthread waiter(failing_on_exception([&] {
      sem.acquire();
      EXPECT_TRUE(released.load())
          << "acquire() on a semaphore with no permit returned before any release(). In the schedule below its "
          << "wait ended with nothing changed (a spurious wakeup, which the standard allows) and it took a permit "
          << "that was not there. After every wakeup, check again: `cv_.wait(lock, [&] { return count_ > 0; })` "
          << "(lesson 03, spurious wakeups)" << kLesson;
    }));
    released.store(true);
    sem.release();
  }  // joins the waiter: if it sleeps forever, the explorer reports a lost wakeup (did release() notify?)
  EXPECT_EQ(sem.available(), 0) << "one permit released, one taken, but available() is " << sem.available() << kLesson;
}

CONCLAB_SIM_TEST(SemaphoreTest, ReleaseOfTwoLetsTwoBlockedAcquiresIn) {
  conclab::sim::explain(
      "a waiter sleeps forever although release(2) gave two permits for two waiters: a lost wakeup. "
      "release(n) must wake as many sleepers as it gives permits (notify_one() wakes one: use notify_all() for "
      "n > 1), after the count has changed, not before" + std::string(kLesson));
  lab::Semaphore sem(0);
  conclab::sync::atomic<bool> released{false};
  auto waiter = [&] {
    sem.acquire();
    EXPECT_TRUE(released.load()) << "acquire() returned before release(2) was called: it took a permit that was "
                                    "not there (a wait that was not re-checked after a wakeup?)"
                                 << kLesson;
  };
  {
    conclab::sync::jthread a(failing_on_exception(waiter));
    conclab::sync::jthread b(failing_on_exception(waiter));
    released.store(true);
    sem.release(2);
  }  // joins both: if one sleeps forever, the explorer reports a lost wakeup. release(2) gives two permits, so
     // it must wake two sleepers: notify_one() wakes one (use notify_all(), the predicate sorts them out)
  EXPECT_EQ(sem.available(), 0) << "two permits released, two taken, but available() is " << sem.available()
                                << kLesson;
}

// ---- The semaphore's lifetime: under the explorer, and for ThreadSanitizer. ----

CONCLAB_SIM_TEST(SemaphoreTest, TheWaiterMayDestroyTheSemaphoreOnceAcquireReturns) {
  conclab::sim::explain(
      "release() touched the semaphore after a waiter could already get through acquire() and destroy it. A "
      "one-shot completion signal lives on its waiter's stack and dies as soon as acquire() returns; a release() "
      "that unlocks first and notifies afterwards notifies a condition variable that may be gone. Notify while "
      "the mutex is still held: the waiter cannot return before release() lets go of it" + std::string(kLesson));
  std::optional<lab::Semaphore> done(std::in_place, 0);
  lab::Semaphore* signal = &*done;
  conclab::sync::jthread worker([signal] { signal->release(); });
  done->acquire();
  done.reset();  // the waiter's scope ends here: its semaphore is gone (the worker is joined after)
}


TEST(SemaphoreTest, ASemaphoreOnTheWaitersStackCanSignalCompletion) {
  // A one-shot "done" signal: the waiter owns the semaphore (here in a std::optional, standing for its stack
  // frame) and destroys it as soon as acquire() returns, while the worker may still be inside release().
  // That is allowed (the contract's lifetime rule) only if release() touches nothing after a waiter can get
  // through, i.e. notifies BEFORE it unlocks. A notify after the unlock can run on the destroyed condition
  // variable; nothing orders it before the destruction, so ThreadSanitizer reports the pair as a data race:
  // the condition variable's destructor (in ~Semaphore, via std::optional::reset) against the notify (in
  // release()). A release() that notifies after unlocking on every call is reported in every run; one that
  // notifies only when someone waits (an atomic fast path) in the rounds where the waiter got there first.
  // Fix it by notifying while the lock is still held. (The optional outlives the worker's thread, so even
  // then this test touches no freed memory.)
  for (int round = 0; round < 20; ++round) {
    std::optional<lab::Semaphore> done(std::in_place, 0);
    lab::Semaphore* signal = &*done;
    conclab::sync::jthread worker([signal] { signal->release(); });
    done->acquire();
    done.reset();  // the waiter's scope ends here: its semaphore is gone
  }  // ~jthread joins the worker
}

TEST(SemaphoreTest, PermitGoesBackWhenTheUserThrows) {
  lab::Semaphore sem(1);
  try {
    lab::Permit permit(sem);
    throw std::runtime_error("the user's work failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(sem.available(), 1) << "a Permit must give its permit back in its destructor, which also runs when "
                                   "the scope is left by an exception; otherwise every failure leaks a permit"
                                << kLesson;
  {
    lab::Permit permit(sem);
    EXPECT_EQ(sem.available(), 0) << "a live Permit holds one permit";
  }
  EXPECT_EQ(sem.available(), 1) << "the Permit's destructor must release its permit";
}

}  // namespace
