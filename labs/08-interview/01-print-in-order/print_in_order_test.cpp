// Graded tests for drill 08.01, print-in-order (LeetCode 1114's contract): one Foo, three threads, one call each
// to first(), second(), third() in any order; the output must be "firstsecondthird".
//
// The callbacks print on a Page, a plain int as a judge's output buffer is plain memory: each callback reads it
// (is it my turn? the check names what went wrong) and adds its step. Your Foo must make each callback
// happen-after the one before, or two callbacks touch the page with nothing ordering them, and ThreadSanitizer or
// the explorer reports a data race there, even in a run whose words came out in the right order.
//
// The orders that matter are forced, not hoped for:
//   - sim tests (CONCLAB_SIM_TEST): in the sim build the explorer runs every schedule of the two or three
//     threads with up to two preemptions, spurious wakeups included, and reports a thread asleep forever as a
//     DEADLOCK or LOST WAKEUP with the schedule. The thread that must wait is started first.
//   - real threads (the default and ThreadSanitizer builds): every one of the six arrival orders, many times,
//     under a watchdog, so that a thread nobody wakes fails with a message instead of hanging the run.
#include <print_in_order.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "conclab/sim_test.hpp"
#include "conclab/sync.hpp"
#include "conclab/finishes.hpp"
#include "conclab/watchdog.hpp"

namespace {

constexpr const char* kLesson = " (lesson: modules/08-interview/02-taking-turns.md)";
constexpr const char* kWanted = "firstsecondthird";

// The watchdog's patience (conclab/watchdog.hpp): a correct Foo takes microseconds; a call still blocked after this
// much real time is taken to be blocked for good. It decides nothing for correct code.
const std::chrono::milliseconds kPatience = conclab::patience(std::chrono::seconds(2));
// For the test of 120 rounds on real threads: on a loaded 2-core machine every blocking handover waits for a
// time slice, milliseconds each, so the whole test gets more room. Still nothing for correct code to decide.
const std::chrono::milliseconds kLongPatience = conclab::patience(std::chrono::seconds(20));

// The page the callbacks print on: the steps printed so far as decimal digits, in order (12 is "first" then
// "second"). Plain on purpose, as a judge's output buffer is: each callback reads it (is it my turn?) and writes
// it. Your Foo must make each callback happen-after the one before; if two callbacks touch the page with nothing
// ordering one before the other, ThreadSanitizer or the explorer reports a DATA RACE on the page's lines below,
// even in a run whose words came out in the right order: a flag that is plain, volatile or relaxed, or a turn
// handed over before the print.
struct Page {
  int printed = 0;
};

// The page as words: 12 -> "firstsecond".
std::string words(int printed) {
  static const std::array<const char*, 4> kWord = {"?", "first", "second", "third"};
  std::string digits = std::to_string(printed);
  std::string out;
  if (printed == 0) return out;
  for (const char d : digits) out += (d >= '1' && d <= '3') ? kWord[static_cast<std::size_t>(d - '0')] : "?";
  return out;
}

// What must be on the page when step `step` (1 first, 2 second, 3 third) starts.
constexpr std::array<int, 4> kBefore = {0, 0, 1, 12};

// What went wrong when step `step` starts and the page shows `printed` instead of kBefore[step].
std::string out_of_order(int step, int printed) {
  const std::string page = "the page so far is \"" + words(printed) + "\"";
  if (step == 1) {
    return "printFirst() was called when " + page +
           ": each callback must be called exactly once, and first() prints first and never waits";
  }
  if (step == 2) {
    if (printed == 0) {
      return "printSecond() was called before printFirst() had run: second() did not wait for first() (" + page +
             "). second() must block until first() has RETURNED from printFirst(): wait for a state that first() "
             "changes after its print (a step under the mutex, checked with a predicate; a semaphore released after "
             "the print), and check it again after every wakeup, which may be spurious";
    }
    return "printSecond() was called when " + page + ": each callback must be called exactly once";
  }
  if (printed == 0) {
    return "printThird() was called before anything was printed (" + page +
           "): third() must wait until second() has returned from printSecond()";
  }
  if (printed == 1) {
    return "printThird() was called right after printFirst(), before printSecond() (" + page +
           "). third() went on when FIRST was done: did it wait on the same flag or semaphore as second(), or was "
           "it woken by the notify meant for second() and went on without checking whose turn it is? \"first is "
           "done\" and \"second is done\" are two facts: keep them apart (a step that goes 1, 2, 3, re-checked "
           "after every wakeup; or one semaphore per handover)";
  }
  return "printThird() was called when " + page + ": each callback must be called exactly once";
}

std::function<void()> print_step(Page& page, int step) {
  return [&page, step] {
    // A data race reported on one of the next two lines: this callback and an earlier one touched the page with
    // nothing ordering them. Your Foo let this method go on without synchronising with the one before it.
    const int before = page.printed;
    page.printed = before * 10 + step;
    EXPECT_EQ(before, kBefore[static_cast<std::size_t>(step)]) << out_of_order(step, before) << kLesson;
  };
}

// One Foo and its page. The Foo is built by whichever thread emplace()s it: a thread other than the callers', as
// a judge builds it, and a fresh one per round (a Foo that leaves its constructor's mutexes locked would pile up
// ThreadSanitizer's per-thread lock records on a thread that built many).
struct State {
  Page page;
  std::optional<lab::Foo> foo;
};

// Calls step `step`'s method of st->foo with its print callback.
void call(State& st, int step) {
  if (step == 1) st.foo->first(print_step(st.page, 1));
  if (step == 2) st.foo->second(print_step(st.page, 2));
  if (step == 3) st.foo->third(print_step(st.page, 3));
}

// Read only after the threads that print were joined (or, on a hang, for the message: then it may be stale).
std::string printed(const State& st) { return words(st.page.printed); }

// Runs `body`: in the sim build as it is (the explorer reports a thread asleep forever itself, with the schedule
// and the explain() text); on real threads under the watchdog, so that a thread nobody wakes fails the test with
// `if_stuck`. `body` must own what it uses (a shared_ptr): if it never returns, its thread is left behind.
void watched(std::function<void()> body, const std::string& if_stuck) {
  ASSERT_TRUE(conclab::finishes_in_time(std::move(body), kPatience))
      << "not finished after " << kPatience.count() / 1000.0 << " s (a correct Foo takes microseconds here): "
      << if_stuck << ". The explorer shows the schedule: ./conclab explore 08.01" << kLesson;
}

constexpr const char* kAsleep =
    "a method of Foo is blocked and nobody is left to wake it. Look at the schedule: did the notify (or release) "
    "come before the waiter went to sleep, with the waiter sleeping without checking the state first? Did it "
    "come before the state was changed, so the woken thread found nothing and slept again? Did notify_one wake "
    "the wrong one of two waiters? Or does a method wait for a mutex that another thread was supposed to unlock?";

// ---- Real threads: deterministic for a correct Foo, and the contract in every arrival order. ----

TEST(PrintInOrderTest, CalledInOrderOnOneThreadPrintsAll) {
  auto st = std::make_shared<State>();
  st->foo.emplace();  // built here, called on the watchdog's thread, as a judge does
  const bool returned = conclab::returns_in_time(
      [st] {
        call(*st, 1);
        call(*st, 2);
        call(*st, 3);
      },
      kPatience);
  ASSERT_TRUE(returned) << "first(), second(), third() called one after another on one thread did not all return: "
                        << "each was called when its turn had come, so "
                        << "none may block. A turn handed over before anyone waits must be remembered (a step "
                        << "under a mutex checked with a predicate; a semaphore, which counts) and never locked "
                        << "again by the thread that hands it over" << kLesson;
  EXPECT_EQ(printed(*st), kWanted) << "first(), second(), third() called in that order must print \"" << kWanted
                                   << "\": each method calls its callback exactly once" << kLesson;
}

TEST(PrintInOrderTest, EveryArrivalOrderPrintsFirstSecondThird) {
  constexpr int kRounds = 20;  // per order; the sim tests are the exhaustive ones
  std::array<int, 3> order = {3, 2, 1};  // the order the threads start in; the first is the one that must wait
  do {
    for (int round = 0; round < kRounds; ++round) {
      auto st = std::make_shared<State>();
      const std::string arrival = std::to_string(order[0]) + "," + std::to_string(order[1]) + "," +
                                  std::to_string(order[2]) + " (1 = first(), 2 = second(), 3 = third())";
      const bool returned = conclab::returns_in_time(
          [st, order] {
            st->foo.emplace();
            conclab::sync::jthread a([&] { call(*st, order[0]); });
            conclab::sync::jthread b([&] { call(*st, order[1]); });
            conclab::sync::jthread c([&] { call(*st, order[2]); });
          },
          kLongPatience);
      ASSERT_TRUE(returned) << "threads started in the order " << arrival << " are not finished after "
                            << kLongPatience.count() / 1000.0 << " s (a correct Foo takes microseconds): " << kAsleep
                            << " The explorer shows the schedule: ./conclab explore 08.01" << kLesson;
      ASSERT_EQ(printed(*st), kWanted) << "threads started in the order " << arrival << " printed \"" << printed(*st)
                                       << "\"" << kLesson;
    }
  } while (std::prev_permutation(order.begin(), order.end()));
}

// ---- Sim tests: every schedule in the sim build; 20 runs on real threads (under the watchdog) elsewhere. ----

// The smallest handover: second() is called first and must wait for first().
CONCLAB_SIM_TEST(PrintInOrderTest, SecondWaitsForFirst) {
  conclab::sim::explain(std::string(kAsleep) + kLesson);
  auto st = std::make_shared<State>();
  watched(
      [st] {
        st->foo.emplace();
        conclab::sync::jthread second([&] { call(*st, 2); });
        conclab::sync::jthread first([&] { call(*st, 1); });
      },
      std::string("second() and first() on two threads (second() started first): ") + kAsleep);
  EXPECT_EQ(printed(*st), "firstsecond") << "first() and second(), each called once, must print \"firstsecond\""
                                         << kLesson;
}

// first() has already returned when third() and second() arrive: third() must still wait for second().
CONCLAB_SIM_TEST(PrintInOrderTest, ThirdWaitsForSecondNotForFirst) {
  conclab::sim::explain(std::string(kAsleep) + kLesson);
  auto st = std::make_shared<State>();
  watched(
      [st] {
        st->foo.emplace();
        call(*st, 1);
        conclab::sync::jthread third([&] { call(*st, 3); });
        conclab::sync::jthread second([&] { call(*st, 2); });
      },
      std::string("first() returned, then third() and second() on two threads (third() started first): ") + kAsleep);
  EXPECT_EQ(printed(*st), kWanted) << "first() returned, then second() and third() were called: the page must read \""
                                   << kWanted << "\"" << kLesson;
}

// All three, in the worst arrival order: third() and second() both wait before first() comes.
CONCLAB_SIM_TEST(PrintInOrderTest, ThreeThreadsArrivingLastToFirst) {
  conclab::sim::explain(std::string(kAsleep) + kLesson);
  auto st = std::make_shared<State>();
  watched(
      [st] {
        st->foo.emplace();
        conclab::sync::jthread third([&] { call(*st, 3); });
        conclab::sync::jthread second([&] { call(*st, 2); });
        call(*st, 1);  // on the test's own thread: three threads in all
      },
      std::string("third() and second() on two threads, started in that order, then first() on a third: ") +
          kAsleep);
  EXPECT_EQ(printed(*st), kWanted) << "three threads called third(), second() and first(): the page must read \""
                                   << kWanted << "\"" << kLesson;
}

}  // namespace
