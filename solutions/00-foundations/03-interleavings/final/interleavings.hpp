// Lab 00.03 interleavings, FINAL: outcomes() explores states, not schedules, and visits each state once.
//
// What changed from improved, and why: improved walks every schedule, C(n + m, n) of them, although the
// future of a schedule depends only on where it stands: how many steps of A and of B have run, and the
// current values. Two different prefixes that reach the same (i, j, values) lead to exactly the same set
// of final outcomes, so exploring the second one again is wasted work. Here the search keeps a set of
// states already seen and skips them (memoisation, in its simplest form: deduplicating states). The
// work is now bounded by the number of distinct states, at most (n + 1)(m + 1) times the number of
// distinct value combinations, instead of the number of schedules: for two threads of 12 steps (x++
// six times each) that is 5'089 states instead of 2'704'156 schedules (see the benchmark).
//
// Two smaller changes make each state cheap: names are numbered once (a state is then a flat
// std::vector<int>, hashed in an unordered_set, instead of a std::map<std::string, int> copied per step),
// and the search uses an explicit stack, so its depth is not limited by the call stack.
// schedules() stays a recursion (its output IS every schedule), but now refuses to build a list that
// would not fit in memory, and count_schedules() is unchanged.
//
// What an expert would still do differently in production: this is the core of a model checker, and
// real ones (CDSChecker, GenMC, Relacy, CHESS) go further: they reduce the schedules that need
// exploring in the first place (partial-order reduction: two steps that touch different variables
// commute, so only one of their orders matters), they model weaker memory orders than sequential
// consistency (the store buffers of lesson 04), and they run the real code under a controlled
// scheduler instead of a toy language.
//
// Lesson: modules/00-foundations/03-why-it-is-hard.md ("Counting interleavings").
#pragma once

#include <program.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace lab {

inline std::uint64_t count_schedules(std::size_t n, std::size_t m) {
  // row[j] holds count(i, j) for the current i; count(0, j) = count(i, 0) = 1.
  std::vector<std::uint64_t> row(m + 1, 1);
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      if (row[j] > std::numeric_limits<std::uint64_t>::max() - row[j - 1]) {
        throw std::overflow_error("count_schedules: C(" + std::to_string(n + m) + ", " + std::to_string(n) +
                                  ") does not fit in 64 bits");
      }
      row[j] += row[j - 1];
    }
  }
  return row[m];
}

namespace detail {

// More schedules than this would take gigabytes as strings: refuse rather than exhaust memory.
inline constexpr std::uint64_t kMaxListedSchedules = 20'000'000;

inline void list_schedules(std::size_t n, std::size_t m, std::string& prefix, std::vector<std::string>& out) {
  if (n == 0 && m == 0) {
    out.push_back(prefix);
    return;
  }
  if (n > 0) {
    prefix.push_back('A');
    list_schedules(n - 1, m, prefix, out);
    prefix.pop_back();
  }
  if (m > 0) {
    prefix.push_back('B');
    list_schedules(n, m - 1, prefix, out);
    prefix.pop_back();
  }
}

// A step with its names replaced by indices into the state vector (-1: no register).
struct Op {
  Step::Kind kind;
  std::size_t var;
  std::ptrdiff_t reg;
  int value;
};

// The same meaning as lab::apply in program.hpp, on numbered slots.
inline void run_op(const Op& op, int* values) {
  switch (op.kind) {
    case Step::Kind::kLoad:
      values[op.reg] = values[op.var];
      break;
    case Step::Kind::kStore:
      values[op.var] = (op.reg < 0 ? 0 : values[op.reg]) + op.value;
      break;
    case Step::Kind::kFetchAdd: {
      const int old = values[op.var];
      values[op.var] = old + op.value;
      if (op.reg >= 0) values[op.reg] = old;
      break;
    }
  }
}

struct StateHash {
  std::size_t operator()(const std::vector<int>& s) const noexcept {
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a over the ints
    for (const int v : s) {
      h ^= static_cast<std::uint32_t>(v);
      h *= 1099511628211ull;
    }
    return static_cast<std::size_t>(h);
  }
};

}  // namespace detail

inline std::vector<std::string> schedules(std::size_t n, std::size_t m) {
  std::uint64_t count = 0;
  try {
    count = count_schedules(n, m);
  } catch (const std::overflow_error&) {
    count = std::numeric_limits<std::uint64_t>::max();
  }
  if (count > detail::kMaxListedSchedules) {
    throw std::length_error("schedules: " + std::to_string(n) + " and " + std::to_string(m) +
                            " steps have too many schedules to list; use count_schedules()");
  }
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(count));
  std::string prefix;
  detail::list_schedules(n, m, prefix, out);
  return out;
}

inline Outcome run_schedule(const Thread& a, const Thread& b, std::string_view schedule) {
  Outcome state = initial_state(a, b);
  std::size_t i = 0;
  std::size_t j = 0;
  for (const char who : schedule) {
    if (who == 'A' && i < a.size()) {
      apply(a[i++], state);
    } else if (who == 'B' && j < b.size()) {
      apply(b[j++], state);
    } else {
      throw std::invalid_argument("run_schedule: '" + std::string(1, who) + "' names no remaining step");
    }
  }
  if (i != a.size() || j != b.size()) throw std::invalid_argument("run_schedule: the schedule leaves steps unrun");
  return state;
}

inline std::set<Outcome> outcomes(const Thread& a, const Thread& b) {
  // Number the names in Outcome's (sorted) order, so slot k of a state is the k-th name.
  const Outcome initial = initial_state(a, b);
  std::vector<std::string> names;
  std::map<std::string, std::size_t> slot;
  for (const auto& [name, value] : initial) {
    slot[name] = names.size();
    names.push_back(name);
  }
  auto compile = [&](const Thread& t) {
    std::vector<detail::Op> ops;
    for (const Step& s : t) {
      const std::ptrdiff_t reg = s.reg.empty() ? -1 : static_cast<std::ptrdiff_t>(slot.at(s.reg));
      ops.push_back({s.kind, slot.at(s.var), reg, s.value});
    }
    return ops;
  };
  const std::vector<detail::Op> ops_a = compile(a);
  const std::vector<detail::Op> ops_b = compile(b);

  // A state is {i, j, value of name 0, value of name 1, ...}: where each thread is, and the memory.
  constexpr std::size_t kHeader = 2;
  std::vector<int> start(kHeader + names.size(), 0);
  std::unordered_set<std::vector<int>, detail::StateHash> seen{start};
  std::vector<std::vector<int>> todo{start};
  std::set<std::vector<int>> finals;
  while (!todo.empty()) {
    const std::vector<int> state = std::move(todo.back());
    todo.pop_back();
    const auto i = static_cast<std::size_t>(state[0]);
    const auto j = static_cast<std::size_t>(state[1]);
    if (i == ops_a.size() && j == ops_b.size()) {
      finals.emplace(state.begin() + kHeader, state.end());
      continue;
    }
    for (const int who : {0, 1}) {
      const std::vector<detail::Op>& ops = who == 0 ? ops_a : ops_b;
      const std::size_t at = who == 0 ? i : j;
      if (at == ops.size()) continue;
      std::vector<int> next = state;
      detail::run_op(ops[at], next.data() + kHeader);
      ++next[static_cast<std::size_t>(who)];
      if (seen.insert(next).second) todo.push_back(std::move(next));  // a state seen before adds nothing new
    }
  }

  std::set<Outcome> out;
  for (const std::vector<int>& values : finals) {
    Outcome o;
    for (std::size_t k = 0; k < names.size(); ++k) o.emplace(names[k], values[k]);
    out.insert(std::move(o));
  }
  return out;
}

}  // namespace lab
