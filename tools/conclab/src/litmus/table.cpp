// The litmus tests' facts (printed code, outcome names and values) and the table that puts the model, x86-TSO
// and the machine's counts side by side.
#include <fmt/format.h>

#include <algorithm>

#include "litmus/litmus.hpp"
#include "util/text.hpp"

namespace conclab::litmus {

namespace {

std::string store_text(Order o) {
  switch (o) {
    case Order::kAcqRel: return "release";
    case Order::kSeqCst: return "seq_cst";
    default: return "relaxed";
  }
}
std::string load_text(Order o) {
  switch (o) {
    case Order::kAcqRel: return "acquire";
    case Order::kSeqCst: return "seq_cst";
    default: return "relaxed";
  }
}

template <std::size_t... I>
std::vector<TestInfo> all_infos(std::index_sequence<I...>) {
  return {info_of<std::tuple_element_t<I, Catalogue>>()...};
}

}  // namespace

const std::vector<TestInfo>& tests() {
  static const std::vector<TestInfo> all = all_infos(std::make_index_sequence<kTestCount>{});
  return all;
}

std::vector<std::string> TestInfo::code(Order o) const {
  std::vector<std::string> lines;
  for (const auto& thread : program) {
    std::string line;
    for (std::size_t i = 0; i < thread.size(); ++i) {
      const auto& s = thread[i];
      if (i > 0) line += o == Order::kFence ? " fence(seq_cst); " : " ";
      if (s[0] == 0) {
        line += fmt::format("{}.store({}, {});", locations[s[1]], s[2], store_text(o));
      } else {
        line += fmt::format("r{} = {}.load({});", s[1], locations[s[2]], load_text(o));
      }
    }
    lines.push_back(line);
  }
  return lines;
}

std::vector<std::string> TestInfo::outcome_names() const {
  std::vector<std::string> names;
  for (int r = 0; r < registers; ++r) names.push_back(fmt::format("r{}", r));
  if (finals) {
    names.emplace_back(locations[0]);
    names.emplace_back(locations[1]);
  }
  return names;
}

std::vector<std::vector<int>> TestInfo::domains() const {
  std::array<std::vector<int>, 2> stored{std::vector<int>{0}, std::vector<int>{0}};
  for (const auto& thread : program) {
    for (const auto& s : thread) {
      if (s[0] == 0 && std::find(stored[s[1]].begin(), stored[s[1]].end(), s[2]) == stored[s[1]].end()) stored[s[1]].push_back(s[2]);
    }
  }
  for (auto& values : stored) std::sort(values.begin(), values.end());
  std::vector<std::vector<int>> out(registers);
  for (const auto& thread : program) {
    for (const auto& s : thread) {
      if (s[0] == 1) out[s[1]] = stored[s[2]];
    }
  }
  if (finals) {
    out.push_back(stored[0]);
    out.push_back(stored[1]);
  }
  return out;
}

std::optional<std::size_t> find_test(std::string_view name) {
  const std::string wanted = lower(std::string(name));
  for (std::size_t i = 0; i < tests().size(); ++i) {
    if (lower(std::string(tests()[i].name)) == wanted) return i;
  }
  return std::nullopt;
}

std::optional<Order> find_order(std::string_view name) {
  std::string n = lower(std::string(name));
  std::replace(n.begin(), n.end(), '_', '-');
  for (Order o : kOrders) {
    if (order_name(o) == n) return o;
  }
  return std::nullopt;
}

int model_preemptions(std::size_t test) {
  // Four threads (IRIW): two stale reads and no preemption reach every outcome, and 3 takes seconds; three
  // threads (WRC): 3. The sets at these bounds are checked against cppmem's in support/tests/sim_litmus_test.cpp.
  const int threads = tests().at(test).threads;
  return threads >= 4 ? 2 : threads == 3 ? 3 : 4;
}

std::set<Outcome> x86_outcomes(std::size_t test, Order o, const std::set<Outcome>& sc) {
  std::set<Outcome> allowed = sc;
  // x86-TSO (Sewell et al., CACM 2010; herd7's x86tso.cat) keeps program order except a store followed by a load
  // of another location. Of these tests only SB has that pair; a seq_cst store (xchg) or an mfence drains the
  // store buffer before the load.
  if (tests().at(test).name == "SB" && (o == Order::kRelaxed || o == Order::kAcqRel)) allowed.insert(Outcome{0, 0});
  return allowed;
}

std::string Row::kind() const {
  if (!cpp) return "forbidden";
  return sc ? "acceptable" : "interesting";
}

bool Table::forbidden_seen() const {
  return std::any_of(rows.begin(), rows.end(), [](const Row& r) { return !r.cpp && r.seen > 0; });
}

Table make_table(std::size_t test, Order o, const std::set<Outcome>& cpp, const std::set<Outcome>& sc,
                 std::optional<MachineRun> machine) {
  Table t;
  t.test = test;
  t.order = o;
  const TestInfo& info = tests().at(test);
  const auto domains = info.domains();
  const auto names = info.outcome_names();
  const std::set<Outcome> x86 = x86_outcomes(test, o, sc);
  // Every combination of the components' values, first component slowest.
  std::vector<std::size_t> at(domains.size(), 0);
  while (true) {
    Row row;
    for (std::size_t i = 0; i < domains.size(); ++i) {
      row.outcome.push_back(domains[i][at[i]]);
      row.label += fmt::format("{}{}={}", i == 0 ? "" : " ", names[i], domains[i][at[i]]);
    }
    row.cpp = cpp.count(row.outcome) > 0;
    row.sc = sc.count(row.outcome) > 0;
    row.x86 = x86.count(row.outcome) > 0;
    if (machine && machine->ran) {
      const auto it = machine->counts.find(row.outcome);
      row.seen = it == machine->counts.end() ? 0 : it->second;
    }
    t.rows.push_back(std::move(row));
    std::size_t i = domains.size();
    while (i > 0 && ++at[i - 1] == domains[i - 1].size()) at[--i] = 0;
    if (i == 0) break;
  }
  t.machine = std::move(machine);
  return t;
}

}  // namespace conclab::litmus
