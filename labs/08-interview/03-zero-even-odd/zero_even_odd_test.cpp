// Graded tests for drill 08.03, zero-even-odd (LeetCode 1116's contract): one ZeroEvenOdd(n), three threads, one
// call each to zero(), even() and odd() in any order; the output must be 0 1 0 2 ... 0 n.
//
// The callbacks print on a Page, a plain int as a judge's output buffer is plain memory: each call of
// printNumber(x) reads how many numbers are on the page, checks that x is the one that comes next (the message
// names what went wrong), and adds one. Your ZeroEvenOdd must make each print happen-after the one before, or two
// prints touch the page with nothing ordering them, and ThreadSanitizer or the explorer reports a data race there,
// even in a run whose numbers came out right.
//
// The orders that matter are forced, not hoped for:
//   - sim tests (CONCLAB_SIM_TEST): in the sim build the explorer runs every schedule of the three threads for
//     n = 1 and n = 2 with up to two preemptions, spurious wakeups included, and reports a thread asleep forever
//     as a DEADLOCK or LOST WAKEUP with the schedule. even() and odd() are started first: they must wait.
//   - real threads (the default and ThreadSanitizer builds): n = 1000 and n = 7, under a watchdog, so that a
//     thread nobody wakes fails with a message instead of hanging the run.
#include <zero_even_odd.hpp>

#include <gtest/gtest.h>

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

// The watchdog's patience (conclab/watchdog.hpp): a correct ZeroEvenOdd prints 2000 numbers in milliseconds; a
// call still blocked after this much real time is taken to be blocked for good. It decides nothing for correct
// code.
const std::chrono::milliseconds kPatience = conclab::patience(std::chrono::seconds(3));
// For n = 1000 on real threads: 2000 blocking handovers, each a wakeup that on a loaded 2-core machine waits for a
// time slice (6.6 s measured here with stress-ng loading both cores), so that test gets more room. Still nothing for
// correct code to decide.
const std::chrono::milliseconds kLongPatience = conclab::patience(std::chrono::seconds(30));

// The page: how many numbers were printed. Plain on purpose (see the top of this file).
struct Page {
  int printed = 0;
};

// The number at position `k` (from 0) of 0 1 0 2 0 3 ...
int expected_at(int k) { return k % 2 == 0 ? 0 : (k + 1) / 2; }

std::string page_text(int count) {
  if (count == 0) return "nothing yet";
  std::string out;
  const int from = count > 8 ? count - 8 : 0;
  if (from > 0) out += std::to_string(count) + " numbers, ending \"... ";
  else out += "\"";
  for (int k = from; k < count; ++k) out += std::to_string(expected_at(k)) + (k + 1 < count ? " " : "");
  return out + "\"";
}

std::string who(int x) {
  if (x == 0) return "zero()";
  return x % 2 == 0 ? "even()" : "odd()";
}

std::function<void(int)> print_number(Page& page, int n) {
  return [&page, n](int x) {
    // A data race reported on one of the next two lines: this print and the one before it touched the page with
    // nothing ordering them. Your ZeroEvenOdd let this method go on without synchronising with the last print
    // (a plain, volatile or relaxed turn, or a turn handed over before the print).
    const int before = page.printed;
    page.printed = before + 1;
    ASSERT_LT(before, 2 * n) << who(x) << " printed " << x << " after all 2n = " << 2 * n << " numbers were out: "
                             << "zero() prints n zeros, odd() the odd numbers up to n, even() the even ones"
                             << kLesson;
    const int want = expected_at(before);
    if (x == want) return;
    std::string why;
    if (want == 0) {
      why = who(x) + " printed " + std::to_string(x) + " where a 0 comes next: after each number the turn goes back "
            "to zero(). Did " + who(x) + " go on without waiting for its turn (a spurious wakeup, a wakeup meant "
            "for another role, or a turn handed over before the print)?";
    } else if (x == 0) {
      why = "zero() printed 0 twice in a row: after a zero it is " + who(want) + "'s turn to print " +
            std::to_string(want) + ", and zero() must wait until it has";
    } else {
      why = who(x) + " printed " + std::to_string(x) + " where " + std::to_string(want) + " (" + who(want) +
            "'s) comes next: after the zero before " + std::to_string(want) + ", the turn goes by its parity, odd "
            "to odd(), even to even(). A wakeup is not a turn: with three roles, a waiter must check that the turn "
            "is ITS OWN, not only that it is no longer zero's";
    }
    ADD_FAILURE() << "ZeroEvenOdd(" << n << "): the page so far is " << page_text(before) << ", and " << why
                  << kLesson;
  };
}

struct State {
  explicit State(int n) : n(n) {}
  const int n;
  Page page;
  std::optional<lab::ZeroEvenOdd> zeo;  // built by the thread that emplace()s it, not by the callers
};

void call(State& st, char role) {
  if (role == 'z') st.zeo->zero(print_number(st.page, st.n));
  if (role == 'e') st.zeo->even(print_number(st.page, st.n));
  if (role == 'o') st.zeo->odd(print_number(st.page, st.n));
}

// Runs `body`: in the sim build as it is (the explorer reports a thread asleep forever itself, with the schedule
// and the explain() text); on real threads under the watchdog, so that a thread nobody wakes fails the test with
// `if_stuck`. `body` must own what it uses (a shared_ptr): if it never returns, its thread is left behind.
void watched(std::function<void()> body, const std::string& if_stuck,
             std::chrono::milliseconds patience = kPatience) {
  ASSERT_TRUE(conclab::finishes_in_time(std::move(body), patience))
      << "not finished after " << patience.count() / 1000.0 << " s (a correct ZeroEvenOdd takes milliseconds "
      << "here): " << if_stuck << ". The explorer shows the schedule: ./conclab explore 08.03" << kLesson;
}

constexpr const char* kAsleep =
    "a method is blocked and nobody is left to wake it. Look at the schedule: three roles wait for three different "
    "turns. Did a notify_one wake the wrong one of two waiters, who checked and slept again? Did a handover notify "
    "before it changed the turn? Did a method sleep without checking whether its turn had already come? Or did a "
    "loop stop one number short, so the turn went to a role that had already returned?";

// Runs zero(), even() and odd() on three threads, in the order given by `roles` ('z', 'e', 'o'), for `n`.
void run_three(const std::shared_ptr<State>& st, const std::string& roles,
               std::chrono::milliseconds patience = kPatience) {
  watched(
      [st, roles] {
        st->zeo.emplace(st->n);
        conclab::sync::jthread a([&] { call(*st, roles[0]); });
        conclab::sync::jthread b([&] { call(*st, roles[1]); });
        call(*st, roles[2]);  // on the test's own thread: three threads in all
      },
      "ZeroEvenOdd(" + std::to_string(st->n) + ") with the methods started in the order " + roles +
          " (z zero, e even, o odd): " + kAsleep,
      patience);
}

// ---- Real threads ----

TEST(ZeroEvenOddTest, NEqualsOneOnOneThreadPrints01) {
  auto st = std::make_shared<State>(1);
  st->zeo.emplace(1);
  const bool returned = conclab::returns_in_time(
      [st] {
        call(*st, 'z');
        call(*st, 'o');
        call(*st, 'e');
      },
      kPatience);
  ASSERT_TRUE(returned) << "ZeroEvenOdd(1): zero(), odd(), even() one after another on one thread did not all "
                        << "return: zero() prints one 0 and "
                        << "returns, odd() prints 1, and even() has nothing to print (no even number <= 1)" << kLesson;
  EXPECT_EQ(st->page.printed, 2) << "ZeroEvenOdd(1) must print \"0 1\"; the page has " << page_text(st->page.printed)
                                 << kLesson;
}

TEST(ZeroEvenOddTest, ThousandInOrder) {
  auto st = std::make_shared<State>(1000);  // the contract's largest n
  run_three(st, "eoz", kLongPatience);
  if (::testing::Test::HasFatalFailure()) return;
  EXPECT_EQ(st->page.printed, 2000) << "ZeroEvenOdd(1000) must print 2000 numbers; the page has "
                                    << page_text(st->page.printed) << kLesson;
}

TEST(ZeroEvenOddTest, OddNEndsWithOdd) {
  auto st = std::make_shared<State>(7);
  run_three(st, "zoe");
  if (::testing::Test::HasFatalFailure()) return;
  EXPECT_EQ(st->page.printed, 14) << "ZeroEvenOdd(7) must print 0 1 0 2 ... 0 7, 14 numbers (odd() prints 1 3 5 7, "
                                  << "even() 2 4 6); the page has " << page_text(st->page.printed) << kLesson;
}

// ---- Sim tests: every schedule in the sim build; 20 runs on real threads (under the watchdog) elsewhere. ----

// n = 1: zero, then odd; even() has nothing to print and must return.
CONCLAB_SIM_TEST(ZeroEvenOddTest, OneNumber) {
  conclab::sim::explain(std::string(kAsleep) + kLesson);
  auto st = std::make_shared<State>(1);
  run_three(st, "eoz");
  EXPECT_EQ(st->page.printed, 2) << "ZeroEvenOdd(1) must print \"0 1\"; the page has " << page_text(st->page.printed)
                                 << kLesson;
}

// n = 2: 0 1 0 2. Both odd() and even() wait while zero() works: the handover must reach the right one.
CONCLAB_SIM_TEST(ZeroEvenOddTest, TwoNumbers) {
  conclab::sim::explain(std::string(kAsleep) + kLesson);
  auto st = std::make_shared<State>(2);
  run_three(st, "eoz");
  EXPECT_EQ(st->page.printed, 4) << "ZeroEvenOdd(2) must print \"0 1 0 2\"; the page has "
                                 << page_text(st->page.printed) << kLesson;
}

}  // namespace
