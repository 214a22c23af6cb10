// Graded tests for lab 03.01, toctou-map. Lesson: modules/03-classic-problems/01-races-and-interface-races.md.
//
// A registry whose every call locks can still be wrong: if insert_if_absent() asks "is the key there?" in one
// locked call and inserts in another, a second thread can do the same between the two, and both are told they
// inserted. No memory is touched without the lock, so ThreadSanitizer has nothing to report: it is a race
// condition, not a data race. The window is a few instructions wide, so a stress test on real threads opens it
// in some runs and not in others. The sim tests (CONCLAB_SIM_TEST) run under the explorer in the sim build,
// which tries every schedule of their two threads (up to two preemptions) and so runs the one where the second
// thread fits in the gap, on every run; it also reports a deadlock (a factory called under the lock that uses
// the registry), a waiter left asleep (a "being built" mark that a throwing factory never removed) and a data
// race on the map (a lookup without the lock) with both lines. In the other builds they run 20 times on real
// threads, as stress tests; the ones that can hang run under a watchdog there.
#include <registry.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "conclab/run_threads.hpp"
#include "conclab/sim_test.hpp"
#include "conclab/sync.hpp"
#include "conclab/finishes.hpp"
#include "conclab/watchdog.hpp"

namespace {

namespace sync = conclab::sync;
using Registry = lab::Registry<std::string, int>;

constexpr const char* kLesson = "modules/03-classic-problems/01-races-and-interface-races.md";

std::string show(const std::optional<int>& v) { return v ? std::to_string(*v) : std::string("nothing"); }

// ---------------------------------------------------------------------------------------------------------
// One thread: what each operation means.

TEST(RegistryTest, InsertIfAbsentStoresTheFirstValueAndRefusesTheRest) {
  Registry r;
  EXPECT_TRUE(r.insert_if_absent("db", 1)) << "insert_if_absent(\"db\", 1) on an empty registry must store it and "
                                              "return true (this call inserted).";
  const bool again = r.insert_if_absent("db", 2);
  EXPECT_FALSE(again) << "insert_if_absent(\"db\", 2) when \"db\" is already stored must return false: the key was "
                         "not absent, so this call inserted nothing.";
  EXPECT_EQ(r.find("db"), std::optional<int>(1))
      << "after insert_if_absent(\"db\", 1) then insert_if_absent(\"db\", 2), find(\"db\") gives "
      << show(r.find("db")) << ", but the first value must stay: \"if absent\" means a present key is left alone. "
      << "insert_or_assign() or `map_[key] = value` overwrites it (and its .second says only whether the key was "
      << "new); try_emplace() or emplace() leaves it. Read " << kLesson << ", \"One operation that decides\".";
  EXPECT_EQ(r.size(), 1u) << "one key was stored, so size() must be 1.";
  EXPECT_TRUE(r.insert_if_absent("cache", 3)) << "another key is absent: insert_if_absent(\"cache\", 3) must store "
                                                 "it and return true.";
  EXPECT_EQ(r.size(), 2u) << "two keys were stored, so size() must be 2.";
}

TEST(RegistryTest, GetOrCreateRunsTheFactoryOnlyWhenTheKeyIsAbsent) {
  Registry r;
  int calls = 0;
  const int first = r.get_or_create("db", [&] { return 10 + ++calls; });
  EXPECT_EQ(calls, 1) << "get_or_create(\"db\", make) on an empty registry must call make() once to build the "
                         "value; it was called " << calls << " times.";
  EXPECT_EQ(first, 11) << "get_or_create() must return the value make() built (11), and it returned " << first << '.';
  EXPECT_EQ(r.find("db"), std::optional<int>(11)) << "get_or_create() must store the value it built: find(\"db\") "
                                                     "gives " << show(r.find("db")) << ".";
  const int second = r.get_or_create("db", [&] { return 10 + ++calls; });
  EXPECT_EQ(calls, 1) << "a second get_or_create(\"db\", make) found \"db\" stored, so it must not call make() "
                         "(a factory may be slow, or open a connection); it was called " << calls - 1 << " more "
                         "times.";
  EXPECT_EQ(second, 11) << "the second get_or_create(\"db\") must return the stored value 11, and it returned "
                        << second << '.';
  ASSERT_TRUE(r.insert_if_absent("cache", 5));
  const int cached = r.get_or_create("cache", [&] { return 10 + ++calls; });
  EXPECT_EQ(cached, 5) << "get_or_create(\"cache\") after insert_if_absent(\"cache\", 5) must return the stored 5, "
                          "and it returned " << cached << '.';
  EXPECT_EQ(calls, 1) << "get_or_create() of a key that insert_if_absent() stored must not call make().";
}

TEST(RegistryTest, TakeRemovesTheValueAndReturnsIt) {
  Registry r;
  EXPECT_EQ(r.take("db"), std::nullopt) << "take() of a key that was never stored must return nothing.";
  ASSERT_TRUE(r.insert_if_absent("db", 7));
  const std::optional<int> taken = r.take("db");
  EXPECT_EQ(taken, std::optional<int>(7)) << "take(\"db\") after insert_if_absent(\"db\", 7) must return 7, and it "
                                             "returned " << show(taken) << '.';
  const std::optional<int> again = r.take("db");
  EXPECT_EQ(again, std::nullopt) << "a second take(\"db\") returned " << show(again) << ", but the first take() "
                                 << "must have removed \"db\": take() is remove-and-return, and each value can be "
                                 << "taken once. Erase it in the same critical section as the find. Read " << kLesson
                                 << ", \"Top then pop\".";
  EXPECT_EQ(r.find("db"), std::nullopt) << "after take(\"db\"), find(\"db\") must find nothing.";
  EXPECT_EQ(r.size(), 0u) << "after the only key was taken, size() must be 0.";
  EXPECT_TRUE(r.insert_if_absent("db", 8)) << "after take(\"db\"), \"db\" is absent again: insert_if_absent() must "
                                              "store the new value and return true.";
}

// ---------------------------------------------------------------------------------------------------------
// Two threads, every schedule (sim build).

// The [play] test: `./conclab play 03.01` lets you schedule these two threads by hand.
CONCLAB_SIM_TEST(RegistryTest, TwoInsertsOfOneKeyHaveOneWinner) {
  conclab::sim::explain("two insert_if_absent() calls can only block forever if one of them leaves the mutex "
                        "locked, or locks it twice");
  Registry r;
  bool a_won = false;  // thread a (T1 in the schedule)
  bool b_won = false;  // the test's own thread (T0), called b here
  {
    sync::jthread a([&] { a_won = r.insert_if_absent("db", 1); });
    b_won = r.insert_if_absent("db", 2);
  }  // a joined
  const int winners = static_cast<int>(a_won) + static_cast<int>(b_won);
  ASSERT_EQ(winners, 1)
      << "thread a (T1) called insert_if_absent(\"db\", 1) and thread b (T0) insert_if_absent(\"db\", 2), and "
      << winners << " of them were told they inserted; exactly one must be. "
      << (winners == 2 ? "Both checked that \"db\" was absent before either inserted it (see the schedule below): a "
                         "check-then-act race. Each call locked, so there was no data race, but between the check "
                         "and the insert the lock was free and the other thread ran its check. The check and the "
                         "insert must be ONE decision under ONE lock: try_emplace() returns whether it inserted. "
                       : "Neither stored the key: insert_if_absent() must insert an absent key. ")
      << "Read " << kLesson << ", \"Check-then-act\".";
  const std::optional<int> stored = r.find("db");
  EXPECT_EQ(stored, std::optional<int>(a_won ? 1 : 2))
      << "thread " << (a_won ? "a (T1)" : "b (T0)") << " was told it inserted \"db\", so the stored value must be its "
      << (a_won ? 1 : 2) << ", but find(\"db\") gives " << show(stored)
      << ": the loser overwrote the winner's value (insert_or_assign(), or `map_[key] = value`, replaces it). The "
      << "loser must change nothing. Read " << kLesson << ", \"One operation that decides\".";
}

CONCLAB_SIM_TEST(RegistryTest, TwoGetOrCreatesReturnTheSameValue) {
  Registry r;
  sync::atomic<int> made{0};
  auto make = [&] { return made.fetch_add(1) + 1; };  // every call builds a new value: 1, then 2
  int a = 0;
  int b = 0;
  {
    sync::jthread ta([&] { a = r.get_or_create("db", make); });
    sync::jthread tb([&] { b = r.get_or_create("db", make); });
  }  // both joined
  const std::optional<int> stored = r.find("db");
  EXPECT_EQ(a, b) << "two threads called get_or_create(\"db\", make) and got different values, " << a << " and " << b
                  << ". Every caller must get the ONE value that is stored for \"db\", or two parts of a program "
                  << "talk to two different \"singletons\". When make() ran in both (both found \"db\" absent), "
                  << "only one result may be stored, and the caller whose result lost must return the stored one "
                  << "(try_emplace(...).first->second), not its own, and not overwrite the winner's. Read "
                  << kLesson << ", \"Calling the factory outside the lock\".";
  EXPECT_EQ(stored, std::optional<int>(a))
      << "get_or_create(\"db\") returned " << a << " to thread ta, but find(\"db\") gives " << show(stored)
      << " afterwards: get_or_create() must return the value it left stored. Read " << kLesson << '.';
  EXPECT_LE(made.load(), 2) << "two calls of get_or_create() ran make() " << made.load()
                            << " times: a call may run make() at most once.";
}

CONCLAB_SIM_TEST(RegistryTest, TwoTakesOfOneValueGiveItToOne) {
  conclab::sim::explain("two take() calls can only block forever if one of them leaves the mutex locked, or "
                        "locks it twice");
  Registry r;
  ASSERT_TRUE(r.insert_if_absent("job", 7));
  std::optional<int> a;
  std::optional<int> b;
  {
    sync::jthread ta([&] { a = r.take("job"); });
    sync::jthread tb([&] { b = r.take("job"); });
  }  // both joined
  const int takers = static_cast<int>(a.has_value()) + static_cast<int>(b.has_value());
  EXPECT_EQ(takers, 1)
      << "one value was stored under \"job\" and two threads called take(\"job\"): " << takers
      << " of them got it (thread a: " << show(a) << ", thread b: " << show(b) << "). Exactly one must: a job "
      << "handed out twice runs twice. "
      << (takers == 2 ? "Both found the value before either erased it (see the schedule below): the top-then-pop "
                        "race. find() and erase() each locked, but the lock was free between them. Find, move out "
                        "and erase under ONE lock; or take() found it but left it in the map. "
                      : "")
      << "Read " << kLesson << ", \"Top then pop\".";
  if (a) EXPECT_EQ(*a, 7) << "thread a took \"job\" and must get its value 7.";
  if (b) EXPECT_EQ(*b, 7) << "thread b took \"job\" and must get its value 7.";
  EXPECT_EQ(r.size(), 0u) << "the only key was taken, so size() must be 0.";
}

CONCLAB_SIM_TEST(RegistryTest, LookupsWhileAnotherThreadInsertsAreSafe) {
  Registry r;
  std::size_t size_seen = 99;
  std::optional<int> found;
  {
    sync::jthread writer([&] { r.insert_if_absent("db", 7); });
    size_seen = r.size();  // this thread looks while the writer may be inside insert_if_absent()
    found = r.find("db");
  }  // joined
  EXPECT_TRUE(size_seen == 0 || size_seen == 1)
      << "size() while one insert_if_absent() ran returned " << size_seen << ": it must be 0 (before) or 1 (after). "
      << "Read " << kLesson << '.';
  EXPECT_TRUE(!found || *found == 7) << "find(\"db\") while insert_if_absent(\"db\", 7) ran returned " << show(found)
                                     << ": it must find nothing (before) or 7 (after).";
  // In the sim build the explorer also checks every plain load and store: a size() or find() that reads the map
  // without the lock while insert_if_absent() writes it under the lock is a data race (a std::map is not
  // thread-safe), reported with both lines even in a schedule where the answer happened to be right.
}

// The watchdog (conclab/watchdog.hpp) for a call that may deadlock: a correct registry returns in microseconds,
// so a call that has not returned after a few seconds of real time is blocked for good, and the test fails with
// `if_stuck` instead of hanging (the blocked thread is left behind; the body owns what it touches through a
// shared_ptr). In the sim build the body just runs: the explorer reports a deadlock itself, with the schedule.
void watched(std::function<void()> body, const std::string& if_stuck) {
  const std::chrono::milliseconds patience = conclab::patience(std::chrono::seconds(2));
  ASSERT_TRUE(conclab::finishes_in_time(std::move(body), patience))
      << "get_or_create() had not returned after " << patience.count() / 1000.0 << " s (a correct registry takes "
      << "microseconds): it is blocked for good. " << if_stuck << " Read " << kLesson << '.';
}

constexpr const char* kFactoryUnderLock =
    "The factory of \"cache\" asks the registry for \"db\" (a service built from its dependencies), and "
    "get_or_create(\"cache\") called it while holding the registry's mutex: the inner get_or_create(\"db\") locks "
    "the same mutex again on the same thread and waits for itself forever. make() is code you do not control: "
    "call it with no lock held, then lock and decide with try_emplace() (section \"Never call unknown code under "
    "a lock\").";

CONCLAB_SIM_TEST(RegistryTest, AFactoryMayUseTheRegistry) {
  conclab::sim::explain(
      "the factory of \"cache\" calls get_or_create(\"db\") on the same registry; if get_or_create(\"cache\") "
      "holds the mutex while make() runs, the inner call locks it again on the same thread and waits for itself. "
      "Call make() with no lock held");
  auto registry = std::make_shared<Registry>();
  auto result = std::make_shared<int>(0);
  watched(
      [registry, result] {
        *result = registry->get_or_create("cache", [&registry] {
          return 100 + registry->get_or_create("db", [] { return 1; });
        });
      },
      kFactoryUnderLock);
  if (::testing::Test::HasFatalFailure()) return;
  EXPECT_EQ(*result, 101) << "get_or_create(\"cache\", make), where make() returns 100 + get_or_create(\"db\", "
                             "[] { return 1; }), must return 101, and it returned " << *result << '.';
  EXPECT_EQ(registry->find("db"), std::optional<int>(1)) << "the factory of \"cache\" stored \"db\" = 1 through the "
                                                            "registry; find(\"db\") must give 1.";
  EXPECT_EQ(registry->size(), 2u) << "\"db\" and \"cache\" were stored, so size() must be 2.";
}

TEST(RegistryTest, AThrowingFactoryStoresNothing) {
  auto r = std::make_shared<Registry>();
  EXPECT_THROW(r->get_or_create("db", []() -> int { throw std::runtime_error("no connection"); }), std::runtime_error)
      << "an exception from make() must leave get_or_create() (the registry cannot make up a value).";
  EXPECT_EQ(r->find("db"), std::nullopt) << "make() threw, so nothing may be stored for \"db\".";
  auto got = std::make_shared<int>(0);
  watched([r, got] { *got = r->get_or_create("db", [] { return 3; }); },
          "After a factory threw, the next get_or_create(\"db\") waits forever: the exception left something "
          "behind, the mutex still locked (lock() and unlock() by hand: use sync::lock_guard / unique_lock) or a "
          "\"being built\" mark that nobody removes (clean up in a catch and rethrow).");
  if (::testing::Test::HasFatalFailure()) return;
  EXPECT_EQ(*got, 3) << "after a factory threw, the next get_or_create(\"db\") must try again with its own "
                        "factory and return its 3; it returned " << *got << '.';
}

// A factory that throws must leave the key to the next caller. This matters most to a get_or_create() that makes
// racing callers wait for one build instead of building twice (the final version): the builder must take its
// "being built" mark away and wake the waiters on the exception path too, or a waiter sleeps forever.
constexpr const char* kThrowLeftWaiter =
    "Thread a's factory for \"db\" threw while this thread waited for a's build. When make() throws, the "
    "\"being built\" mark must be removed and the waiters notified, exactly as when it returns (a try/catch around "
    "make() that cleans up and rethrows); and an exception must never leave the mutex locked (use "
    "sync::lock_guard / sync::unique_lock, not lock() and unlock() by hand).";

CONCLAB_SIM_TEST(RegistryTest, AThrowingFactoryLeavesTheKeyToTheNextCaller) {
  conclab::sim::explain("thread a's factory threw while this thread may have been waiting for a's build of \"db\" "
                        "(a get_or_create() that makes racing callers wait for one build). The exception path must "
                        "remove the \"being built\" mark and notify the waiters, as the normal path does; and the "
                        "mutex must not stay locked when the exception leaves (sync::lock_guard / unique_lock)");
  struct State {
    Registry r;
    bool a_threw = false;
    std::optional<int> a_got;
    int b_got = 0;
  };
  auto state = std::make_shared<State>();
  watched(
      [state] {
        sync::jthread a([state] {
          try {
            state->a_got = state->r.get_or_create("db", []() -> int { throw std::runtime_error("no connection"); });
          } catch (const std::runtime_error&) {
            state->a_threw = true;
          }
        });
        state->b_got = state->r.get_or_create("db", [] { return 5; });
      },  // a joined
      kThrowLeftWaiter);
  if (::testing::Test::HasFatalFailure()) return;
  EXPECT_EQ(state->b_got, 5) << "thread a's factory for \"db\" throws and this thread's returns 5, so the only "
                                "value that can ever be stored is 5; get_or_create() returned " << state->b_got
                             << " here. Read " << kLesson << ", \"Calling the factory outside the lock\".";
  EXPECT_TRUE(state->a_threw || state->a_got == std::optional<int>(5))
      << "thread a's get_or_create(\"db\") must either throw its factory's exception (it ran make()) or return the "
         "stored 5 (it found \"db\" stored); it returned " << show(state->a_got) << " without throwing.";
  EXPECT_EQ(state->r.find("db"), std::optional<int>(5))
      << "after both calls, \"db\" must be stored with 5; find() gives " << show(state->r.find("db")) << '.';
}

// ---------------------------------------------------------------------------------------------------------
// Many threads on real threads: a stress test (the sim tests above are the deterministic ones).

TEST(RegistryTest, ManyThreadsRacingForEachKeyAgreeOnOneWinner) {
  constexpr int kThreads = 4;
  constexpr int kKeys = 300;
  Registry r;
  // won[t][k]: thread t was told it inserted key k. got[t][k]: what get_or_create("g" + k) returned to t.
  std::vector<std::vector<char>> won(kThreads, std::vector<char>(kKeys, 0));
  std::vector<std::vector<int>> got(kThreads, std::vector<int>(kKeys, 0));
  std::vector<std::vector<char>> took(kThreads, std::vector<char>(kKeys, 0));
  conclab::run_threads(kThreads, [&](int t) {
    for (int k = 0; k < kKeys; ++k) {
      won[t][k] = r.insert_if_absent("i" + std::to_string(k), t) ? 1 : 0;
      got[t][k] = r.get_or_create("g" + std::to_string(k), [&] { return t * 1000 + k; });
      took[t][k] = r.take("i" + std::to_string(k)).has_value() ? 1 : 0;
    }
  });
  for (int k = 0; k < kKeys; ++k) {
    // A key can be inserted again after a take, so several threads may win "i<k>" in turn; but every value
    // stored is taken at most once, so (inserts) - (takes) is 1 if "i<k>" is still stored and 0 if not.
    int inserts = 0;
    int takes = 0;
    for (int t = 0; t < kThreads; ++t) {
      inserts += won[t][k];
      takes += took[t][k];
    }
    const int left = r.find("i" + std::to_string(k)) ? 1 : 0;
    if (inserts - takes != left) {
      ADD_FAILURE() << kThreads << " threads each called insert_if_absent(\"i" << k << "\") then take(\"i" << k
                    << "\"): " << inserts << " calls were told they inserted, " << takes << " took a value, and "
                    << left << " value is left. Every insert that reports true stored one value, and every value "
                    << "is taken once: the counts must match. "
                    << (inserts - takes > left ? "More inserts won than values existed: two callers were told they "
                                                 "inserted the same key (check-then-act). "
                                               : "More takes than values: two callers took the same value "
                                                 "(top-then-pop). ")
                    << "Read " << kLesson << '.';
      return;
    }
    for (int t = 1; t < kThreads; ++t) {
      if (got[t][k] != got[0][k]) {
        ADD_FAILURE() << kThreads << " threads called get_or_create(\"g" << k << "\") and thread 0 got "
                      << got[0][k] << " but thread " << t << " got " << got[t][k]
                      << ": every caller must get the one stored value. Read " << kLesson << '.';
        return;
      }
    }
    if (r.find("g" + std::to_string(k)) != std::optional<int>(got[0][k])) {
      ADD_FAILURE() << "get_or_create(\"g" << k << "\") returned " << got[0][k] << " but find() gives "
                    << show(r.find("g" + std::to_string(k))) << ": it must return what it stored.";
      return;
    }
  }
}

}  // namespace
