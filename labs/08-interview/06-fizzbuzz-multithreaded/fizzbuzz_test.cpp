// Graded tests for drill 08.06, fizzbuzz-multithreaded (LeetCode 1195's contract). Lesson:
// modules/08-interview/03-counting-threads.md.
//
// Four threads call fizz(), buzz(), fizzbuzz() and number() at once; each callback appends what it prints to
// one log under the test's mutex, and the test compares the log with the sequence, word by word, naming the
// first difference. Every n from 1 to 50 (the problem's range) runs on real threads, under a watchdog: a thread
// left waiting when the game is over fails the test with words instead of hanging the run. The interleavings
// that break a subtler answer (notify_one where four threads wait, `if` instead of `while`, a counter read
// outside the lock) are decided by the sim test: the explorer runs every schedule of the four threads counting
// to five, with spurious wakeups, and checks plain memory for data races.
#include <fizzbuzz.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "conclab/sim_test.hpp"
#include "conclab/sync.hpp"
#include "conclab/watchdog.hpp"

namespace {

namespace sync = conclab::sync;

constexpr const char* kLesson = " (lesson: modules/08-interview/03-counting-threads.md)";

// A correct FizzBuzz takes microseconds here; a game still running after this much real time is stuck for
// good. Not a timing assertion: it decides nothing for correct code (conclab/watchdog.hpp).
const std::chrono::milliseconds kPatience = conclab::patience(std::chrono::seconds(1));

std::vector<std::string> expected(int n) {
  std::vector<std::string> out;
  for (int i = 1; i <= n; ++i) {
    if (i % 15 == 0) {
      out.emplace_back("fizzbuzz");
    } else if (i % 3 == 0) {
      out.emplace_back("fizz");
    } else if (i % 5 == 0) {
      out.emplace_back("buzz");
    } else {
      out.push_back(std::to_string(i));
    }
  }
  return out;
}

std::string joined(const std::vector<std::string>& words) {
  std::string s;
  for (const auto& w : words) s += (s.empty() ? "" : " ") + w;
  return s;
}

// The game's shared state: the object and the log. Owned by a shared_ptr, because a stuck game's threads are
// left behind by the watchdog and must not outlive what they use.
// The i-th word said takes slot i (one atomic fetch_add: a single switch point for the explorer, and it orders
// nothing the solution does not order itself); the test's thread reads the slots after the game.
struct Game {
  static constexpr int kSlots = 64;
  explicit Game(int n) : fb(n) {}
  lab::FizzBuzz fb;
  sync::atomic<int> said{0};
  std::string words[kSlots];

  void say(std::string word) {
    const int i = said.fetch_add(1);
    if (i < kSlots) words[i] = std::move(word);
  }
  std::vector<std::string> log() const {
    const int n = said.load();
    return std::vector<std::string>(words, words + (n < kSlots ? n : kSlots));
  }
};

// Plays the game with four threads: three started here and the caller's own thread as number().
void play(Game& g) {
  sync::jthread fizz([&] { g.fb.fizz([&] { g.say("fizz"); }); });
  sync::jthread buzz([&] { g.fb.buzz([&] { g.say("buzz"); }); });
  sync::jthread fizzbuzz([&] { g.fb.fizzbuzz([&] { g.say("fizzbuzz"); }); });
  g.fb.number([&](int i) { g.say(std::to_string(i)); });
}

// The verdict on a finished game: empty when right, else the first difference, explained.
std::string judge(const std::vector<std::string>& got, int n) {
  const std::vector<std::string> want = expected(n);
  std::ostringstream out;
  std::size_t i = 0;
  while (i < got.size() && i < want.size() && got[i] == want[i]) ++i;
  if (i == got.size() && i == want.size()) return {};
  out << "n = " << n << ": expected \"" << joined(want) << "\"\n  but got \"" << joined(got) << "\".\n  ";
  if (i == got.size()) {
    out << "The output stops after " << got.size() << " of " << n << " items: the game ended before " << want[i]
        << " was said. Check the end condition: the loop must go on while the counter is <= n (the last number "
           "is n itself), and no thread may give up before the counter is past n";
  } else if (i == want.size()) {
    out << "There is more than n = " << n << " items: \"" << got[i] << "\" came after the last one. After every "
        << "wait, look again whether the counter is past n (a thread that waited while the last number was said "
        << "must not say anything more)";
  } else if (want[i] == "fizzbuzz") {
    out << "Item " << i + 1 << " is " << i + 1 << ", a multiple of 15 and so of 3 and of 5: it is \"fizzbuzz\", not \""
        << got[i] << "\". Test divisibility by 15 first (or make fizz's predicate `i % 3 == 0 && i % 5 != 0`)";
  } else {
    out << "Item " << i + 1 << " should be \"" << want[i] << "\" but is \"" << got[i]
        << "\": the thread whose turn it was did not go, or another went out of turn. Each thread must say only "
        << "ITS numbers, and only when the shared counter is exactly that number (re-check after every wakeup)";
  }
  out << kLesson;
  return out.str();
}

// Plays one game of n on real threads under the watchdog; returns the verdict.
std::string watched_game(int n) {
  auto g = std::make_shared<Game>(n);
  if (!conclab::returns_in_time([g] { play(*g); }, kPatience)) {
    return "n = " + std::to_string(n) + ": the four calls had not all returned after " +
           std::to_string(kPatience.count() / 1000.0) +
           " s (a correct FizzBuzz takes microseconds here). A thread is waiting for a turn that will never come: "
           "when the counter passes n, EVERY thread must see it and return, so the thread that says the last "
           "number must wake all the others (notify_all, or release each one's semaphore) before it leaves; and "
           "no thread may leave its loop before the counter is past n while others wait for it to move the "
           "counter on. The explorer shows the schedule: ./conclab explore 08.06" +
           std::string(kLesson);
  }
  return judge(g->log(), n);
}

TEST(FizzBuzzTest, FifteenIsFizzBuzz) {
  if (sync::kSimulated) GTEST_SKIP() << "real threads: decided in the default and ThreadSanitizer builds";
  const std::string verdict = watched_game(15);
  EXPECT_TRUE(verdict.empty()) << verdict;
}

TEST(FizzBuzzTest, EveryThreadCanSayTheLastNumber) {
  if (sync::kSimulated) GTEST_SKIP() << "real threads: decided in the default and ThreadSanitizer builds";
  // The last number belongs to number() for n = 1, to fizz() for 3, to buzz() for 5, to fizzbuzz() for 15: each
  // thread in turn must end the game and let the other three go.
  for (const int n : {1, 3, 5, 15}) {
    const std::string verdict = watched_game(n);
    ASSERT_TRUE(verdict.empty()) << verdict;
  }
}

TEST(FizzBuzzTest, EveryNFromOneToFifty) {
  if (sync::kSimulated) GTEST_SKIP() << "real threads: decided in the default and ThreadSanitizer builds";
  for (int n = 1; n <= 50; ++n) {
    const std::string verdict = watched_game(n);
    ASSERT_TRUE(verdict.empty()) << verdict;
  }
}

constexpr const char* kStuck =
    "three of the threads played a game of three, \"1 2 fizz\", and a thread never returned. Look at who is asleep: "
    "a thread whose turn it is, never woken (notify_one wakes ONE waiter, maybe the wrong one, which goes back to "
    "sleep), or a thread still waiting after the last number (the thread that says it must wake everyone before "
    "it leaves)";

// Every schedule of a game of three, "1 2 fizz", played by number() (the test's own thread), fizz() and buzz().
// buzz() says nothing and must still return; fizzbuzz() is not called at all (it has nothing to say below 15,
// and a fourth thread would multiply the explorer's work beyond its budget). Two threads wait while the third
// works, so waking the right one matters.
constexpr int kSimN = 3;
CONCLAB_SIM_TEST(FizzBuzzTest, ThreeThreadsCountToThree) {
  conclab::sim::explain(std::string(kStuck) + kLesson);
  auto g = std::make_shared<Game>(kSimN);
  {
    sync::jthread fizz([&] { g->fb.fizz([&] { g->say("fizz"); }); });
    sync::jthread buzz([&] { g->fb.buzz([&] { g->say("buzz"); }); });
    g->fb.number([&](int i) { g->say(std::to_string(i)); });
  }
  const std::string verdict = judge(g->log(), kSimN);
  EXPECT_TRUE(verdict.empty()) << verdict;
}

}  // namespace
