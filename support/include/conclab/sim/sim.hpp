// conclab::sim: runs a piece of concurrent code under a deterministic scheduler and tries its interleavings.
//
//   conclab::sim::Result r = conclab::sim::explore([] {
//     conclab::sim::atomic<int> x{0};
//     conclab::sim::thread t([&] { x.store(1); });
//     int seen = x.load();
//     t.join();
//     ...
//   });
//
// The body runs on fibers (one OS thread), and every operation of the primitives in conclab/sim/primitives.hpp
// is a point where the scheduler may switch to another fiber. explore() runs the body again and again, each time
// with a different sequence of choices, until one fails or the bounded space is exhausted:
//   - kExhaustive: depth-first over every schedule with at most `preemptions` switches away from a fiber that
//     could have gone on (switching away from a fiber that blocks is free), raising the bound from 0 so that the
//     first failure found is one of the simplest (CHESS: Musuvathi & Qadeer, PLDI 2007);
//   - kRandom: `runs` schedules from PCT-style random priorities (Burckhardt et al., ASPLOS 2010), each
//     reproducible from its seed;
//   - kReplay: the one schedule a failure printed;
//   - kPlay: a person is the scheduler (`conclab play`), one choice at a time (Options::play below).
// Besides the switches, the explorer chooses where the standard allows a choice: which waiter a notify_one
// wakes, a spurious wakeup of a wait, a spurious failure of compare_exchange_weak or try_lock, and, for atomics,
// an older store a load may still read, a later store a load may read early (load buffering), or an earlier place
// a store may take in its location's order under the C++ memory model (each of those but the first counts as one
// preemption).
//
// The body must be deterministic apart from these choices: no std::thread, std::mutex, std::atomic shared
// between fibers, real clocks or randomness (conclab/sync.hpp gives the instrumented versions). A run that
// makes different choices available when replayed is reported as "not deterministic".
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace conclab::sim {

enum class Mode { kExhaustive, kRandom, kReplay, kPlay };

struct Options {
  Mode mode = Mode::kExhaustive;
  int preemptions = 2;                 // exhaustive: the most preemptions in one schedule
  std::uint64_t max_schedules = 200000;  // exhaustive: give up (not a failure) after this many
  std::uint64_t max_steps = 20000;     // per schedule: more steps than this is "never ends"
  bool spurious = true;                // explore spurious wakeups and spurious CAS/try_lock failures
  bool load_buffering = true;          // exhaustive: let one relaxed/acquire load per schedule read a later store
  int runs = 1000;                     // random: how many schedules
  std::uint64_t seed = 1;              // random: the first seed (schedule i uses seed + i)
  int pct_depth = 3;                   // random: priority change points per schedule, plus one
  std::string replay;                  // replay: the schedule a failure printed (Result::replay)
  // Play (`conclab play`): whenever more than one thread can run, the next entry of `play` says which (by number;
  // the body is 0), and every other choice takes its ordinary outcome (no spurious wakeups, no stale or early
  // reads, the longest waiter wakes). When `play` runs out at such a choice, the state (each thread's next step,
  // the steps so far, who may run) is written to `play_out` as JSON and the process ends; a schedule that ends
  // writes its outcome there. `play_rules` with kExhaustive searches under the same rules and writes the first
  // failing schedule's choices to `play_out` (a winning line to show as a hint).
  std::vector<int> play;
  bool play_rules = false;
  std::string play_out;
};

enum class Outcome {
  kPassed,       // every schedule explored passed
  kFailed,       // an assertion (or a check of the sim) failed on some schedule
  kDeadlock,     // every unfinished fiber blocked, on locks or joins
  kLostWakeup,   // every unfinished fiber blocked, and one of them waits for a notify nobody will send
  kNeverEnds,    // a schedule ran past max_steps, or every runnable fiber spins waiting for the others
  kNotDeterministic,
};

const char* outcome_name(Outcome o);

struct Result {
  Outcome outcome = Outcome::kPassed;
  std::uint64_t schedules = 0;   // schedules run
  std::uint64_t dropped = 0;     // schedules dropped: a value read early that no later store provided
  bool exhausted = false;        // exhaustive: the whole bounded space was explored
  int preemptions = 0;           // the bound used (exhaustive) / the failing schedule's preemptions
  std::string message;           // what went wrong, one paragraph
  std::string trace;             // the failing schedule, one numbered line per step
  std::string replay;            // Options::replay for this failing schedule

  bool passed() const { return outcome == Outcome::kPassed; }
  // A report for a person: the message, the schedule and how to replay it; or "explored N schedules, all pass".
  std::string report() const;
};

// Runs `body` under the scheduler as described above. Not reentrant: one explore() at a time per process.
Result explore(const std::function<void()>& body, const Options& options = {});

// True while a body runs under explore(), on one of its fibers.
bool active();

// How many threads the current schedule has started so far (not counting the body's own): a test can check that
// work really was handed to threads. -1 outside explore().
int threads_started();

// How many threads the current schedule had started when a thread was first joined (-1: none joined yet, or
// outside explore()): a test can check that work was handed to several threads at once, not started and
// joined one at a time.
int threads_started_before_first_join();

// Called by a test framework's failure hook (conclab/sim_test.hpp): the current schedule has failed.
void report_failure(const std::string& message);

// What a failure of the current body means, in the test author's words: added to the report when a schedule
// fails without an assertion of the test's own (a deadlock, a lost wakeup, a thread that never ends).
// Call it at the top of the body. Outside explore() it does nothing.
void explain(const std::string& what_it_means);

}  // namespace conclab::sim
