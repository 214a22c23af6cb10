// Graded tests for lab 01.05, the WaitGroup.
//
// Results that workers write before done() are plain ints on purpose: a correct WaitGroup makes them visible
// to whoever returns from wait(), so ThreadSanitizer stays quiet. A WaitGroup that only *seems* to wait (polls a
// counter it reads without synchronisation) gives no such guarantee, and ThreadSanitizer reports the race.
//
// What a test on real threads cannot see (whether a waiter is asleep yet, whether wait() returned one done()
// too early) the sim tests at the end check on every schedule of a few threads, with spurious wakeups: in the
// sim build the explorer reports a waiter left asleep (a lost wakeup) by name instead of hanging. The
// multi-waiter test on real threads runs under a watchdog for the same reason: a waiter that is never woken
// fails it with a message after a few seconds, instead of hanging the run.
#include <wait_group.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <future>
#include <latch>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "conclab/run_threads.hpp"
#include "conclab/finishes.hpp"
#include "conclab/watchdog.hpp"
#include "conclab/sim_test.hpp"
#include "conclab/sync.hpp"

namespace {

constexpr const char* kLesson = " (lesson: modules/01-primitives/06-latch-barrier-semaphore.md)";

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

// The watchdog (conclab/watchdog.hpp): a correct call takes milliseconds; one that has not returned after
// kPatience of real time is blocked for good (a waiter nobody will wake), and the test fails with its own message
// instead of hanging until the runner kills the program. Default and TSan builds only.
const std::chrono::milliseconds kPatience = conclab::patience(std::chrono::seconds(3));

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

  // Whether wait() returns one done() early cannot be seen here on every run (the waiter may not have
  // reached wait() yet): the sim test WaitReturnsOnlyAfterTheLastDone checks that on every schedule. What
  // this test checks every run is the happens-before promise, with real threads and ThreadSanitizer.
  results[0] = 10;
  wg.done();
  results[1] = 11;
  wg.done();
  results[2] = 12;
  wg.done();

  const std::string error = waiter.join();
  ASSERT_EQ(error, "") << "the thread in wait() threw: " << error << kLesson;
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
  static constexpr int kWaiters = 3;
  static constexpr int kWorkers = 6;
  struct State {
    lab::WaitGroup wg;
    std::vector<int> results = std::vector<int>(kWorkers, 0);  // slot i written by worker i before its done()
    std::vector<long> sums = std::vector<long>(kWaiters, -1);  // slot i written by waiter i after its wait()
    std::string error;                                         // what a thread threw, if one did
  };
  auto state = std::make_shared<State>();
  state->wg.add(kWorkers);
  const bool returned = conclab::returns_in_time([state] {
    State& st = *state;
    try {
      conclab::run_threads(kWaiters + kWorkers, [&](int i) {
        if (i < kWaiters) {
          st.wg.wait();
          long sum = 0;
          for (int r : st.results) sum += r;
          st.sums[static_cast<std::size_t>(i)] = sum;
        } else {
          st.results[static_cast<std::size_t>(i - kWaiters)] = i;
          st.wg.done();
        }
      });
    } catch (const std::exception& e) {
      st.error = e.what();
    }
  }, kPatience);
  ASSERT_TRUE(returned)
      << kWaiters << " threads called wait() and " << kWorkers << " workers called done() once each, and after "
      << kPatience.count() / 1000.0 << " s (a correct WaitGroup takes milliseconds) some wait() has still not returned: a "
      << "waiter was never woken. Every waiter waits for the same thing, so the add()/done() that brings the "
      << "counter to zero must wake them all (notify_all, not notify_one), and it must change the counter under "
      << "the mutex the waiters check it under. The sim test EveryWaiterIsReleasedOnEverySchedule shows the "
      << "schedule" << kLesson;
  const State& st = *state;
  ASSERT_EQ(st.error, "") << "a thread threw: " << st.error << kLesson;
  long expected = 0;
  for (int i = kWaiters; i < kWaiters + kWorkers; ++i) expected += i;
  for (int w = 0; w < kWaiters; ++w) {
    EXPECT_EQ(st.sums[static_cast<std::size_t>(w)], expected)
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
    const std::string first_error = first.join();
    const std::string second_error = second.join();
    EXPECT_EQ(first_error, "") << "round " << round << ": the first task's done() threw: " << first_error
                               << ". Each round's add(2) and two done() calls must leave the counter at zero, "
                                  "ready for the next round" << kLesson;
    EXPECT_EQ(second_error, "") << "round " << round << ": the second task's done() threw: " << second_error
                                << ". Each round's add(2) and two done() calls must leave the counter at zero, "
                                   "ready for the next round" << kLesson;
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
  EXPECT_EQ(wait_error, "") << "wait() threw: " << wait_error << kLesson;
  if (wait_error.empty()) {
    EXPECT_EQ(parent_result, 1) << "wait() returned before the task's done()" << kLesson;
    EXPECT_EQ(child_result, 2) << "wait() returned before the sub-task's done(), although the task called add(1) "
                                  "for it before its own done()"
                               << kLesson;
  }
  const std::string parent_error = parent.join();
  EXPECT_EQ(parent_error, "") << "the task's add(1) or done() threw: " << parent_error
                              << ". With the counter at 1, add(1) makes it 2, and each done() takes one away"
                              << kLesson;
  if (child.joinable()) child.join();
  EXPECT_EQ(child_error, "") << "the sub-task's done() threw: " << child_error
                             << ". The task added 1 for it, so its done() must find the counter above zero"
                             << kLesson;
}

// ---- Sim tests: every schedule of the workers and the waiter (conclab/sim; 20 plain runs in the other builds).
//
// A body that waits owns its state through a shared_ptr and runs through watched(): in the sim build that is
// the body itself (the explorer reports a deadlock or a lost wakeup, with the schedule and the explain() text);
// on real threads it runs under the watchdog, so that a waiter nobody wakes fails the test with `if_stuck`
// instead of hanging the run.
void watched(std::function<void()> body, const std::string& if_stuck) {
  ASSERT_TRUE(conclab::finishes_in_time(std::move(body), kPatience))
      << "not finished after " << kPatience.count() / 1000.0 << " s (a correct WaitGroup takes microseconds here): "
      << if_stuck << ". The sim build shows the schedule: ./conclab explore 01.05" << kLesson;
}

constexpr const char* kLostWakeup =
    "the counter reached zero, and a thread is still asleep in wait() with nothing left that will ever notify it. "
    "Either the counter changed and was notified without the mutex the waiter checks it under (the notify came "
    "between the waiter's check and its sleep, and found nobody), or only one of several waiters was woken "
    "(notify_one where every waiter waits for the same thing: notify_all)";

CONCLAB_SIM_TEST(WaitGroupTest, WaitSeesEveryDoneOnEverySchedule) {
  conclab::sim::explain(
      "wait() never returned although both workers called done(): the last done() changed the counter to zero "
      "and notified while the waiter was between its check of the counter and its sleep, so the notify found "
      "nobody. The check and the sleep must be one step as far as done() can tell: change the counter while "
      "holding the mutex the waiter checks it under (or use the atomic's own wait/notify, whose wait compares "
      "and sleeps as one step)" + std::string(kLesson));
  struct State {
    lab::WaitGroup wg;
    conclab::sync::atomic<int> finished{0};
  };
  auto st = std::make_shared<State>();
  watched([st] {
    st->wg.add(2);
    conclab::sync::jthread a([&] {
      st->finished.fetch_add(1);
      st->wg.done();
    });
    conclab::sync::jthread b([&] {
      st->finished.fetch_add(1);
      st->wg.done();
    });
    st->wg.wait();
    EXPECT_EQ(st->finished.load(), 2) << "wait() returned before every worker had called done(): it must block "
                                         "until the counter is zero" << kLesson;
  }, kLostWakeup);
}

CONCLAB_SIM_TEST(WaitGroupTest, TwoDonesForOneAddThrowExactlyOnce) {
  {
    lab::WaitGroup alone;  // first, with no second thread: does done() on a counter of 0 throw at all?
    bool threw_alone = false;
    try {
      alone.done();
    } catch (const std::logic_error&) {
      threw_alone = true;
    }
    ASSERT_TRUE(threw_alone) << "done() on a counter of 0, on one thread, did not throw std::logic_error (the counter "
                             << "is now " << alone.count() << "): a call that would take the counter below zero must "
                             << "throw and change nothing, so that one done() too many is reported where it happens "
                             << "instead of making a later wait() return too early or never" << kLesson;
  }
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

// One waiter on its own thread; the test's thread does the two done()s. On every schedule (and with
// spurious wakeups), wait() must not return before the second done(), and must then see both results.
CONCLAB_SIM_TEST(WaitGroupTest, WaitReturnsOnlyAfterTheLastDone) {
  struct State {
    lab::WaitGroup wg;
    conclab::sync::atomic<int> dones{0};  // counted just before each done()
    int results[2] = {0, 0};              // plain: written before each done(), read after wait()
    int seen[2] = {0, 0};
  };
  auto st = std::make_shared<State>();
  watched([st] {
    st->wg.add(2);
    {
      conclab::sync::jthread waiter([&] {
        st->wg.wait();
        const int before = st->dones.load();
        ASSERT_EQ(before, 2) << "wait() returned after " << before << " of the 2 done() calls: it must block until "
                             << "the counter is zero. In the schedule below it woke up (a notify for an earlier "
                             << "change, or a spurious wakeup, which a condition variable may have at any time) and "
                             << "did not check the counter again: wait with a predicate, or in a while loop"
                             << kLesson;
        st->seen[0] = st->results[0];
        st->seen[1] = st->results[1];
      });
      st->results[0] = 10;
      st->dones.fetch_add(1);
      st->wg.done();
      st->results[1] = 11;
      st->dones.fetch_add(1);
      st->wg.done();
    }  // joined
    EXPECT_EQ(st->seen[0], 10) << "after wait() returns, the waiter must see what each task wrote before its done()"
                               << kLesson;
    EXPECT_EQ(st->seen[1], 11) << "after wait() returns, the waiter must see what each task wrote before its done()"
                               << kLesson;
  }, kLostWakeup);
}

// Two threads in wait(), one done() to release them both: every schedule, including the ones where both
// waiters are asleep before the done(). A notify_one() there wakes one of them, and the other sleeps on with
// the counter at zero: the explorer reports it as a lost wakeup, with the explain() text below.
CONCLAB_SIM_TEST(WaitGroupTest, EveryWaiterIsReleasedOnEverySchedule) {
  conclab::sim::explain(
      "a thread is still asleep in wait() although the counter reached zero and nothing will ever notify again. "
      "Two threads were waiting and the done() that reached zero woke only one of them: every waiter waits for "
      "the same thing, so the change to zero must wake them all (notify_all, not notify_one). Or the counter "
      "changed to zero without the mutex the waiters check it under, and the notify came between a waiter's "
      "check and its sleep" + std::string(kLesson));
  struct State {
    lab::WaitGroup wg;
    conclab::sync::atomic<int> out{0};  // how many waiters returned
  };
  auto st = std::make_shared<State>();
  watched([st] {
    st->wg.add(1);
    {
      conclab::sync::jthread first([&] {
        st->wg.wait();
        st->out.fetch_add(1);
      });
      conclab::sync::jthread second([&] {
        st->wg.wait();
        st->out.fetch_add(1);
      });
      st->wg.done();
    }  // joined: both waiters returned
    EXPECT_EQ(st->out.load(), 2) << "both threads in wait() must return once the counter is zero" << kLesson;
  }, kLostWakeup);
}

// Reuse: one round is finished and waited for, then a second round starts with add(1). Its wait() must wait
// for the second round's done(), not return because the counter was zero once before.
CONCLAB_SIM_TEST(WaitGroupTest, SecondRoundWaitsForItsOwnDones) {
  struct State {
    lab::WaitGroup wg;
    conclab::sync::atomic<bool> worker_done{false};
  };
  auto st = std::make_shared<State>();
  watched([st] {
    st->wg.add(1);
    st->wg.done();
    st->wg.wait();  // round 1: over
    st->wg.add(1);  // round 2 starts: every wait() of round 1 has returned, as the contract asks
    conclab::sync::jthread worker([&] {
      st->worker_done.store(true);
      st->wg.done();
    });
    st->wg.wait();
    ASSERT_TRUE(st->worker_done.load())
        << "the second round's wait() returned before that round's only done(): the WaitGroup still remembered "
        << "that the counter had reached zero in the first round. After reaching zero it must be reusable: "
        << "wait() waits for the counter to be zero now (a flag that says \"it was zero\" must be cleared when "
        << "a new round's add() takes it above zero)" << kLesson;
  }, kLostWakeup);
}

}  // namespace
