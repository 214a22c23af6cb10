// Graded tests for drill 08.13, cigarette smokers (after Allen Downey's "The Little Book of Semaphores").
//
// The tests are the agent: each round they put() two different ingredients, one call at a time (sometimes from
// two threads at once), then awaitSmoke(). Each smoke callback writes its smoker's letter (T, P or M: the
// ingredient the smoker HAS) to a log, and the agent writes '|' after awaitSmoke() returns, so a run's log is
// exact: for the rounds (tobacco, paper), (paper, matches) it must read "M|T|".
//
// Sim tests (CONCLAB_SIM_TEST) put the classic trap under the explorer: two smokers who could each take one
// ingredient of the same pair, on every schedule; the agent's two puts from two threads at once; and the smoke
// that must be over before awaitSmoke() returns. Real-thread tests run many rounds with an exact log, under a
// watchdog, so that a deadlock ends with words.
#include <smokers_table.hpp>

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "conclab/sim_test.hpp"
#include "conclab/sync.hpp"
#include "conclab/finishes.hpp"
#include "conclab/watchdog.hpp"

namespace {

namespace sync = conclab::sync;
using lab::Ingredient;

constexpr const char* kLesson = " (lesson: modules/08-interview/06-barbershop-and-smokers.md, \"The smokers\")";

const std::chrono::milliseconds kPatience = conclab::patience(std::chrono::seconds(1));

constexpr Ingredient kAll[3] = {Ingredient::kTobacco, Ingredient::kPaper, Ingredient::kMatches};

char letter(Ingredient i) { return "TPM"[static_cast<int>(i)]; }
const char* name(Ingredient i) {
  static const char* names[] = {"tobacco", "paper", "matches"};
  return names[static_cast<int>(i)];
}
Ingredient third(Ingredient a, Ingredient b) { return kAll[3 - static_cast<int>(a) - static_cast<int>(b)]; }

// The log of one scene: smokes and the agent's round ends, under a mutex.
class Log {
 public:
  void add(char c) {
    sync::lock_guard lock(mu_);
    text_ += c;
  }
  std::string text() {
    sync::lock_guard lock(mu_);
    return text_;
  }

 private:
  sync::mutex mu_;
  std::string text_;  // guarded by mu_
};

// ---- Real-thread scenes. ----

// One scene: the table, the log, and the rounds (the pairs, in order). Smoker threads each run smoker() as many
// times as they have rounds; the agent runs the rounds. Everything owned here, by shared_ptr, so a thread left
// blocked by a broken version can be detached safely.
struct Scene {
  lab::SmokersTable table;
  Log log;
  std::vector<std::pair<Ingredient, Ingredient>> rounds;
  sync::atomic<int> offered{0};   // puts about to be made (counted BEFORE put() is called)
  sync::atomic<int> smokes_done{0};

  std::string expected() const {
    std::string s;
    for (const auto& [a, b] : rounds) s += std::string(1, letter(third(a, b))) + "|";
    return s;
  }
  int rounds_of(Ingredient has) const {
    int n = 0;
    for (const auto& [a, b] : rounds) n += third(a, b) == has ? 1 : 0;
    return n;
  }
  std::function<void()> smoke(Ingredient has) {
    return [this, has] {
      log.add(letter(has));
      smokes_done.fetch_add(1);
    };
  }
  void put(Ingredient i) {
    offered.fetch_add(1);
    table.put(i);
  }
};

std::vector<std::thread> start_smokers(const std::shared_ptr<Scene>& st) {
  std::vector<std::thread> smokers;
  for (Ingredient has : kAll) {
    const int n = st->rounds_of(has);
    if (n == 0) continue;
    smokers.emplace_back([st, has, n] {
      for (int r = 0; r < n; ++r) st->table.smoker(has, st->smoke(has));
    });
  }
  return smokers;
}

// The agent's rounds, then the smokers' ends. The watchdog gives up only when the scene makes NO progress (no new
// smoke) for a whole patience: a correct table under a loaded machine may need seconds for 300 rounds, a stuck one
// never moves again. `two_threads`: each round's puts come from two threads at once.
bool run_scene(const std::shared_ptr<Scene>& st, bool two_threads) {
  auto smokers = std::make_shared<std::vector<std::thread>>(start_smokers(st));
  auto finished = std::make_shared<std::promise<void>>();
  std::future<void> done = finished->get_future();
  std::thread agent([st, smokers, two_threads, finished] {
    for (const auto& [a, b] : st->rounds) {
      if (two_threads) {
        std::thread other([st, b = b] { st->put(b); });
        st->put(a);
        other.join();
      } else {
        st->put(a);
        st->put(b);
      }
      st->table.awaitSmoke();
      st->log.add('|');
    }
    for (auto& t : *smokers) t.join();
    finished->set_value();
  });
  int last = st->smokes_done.load();
  while (done.wait_for(kPatience) != std::future_status::ready) {
    const int now = st->smokes_done.load();
    if (now == last) {
      agent.detach();  // stuck for good; it owns what it uses
      return false;
    }
    last = now;
  }
  agent.join();
  return true;
}

std::string stuck_message(const std::shared_ptr<Scene>& st) {
  return "the scene stopped moving (no smoke for " + std::to_string(kPatience.count()) + " ms; a correct table smokes a round in microseconds). Log so far: \"" + st->log.text() +
         "\", expected \"" + st->expected() +
         "\". If a smoker waits for one ingredient at a time, two smokers can each take one ingredient of the same "
         "pair and both wait forever (the trap); if put() woke the wrong smoker, the right one never smokes; if "
         "a wake-up was sent before the smoker waited and nothing remembered it, it is lost";
}

TEST(SmokersTest, OneSmokerOneRound) {
  auto st = std::make_shared<Scene>();
  st->rounds = {{Ingredient::kTobacco, Ingredient::kPaper}};
  ASSERT_TRUE(run_scene(st, false)) << stuck_message(st) << kLesson;
  EXPECT_EQ(st->log.text(), "M|") << "tobacco and paper were put: the smoker with matches smokes, then the agent's "
                                  << "awaitSmoke() returns" << kLesson;
}

TEST(SmokersTest, SmokerWhoComesLateStillSmokes) {
  auto st = std::make_shared<Scene>();
  st->rounds = {{Ingredient::kPaper, Ingredient::kMatches}};
  st->put(Ingredient::kPaper);
  st->put(Ingredient::kMatches);  // both on the table before any smoker exists
  const bool ok = conclab::returns_in_time(
      [st] {
        std::thread smoker([st] { st->table.smoker(Ingredient::kTobacco, st->smoke(Ingredient::kTobacco)); });
        st->table.awaitSmoke();
        st->log.add('|');
        smoker.join();
      },
      kPatience);
  ASSERT_TRUE(ok) << "paper and matches were put before the smoker with tobacco came to the table; then he came, "
                  << "and did not smoke. The table must remember what is on it (or whose turn it is): a notify "
                  << "sent when nobody waited is gone. Log: \"" << st->log.text() << "\"" << kLesson;
  EXPECT_EQ(st->log.text(), "T|") << kLesson;
}

TEST(SmokersTest, EachPairWakesTheSmokerWhoLacksIt) {
  auto st = std::make_shared<Scene>();
  // Every ordered pair: the smoker is the one who HAS the ingredient that is not on the table.
  for (Ingredient a : kAll) {
    for (Ingredient b : kAll) {
      if (a != b) st->rounds.emplace_back(a, b);
    }
  }
  ASSERT_TRUE(run_scene(st, false)) << stuck_message(st) << kLesson;
  EXPECT_EQ(st->log.text(), st->expected())
      << "each round must be smoked by the smoker who has the third ingredient: for (tobacco, paper) the one with "
         "matches (M), for (paper, matches) the one with tobacco (T), and so on; the table must be clear after "
         "each round (an ingredient left on it pairs with the next round's first)"
      << kLesson;
}

TEST(SmokersTest, ManyRoundsExactLog) {
  auto st = std::make_shared<Scene>();
  std::uint32_t x = 12345;  // a fixed sequence of pairs (an LCG), the same every run
  for (int r = 0; r < 300; ++r) {
    x = x * 1664525u + 1013904223u;
    const Ingredient a = kAll[(x >> 16) % 3];
    const Ingredient b = kAll[(static_cast<int>(a) + 1 + (x >> 20) % 2) % 3];
    st->rounds.emplace_back(a, b);
  }
  ASSERT_TRUE(run_scene(st, false)) << stuck_message(st) << kLesson;
  EXPECT_EQ(st->log.text(), st->expected()) << "300 rounds: the right smoker must smoke in each" << kLesson;
}

TEST(SmokersTest, PutsFromTwoAgentThreads) {
  auto st = std::make_shared<Scene>();
  for (int r = 0; r < 100; ++r) {
    const Ingredient a = kAll[r % 3];
    const Ingredient b = kAll[(r + 1 + (r / 3) % 2) % 3];
    st->rounds.emplace_back(a, b);
  }
  ASSERT_TRUE(run_scene(st, true))
      << "each round's two ingredients were put by two threads at once, and the scene hung. put() must see the "
         "table and change it as one step (under a mutex): two puts that each look, see an empty table and "
         "leave their ingredient wake nobody. "
      << stuck_message(st) << kLesson;
  EXPECT_EQ(st->log.text(), st->expected()) << kLesson;
}

// ---- Sim tests: every schedule under the explorer; elsewhere 20 runs on real threads, under the watchdog. ----

// Runs `body`: in the sim build as it is (the explorer reports a deadlock itself, with the schedule); on real
// threads under the watchdog, so that a stuck scene fails with `if_stuck` instead of hanging the run. `body` must
// own what it uses (a shared_ptr).
void watched(std::function<void()> body, const std::string& if_stuck) {
  ASSERT_TRUE(conclab::finishes_in_time(std::move(body), kPatience))
      << "not finished after " << kPatience.count() << " ms (a correct table takes microseconds here): " << if_stuck
      << ". The explorer shows the schedule: ./conclab explore 08.13" << kLesson;
}

struct Table {
  lab::SmokersTable table;
  Log log;
};

constexpr const char* kTrap =
    "the smokers with paper and with matches are at the table; the agent puts tobacco and paper (the pair of the "
    "smoker with MATCHES), waits for the smoke, then puts tobacco and matches (the pair of the smoker with paper). "
    "Everyone is stuck. This is the trap of the problem: if a smoker waits for the ingredients it lacks one at a "
    "time, the smoker with paper can take the tobacco meant for the smoker with matches and wait for matches, which "
    "the agent will not put until somebody smokes. Nobody may take an ingredient until its pair is complete: decide "
    "in put(), where the whole table is visible, who has the third, and wake only him (Downey's pushers)";

CONCLAB_SIM_TEST(SmokersTest, TwoSmokersCannotSplitThePair) {
  conclab::sim::explain(std::string(kTrap) + kLesson);
  auto st = std::make_shared<Table>();
  watched(
      [st] {
        sync::jthread paper([&] { st->table.smoker(Ingredient::kPaper, [&] { st->log.add('P'); }); });
        sync::jthread matches([&] { st->table.smoker(Ingredient::kMatches, [&] { st->log.add('M'); }); });
        st->table.put(Ingredient::kTobacco);
        st->table.put(Ingredient::kPaper);
        st->table.awaitSmoke();
        st->log.add('|');
        st->table.put(Ingredient::kTobacco);
        st->table.put(Ingredient::kMatches);
        st->table.awaitSmoke();
        st->log.add('|');
      },
      kTrap);
  if (::testing::Test::HasFatalFailure()) return;
  EXPECT_EQ(st->log.text(), "M|P|") << "(tobacco, paper) is smoked by the smoker with matches, then (tobacco, "
                                    << "matches) by the smoker with paper" << kLesson;
}

constexpr const char* kTwoPuts =
    "the agent's two puts (tobacco and paper) came from two threads at once, and the smoker with matches never "
    "smoked. Look at where each put() looked at the table: if both looked before either wrote, each saw an empty "
    "table and left its ingredient, and nobody saw the pair. put() must look and change the table as one step, "
    "under a mutex";

CONCLAB_SIM_TEST(SmokersTest, TwoPutsAtOnceStillMakeAPair) {
  conclab::sim::explain(std::string(kTwoPuts) + kLesson);
  auto st = std::make_shared<Table>();
  watched(
      [st] {
        sync::jthread smoker([&] { st->table.smoker(Ingredient::kMatches, [&] { st->log.add('M'); }); });
        {
          sync::jthread other([&] { st->table.put(Ingredient::kPaper); });
          st->table.put(Ingredient::kTobacco);
        }
        st->table.awaitSmoke();
        st->log.add('|');
      },
      kTwoPuts);
  if (::testing::Test::HasFatalFailure()) return;
  EXPECT_EQ(st->log.text(), "M|") << kLesson;
}

CONCLAB_SIM_TEST(SmokersTest, AgentWaitsUntilTheSmokeIsOver) {
  const std::string stuck = "one smoker (matches), one round (tobacco, paper): the smoker never smoked, or the agent "
                            "never heard that he had";
  conclab::sim::explain(stuck + kLesson);
  struct State {
    lab::SmokersTable table;
    sync::atomic<int> offered{0};
    sync::atomic<int> smoked{0};
  };
  auto st = std::make_shared<State>();
  watched(
      [st] {
        sync::jthread smoker([&] {
          st->table.smoker(Ingredient::kMatches, [&] {
            EXPECT_EQ(st->offered.load(), 2)
                << "the smoker with matches smoked before both tobacco and paper were put: it went ahead without "
                   "its pair. After any wake-up (a wait may return spuriously), check that it is really your turn: "
                   "a predicate wait (`while`, not `if`)"
                << kLesson;
            st->smoked.fetch_add(1);
          });
        });
        st->offered.fetch_add(1);
        st->table.put(Ingredient::kTobacco);
        st->offered.fetch_add(1);
        st->table.put(Ingredient::kPaper);
        st->table.awaitSmoke();
        EXPECT_EQ(st->smoked.load(), 1) << "awaitSmoke() returned before the smoker's smoke() had returned: the agent "
                                        << "waits until the smoke is OVER (signal the agent after smoke(), not when "
                                        << "the ingredients are taken)" << kLesson;
      },
      stuck);
}

}  // namespace
