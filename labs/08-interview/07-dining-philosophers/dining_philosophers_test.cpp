// Graded tests for drill 08.07, dining philosophers (LeetCode 1226). Lesson:
// modules/08-interview/05-philosophers-and-crawlers.md; the problem in depth: lab 03.04.
//
// The tests play LeetCode's judge. Every callback a philosopher is given records one triple [id, fork, op] in a
// log, under a mutex: fork 1 is the left fork, 2 the right one, 0 for eat; op 1 is pick, 2 is put, 3 is eat. When
// the philosophers are done, the test replays the log with the forks on the table: a fork picked up while it is
// in another philosopher's hands, a fork put down by someone who does not hold it, a meal eaten without both
// forks, a call that does not pick, eat and put exactly once each, all fail with the part of the log that shows
// it.
//
// Deadlock and two hands on one fork take a particular schedule, which a stress test rarely hits. The sim tests
// (CONCLAB_SIM_TEST) run under the explorer in the sim build: it tries every schedule with up to two
// preemptions (plus spurious wakeups and try_lock failures) and reports a broken replay, a deadlock or a thread
// that never ends, with the schedule step by step. In the other builds they run 20 times on real threads, under
// a watchdog, so a hang there ends with a message.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <dining_philosophers.hpp>
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

constexpr const char* kLesson = "modules/08-interview/05-philosophers-and-crawlers.md";
constexpr int kPhilosophers = 5;

// The watchdog (conclab/watchdog.hpp): a correct table serves these meals in microseconds, even under
// ThreadSanitizer on a busy machine. Not a timing assertion: it decides nothing for a correct table, only when a
// stuck one gets its message.
const std::chrono::milliseconds kPatience = conclab::patience(std::chrono::seconds(2));

// Runs a body that can block. In the sim build it is the body itself (the explorer reports a deadlock with what
// each thread holds and waits for). On real threads it runs under the watchdog; the body owns its state through
// a shared_ptr, so on a hang its thread can be left behind with it.
void watched(std::function<void()> body, const std::string& if_stuck) {
  ASSERT_TRUE(conclab::finishes_in_time(std::move(body), kPatience))
      << "not finished after " << kPatience.count() / 1000.0
      << " s (a correct table serves these meals in microseconds): " << if_stuck
      << ".\nThe sim build shows the schedule that gets stuck, step by step: ./conclab explore 08.07. Read " << kLesson
      << '.';
}

int left_fork(int p) { return p; }
int right_fork(int p) { return (p + 1) % kPhilosophers; }

// One callback call, as LeetCode prints it.
struct Event {
  int who;   // the philosopher, 0..4
  int fork;  // 1: its left fork, 2: its right fork, 0: none (eat)
  int op;    // 1: pick, 2: put, 3: eat
};

std::string triple(const Event& e) {
  return "[" + std::to_string(e.who) + "," + std::to_string(e.fork) + "," + std::to_string(e.op) + "]";
}

std::string words(const Event& e) {
  const std::string side = e.fork == 1 ? "left" : "right";
  const int fork = e.fork == 1 ? left_fork(e.who) : right_fork(e.who);
  switch (e.op) {
    case 1:
      return "philosopher " + std::to_string(e.who) + " picks up its " + side + " fork (fork " + std::to_string(fork) +
             ")";
    case 2:
      return "philosopher " + std::to_string(e.who) + " puts down its " + side + " fork (fork " + std::to_string(fork) +
             ")";
    default:
      return "philosopher " + std::to_string(e.who) + " eats";
  }
}

// The log as LeetCode's output, with the event at `mark` flagged.
std::string show(const std::vector<Event>& log, std::size_t mark) {
  std::ostringstream out;
  const std::size_t from = mark > 12 ? mark - 12 : 0;
  const std::size_t to = std::min(log.size(), mark + 3);
  out << "the callbacks, in the order they ran ([id, fork, op]: fork 1 left, 2 right, 0 none; op 1 pick, 2 put, "
         "3 eat)"
      << (from > 0 ? ", from event " + std::to_string(from) : std::string()) << ":\n";
  for (std::size_t i = from; i < to; ++i) {
    out << (i == mark ? "  >> " : "     ") << i << ": " << triple(log[i]) << "  " << words(log[i]) << '\n';
  }
  if (to < log.size()) out << "     ... (" << log.size() - to << " more)\n";
  return out.str();
}

// Replays `log` with five forks on the table, given how many times each philosopher called wantsToEat (and got
// back from it). Returns "" when the dinner was correct, else what went wrong, in words, with the log around it.
std::string replay(const std::vector<Event>& log, const std::array<int, kPhilosophers>& calls) {
  std::array<int, kPhilosophers> holder{};  // fork -> philosopher holding it, or -1
  holder.fill(-1);
  std::array<int, kPhilosophers> picked{}, ate{}, put{};  // per philosopher, within its current call
  std::array<int, kPhilosophers> meals{};
  const std::string fix =
      "Each call must pick up both forks, eat, and put both down, in that order, and a fork must be in one "
      "philosopher's hands at a time: a philosopher's pick callback may run only once the fork is truly its own "
      "(its lock held), and its put callback before anyone else can take the fork (before the unlock). Read \""
      "The interview answer\" in " +
      std::string(kLesson) + '.';
  for (std::size_t i = 0; i < log.size(); ++i) {
    const Event& e = log[i];
    const auto p = static_cast<std::size_t>(e.who);
    if (e.who < 0 || e.who >= kPhilosophers || e.op < 1 || e.op > 3) {
      return "event " + std::to_string(i) + " is not one the tests' callbacks record.\n" + show(log, i);
    }
    if (e.op == 3) {
      const int l = holder[static_cast<std::size_t>(left_fork(e.who))];
      const int r = holder[static_cast<std::size_t>(right_fork(e.who))];
      if (l != e.who || r != e.who) {
        std::ostringstream out;
        out << "philosopher " << e.who << " ate (event " << i << ") without holding both its forks: its left fork "
            << left_fork(e.who) << " was "
            << (l == e.who ? "in its hands"
                : l < 0    ? "on the table"
                           : "in philosopher " + std::to_string(l) + "'s hands")
            << ", its right fork " << right_fork(e.who) << " "
            << (r == e.who ? "in its hands"
                : r < 0    ? "on the table"
                           : "in philosopher " + std::to_string(r) + "'s hands")
            << ". eat() may run only between the two picks and the two puts.\n"
            << show(log, i) << fix;
        return out.str();
      }
      if (ate[p] != 0)
        return "philosopher " + std::to_string(e.who) + " ate twice in one call (event " + std::to_string(i) +
               "): each call eats once.\n" + show(log, i) + fix;
      ate[p] = 1;
      continue;
    }
    const int fork = e.fork == 1 ? left_fork(e.who) : e.fork == 2 ? right_fork(e.who) : -1;
    if (fork < 0) return "event " + std::to_string(i) + " names no fork.\n" + show(log, i);
    int& h = holder[static_cast<std::size_t>(fork)];
    if (e.op == 1) {
      if (h == e.who) {
        return "philosopher " + std::to_string(e.who) + " picked up fork " + std::to_string(fork) + " (event " +
               std::to_string(i) + ") that was already in its hands: each call picks each fork once.\n" + show(log, i) +
               fix;
      }
      if (h >= 0) {
        return "philosopher " + std::to_string(e.who) + " picked up fork " + std::to_string(fork) + " (event " +
               std::to_string(i) + ") while it was still in philosopher " + std::to_string(h) +
               "'s hands: philosopher " + std::to_string(h) +
               " had picked it up and not yet put it down. One fork, two hands.\n" + show(log, i) + fix;
      }
      if (ate[p] != 0)
        return "philosopher " + std::to_string(e.who) + " picked up a fork after eating, in the same call (event " +
               std::to_string(i) + ").\n" + show(log, i) + fix;
      h = e.who;
      ++picked[p];
    } else {
      if (h != e.who) {
        return "philosopher " + std::to_string(e.who) + " put down fork " + std::to_string(fork) + " (event " +
               std::to_string(i) + ") that was not in its hands (" +
               (h < 0 ? std::string("it was on the table") : "philosopher " + std::to_string(h) + " held it") + ").\n" +
               show(log, i) + fix;
      }
      if (ate[p] == 0) {
        return "philosopher " + std::to_string(e.who) + " put down fork " + std::to_string(fork) + " (event " +
               std::to_string(i) + ") before eating: a call puts its forks down after eat(), never before.\n" +
               show(log, i) + fix;
      }
      h = -1;
      if (++put[p] == 2) {  // the call's meal is over
        if (picked[p] != 2)
          return "philosopher " + std::to_string(e.who) + "'s call put down two forks but picked up " +
                 std::to_string(picked[p]) + ".\n" + show(log, i) + fix;
        ++meals[p];
        picked[p] = ate[p] = put[p] = 0;
      }
    }
  }
  for (int p = 0; p < kPhilosophers; ++p) {
    const auto up = static_cast<std::size_t>(p);
    if (meals[up] != calls[up] || picked[up] != 0 || ate[up] != 0 || put[up] != 0) {
      std::ostringstream out;
      out << "philosopher " << p << " called wantsToEat " << calls[up]
          << " time(s) and each call returned, but the log "
          << "shows " << meals[up] << " complete meal(s) (two picks, eat, two puts)"
          << (picked[up] + ate[up] + put[up] != 0 ? ", and one more left half done" : "")
          << ": every call must call each of its five callbacks exactly once before it returns.\n"
          << show(log, log.size() == 0 ? 0 : log.size() - 1) << fix;
      return out.str();
    }
  }
  return "";
}

// The judge's side: the callbacks, each recording its triple under a mutex.
class Judge {
 public:
  void dine(lab::DiningPhilosophers& table, int p) {
    table.wantsToEat(
        p,
        [this, p] {
          record({p, 1, 1});
        },
        [this, p] {
          record({p, 2, 1});
        },
        [this, p] {
          record({p, 0, 3});
        },
        [this, p] {
          record({p, 1, 2});
        },
        [this, p] {
          record({p, 2, 2});
        });
  }

  // After every philosopher's thread has been joined.
  const std::vector<Event>& log() const { return log_; }

 private:
  void record(Event e) {
    sync::lock_guard lock(mu_);
    log_.push_back(e);
  }

  sync::mutex mu_;
  std::vector<Event> log_;  // guarded by mu_
};

TEST(DiningPhilosophersTest, OnePhilosopherEatsOneMeal) {
  struct State {
    lab::DiningPhilosophers table;
    Judge judge;
  };
  auto s = std::make_shared<State>();
  watched([s] { s->judge.dine(s->table, 0); },
          "philosopher 0 called wantsToEat once, alone at the table, and it did not return. Nothing can be in its "
          "way: does it wait for something only another philosopher would give it, or lock a mutex twice?");
  if (::testing::Test::HasFatalFailure()) return;
  const std::string problem = s->judge.log().empty()
                                  ? "no callback was called at all: each call of wantsToEat must call pickLeftFork, "
                                    "pickRightFork, eat, putLeftFork and putRightFork."
                                  : replay(s->judge.log(), {1, 0, 0, 0, 0});
  if (!problem.empty()) ADD_FAILURE() << "philosopher 0 ate one meal alone.\n" << problem;
}

// Each philosopher in turn, on the test's thread, one meal each: philosopher 4's forks are 4 and 0.
TEST(DiningPhilosophersTest, EachPhilosopherEatsAloneWithItsOwnForks) {
  struct State {
    lab::DiningPhilosophers table;
    Judge judge;
  };
  auto s = std::make_shared<State>();
  watched(
      [s] {
        for (int round = 0; round < 2; ++round) {
          for (int p = 0; p < kPhilosophers; ++p) s->judge.dine(s->table, p);
        }
      },
      "the five philosophers ate one after another on one thread, two rounds, and a call did not return although "
      "nobody else was at the table: is a fork, a semaphore permit or a flag not given back at the end of a call?");
  if (::testing::Test::HasFatalFailure()) return;
  const std::string problem = replay(s->judge.log(), {2, 2, 2, 2, 2});
  if (!problem.empty()) ADD_FAILURE() << "the five philosophers ate one after another, two rounds.\n" << problem;
}

// Philosophers 0 and 1 share fork 1 (0's right, 1's left), and nothing else: one meal each, at the same time.
CONCLAB_SIM_TEST(DiningPhilosophersTest, TwoNeighboursNeverHoldTheSameFork) {
  conclab::sim::explain(
      "philosophers 0 and 1, one meal each, and they never finish: one of them waits for something nobody will "
      "give it (a fork never put back, a notify nobody sends), or retries for ever. See \"The interview answer\" "
      "in " +
      std::string(kLesson));
  struct State {
    lab::DiningPhilosophers table;
    Judge judge;
  };
  auto s = std::make_shared<State>();
  watched(
      [s] {
        sync::jthread p0([s] { s->judge.dine(s->table, 0); });
        s->judge.dine(s->table, 1);  // the test's own thread is philosopher 1
      },
      "philosophers 0 and 1, one meal each, and they are stuck: one waits for something nobody will give it");
  if (::testing::Test::HasFatalFailure()) return;
  const std::string problem = replay(s->judge.log(), {1, 1, 0, 0, 0});
  if (!problem.empty())
    ADD_FAILURE() << "philosophers 0 and 1 (neighbours: fork 1 is between them) ate one meal each, at the "
                     "same time.\n"
                  << problem;
}

// All five at once, one meal each. The deadlock of forks taken left then right needs all five philosophers to hold
// their left fork at once, and an explorer trying every schedule of five threads would take minutes. So in the sim
// build the test seats them one at a time: it starts a philosopher and waits until everyone else is blocked (the
// sim's clock runs a timed wait out only then). A philosopher that picked up a fork waits at its first pick
// callback, fork in hand (its gate), and the test seats the next one; one that could not pick up a fork is blocked
// on it, so the table cannot reach the deadlock from here: the test opens the gates, lets everyone seated finish,
// and goes on seating. If all five end up at their gates, each with one fork picked up and none with two, nobody
// can ever eat: that is the deadlock, and the test says so. The explorer adds its preemptions everywhere along the
// way. On real threads, where a test cannot see that a thread is blocked, all five simply start together, 20
// times.
//
// The callbacks write to each philosopher's own log here (no lock: each is written by one thread only, and the
// joins order the reads), so that the explorer's switch points are the table's own. Two hands on one fork is
// TwoNeighboursNeverHoldTheSameFork's job.
CONCLAB_SIM_TEST(DiningPhilosophersTest, FiveDinersOneMealEachNeverDeadlock) {
  conclab::sim::explain(
      "five philosophers, one meal each, and they never finish. Blocked for good: with a fork mutex each, taken "
      "left then right, every philosopher holds its left fork and waits for its right one, held by its neighbour: "
      "a circle of five waits. Take the forks in one global order (the lower number first: philosopher 4 takes "
      "fork 0 before fork 4), or let at most four reach for forks at once. Running for ever ('never ends'): a "
      "philosopher who puts its fork back when the other is taken and tries again at once makes no progress while "
      "its neighbour holds that fork; wait for the fork instead. See \"The interview answer\" in " +
      std::string(kLesson));
  struct State {
    lab::DiningPhilosophers table;
    std::array<std::vector<Event>, kPhilosophers> logs;  // logs[p]: written by philosopher p's thread only
    std::array<bool, kPhilosophers> picked_once{};       // picked_once[p]: the same
    sync::mutex mu;
    std::array<sync::condition_variable, kPhilosophers> gates;  // gates[p]: p's gate opened
    std::array<bool, kPhilosophers> at_gate{};                  // guarded by mu: p waits at its gate
    std::array<bool, kPhilosophers> open{};                     // guarded by mu: p may go past its gate
  };
  auto s = std::make_shared<State>();
  auto dine = [s](int p) {
    const auto up = static_cast<std::size_t>(p);
    auto& log = s->logs[up];
    auto pick = [s, up, &log](Event e) {
      log.push_back(e);
      if (!s->picked_once[up]) {  // the first pick of the meal: a fork is in hand; wait at the gate
        s->picked_once[up] = true;
        sync::unique_lock lock(s->mu);
        s->at_gate[up] = true;
        s->gates[up].wait(lock, [&] { return s->open[up]; });
      }
    };
    s->table.wantsToEat(
        p,
        [pick, p] {
          pick({p, 1, 1});
        },
        [pick, p] {
          pick({p, 2, 1});
        },
        [&log, p] {
          log.push_back({p, 0, 3});
        },
        [&log, p] {
          log.push_back({p, 1, 2});
        },
        [&log, p] {
          log.push_back({p, 2, 2});
        });
  };
  watched(
      [s, dine] {
        std::vector<sync::jthread> philosophers;
        if (!sync::kSimulated) {  // real threads: no seating, all five at once
          s->open.fill(true);
          for (int p = 0; p < kPhilosophers; ++p) philosophers.emplace_back([dine, p] { dine(p); });
          return;
        }
        sync::unique_lock lock(s->mu);
        // Returns when every other thread is blocked or finished: the sim's clock moves only then.
        auto settle = [&] { s->gates[0].wait_for(lock, std::chrono::hours(1), [] { return false; }); };
        auto open_gates = [&](int started) {  // the gates of philosophers 0 .. started - 1
          for (std::size_t q = 0; q < static_cast<std::size_t>(started); ++q) {
            if (s->open[q]) continue;
            s->open[q] = true;
            if (s->at_gate[q]) s->gates[q].notify_one();
          }
        };
        int seated = 0;  // philosophers at their gates, holding one fork, since the gates were last opened
        for (int p = 0; p < kPhilosophers; ++p) {
          philosophers.emplace_back([dine, p] { dine(p); });
          settle();
          if (s->at_gate[static_cast<std::size_t>(p)]) {
            ++seated;
            continue;
          }
          open_gates(p + 1);  // p is blocked on a fork: no deadlock from here, so let everyone seated eat
          settle();
          seated = 0;
        }
        if (seated == kPhilosophers) {
          ADD_FAILURE()
              << "all five philosophers have picked up one fork each (each first pick callback has run) and none "
                 "has picked up its second: every fork is in a hand, and each philosopher's second fork is in its "
                 "neighbour's. Nobody can ever eat: a deadlock, the circle of five waits. With a mutex per fork "
                 "taken left then right (or right then left) this is where the table ends up whenever all five "
                 "sit down together. Take the two forks in one global order (lower number first: philosopher 4 "
                 "takes fork 0 before fork 4), or let at most four philosophers reach for forks at once. (Or a "
                 "pick callback ran before its fork was really yours.) Read \"The interview answer\" in "
              << kLesson << '.';
        }
        open_gates(kPhilosophers);
      },
      "five philosophers, one meal each, and they are stuck: the classic deadlock is every philosopher holding its "
      "left fork and waiting for its right one");
  if (::testing::Test::HasFailure()) return;
  for (int p = 0; p < kPhilosophers; ++p) {
    std::array<int, kPhilosophers> calls{};
    calls[static_cast<std::size_t>(p)] = 1;
    const std::string problem = replay(s->logs[static_cast<std::size_t>(p)], calls);
    if (!problem.empty()) {
      ADD_FAILURE() << "five philosophers ate one meal each, all at once; philosopher " << p << "'s own callbacks:\n"
                    << problem;
      break;
    }
  }
}

// LeetCode's largest case: five philosophers, 60 calls each, on real threads.
TEST(DiningPhilosophersTest, FivePhilosophersSixtyMealsEach) {
  constexpr int kMeals = 60;
  struct State {
    lab::DiningPhilosophers table;
    Judge judge;
  };
  auto s = std::make_shared<State>();
  watched(
      [s] {
        std::vector<sync::jthread> philosophers;
        for (int p = 0; p < kPhilosophers; ++p) {
          philosophers.emplace_back([s, p] {
            for (int m = 0; m < kMeals; ++m) s->judge.dine(s->table, p);
          });
        }
      },
      "five philosophers, 60 meals each, and they are stuck. The usual cause: each took one fork and waits for its "
      "neighbour's (a deadlock: with forks taken left then right, it happens as soon as all five hold their left "
      "fork at once)");
  if (::testing::Test::HasFatalFailure()) return;
  const std::string problem = replay(s->judge.log(), {kMeals, kMeals, kMeals, kMeals, kMeals});
  if (!problem.empty()) ADD_FAILURE() << "five philosophers ate 60 meals each, on five threads.\n" << problem;
}

}  // namespace
