// `conclab litmus`: what the C++ memory model allows for a litmus test, beside what x86 allows and what this
// machine does. catalog.hpp holds the tests; model.cpp asks the explorer (conclab::sim) for every outcome the
// model allows; machine.cpp runs the test on pinned threads and counts outcomes; table() puts the three together.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "litmus/catalog.hpp"

namespace conclab::litmus {

using Outcome = std::vector<int>;  // the registers r0.., then the final values when the test has them

// The index of a test by name (case-insensitive: "sb", "2+2w"), or nullopt.
std::optional<std::size_t> find_test(std::string_view name);
// The order by name (relaxed, acq-rel, seq-cst, fence; also acq_rel, seq_cst), or nullopt.
std::optional<Order> find_order(std::string_view name);

// Every outcome the C++ memory model allows for the test with order o, enumerated by conclab::sim (every
// schedule with up to the test's preemption bound, every store a load may read, early reads). Throws
// std::runtime_error if the explorer did not finish its space.
std::set<Outcome> model_outcomes(std::size_t test, Order o);
// The explorer's preemption bound for the test (support/tests/sim_litmus_test.cpp checks the same sets at it).
int model_preemptions(std::size_t test);

struct MachineRun {
  bool ran = false;
  std::string not_run;             // why it did not run (too few cores), when !ran
  std::vector<int> cpus;           // the CPU each thread was pinned to
  std::uint64_t iterations = 0;    // done (fewer than asked when the time limit stopped it)
  bool stopped_by_time = false;
  double seconds = 0;
  std::map<Outcome, std::uint64_t> counts;
};

// Runs the test `iterations` times on this machine: one thread per test thread, each pinned to its own CPU,
// all starting each iteration together at a spin barrier after a short random delay. Stops early after
// `max_seconds`. Does not run (and says why) when the process may use fewer CPUs than the test has threads.
MachineRun run_on_machine(std::size_t test, Order o, std::uint64_t iterations, double max_seconds);
// The CPUs this process may run on.
std::vector<int> usable_cpus();

// One row of the table.
struct Row {
  Outcome outcome;
  std::string label;              // "r0=0 r1=1"
  bool cpp = false;               // allowed by C++ for this order
  bool sc = false;                // allowed under sequential consistency (some interleaving gives it)
  bool x86 = false;               // allowed by x86-TSO for the instructions this order compiles to
  std::uint64_t seen = 0;
  std::string kind() const;       // jcstress's words: acceptable (SC), interesting (allowed, not SC), forbidden
};

struct Table {
  std::size_t test = 0;
  Order order = Order::kRelaxed;
  std::vector<Row> rows;          // every combination of the values each component can take
  std::optional<MachineRun> machine;
  bool forbidden_seen() const;    // the machine produced an outcome C++ forbids: a compiler or harness bug
};

// The x86-TSO set: sequential consistency, plus a store followed by a load of another location in one thread
// completing out of order (the store waits in the store buffer) when no fence or locked instruction is between
// them: only SB with relaxed or acq-rel here.
std::set<Outcome> x86_outcomes(std::size_t test, Order o, const std::set<Outcome>& sc);

Table make_table(std::size_t test, Order o, const std::set<Outcome>& cpp, const std::set<Outcome>& sc,
                 std::optional<MachineRun> machine);

}  // namespace conclab::litmus
