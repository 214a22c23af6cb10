// Graded tests for drill 08.04, building-h2o (LeetCode 1117's contract). Lesson:
// modules/08-interview/03-counting-threads.md.
//
// Every thread records that it has ARRIVED (just before it calls hydrogen() or oxygen()), and its release
// callback records the atom, both through one atomic word. From that the tests check three rules:
//   1. every thread releases exactly once: 3n releases for 3n threads;
//   2. each consecutive three releases are two H and one O (the first molecule, the second, ...);
//   3. an atom releases only once its molecule is all there: when a release of the k-th molecule happens, at
//      least 2k hydrogens and k oxygens have arrived (an oxygen that releases alone bonds with nobody).
// The interleavings that break a wrong answer are rare on real threads, so the test that decides is a sim test
// (CONCLAB_SIM_TEST): in the sim build the explorer runs every schedule of one molecule (two hydrogen threads and
// the test's own thread as the oxygen) with up to two preemptions and spurious wakeups, and checks plain memory
// for data races. In the default and ThreadSanitizer builds that body runs 20 times on real threads, and the
// contract tests run one molecule from every arrival order and twenty molecules from sixty threads in shuffled
// orders. Everything runs under a watchdog, so a thread nobody wakes fails the test with words instead of
// hanging the run.
//
// Not checked by the explorer: a second molecule overtaking the first (an atom that gives its place back before
// its release has finished). That needs six threads at once, far beyond the explorer's budget here; the
// sixty-thread test catches it in some runs only. The lesson's section "What the tests cannot force" says why.
#include <h2o.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "conclab/sim_test.hpp"
#include "conclab/start_gate.hpp"
#include "conclab/sync.hpp"
#include "conclab/finishes.hpp"
#include "conclab/watchdog.hpp"

namespace {

namespace sync = conclab::sync;

constexpr const char* kLesson = " (lesson: modules/08-interview/03-counting-threads.md)";

// A correct H2O takes microseconds per molecule here (a round of sixty threads under ThreadSanitizer on a busy
// machine, a few seconds at worst); a round still blocked after this much real time is blocked for good. Not a
// timing assertion: it decides nothing for correct code (conclab/watchdog.hpp), and no broken version here is
// judged by it.
const std::chrono::milliseconds kPatience = conclab::patience(std::chrono::seconds(10));

// What the threads did, in order. One atomic word counts the arrivals and the releases (one switch point per
// event for the explorer, and it orders nothing the solution does not order itself); the i-th release writes
// slot i of the plain arrays, which only the test's thread reads, after the joins.
struct Recorder {
  static constexpr int kMaxReleases = 64;
  sync::atomic<std::uint32_t> events{0};  // arrived hydrogens (bits 0-7), arrived oxygens (8-15), releases (16-23)
  char log[kMaxReleases] = {};            // slot i: the atom of release i, 'H' or 'O'
  int hydrogens_seen[kMaxReleases] = {};  // slot i: hydrogens that had arrived when release i happened
  int oxygens_seen[kMaxReleases] = {};    // slot i: the same for oxygens

  void arrive(char atom) { events.fetch_add(atom == 'H' ? 1U : 1U << 8); }

  void release(char atom) {
    const std::uint32_t before = events.fetch_add(1U << 16);
    const int i = static_cast<int>(before >> 16);
    if (i >= kMaxReleases) return;  // more releases than threads: judge() reports it from the count
    log[i] = atom;
    hydrogens_seen[i] = static_cast<int>(before & 0xFF);
    oxygens_seen[i] = static_cast<int>((before >> 8) & 0xFF);
  }

  int releases() const { return static_cast<int>(events.load() >> 16); }
  std::string released() const { return std::string(log, static_cast<std::size_t>(std::min(releases(), kMaxReleases))); }
};

// Runs one atom's thread body: arrive, then call the method with a callback that records the release.
void run_atom(lab::H2O& h2o, Recorder& rec, char atom) {
  rec.arrive(atom);
  if (atom == 'H') {
    h2o.hydrogen([&rec] { rec.release('H'); });
  } else {
    h2o.oxygen([&rec] { rec.release('O'); });
  }
}

// The verdict on a finished run of `molecules` molecules: empty when right, else what went wrong, in words.
std::string judge(const Recorder& rec, int molecules) {
  std::ostringstream out;
  const std::string log = rec.released();
  for (int i = 0; i < static_cast<int>(log.size()); ++i) {
    const int molecule = i / 3 + 1;
    if (rec.hydrogens_seen[i] >= 2 * molecule && rec.oxygens_seen[i] >= molecule) continue;
    out << "release " << i + 1 << " (" << (log[static_cast<std::size_t>(i)] == 'H' ? "a hydrogen" : "an oxygen")
        << ", in molecule " << molecule << ") came when only " << rec.hydrogens_seen[i] << " hydrogen and "
        << rec.oxygens_seen[i] << " oxygen threads had arrived, so molecule " << molecule
        << " was not all there (it needs " << 2 * molecule << " hydrogens and " << molecule
        << (molecule == 1 ? " oxygen" : " oxygens") << " to have arrived; all releases: \"" << log << "\"). An atom must wait until two hydrogens and one oxygen are there and then bond with THEM; releasing as "
        << "soon as there is room in the molecule lets an oxygen bond with hydrogens that have not come (the "
        << "output can still look right, which is why LeetCode's judge accepts it). Count the atoms that have "
        << "arrived, and release nobody until a molecule is complete (a barrier of three, or slots opened only when "
        << "two H and one O are waiting). Section \"The answer the judge accepts\"" << kLesson;
    return out.str();
  }
  if (rec.releases() != 3 * molecules) {
    out << molecules * 2 << " hydrogen and " << molecules << " oxygen threads each called their method once, and all "
        << "returned, but there were " << rec.releases() << " releases (\"" << log << "\"), not " << 3 * molecules
        << ": every call must call its release callback exactly once before it returns" << kLesson;
    return out.str();
  }
  for (int m = 0; m < molecules; ++m) {
    const std::string triple = log.substr(static_cast<std::size_t>(3 * m), 3);
    if (std::count(triple.begin(), triple.end(), 'H') != 2) {
      out << "releases " << 3 * m + 1 << " to " << 3 * m + 3 << " are \"" << triple << "\" (all releases: \"" << log
          << "\"): molecule " << m + 1 << " must be exactly two H and one O, and all three must release before any "
          << "atom of the next molecule does. ";
      if (std::count(triple.begin(), triple.end(), 'H') == 3) {
        out << "A third hydrogen got in: either a hydrogen of the next molecule released while this one was still "
            << "bonding (a place given back before the release finished, or no barrier at all), or a waiter went on "
            << "without re-checking that its place was still free (`if` instead of `while`, or checking the slot "
            << "and taking it in two separate steps). ";
      } else {
        out << "An atom of the next molecule slipped in before this one was finished: the next molecule may gather "
            << "only once every atom of this one has returned from its release (give the place back AFTER the "
            << "release, or form the next molecule only when the last atom is out). ";
      }
      out << "Section \"The turnstile and the barrier\"" << kLesson;
      return out.str();
    }
  }
  return {};
}

// ---- Sim tests: every schedule in the sim build; 20 runs on real threads (under the watchdog) elsewhere. ----

// Runs `body`: as it is under the explorer (which reports a deadlock or lost wakeup itself, with the schedule);
// on real threads under the watchdog. `body` must own what it uses (a shared_ptr).
// Returns whether it finished (if not, the test has failed and must not read the state the stuck threads own).
bool watched(std::function<void()> body, const std::string& if_stuck) {
  const bool finished = conclab::finishes_in_time(std::move(body), kPatience);
  EXPECT_TRUE(finished) << "not finished after " << kPatience.count() / 1000.0
                        << " s (a correct H2O takes microseconds per molecule): " << if_stuck
                        << ". The explorer shows the schedule: ./conclab explore 08.04" << kLesson;
  return finished;
}

constexpr const char* kStuckOne =
    "two hydrogen threads and one oxygen thread called their methods, and one of them never returned: with "
    "exactly one molecule's atoms there, all three must bond. Look at who is asleep and what it waits for, and at "
    "how the others got past: did a waiter wake (spuriously, or from a notify_all meant for others) and go on "
    "without checking its condition again (`if` instead of `while`), taking a place that was not there, so the "
    "counts no longer add up? Was a waiter never woken (notify_one where several wait)? Or does it wait for a "
    "count that was reset before it looked (wait for a generation instead)?";

// One molecule: two hydrogens and an oxygen, in every order the explorer can make.
CONCLAB_SIM_TEST(H2OTest, OneMoleculeBondsOnlyWhenAllThreeAreThere) {
  conclab::sim::explain(std::string(kStuckOne) + kLesson);
  struct State {
    lab::H2O h2o;
    Recorder rec;
  };
  auto st = std::make_shared<State>();
  const bool finished = watched(
      [st] {
        sync::jthread h1([&] { run_atom(st->h2o, st->rec, 'H'); });
        sync::jthread h2([&] { run_atom(st->h2o, st->rec, 'H'); });
        run_atom(st->h2o, st->rec, 'O');  // the test's own thread is the oxygen
      },
      kStuckOne);
  if (!finished) return;
  const std::string verdict = judge(st->rec, 1);
  EXPECT_TRUE(verdict.empty()) << verdict;
}

// ---- Contract tests on real threads (not in the sim build): the full size of the problem. ----

constexpr const char* kStuckMany =
    "hydrogen and oxygen threads in the right numbers called their methods, and some never returned: every atom "
    "must end in a molecule. A waiter nobody woke (notify_one where several wait, a notify before the state "
    "changed), a count reset under a sleeper's feet, or a place never given back";

// Runs one round: `molecules` molecules, the threads started in `order` ('H'/'O' per thread) through a start
// gate so that they arrive together. Returns the verdict (empty when right).
std::string run_round(const std::string& order, int molecules) {
  struct State {
    lab::H2O h2o;
    Recorder rec;
  };
  auto st = std::make_shared<State>();
  std::string stuck;
  const bool finished = conclab::returns_in_time(
      [st, order] {
        conclab::StartGate gate(static_cast<std::ptrdiff_t>(order.size()));
        std::vector<std::thread> threads;
        threads.reserve(order.size());
        for (const char atom : order) {
          threads.emplace_back([&st, &gate, atom] {
            gate.arrive_and_wait();
            run_atom(st->h2o, st->rec, atom);
          });
        }
        gate.open();
        for (auto& t : threads) t.join();
      },
      kPatience);
  if (!finished) {
    return "threads started in the order \"" + order + "\" were not all finished after " +
           std::to_string(kPatience.count() / 1000.0) + " s (a correct H2O takes microseconds per molecule): " + kStuckMany +
           ". The explorer shows the schedule: ./conclab explore 08.04" + kLesson;
  }
  return judge(st->rec, molecules);
}

TEST(H2OTest, OneMoleculeFromEveryArrivalOrder) {
  if (sync::kSimulated) GTEST_SKIP() << "real threads: decided in the default and ThreadSanitizer builds";
  for (const std::string order : {"HHO", "HOH", "OHH"}) {
    for (int round = 0; round < 20; ++round) {
      const std::string verdict = run_round(order, 1);
      ASSERT_TRUE(verdict.empty()) << "threads started in the order \"" << order << "\": " << verdict;
    }
  }
}

TEST(H2OTest, TwentyMoleculesFromSixtyThreads) {
  if (sync::kSimulated) GTEST_SKIP() << "real threads: decided in the default and ThreadSanitizer builds";
  // n = 20, the largest the problem allows: 40 hydrogen and 20 oxygen threads in a shuffled order (a fixed seed
  // per round, so a failure names an order you can run again).
  std::string order = std::string(40, 'H') + std::string(20, 'O');
  for (unsigned round = 0; round < 10; ++round) {
    std::mt19937 rng(round);
    std::shuffle(order.begin(), order.end(), rng);
    const std::string verdict = run_round(order, 20);
    ASSERT_TRUE(verdict.empty()) << "round " << round << ", threads started in the order \"" << order << "\": "
                                 << verdict;
  }
}

}  // namespace
