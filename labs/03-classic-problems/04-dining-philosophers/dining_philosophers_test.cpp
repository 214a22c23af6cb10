// Graded tests for lab 03.04, dining philosophers. Lesson:
// modules/03-classic-problems/04-livelock-and-dining-philosophers.md.
//
// The tests play the philosophers: one thread per philosopher calls table.dine(p, meals, eat), and the test's
// eat(p) checks what the table promises. It marks the two forks next to p as in use while it runs, so two
// neighbours eating at once are caught in the act (ForkWatch); it can wait for another philosopher to be eating
// too (a non-neighbour must be able to eat alongside); and the on_hungry hook tells the test when a
// philosopher's request is on record, so the test can hold its neighbours until then and check who eats first.
//
// Deadlock, livelock and the order of meals depend on the schedule, and a stress test rarely hits the bad one.
// The sim tests (CONCLAB_SIM_TEST) run under the explorer in the sim build: it tries every schedule of the
// philosophers' threads with up to two preemptions and reports a deadlock (everyone blocked), a livelock (a
// thread that never ends) or a broken assertion, with the schedule step by step. In the other builds they run
// 20 times on real threads, under a watchdog, so a hang there ends with a message instead of the lab's timeout.
#include <dining_philosophers.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "conclab/sim_test.hpp"
#include "conclab/sync.hpp"
#include "conclab/finishes.hpp"
#include "conclab/watchdog.hpp"

namespace {

namespace sync = conclab::sync;

constexpr const char* kLesson = "modules/03-classic-problems/04-livelock-and-dining-philosophers.md";

// The watchdog (conclab/watchdog.hpp): a correct table serves these few meals in microseconds, even under
// ThreadSanitizer on a busy machine; a body that has not returned after kPatience of real time is blocked for
// good. Not a timing assertion: it decides nothing for a correct table, only when a stuck one gets its message.
const std::chrono::milliseconds kPatience = conclab::patience(std::chrono::seconds(3));

// A test body that can block. In the sim build it is the body itself (the explorer reports a deadlock with what
// each thread holds and waits for, or a thread that never ends); on real threads it runs under the watchdog. The
// body owns its state through a shared_ptr: on a hang its thread is left behind with it.
void watched(std::function<void()> body, const std::string& if_stuck) {
  ASSERT_TRUE(conclab::finishes_in_time(std::move(body), kPatience))
      << "not finished after " << kPatience.count() / 1000.0
      << " s (a correct table serves these meals in microseconds): " << if_stuck
      << ".\nThe sim build shows the schedule that gets stuck, step by step: ./conclab explore 03.04. Read " << kLesson
      << '.';
}

int right_fork(int p, int n) { return (p + 1) % n; }  // p's left fork is fork p

// The test's side of the forks: which forks are in use right now, marked by eat(p) while it runs (one bit per fork,
// in one atomic, so that taking both is one step of the schedule). Two neighbours share a fork, so a philosopher who
// starts eating while its neighbour eats finds the shared fork already marked.
class ForkWatch {
 public:
  explicit ForkWatch(int n) : n_(n) {}

  // Called by eat(p): marks p's two forks as in use, checks that nobody was using them, and clears them again.
  void eat(int p) {
    const unsigned mine = bit(p) | bit(right_fork(p, n_));
    const unsigned busy = in_use_.fetch_or(mine) & mine;
    if (busy != 0) {
      const int fork = (busy & bit(p)) != 0 ? p : right_fork(p, n_);
      const int neighbour = fork == p ? (p + n_ - 1) % n_ : right_fork(p, n_);
      ADD_FAILURE() << "philosopher " << p << " started eating while its neighbour, philosopher " << neighbour
                    << ", was eating: both were using fork " << fork << ", the fork between them.\n"
                    << "eat(p) may run only while p holds BOTH its forks, so two neighbours never eat at once. "
                    << "Did eat() run with one fork taken (a lock_guard that was a temporary, a check of one "
                    << "neighbour only), or did a wait return without re-checking (`if` where a `while` belongs: a "
                    << "condition variable may wake up for no reason, and the explorer tries that)? Read \"A waiter "
                    << "who keeps a queue\" in " << kLesson << '.';
    }
    in_use_.fetch_and(~mine);
  }

 private:
  static unsigned bit(int fork) { return 1U << fork; }

  const int n_;
  sync::atomic<unsigned> in_use_{0};  // bit f: fork f is in someone's hands while they eat
};

std::string list(const std::vector<int>& v) {
  std::ostringstream out;
  for (std::size_t i = 0; i < v.size(); ++i) out << (i ? ", " : "") << v[i];
  return out.str();
}

TEST(TableTest, OnePhilosopherEatsAllItsMealsAlone) {
  struct State {
    std::vector<int> ate, hungry;  // who eat() and on_hungry() were called with, in order
    lab::Table table{3, [this](int p) { hungry.push_back(p); }};
  };
  auto s = std::make_shared<State>();
  watched([s] { s->table.dine(1, 3, [s](int p) { s->ate.push_back(p); }); },
          "philosopher 1 dined alone, 3 meals, with nobody else at the table, and dine() did not return. Nothing "
          "can be in its way: does it wait for a notify that only another philosopher would send, or lock a "
          "mutex it already holds?");
  if (::testing::Test::HasFatalFailure()) return;
  EXPECT_EQ(s->ate, (std::vector<int>{1, 1, 1}))
      << "dine(1, 3, eat) must call eat(1) once per meal, 3 times, with the philosopher's number; it called eat() "
      << s->ate.size() << " times, with: " << list(s->ate) << ". Read " << kLesson << '.';
  EXPECT_EQ(s->hungry, (std::vector<int>{1, 1, 1}))
      << "dine(1, 3, eat) must call on_hungry(1) once per meal, 3 times (the test hook in the Table's constructor: "
      << "call it once the philosopher's request is on record, before it waits); it was called " << s->hungry.size()
      << " times, with: " << list(s->hungry) << ". The fairness test needs it to know who asked first. Read "
      << kLesson << '.';
}

// The playable test (`./conclab play 03.04`): two philosophers, two forks, one meal each.
CONCLAB_SIM_TEST(TableTest, TwoPhilosophersEatOnceEachWithoutDeadlock) {
  conclab::sim::explain(
      "two philosophers, one meal each, and they never finish. Blocked for good (a deadlock): with a mutex per fork "
      "taken left then right, philosopher 0 holds fork 0 and waits for fork 1, philosopher 1 holds fork 1 and waits "
      "for fork 0, hold-and-wait in a circle; take the forks in one global order, or have a waiter hand out both "
      "at once. Running for ever ('never ends', a livelock): a philosopher who puts its fork back when the other is "
      "taken and tries again at once makes no progress of its own; wait instead of retrying. See \"The deadlock at "
      "the table\" and \"Livelock: busy, and nobody eats\" in " +
      std::string(kLesson));
  struct State {
    lab::Table table{2};
    int meals[2] = {0, 0};  // plain: each philosopher writes only its own, and the joins order the reads
  };
  auto s = std::make_shared<State>();
  watched(
      [s] {
        auto eat = [&](int p) { ++s->meals[p]; };
        sync::jthread p0([&] { s->table.dine(0, 1, eat); });
        s->table.dine(1, 1, eat);  // the test's own thread is philosopher 1
      },
      "two philosophers, one meal each, and they are stuck: each waits for something the other holds (a "
      "deadlock, if each took one fork and waits for the other's), or retries for ever (a livelock, if each puts "
      "its fork back and tries again in step with the other)");
  if (::testing::Test::HasFatalFailure()) return;
  EXPECT_TRUE(s->meals[0] == 1 && s->meals[1] == 1)
      << "each of the two philosophers dined for one meal, but eat() ran " << s->meals[0] << " time(s) for "
      << "philosopher 0 and " << s->meals[1] << " for philosopher 1: every meal must be eaten, once. Read " << kLesson
      << '.';
}

// Philosophers 0 and 1 of 3 share fork 1 (0's right, 1's left), and nothing else: each holding only one fork, they
// could both eat. Philosopher 2 stays away, so nobody else keeps them apart.
CONCLAB_SIM_TEST(TableTest, NeighboursNeverEatAtTheSameTime) {
  conclab::sim::explain(
      "philosophers 0 and 1 of 3, one meal each, and they never finish: one of them waits for something nobody "
      "will give it (a fork its neighbour never puts back, a notify nobody sends), or retries for ever (a "
      "philosopher who puts its fork back and tries again at once: 'never ends', a livelock). See \"A waiter who "
      "keeps a queue\" and \"Livelock: busy, and nobody eats\" in " +
      std::string(kLesson));
  struct State {
    ForkWatch forks{3};
    lab::Table table{3};
  };
  auto s = std::make_shared<State>();
  watched(
      [s] {
        auto eat = [&](int p) { s->forks.eat(p); };
        sync::jthread p0([&] { s->table.dine(0, 1, eat); });
        s->table.dine(1, 1, eat);  // the test's own thread is philosopher 1
      },
      "philosophers 0 and 1 of 3, one meal each, and they are stuck: one of them waits for something nobody will "
      "give it (a fork never put back, or a philosopher asleep although its forks are free: a lost wakeup)");
}

CONCLAB_SIM_TEST(TableTest, TwoNonNeighboursEatAtTheSameTime) {
  conclab::sim::explain(
      "philosophers 0 and 2 of 4 are not neighbours: they share no fork, so both must be able to eat at the same "
      "time. In this test each one's meal waits until the other is eating too, and they never finish: the table "
      "let only one of them eat at a time. A single lock held around every meal (or a waiter who seats one "
      "philosopher at a time) is free of deadlock only because it serialises everyone. Keep them apart by their "
      "forks, not by one lock. See \"A waiter who keeps a queue\" in " +
      std::string(kLesson));
  struct State {
    sync::latch both_eating{2};  // each of the two meals waits here until the other meal has started
    lab::Table table{4};
  };
  auto s = std::make_shared<State>();
  watched(
      [s] {
        auto eat = [&](int) { s->both_eating.arrive_and_wait(); };
        sync::jthread p0([&] { s->table.dine(0, 1, eat); });
        s->table.dine(2, 1, eat);  // the test's own thread is philosopher 2
      },
      "philosophers 0 and 2 of 4 (not neighbours: they share no fork) each waited, inside eat(), for the other to "
      "be eating too, and that never happened: the table lets only one philosopher eat at a time. A lock held "
      "around every meal is deadlock-free only because it serialises everyone; keep philosophers apart by their "
      "forks (or their neighbours' state), not by one lock");
}

// Fairness, counted, not timed. Philosopher 0 of 2 starts eating; while it eats, philosopher 1 (its neighbour, on
// both sides) becomes hungry; then 0 finishes and at once asks for a second meal. Philosopher 1 asked first, so it
// must eat before 0 eats again.
CONCLAB_SIM_TEST(TableTest, AHungryPhilosopherEatsBeforeItsNeighbourEatsAgain) {
  conclab::sim::explain(
      "the test holds philosopher 0 inside its first meal until on_hungry(1) is called, and the meals never end. "
      "Does dine() call on_hungry(p) for every meal, once p's request is on record and before it waits? (Called "
      "while p holds a fork, or never, it leaves its neighbour eating for ever.) See \"A waiter who keeps a queue\" "
      "in " +
      std::string(kLesson));
  struct State {
    sync::latch one_hungry{1};  // on_hungry(1) was called
    lab::Table table{2, [this](int p) {
                       if (p == 1) one_hungry.count_down();
                     }};
    // Who started each meal, in order. Plain: the two philosophers are neighbours, so a correct table orders all
    // their meals (the explorer reports a data race here when two of them overlap).
    int meals_started = 0;
    int order[3] = {-1, -1, -1};
  };
  auto s = std::make_shared<State>();
  watched(
      [s] {
        auto record = [&](int who) {
          const int i = s->meals_started++;
          if (i < 3) s->order[i] = who;
        };
        sync::jthread p1;  // joined when the body ends
        s->table.dine(0, 2, [&](int who) {  // the test's own thread is philosopher 0, two meals
          record(who);
          if (!p1.joinable()) {  // during the first meal: philosopher 1 becomes hungry, then 0 puts its forks down
            p1 = sync::jthread([&] { s->table.dine(1, 1, record); });
            s->one_hungry.wait();
          }
        });
      },
      "philosopher 0 was held inside its first meal until on_hungry(1) was called, and the meals never ended. Does "
      "dine() call on_hungry(p) once per meal, once p's request is on record and before it waits? If it is called "
      "while p holds a fork, or never, the test keeps p's neighbour eating for ever");
  if (::testing::Test::HasFatalFailure()) return;
  const std::vector<int> order(std::begin(s->order), std::end(s->order));
  ASSERT_EQ(s->meals_started, 3) << "philosopher 0 dined 2 meals and philosopher 1 one, but eat() was called "
                                 << s->meals_started << " times (who, in order: " << list(order)
                                 << "): dine(p, meals, eat) must call eat(p) once per meal. Read " << kLesson << '.';
  EXPECT_EQ(s->order[1], 1)
      << "philosopher 1 became hungry (on_hungry(1) was called) while its neighbour, philosopher 0, was eating; "
      << "then 0 finished and at once asked for another meal. Philosopher 1 asked first, so it must eat next, "
      << "before 0 eats again. The meals started in the order: " << list(order) << ".\n"
      << "A mutex (or a waiter who seats whoever finds both forks free) does not queue: a philosopher who puts a "
      << "fork down and asks again at once can take it back before the neighbour who waited for it all along, "
      << "again and again. The lab asks for first come, first served between neighbours: give each hungry "
      << "philosopher a ticket when it asks (and call on_hungry(p) after that), and let p eat only when no "
      << "neighbour is eating and no hungry neighbour holds an earlier ticket. Read \"Starvation: fairness you can "
      << "count\" in " << kLesson << '.';
}

// First come, first served, with two waiting. Three philosophers: each is the neighbour of both others. While 0
// eats, 1 becomes hungry, and then 2. When 0 puts its forks down, both waiters could use them: 1 asked first, so 1
// eats, then 2. With one condition variable for everyone, put_down() must wake both (notify_all): notify_one may
// wake 2, who gives way to 1 and sleeps again, while 1 sleeps on although it may eat.
CONCLAB_SIM_TEST(TableTest, HungryNeighboursEatInTheOrderTheyAsked) {
  conclab::sim::explain(
      "three philosophers, one meal each: 0 eats until 1 and then 2 have called on_hungry, and they never finish. "
      "If everyone ended up waiting, asleep: was a philosopher who may eat now left asleep? After a put_down, "
      "every waiter must re-check (notify_all on a condition variable they share), or the waiter must wake exactly "
      "the philosophers it lets eat. And does dine() call on_hungry(p) for every meal, before p waits? See \"A "
      "waiter who keeps a queue\" in " +
      std::string(kLesson));
  struct State {
    sync::latch one_hungry{1};  // on_hungry(1) was called
    sync::latch two_hungry{1};  // on_hungry(2) was called
    lab::Table table{3, [this](int p) {
                       if (p == 1) one_hungry.count_down();
                       if (p == 2) two_hungry.count_down();
                     }};
    // Who started each meal, in order. Plain: all three are neighbours, so a correct table orders their meals.
    int meals_started = 0;
    int order[3] = {-1, -1, -1};
  };
  auto s = std::make_shared<State>();
  watched(
      [s] {
        auto record = [&](int who) {
          const int i = s->meals_started++;
          if (i < 3) s->order[i] = who;
        };
        sync::jthread p1, p2;  // joined when the body ends, after philosopher 0's meal
        s->table.dine(0, 1, [&](int who) {  // the test's own thread is philosopher 0; while it eats:
          record(who);
          p1 = sync::jthread([&] { s->table.dine(1, 1, record); });  // 1 becomes hungry,
          s->one_hungry.wait();
          p2 = sync::jthread([&] { s->table.dine(2, 1, record); });  // then 2,
          s->two_hungry.wait();                               // and then 0 puts its forks down
        });
      },
      "three philosophers, one meal each: 0 ate until 1 and then 2 had called on_hungry, and the meals never ended. "
      "If 1 and 2 are asleep with their forks free, a wakeup was lost: with one condition variable, put_down() must "
      "notify_all (notify_one may wake 2, who gives way to 1 and sleeps again, while 1 sleeps on). Or on_hungry(p) "
      "is not called for every meal before p waits");
  if (::testing::Test::HasFatalFailure()) return;
  const std::vector<int> order(std::begin(s->order), std::end(s->order));
  ASSERT_EQ(s->meals_started, 3) << "three philosophers dined one meal each, but eat() was called "
                                 << s->meals_started << " times (who, in order: " << list(order)
                                 << "): dine(p, meals, eat) must call eat(p) once per meal. Read " << kLesson << '.';
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}))
      << "philosopher 0 ate; while it ate, philosopher 1 became hungry (on_hungry(1)), and then philosopher 2. All "
      << "three are neighbours. When 0 put its forks down, 1 had asked first, so the meals must start in the order "
      << "0, 1, 2; they started in the order: " << list(order) << ".\n"
      << "A waiter who lets in whoever finds both forks free, or a mutex per fork, lets 2 cut in ahead of 1 (and "
      << "can do it to 1 for ever). Give each hungry philosopher a ticket when it asks, and let p eat only when no "
      << "neighbour is eating and no hungry neighbour holds an earlier ticket. Read \"Starvation: fairness you can "
      << "count\" in " << kLesson << '.';
}

TEST(TableTest, FivePhilosophersEatTwoHundredMealsEach) {
  constexpr int kN = 5;
  constexpr int kMeals = 200;
  struct State {
    ForkWatch forks{kN};
    std::vector<sync::atomic<int>> ate = std::vector<sync::atomic<int>>(kN);
    std::vector<sync::atomic<int>> hungry = std::vector<sync::atomic<int>>(kN);
    lab::Table table{kN, [this](int p) { hungry[static_cast<std::size_t>(p)].fetch_add(1); }};
  };
  auto s = std::make_shared<State>();
  watched(
      [s] {
        std::vector<sync::jthread> philosophers;
        for (int p = 0; p < kN; ++p) {
          philosophers.emplace_back([s, p] {
            s->table.dine(p, kMeals, [s](int who) {
              s->forks.eat(who);
              s->ate[static_cast<std::size_t>(who)].fetch_add(1);
            });
          });
        }
      },
      "five philosophers, 200 meals each, and they are stuck. The usual cause: each took one fork and waits for "
      "its neighbour's (a deadlock: with forks taken left then right, it happens as soon as all five take their "
      "left fork at once); or a philosopher asleep although its forks are free (a lost wakeup: notify_one where "
      "every waiter must re-check)");
  if (::testing::Test::HasFatalFailure()) return;
  for (int p = 0; p < kN; ++p) {
    const auto up = static_cast<std::size_t>(p);
    EXPECT_EQ(s->ate[up].load(), kMeals) << "philosopher " << p << " dined " << kMeals << " meals, but eat(" << p
                                         << ") ran " << s->ate[up].load() << " times: every meal is eaten, once.";
    EXPECT_EQ(s->hungry[up].load(), kMeals)
        << "philosopher " << p << " dined " << kMeals << " meals, but on_hungry(" << p << ") was called "
        << s->hungry[up].load() << " times: call it once per meal, when the request is on record. Read " << kLesson
        << '.';
  }
}

}  // namespace
