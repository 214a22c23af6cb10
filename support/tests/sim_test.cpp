// Tests of conclab::sim, the explorer: it finds what it must (every schedule in the bound, deadlocks, lost
// wakeups, livelocks, spurious wakeups), it is deterministic, and what it prints replays.
// Built with CONCLAB_SIM, so conclab::sync names the instrumented primitives.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <future>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "conclab/sim/sim.hpp"
#include "conclab/sim_test.hpp"
#include "conclab/sync.hpp"

namespace {

namespace sim = conclab::sim;
namespace sync = conclab::sync;  // inside a namespace: POSIX's ::sync() owns the name at global scope

static_assert(sync::kSimulated, "this test is built with CONCLAB_SIM");

sim::Options exhaustive(int preemptions, bool spurious = true) {
  sim::Options o;
  o.preemptions = preemptions;
  o.spurious = spurious;
  return o;
}

// Two threads of two steps each: which orders of the four steps does the explorer produce?
std::set<std::string> orders_of_two_by_two(int preemptions) {
  std::set<std::string> orders;
  std::string order;
  const sim::Result r = sim::explore(
      [&] {
        order.clear();
        sync::atomic<int> x{0}, y{0};
        sync::thread a([&] {
          x.store(1);
          order += 'a';
          x.store(2);
          order += 'a';
        });
        sync::thread b([&] {
          y.store(1);
          order += 'b';
          y.store(2);
          order += 'b';
        });
        a.join();
        b.join();
        orders.insert(order);
      },
      exhaustive(preemptions));
  EXPECT_TRUE(r.passed()) << r.report();
  EXPECT_TRUE(r.exhausted);
  return orders;
}

TEST(SimExplore, NoPreemptionRunsEachThreadToTheEnd) {
  // With no preemption a thread runs until it ends or blocks; the only free choice is which one goes first.
  EXPECT_EQ(orders_of_two_by_two(0), (std::set<std::string>{"aabb", "bbaa"}));
}

TEST(SimExplore, OnePreemptionAddsTheOrdersWithOneSwitchAway) {
  // abba: a is preempted after its first step, b runs to its end, a finishes (a free switch). abab needs two.
  EXPECT_EQ(orders_of_two_by_two(1), (std::set<std::string>{"aabb", "bbaa", "abba", "baab"}));
}

TEST(SimExplore, TwoPreemptionsGiveAllSixInterleavings) {
  // C(4,2) = 6 orders of two threads of two steps.
  EXPECT_EQ(orders_of_two_by_two(2), (std::set<std::string>{"aabb", "bbaa", "abba", "baab", "abab", "baba"}));
}

TEST(SimExplore, ThreeStepsAgainstOneGiveFourOrders) {
  // C(4,1) = 4 positions for b's one step among a's three.
  std::set<std::string> orders;
  std::string order;
  const sim::Result r = sim::explore(
      [&] {
        order.clear();
        sync::atomic<int> x{0};
        sync::thread a([&] {
          for (int i = 0; i < 3; ++i) {
            x.fetch_add(1);
            order += 'a';
          }
        });
        sync::thread b([&] {
          x.fetch_add(1);
          order += 'b';
        });
        a.join();
        b.join();
        orders.insert(order);
      },
      exhaustive(5));
  EXPECT_TRUE(r.passed()) << r.report();
  EXPECT_EQ(orders, (std::set<std::string>{"aaab", "aaba", "abaa", "baaa"}));
}

// The classic lost update: two threads increment with a load and a store.
void lost_update_body() {
  sync::atomic<int> n{0};
  auto add = [&] { n.store(n.load() + 1); };
  sync::thread a(add);
  sync::thread b(add);
  a.join();
  b.join();
  if (n.load() != 2) sim::report_failure("n is " + std::to_string(n.load()) + ", not 2: an update was lost");
}

TEST(SimExplore, FindsTheLostUpdateWithOnePreemption) {
  const sim::Result r = sim::explore(lost_update_body, exhaustive(2));
  ASSERT_EQ(r.outcome, sim::Outcome::kFailed) << r.report();
  EXPECT_EQ(r.preemptions, 1) << "the simplest failing schedule is searched first";
  EXPECT_NE(r.message.find("an update was lost"), std::string::npos) << r.message;
  EXPECT_NE(r.trace.find("load -> 0"), std::string::npos) << r.trace;
  EXPECT_NE(r.trace.find("sim_test.cpp:"), std::string::npos) << "each step names its line:\n" << r.trace;
}

TEST(SimExplore, NoPreemptionCannotSeeTheLostUpdate) {
  const sim::Result r = sim::explore(lost_update_body, exhaustive(0));
  EXPECT_TRUE(r.passed()) << r.report();
  EXPECT_TRUE(r.exhausted);
}

TEST(SimExplore, AMutexMakesTheIncrementPassEverySchedule) {
  const sim::Result r = sim::explore(
      [] {
        sync::mutex mu;
        int n = 0;
        auto add = [&] {
          sync::lock_guard lock(mu);
          n = n + 1;
        };
        sync::thread a(add), b(add), c(add);
        a.join();
        b.join();
        c.join();
        if (n != 3) sim::report_failure("n is " + std::to_string(n));
      },
      exhaustive(2));
  EXPECT_TRUE(r.passed()) << r.report();
  EXPECT_TRUE(r.exhausted);
  EXPECT_GT(r.schedules, 10u);
}

TEST(SimExplore, ReplayReproducesTheFailureStepForStep) {
  const sim::Result first = sim::explore(lost_update_body, exhaustive(2));
  ASSERT_FALSE(first.passed());
  sim::Options o;
  o.mode = sim::Mode::kReplay;
  o.replay = first.replay;
  const sim::Result again = sim::explore(lost_update_body, o);
  EXPECT_EQ(again.outcome, first.outcome);
  EXPECT_EQ(again.trace, first.trace);
  EXPECT_EQ(again.schedules, 1u);
}

TEST(SimExplore, TheSameSeedGivesTheSameRandomSchedules) {
  sim::Options o;
  o.mode = sim::Mode::kRandom;
  o.runs = 200;
  o.seed = 42;
  const sim::Result one = sim::explore(lost_update_body, o);
  const sim::Result two = sim::explore(lost_update_body, o);
  ASSERT_FALSE(one.passed()) << "200 random schedules find the lost update";
  EXPECT_EQ(one.schedules, two.schedules);
  EXPECT_EQ(one.trace, two.trace);
  EXPECT_EQ(one.replay, two.replay);

  sim::Options replay;
  replay.mode = sim::Mode::kReplay;
  replay.replay = one.replay;
  EXPECT_EQ(sim::explore(lost_update_body, replay).trace, one.trace);
}

TEST(SimExplore, FindsALockOrderDeadlock) {
  const sim::Result r = sim::explore(
      [] {
        sync::mutex m1, m2;
        sync::thread a([&] {
          sync::lock_guard l1(m1);
          sync::lock_guard l2(m2);
        });
        sync::thread b([&] {
          sync::lock_guard l2(m2);
          sync::lock_guard l1(m1);
        });
        a.join();
        b.join();
      },
      exhaustive(2));
  ASSERT_EQ(r.outcome, sim::Outcome::kDeadlock) << r.report();
  EXPECT_NE(r.message.find("waits for a mutex that T"), std::string::npos) << r.message;
  EXPECT_NE(r.trace.find("lock"), std::string::npos);
}

TEST(SimExplore, ScopedLockOfBothMutexesNeverDeadlocks) {
  const sim::Result r = sim::explore(
      [] {
        sync::mutex m1, m2;
        sync::thread a([&] { sync::scoped_lock both(m1, m2); });
        sync::thread b([&] { sync::scoped_lock both(m2, m1); });
        a.join();
        b.join();
      },
      exhaustive(2));
  EXPECT_TRUE(r.passed()) << r.report();
}

TEST(SimExplore, ASelfDeadlockIsNamed) {
  const sim::Result r = sim::explore([] {
    sync::mutex m;
    sync::lock_guard outer(m);
    sync::lock_guard inner(m);
  });
  ASSERT_EQ(r.outcome, sim::Outcome::kDeadlock);
  EXPECT_NE(r.message.find("already holds"), std::string::npos) << r.message;
}

// A flag checked without the lock, then a wait without a predicate: the notify can come in between.
void lost_wakeup_body() {
  sync::mutex mu;
  sync::condition_variable cv;
  sync::atomic<bool> ready{false};
  sync::thread waiter([&] {
    if (!ready.load()) {
      sync::unique_lock lock(mu);
      cv.wait(lock);
    }
  });
  sync::thread notifier([&] {
    ready.store(true);
    cv.notify_one();
  });
  waiter.join();
  notifier.join();
}

TEST(SimExplore, FindsALostWakeup) {
  const sim::Result r = sim::explore(lost_wakeup_body, exhaustive(2, /*spurious=*/false));
  ASSERT_EQ(r.outcome, sim::Outcome::kLostWakeup) << r.report();
  EXPECT_NE(r.message.find("waits on a condition variable"), std::string::npos) << r.message;
  EXPECT_NE(r.trace.find("notify_one -> no waiter"), std::string::npos) << r.trace;
}

// `if` instead of `while` around the wait: fine for every real notify, wrong after a spurious wakeup.
void if_not_while_body() {
  sync::mutex mu;
  sync::condition_variable cv;
  std::deque<int> items;
  sync::thread consumer([&] {
    sync::unique_lock lock(mu);
    if (items.empty()) cv.wait(lock);
    if (items.empty()) sim::report_failure("the consumer woke with nothing to take");
  });
  {
    sync::lock_guard lock(mu);
    items.push_back(1);
  }
  cv.notify_one();
  consumer.join();
}

TEST(SimExplore, SpuriousWakeupsCatchIfInsteadOfWhile) {
  EXPECT_TRUE(sim::explore(if_not_while_body, exhaustive(2, /*spurious=*/false)).passed());
  const sim::Result r = sim::explore(if_not_while_body, exhaustive(2));
  ASSERT_EQ(r.outcome, sim::Outcome::kFailed) << r.report();
  EXPECT_NE(r.trace.find("wakes spuriously"), std::string::npos) << r.trace;
}

TEST(SimExplore, ASpinnerWaitingForNobodyIsALivelockNotAHang) {
  const sim::Result r = sim::explore([] {
    sync::atomic<bool> go{false};
    sync::thread spinner([&] {
      while (!go.load()) {
      }
    });
    spinner.join();
  });
  ASSERT_EQ(r.outcome, sim::Outcome::kNeverEnds) << r.report();
  EXPECT_NE(r.message.find("spinning"), std::string::npos) << r.message;
}

TEST(SimExplore, ASpinnerThatIsReleasedPassesWithoutExplodingTheSearch) {
  const sim::Result r = sim::explore(
      [] {
        sync::atomic<bool> go{false};
        sync::thread spinner([&] {
          while (!go.load()) sync::this_thread::yield();
        });
        go.store(true);
        spinner.join();
      },
      exhaustive(2));
  EXPECT_TRUE(r.passed()) << r.report();
  EXPECT_TRUE(r.exhausted);
  EXPECT_LT(r.schedules, 100u);
}

TEST(SimExplore, TimeIsSimulated) {
  const sim::Result r = sim::explore([] {
    sync::mutex mu;
    sync::condition_variable cv;
    sync::unique_lock lock(mu);
    const auto start = sync::steady_clock::now();
    const bool woke = cv.wait_for(lock, std::chrono::minutes(10), [] { return false; });
    if (woke) sim::report_failure("a wait for a predicate that never holds returned true");
    if (sync::steady_clock::now() - start < std::chrono::minutes(10)) sim::report_failure("the timeout came early");
    sync::this_thread::sleep_for(std::chrono::hours(1));
    if (sync::steady_clock::now() - start < std::chrono::minutes(70)) sim::report_failure("sleep_for did not advance the clock");
  });
  EXPECT_TRUE(r.passed()) << r.report();
}

TEST(SimExplore, ABodyThatIsNotDeterministicIsTold) {
  static int calls = 0;
  calls = 0;
  const sim::Result r = sim::explore([] {
    sync::atomic<int> x{0};
    // A different number of threads on each run: the explorer's choices stop lining up.
    const int threads = 1 + (calls++ % 3);
    std::vector<sync::thread> ts;
    for (int i = 0; i < threads; ++i) ts.emplace_back([&] { x.fetch_add(1); });
    for (auto& t : ts) t.join();
  });
  ASSERT_EQ(r.outcome, sim::Outcome::kNotDeterministic) << r.report();
  EXPECT_NE(r.message.find("conclab::sync"), std::string::npos);
}

TEST(SimExplore, AJoinableThreadDestroyedIsTerminate) {
  const sim::Result r = sim::explore([] { sync::thread t([] {}); });
  ASSERT_EQ(r.outcome, sim::Outcome::kFailed);
  EXPECT_NE(r.message.find("std::terminate"), std::string::npos) << r.message;
}

TEST(SimExplore, AnExceptionEscapingAThreadIsReported) {
  const sim::Result r = sim::explore([] {
    sync::jthread t([] { throw std::runtime_error("boom"); });
  });
  ASSERT_EQ(r.outcome, sim::Outcome::kFailed);
  EXPECT_NE(r.message.find("boom"), std::string::npos) << r.message;
}

TEST(SimExplore, JthreadRequestsStopAndWakesAStoppableWait) {
  const sim::Result r = sim::explore(
      [] {
        sync::mutex mu;
        sync::condition_variable_any cv;
        bool woken_by_stop = false;
        {
          sync::jthread worker([&](sync::stop_token st) {
            sync::unique_lock lock(mu);
            woken_by_stop = !cv.wait(lock, st, [] { return false; });
          });
        }  // ~jthread: request_stop, join
        if (!woken_by_stop) sim::report_failure("the wait did not end on a stop request");
      },
      exhaustive(2));
  EXPECT_TRUE(r.passed()) << r.report();
}

TEST(SimExplore, LatchSemaphoreAndBarrierWork) {
  const sim::Result r = sim::explore(
      [] {
        sync::latch done(2);
        sync::counting_semaphore<2> slots(1);
        sync::barrier sync_point(2);
        int inside = 0;
        auto work = [&] {
          slots.acquire();
          if (++inside > 1) sim::report_failure("two threads inside a one-slot semaphore");
          --inside;
          slots.release();
          sync_point.arrive_and_wait();
          done.count_down();
        };
        sync::jthread a(work), b(work);
        done.wait();
      },
      exhaustive(2));
  EXPECT_TRUE(r.passed()) << r.report();
}

TEST(SimExplore, AWaitOnALatchNobodyCountsDownIsALostWakeup) {
  const sim::Result r = sim::explore([] {
    sync::latch never(1);
    never.wait();
  });
  EXPECT_EQ(r.outcome, sim::Outcome::kLostWakeup) << r.report();
}

// A reader that spins on a flag a few times, then waits on it, and a publisher that notifies before it stores:
// the notify wakes the reader, which sees the old value and waits again, and the store wakes nobody. The reader
// was marked as spinning by its repeated loads; that mark must not outlive its wait, or the explorer would never
// run the woken reader before the store (it once did exactly that, and passed this lost wakeup).
TEST(SimExplore, AThreadThatSpunBeforeWaitingIsNotTreatedAsSpinningOnceWoken) {
  const sim::Result r = sim::explore([] {
    sync::atomic<bool> flag{false};
    sync::jthread reader([&] {
      for (int i = 0; i < 3 && !flag.load(std::memory_order_acquire); ++i) {
      }
      while (!flag.load(std::memory_order_acquire)) flag.wait(false, std::memory_order_acquire);
    });
    flag.notify_all();
    flag.store(true, std::memory_order_release);
  }, exhaustive(2));
  EXPECT_EQ(r.outcome, sim::Outcome::kLostWakeup) << r.report();
}

// A test-and-set lock that spins on the exchange itself: a failed exchange (true -> true) changes nothing, so the
// waiter counts as spinning and the holder runs; the search ends (it once ran every schedule past max_steps). The
// lock is a user-written Lockable, taken through sync::lock_guard and sync::unique_lock as a lab's would be.
class TasLock {
 public:
  void lock() {
    while (held_.exchange(true, std::memory_order_acquire)) {
    }
  }
  bool try_lock() { return !held_.exchange(true, std::memory_order_acquire); }
  void unlock() { held_.store(false, std::memory_order_release); }

 private:
  sync::atomic<bool> held_{false};
};

TEST(SimExplore, ASpinOnAnExchangeIsSpinningAndAUserLockWorksWithTheLockTypes) {
  const sim::Result r = sim::explore([] {
    TasLock lock;
    int count = 0;
    {
      sync::jthread a([&] {
        sync::lock_guard guard(lock);
        ++count;
      });
      sync::jthread b([&] {
        sync::unique_lock guard(lock);
        ++count;
      });
    }
    EXPECT_EQ(count, 2);
  });
  EXPECT_TRUE(r.passed()) << r.report();
  EXPECT_TRUE(r.exhausted) << r.report();
}

// A user-written reader-writer lock (SharedLockable) taken through sync::shared_lock, as lab 03.05's is: before
// shared_lock went through detail::lock_shared_at, this did not compile (it called lock_shared(loc)).
class CountingRwLock {
 public:
  void lock() {
    sync::unique_lock guard(mu_);
    cv_.wait(guard, [&] { return !writer_ && readers_ == 0; });
    writer_ = true;
  }
  void unlock() {
    sync::lock_guard guard(mu_);
    writer_ = false;
    cv_.notify_all();
  }
  void lock_shared() {
    sync::unique_lock guard(mu_);
    cv_.wait(guard, [&] { return !writer_; });
    ++readers_;
  }
  void unlock_shared() {
    sync::lock_guard guard(mu_);
    if (--readers_ == 0) cv_.notify_all();
  }

 private:
  sync::mutex mu_;
  sync::condition_variable cv_;
  bool writer_ = false;
  int readers_ = 0;
};

TEST(SimExplore, AUserReaderWriterLockWorksWithSharedLock) {
  const sim::Result r = sim::explore([] {
    CountingRwLock lock;
    int value = 0;
    {
      sync::jthread writer([&] {
        sync::unique_lock guard(lock);
        value = 1;
      });
      sync::jthread reader([&] {
        sync::shared_lock guard(lock);
        const int seen = value;
        EXPECT_TRUE(seen == 0 || seen == 1);
      });
    }
  });
  EXPECT_TRUE(r.passed()) << r.report();
}

// A printed step shows its source line cut to 70 characters, never in the middle of a UTF-8 character.
bool valid_utf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

TEST(SimExplore, ALongSourceLineIsCutBetweenCharacters) {
  const sim::Result r = sim::explore([] {
    sync::atomic<int> x{0};
    x.store(1);  /* ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé */ sim::report_failure("stop here");
  });
  ASSERT_EQ(r.outcome, sim::Outcome::kFailed);
  EXPECT_NE(r.trace.find("x.store(1);"), std::string::npos) << r.trace;
  EXPECT_TRUE(valid_utf8(r.trace)) << r.trace;
}

TEST(SimExplore, SpuriousCompareExchangeWeakFailuresAreTried) {
  // A single compare_exchange_weak (no loop) fails on some schedule even with no other thread.
  const sim::Result r = sim::explore([] {
    sync::atomic<int> x{0};
    int expected = 0;
    if (!x.compare_exchange_weak(expected, 1)) sim::report_failure("compare_exchange_weak failed");
  });
  ASSERT_EQ(r.outcome, sim::Outcome::kFailed);
  EXPECT_NE(r.trace.find("fails spuriously"), std::string::npos) << r.trace;
}

TEST(SimExplore, TheReportSaysWhatWasExplored) {
  const sim::Result r = sim::explore([] {
    sync::atomic<int> x{0};
    sync::jthread t([&] { x.store(1); });
  });
  ASSERT_TRUE(r.passed());
  EXPECT_NE(r.report().find("all pass"), std::string::npos) << r.report();
  EXPECT_NE(r.report().find("at most 2 preemptions"), std::string::npos) << r.report();
}

TEST(SimExplore, AnUnorderedWriteAndReadOfSharedDataIsADataRace) {
  const sim::Result r = sim::explore([] {
    sync::shared<int> value{0};
    sync::atomic<bool> ready{false};
    sync::jthread writer([&] {
      value.write(42);
      ready.store(true, std::memory_order_relaxed);  // relaxed: publishes nothing
    });
    while (!ready.load(std::memory_order_relaxed)) sync::this_thread::yield();
    (void)value.read();
  });
  ASSERT_EQ(r.outcome, sim::Outcome::kFailed) << r.report();
  EXPECT_NE(r.message.find("data race on a shared<T> variable"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("sim_test.cpp:"), std::string::npos) << "both places are named: " << r.message;
}

TEST(SimExplore, ReleaseAcquireOrMutexOrderSharedData) {
  const sim::Result published = sim::explore([] {
    sync::shared<int> value{0};
    sync::atomic<bool> ready{false};
    sync::jthread writer([&] {
      value.write(42);
      ready.store(true, std::memory_order_release);
    });
    while (!ready.load(std::memory_order_acquire)) sync::this_thread::yield();
    if (value.read() != 42) sim::report_failure("acquire saw the flag but not the value");
  });
  EXPECT_TRUE(published.passed()) << published.report();
  const sim::Result locked = sim::explore([] {
    sync::shared<int> n{0};
    sync::mutex mu;
    auto add = [&] {
      sync::lock_guard lock(mu);
      n.write(n.read() + 1);
    };
    sync::jthread a(add), b(add);
  });
  EXPECT_TRUE(locked.passed()) << locked.report();
  const sim::Result unlocked = sim::explore([] {
    sync::shared<int> n{0};
    auto add = [&] { n.write(n.read() + 1); };
    sync::jthread a(add), b(add);
  });
  EXPECT_EQ(unlocked.outcome, sim::Outcome::kFailed) << "two unlocked increments of shared data race: " << unlocked.report();
}

// A completion signal its waiter destroys: a notify after the unlock can reach a condition variable that is gone.
struct Signal {
  sync::mutex mu;
  sync::condition_variable cv;
  bool done = false;
};

TEST(SimExplore, ANotifyOnADestroyedConditionVariableIsFound) {
  auto run = [](bool notify_under_lock) {
    return sim::explore([notify_under_lock] {
      auto signal = std::make_unique<Signal>();
      Signal* s = signal.get();
      sync::jthread worker([s, notify_under_lock] {
        sync::unique_lock lock(s->mu);
        s->done = true;
        if (notify_under_lock) {
          s->cv.notify_one();
        } else {
          lock.unlock();
          s->cv.notify_one();  // the waiter may have seen done, returned and destroyed *s by now
        }
      });
      {
        sync::unique_lock lock(signal->mu);
        signal->cv.wait(lock, [&] { return signal->done; });
      }
      signal.reset();  // the waiter owns the signal and is done with it
    });
  };
  const sim::Result after_unlock = run(false);
  ASSERT_EQ(after_unlock.outcome, sim::Outcome::kFailed) << after_unlock.report();
  EXPECT_NE(after_unlock.message.find("after it was destroyed"), std::string::npos) << after_unlock.message;
  EXPECT_TRUE(run(true).passed()) << "notifying under the lock keeps the waiter from destroying it first";
}

TEST(SimExplore, PromisesAndFuturesHandOverValuesErrorsAndBrokenPromises) {
  const sim::Result r = sim::explore([] {
    sync::promise<int> p;
    sync::shared_future<int> f = p.get_future().share();
    sync::atomic<int> sum{0};
    {
      sync::jthread a([&] { sum.fetch_add(f.get()); });
      sync::jthread b([&] { sum.fetch_add(f.get()); });
      p.set_value(21);
    }
    if (sum.load() != 42) sim::report_failure("both waiters must get 21");
    sync::promise<int> broken;
    sync::future<int> never = broken.get_future();
    { sync::promise<int> gone = std::move(broken); }
    try {
      (void)never.get();
      sim::report_failure("a destroyed promise must break its future");
    } catch (const std::future_error& e) {
      if (e.code() != std::future_errc::broken_promise) sim::report_failure("expected broken_promise");
    }
  });
  EXPECT_TRUE(r.passed()) << r.report();
}

// Load buffering: a handshake on relaxed atomics that assumes a load cannot see the other thread's later store.
void relaxed_handshake_body() {
  sync::atomic<int> x{0}, y{0};
  int r1 = -1, r2 = -1;
  {
    sync::jthread a([&] { r1 = x.load(std::memory_order_relaxed); y.store(1, std::memory_order_relaxed); });
    sync::jthread b([&] { r2 = y.load(std::memory_order_relaxed); x.store(1, std::memory_order_relaxed); });
  }
  if (r1 == 1 && r2 == 1) sim::report_failure("both loads saw the other thread's later store");
}

TEST(SimExplore, FindsALoadBufferingOutcomeAndReplaysIt) {
  const sim::Result r = sim::explore(relaxed_handshake_body, exhaustive(2));
  ASSERT_EQ(r.outcome, sim::Outcome::kFailed) << r.report();
  EXPECT_NE(r.trace.find("read early"), std::string::npos) << r.trace;
  EXPECT_NE(r.trace.find("the value T1 read early"), std::string::npos) << r.trace;
  EXPECT_NE(r.replay.find('~'), std::string::npos) << "the replay string carries the value read early: " << r.replay;

  sim::Options o;
  o.mode = sim::Mode::kReplay;
  o.replay = r.replay;
  const sim::Result again = sim::explore(relaxed_handshake_body, o);
  EXPECT_EQ(again.outcome, r.outcome);
  EXPECT_EQ(again.trace, r.trace);

  sim::Options off = exhaustive(2);
  off.load_buffering = false;
  EXPECT_TRUE(sim::explore(relaxed_handshake_body, off).passed()) << "without load buffering no schedule shows it";
}

// A value read early that no later store provides is not an execution of the program: the schedule is dropped,
// with whatever failed in it. Here the only store of 7 follows the join, so the load can never return 7.
void early_value_never_provided_body() {
  sync::atomic<int> x{0};
  int seen = -1;
  sync::thread a([&] { seen = x.load(std::memory_order_relaxed); });
  a.join();
  x.store(7, std::memory_order_relaxed);
  if (seen == 7) sim::report_failure("read 7 before anyone stored it");
}

TEST(SimExplore, AScheduleWhoseEarlyValueNoStoreProvidesIsDropped) {
  const sim::Result r = sim::explore(early_value_never_provided_body, exhaustive(2));
  EXPECT_TRUE(r.passed()) << r.report();
  EXPECT_GT(r.dropped, 0u) << "the explorer tried reading 7 early and dropped those schedules";
}

CONCLAB_SIM_TEST(SimTestMacro, AnExpectThatFailsOnlyInADroppedScheduleIsNotReported) {
  sync::atomic<int> x{0};
  sync::thread a([&] { EXPECT_NE(x.load(std::memory_order_relaxed), 7) << "7 is stored only after the join"; });
  a.join();
  x.store(7, std::memory_order_relaxed);
}

TEST(SimExplore, CountsTheThreadsStartedBeforeTheFirstJoin) {
  int together = 0;
  int one_at_a_time = 0;
  ASSERT_TRUE(sim::explore([&] {
    std::vector<sync::thread> workers;
    for (int i = 0; i < 3; ++i) workers.emplace_back([] {});
    for (auto& w : workers) w.join();
    together = sim::threads_started_before_first_join();
  }).passed());
  ASSERT_TRUE(sim::explore([&] {
    for (int i = 0; i < 3; ++i) sync::thread([] {}).join();
    one_at_a_time = sim::threads_started_before_first_join();
  }).passed());
  EXPECT_EQ(together, 3);
  EXPECT_EQ(one_at_a_time, 1);
  EXPECT_EQ(sim::threads_started_before_first_join(), -1) << "outside explore()";
}

// The GoogleTest integration: an EXPECT that holds on every schedule.
CONCLAB_SIM_TEST(SimTestMacro, RunsTheBodyUnderTheExplorer) {
  sync::atomic<int> n{0};
  {
    sync::jthread a([&] { n.fetch_add(1); });
    sync::jthread b([&] { n.fetch_add(1); });
  }
  EXPECT_EQ(n.load(), 2);
}


// ---- Play (`conclab play`): a person picks which thread runs; the state goes to a JSON file. ----

namespace play {

std::string read_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return {};
  std::string s;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) s.append(buf, n);
  std::fclose(f);
  return s;
}

// Two transfers that lock two mutexes in opposite orders.
void opposite_orders() {
  sim::explain("each thread holds one mutex and waits for the other's");
  sync::mutex a, b;
  sync::thread t1([&] {
    sync::lock_guard first(a);
    sync::lock_guard second(b);
  });
  sync::thread t2([&] {
    sync::lock_guard first(b);
    sync::lock_guard second(a);
  });
  t1.join();
  t2.join();
}

std::string state_path(const char* name) { return ::testing::TempDir() + "conclab_play_" + name + ".json"; }

TEST(SimPlay, HintSearchWritesAWinningLineThatPlayReplaysToTheSameEnd) {
  sim::Options hint;
  hint.play_rules = true;
  hint.spurious = false;
  hint.load_buffering = false;
  hint.play_out = state_path("hint");
  const sim::Result found = sim::explore(opposite_orders, hint);
  ASSERT_EQ(found.outcome, sim::Outcome::kDeadlock) << found.report();
  const std::string line = read_file(hint.play_out);
  ASSERT_NE(line.find("\"status\":\"hint\""), std::string::npos) << line;
  ASSERT_NE(line.find("\"outcome\":\"deadlock\""), std::string::npos) << line;
  // The choices, as the game takes them: [a,b,...] after "choices":
  const auto at = line.find("\"choices\":[") + 11;
  const std::string choices = line.substr(at, line.find(']', at) - at);
  ASSERT_FALSE(choices.empty()) << "a deadlock needs at least one choice between the threads: " << line;

  sim::Options game;
  game.mode = sim::Mode::kPlay;
  game.spurious = false;
  game.load_buffering = false;
  game.play_out = state_path("end");
  for (std::size_t i = 0; i < choices.size();) {
    const std::size_t end = std::min(choices.find(',', i), choices.size());
    game.play.push_back(std::stoi(choices.substr(i, end - i)));
    i = end + 1;
  }
  const sim::Result played = sim::explore(opposite_orders, game);
  EXPECT_EQ(played.outcome, sim::Outcome::kDeadlock) << played.report();
  const std::string end = read_file(game.play_out);
  EXPECT_NE(end.find("\"status\":\"end\""), std::string::npos) << end;
  EXPECT_NE(end.find("\"outcome\":\"deadlock\""), std::string::npos) << end;
  EXPECT_NE(end.find("What it means: each thread holds one mutex"), std::string::npos) << end;
  // Each blocked thread shows the lock it holds and the lock it waits for.
  EXPECT_NE(end.find("\"state\":\"blocked\""), std::string::npos) << end;
  EXPECT_NE(end.find("\"holds\":[{\"file\""), std::string::npos) << end;
  EXPECT_NE(end.find("sync::lock_guard first(a);"), std::string::npos) << end;
}

TEST(SimPlay, PlayingOneThreadToTheEndFirstPasses) {
  // In a child process: a game whose choices run out ends the process (the state file then says "choose").
  const std::string path = state_path("pass");
  std::remove(path.c_str());
  // T1 whenever it can run (its two locks, two unlocks and its end), then the body (it starts T2 and joins T1,
  // then blocks joining T2): T2 runs alone and the program finishes.
  const std::vector<int> moves{1, 1, 1, 1, 1, 0, 0};
  EXPECT_EXIT(
      {
        sim::Options game;
        game.mode = sim::Mode::kPlay;
        game.spurious = false;
        game.load_buffering = false;
        game.play = moves;
        game.play_out = path;
        std::exit(sim::explore(opposite_orders, game).passed() ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
  const std::string state = read_file(path);
  EXPECT_NE(state.find("\"status\":\"end\""), std::string::npos) << state;
  EXPECT_NE(state.find("\"outcome\":\"passed\""), std::string::npos) << state;
}

TEST(SimPlay, WhenTheChoicesRunOutTheStateNamesWhoMayRunAndTheProcessEnds) {
  const std::string path = state_path("choose");
  std::remove(path.c_str());
  EXPECT_EXIT(
      {
        sim::Options game;
        game.mode = sim::Mode::kPlay;
        game.spurious = false;
        game.load_buffering = false;
        game.play_out = path;
        (void)sim::explore(opposite_orders, game);
      },
      ::testing::ExitedWithCode(0), "");
  const std::string state = read_file(path);
  EXPECT_NE(state.find("\"status\":\"choose\""), std::string::npos) << state;
  // The body has started T1 and is about to start T2: either may take the next step.
  EXPECT_NE(state.find("\"options\":[0,1]"), std::string::npos) << state;
  EXPECT_NE(state.find("{\"id\":0,\"state\":\"ready\",\"op\":\"start a thread\""), std::string::npos) << state;
  EXPECT_NE(state.find("{\"id\":1,\"state\":\"starting\""), std::string::npos) << state;
}

TEST(SimPlay, AChoiceOfAThreadThatCannotRunEndsTheGameWithAReason) {
  sim::Options game;
  game.mode = sim::Mode::kPlay;
  game.spurious = false;
  game.load_buffering = false;
  game.play = {7};
  game.play_out = state_path("bad");
  const sim::Result played = sim::explore(opposite_orders, game);
  EXPECT_EQ(played.outcome, sim::Outcome::kNotDeterministic);
  EXPECT_NE(played.message.find("T7 cannot run"), std::string::npos) << played.message;
}

}  // namespace play

}  // namespace
