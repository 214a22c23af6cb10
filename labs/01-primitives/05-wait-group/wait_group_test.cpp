// Graded tests for lab 01.05, the WaitGroup.
//
// Results that workers write before done() are plain ints on purpose: a correct WaitGroup makes them visible
// to whoever returns from wait(), so ThreadSanitizer stays quiet. A WaitGroup that only *seems* to wait (polls a
// counter it reads without synchronisation) gives no such guarantee, and ThreadSanitizer reports the race.
#include <wait_group.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <exception>
#include <latch>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "conclab/run_threads.hpp"
#include "conclab/sim_test.hpp"
#include "conclab/sync.hpp"

namespace {

constexpr const char* kLesson = " (lesson: modules/01-primitives/07-latch-barrier-semaphore.md)";

// A thread whose exception is kept for the test to report, instead of terminating the whole test program.
class TestThread {
 public:
  template <class F>
  explicit TestThread(F body)
      : thread_([this, body = std::move(body)] {
          try {
            body();
          } catch (const std::exception& e) {
            error_ = e.what();
          } catch (...) {
            error_ = "an exception that is not a std::exception";
          }
        }) {}
  TestThread(const TestThread&) = delete;
  TestThread& operator=(const TestThread&) = delete;
  ~TestThread() {
    if (thread_.joinable()) thread_.join();
  }

  // Joins, and returns what the thread threw ("" if nothing).
  std::string join() {
    if (thread_.joinable()) thread_.join();
    return error_;
  }

 private:
  std::string error_;    // written by the thread, read after join()
  conclab::sync::thread thread_;  // last: starts once error_ exists
};

TEST(WaitGroupTest, WaitReturnsAtOnceWhenCounterIsZero) {
  lab::WaitGroup wg;
  wg.wait();  // a fresh group has nothing to wait for (hangs here if wait() does not check first)
  wg.add(2);
  wg.done();
  wg.done();
  EXPECT_EQ(wg.count(), 0) << "add(2) then two done() must leave the counter at zero";
  wg.wait();  // and again: zero means "return now"
}

TEST(WaitGroupTest, WaitReturnsOnlyAfterEveryDone) {
  lab::WaitGroup wg;
  wg.add(3);
  int results[3] = {0, 0, 0};  // written before each done(), read by the waiter after wait()
  int seen[3] = {0, 0, 0};
  conclab::sync::atomic<bool> returned{false};
  conclab::sync::latch waiter_started(1);

  TestThread waiter([&] {
    waiter_started.count_down();
    wg.wait();
    for (int i = 0; i < 3; ++i) seen[i] = results[i];
    returned.store(true);
  });
  waiter_started.wait();

  results[0] = 10;
  wg.done();
  results[1] = 11;
  wg.done();
  EXPECT_FALSE(returned.load()) << "wait() returned with the counter at 1: it must wait for every done()" << kLesson;
  results[2] = 12;
  wg.done();

  const std::string error = waiter.join();
  ASSERT_EQ(error, "") << "the thread in wait() threw" << kLesson;
  EXPECT_TRUE(returned.load()) << "wait() must return after the last done()";
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(seen[i], 10 + i) << "after wait() returns, the waiter must see what each task wrote before its done(): "
                                  "done() must publish (release) and wait() must observe (acquire)"
                               << kLesson;
  }
}

TEST(WaitGroupTest, GoingBelowZeroThrowsAndChangesNothing) {
  lab::WaitGroup wg;
  EXPECT_THROW(wg.done(), std::logic_error)
      << "done() on a group whose counter is 0 means more done() than add(): a bug in the caller that must be "
         "reported, not hidden (a counter at -1 would make a later wait() return too early or never)"
      << kLesson;
  EXPECT_EQ(wg.count(), 0) << "a done() that throws must leave the counter unchanged";

  wg.add(2);
  EXPECT_THROW(wg.add(-3), std::logic_error) << "add(-3) with the counter at 2 would take it below zero";
  EXPECT_EQ(wg.count(), 2) << "an add() that throws must leave the counter unchanged";
  wg.done();
  wg.done();
  EXPECT_EQ(wg.count(), 0) << "add(2) then two done() must leave the counter at zero";
}

TEST(WaitGroupTest, EveryWaiterSeesEveryWorkersResult) {
  constexpr int kWaiters = 3;
  constexpr int kWorkers = 6;
  lab::WaitGroup wg;
  wg.add(kWorkers);
  std::vector<int> results(kWorkers, 0);  // slot i written by worker i before its done()
  std::vector<long> sums(kWaiters, -1);   // slot i written by waiter i after its wait()

  try {
    conclab::run_threads(kWaiters + kWorkers, [&](int i) {
      if (i < kWaiters) {
        wg.wait();
        long sum = 0;
        for (int r : results) sum += r;
        sums[static_cast<std::size_t>(i)] = sum;
      } else {
        results[static_cast<std::size_t>(i - kWaiters)] = i;
        wg.done();
      }
    });
  } catch (const std::exception& e) {
    FAIL() << "a thread threw: " << e.what() << kLesson;
  }

  long expected = 0;
  for (int i = kWaiters; i < kWaiters + kWorkers; ++i) expected += i;
  for (int w = 0; w < kWaiters; ++w) {
    EXPECT_EQ(sums[static_cast<std::size_t>(w)], expected)
        << "waiter " << w << " returned from wait() without seeing every worker's result. Every waiter must be "
           "released (notify_all, not notify_one) and only once all " << kWorkers << " workers called done()"
        << kLesson;
  }
}

TEST(WaitGroupTest, CanBeReusedAfterReachingZero) {
  lab::WaitGroup wg;
  for (int round = 1; round <= 3; ++round) {
    int a = 0;
    int b = 0;
    wg.add(2);
    TestThread first([&] {
      a = round;
      wg.done();
    });
    TestThread second([&] {
      b = 10 * round;
      wg.done();
    });
    wg.wait();
    EXPECT_EQ(a, round) << "round " << round << ": wait() returned before the first task's done()" << kLesson;
    EXPECT_EQ(b, 10 * round) << "round " << round << ": wait() returned before the second task's done()" << kLesson;
    EXPECT_EQ(first.join(), "");
    EXPECT_EQ(second.join(), "");
    EXPECT_EQ(wg.count(), 0) << "after round " << round << " the counter must be back at zero, ready for reuse";
  }
}

TEST(WaitGroupTest, AddFromATaskExtendsTheWait) {
  // A task that starts a sub-task adds to the group BEFORE its own done(), so the counter never touches zero
  // in between: wait() must cover the sub-task too.
  lab::WaitGroup wg;
  int parent_result = 0;
  int child_result = 0;
  std::string child_error;
  conclab::sync::jthread child;  // started by the parent task; joined at the end of the test
  wg.add(1);
  TestThread parent([&] {
    wg.add(1);
    child = conclab::sync::jthread([&] {
      try {
        child_result = 2;
        wg.done();
      } catch (const std::exception& e) {
        child_error = e.what();
      }
    });
    parent_result = 1;
    wg.done();
  });
  std::string wait_error;
  try {
    wg.wait();
  } catch (const std::exception& e) {
    wait_error = e.what();
  }
  EXPECT_EQ(wait_error, "") << "wait() threw" << kLesson;
  if (wait_error.empty()) {
    EXPECT_EQ(parent_result, 1) << "wait() returned before the task's done()" << kLesson;
    EXPECT_EQ(child_result, 2) << "wait() returned before the sub-task's done(), although the task called add(1) "
                                  "for it before its own done()"
                               << kLesson;
  }
  EXPECT_EQ(parent.join(), "");
  if (child.joinable()) child.join();
  EXPECT_EQ(child_error, "");
}

// ---- Sim tests: every schedule of the workers and the waiter (conclab/sim; 20 plain runs in the other builds).

CONCLAB_SIM_TEST(WaitGroupTest, WaitSeesEveryDoneOnEverySchedule) {
  conclab::sim::explain(
      "wait() never returned although both workers called done(): the last done() changed the counter to zero "
      "and notified while the waiter was between its check of the counter and its sleep, so the notify found "
      "nobody. The check and the sleep must be one step as far as done() can tell: change the counter while "
      "holding the mutex the waiter checks it under (or use the atomic's own wait/notify, whose wait compares "
      "and sleeps as one step)" + std::string(kLesson));
  lab::WaitGroup wg;
  conclab::sync::atomic<int> finished{0};
  wg.add(2);
  conclab::sync::jthread a([&] {
    finished.fetch_add(1);
    wg.done();
  });
  conclab::sync::jthread b([&] {
    finished.fetch_add(1);
    wg.done();
  });
  wg.wait();
  EXPECT_EQ(finished.load(), 2) << "wait() returned before every worker had called done(): it must block until "
                                   "the counter is zero" << kLesson;
}

CONCLAB_SIM_TEST(WaitGroupTest, TwoDonesForOneAddThrowExactlyOnce) {
  lab::WaitGroup wg;
  conclab::sync::atomic<int> threw{0};
  wg.add(1);
  {
    auto done_once = [&] {
      try {
        wg.done();
      } catch (const std::logic_error&) {
        threw.fetch_add(1);
      }
    };
    conclab::sync::jthread a(done_once);
    conclab::sync::jthread b(done_once);
  }
  EXPECT_EQ(threw.load(), 1) << "the counter was 1 and two threads called done() at once: exactly one must throw "
                                "std::logic_error, and the other bring the counter to 0. Checking the counter and "
                                "then changing it as two steps lets both pass the check" << kLesson;
  EXPECT_EQ(wg.count(), 0) << "a done() that throws must leave the counter unchanged; it never goes below zero"
                           << kLesson;
}

}  // namespace
