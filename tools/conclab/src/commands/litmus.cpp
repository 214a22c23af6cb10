// `conclab litmus [TEST] [--order O] [--iterations N] [--json]`: the classic litmus tests, three ways at once —
// what the C++ memory model allows (enumerated by the course's explorer), what x86-TSO allows, and what this
// machine does over N runs — in one table per test and order. jcstress (OpenJDK) is the model for the outcome
// labels (acceptable / interesting / forbidden) and its report; the model column is ours.
#include <fmt/format.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "app/errors.hpp"
#include "commands/registry.hpp"
#include "litmus/litmus.hpp"
#include "ui/color.hpp"
#include "util/text.hpp"

namespace conclab::commands {

namespace {

namespace lt = conclab::litmus;
using nlohmann::json;

constexpr std::uint64_t kDefaultIterations = 1'000'000;
constexpr std::uint64_t kMaxIterations = 1'000'000'000;

std::string test_names() {
  std::vector<std::string> names;
  for (const auto& t : lt::tests()) names.emplace_back(t.name);
  return join(names, ", ");
}

std::string with_commas(std::uint64_t n) {
  std::string digits = std::to_string(n);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<std::size_t>(i), ",");
  return digits;
}

std::string share_text(std::uint64_t seen, std::uint64_t total) {
  if (total == 0 || seen == 0) return "";
  const double pct = 100.0 * static_cast<double>(seen) / static_cast<double>(total);
  return pct >= 0.1 ? fmt::format("{:.1f}%", pct) : fmt::format("{:.4f}%", pct);
}

// What the table means for a learner, in a sentence or two.
std::vector<std::string> findings(const lt::Table& t) {
  std::vector<std::string> out;
  const lt::TestInfo& info = lt::tests().at(t.test);
  const bool ran = t.machine && t.machine->ran;
  for (const auto& row : t.rows) {
    if (!row.cpp && row.seen > 0) {
      out.push_back(out::red(fmt::format(
          "FORBIDDEN OUTCOME SEEN: {} happened {} time(s), and C++ does not allow it with {}. That is a bug in the "
          "compiler or in this harness, not in your understanding: please report it with this output.",
          row.label, with_commas(row.seen), lt::order_name(t.order))));
    }
  }
  for (const auto& row : t.rows) {
    if (!row.cpp || row.sc) continue;  // the interesting ones: allowed, but no interleaving gives them
    if (ran && row.seen > 0 && !row.x86) {
      out.push_back(fmt::format("{} was seen although x86 keeps this order: the compiler reordered the accesses, "
                                "which C++ allows with {}.", row.label, lt::order_name(t.order)));
    } else if (ran && row.seen > 0) {
      out.push_back(fmt::format("{} was seen here: allowed by C++ with {}, and x86 really does it.", row.label,
                                lt::order_name(t.order)));
    } else if (!row.x86) {
      out.push_back(fmt::format("{} is allowed by C++ with {} but x86 never produces it: code that needs it not to "
                                "happen is wrong, and this machine cannot show you (ARM and POWER can; the explorer "
                                "can: module 02's labs).", row.label, lt::order_name(t.order)));
    } else {
      out.push_back(fmt::format("{} is allowed by C++ and by x86 with {}, but this run did not see it: a rare "
                                "timing, try more --iterations.", row.label, lt::order_name(t.order)));
    }
  }
  const bool any_interesting = std::any_of(t.rows.begin(), t.rows.end(), [](const lt::Row& r) { return r.cpp && !r.sc; });
  if (!any_interesting) {
    out.push_back(fmt::format("With {}, C++ allows only what some interleaving of the threads gives: {}.",
                              lt::order_name(t.order), info.name == "CoRR"
                                                           ? "coherence holds for every order, even relaxed"
                                                           : "nothing for the hardware or the compiler to show"));
  }
  return out;
}

void print_table(const lt::Table& t) {
  const lt::TestInfo& info = lt::tests().at(t.test);
  fmt::print("{}\n", out::bold(fmt::format("{} ({}), {}", info.name, info.title, lt::order_name(t.order))));
  const auto code = info.code(t.order);
  for (std::size_t i = 0; i < code.size(); ++i) fmt::print("  thread {}:  {}\n", i, code[i]);
  if (info.finals) fmt::print("  then:      read {} and {}\n", info.locations[0], info.locations[1]);
  fmt::print("  {}\n\n", out::dim("the question: " + std::string(info.question)));

  std::size_t width = 7;
  for (const auto& row : t.rows) width = std::max(width, row.label.size());
  std::string seen_header = "seen here";
  if (t.machine && t.machine->ran) {
    std::vector<std::string> cpus;
    for (int c : t.machine->cpus) cpus.push_back(std::to_string(c));
    seen_header = fmt::format("seen here ({} runs on CPUs {}, {:.1f} s{})", with_commas(t.machine->iterations),
                              join(cpus, ","), t.machine->seconds, t.machine->stopped_by_time ? ", stopped by --time-limit" : "");
  }
  fmt::print("  {:<{}}  {:<4} {:<4} {}\n", "outcome", width, "C++", "x86", seen_header);
  for (const auto& row : t.rows) {
    std::string seen = "-";
    if (t.machine && t.machine->ran) {
      seen = fmt::format("{:>11} {:>9}", with_commas(row.seen), share_text(row.seen, t.machine->iterations));
    }
    std::string kind = row.kind();
    kind = !row.cpp ? (row.seen > 0 ? out::red(kind + "  <- SEEN") : out::dim(kind)) : row.sc ? kind : out::yellow(kind);
    fmt::print("  {:<{}}  {:<4} {:<4} {}   {}\n", row.label, width, row.cpp ? "yes" : "no", row.x86 ? "yes" : "no", seen, kind);
  }
  if (t.machine && !t.machine->ran) fmt::print("  {}\n", out::yellow("not run here: " + t.machine->not_run));
  fmt::print("\n");
  for (const auto& f : findings(t)) fmt::print("  {}\n", f);
  fmt::print("\n");
}

json table_json(const lt::Table& t) {
  const lt::TestInfo& info = lt::tests().at(t.test);
  json j;
  j["test"] = info.name;
  j["title"] = info.title;
  j["order"] = lt::order_name(t.order);
  j["threads"] = info.threads;
  j["code"] = info.code(t.order);
  j["components"] = info.outcome_names();
  j["question"] = info.question;
  j["machine"] = nullptr;
  if (t.machine) {
    json m;
    m["ran"] = t.machine->ran;
    if (t.machine->ran) {
      m["iterations"] = t.machine->iterations;
      m["seconds"] = t.machine->seconds;
      m["cpus"] = t.machine->cpus;
      m["stopped_by_time"] = t.machine->stopped_by_time;
    } else {
      m["not_run"] = t.machine->not_run;
    }
    j["machine"] = m;
  }
  j["outcomes"] = json::array();
  for (const auto& row : t.rows) {
    json r;
    r["outcome"] = row.label;
    r["values"] = row.outcome;
    r["cpp_allowed"] = row.cpp;
    r["sc_allowed"] = row.sc;
    r["x86_allowed"] = row.x86;
    r["kind"] = row.kind();
    if (t.machine && t.machine->ran) {
      r["seen"] = row.seen;
      r["share"] = t.machine->iterations == 0 ? 0.0 : static_cast<double>(row.seen) / static_cast<double>(t.machine->iterations);
    } else {
      r["seen"] = nullptr;
    }
    j["outcomes"].push_back(r);
  }
  j["forbidden_seen"] = t.forbidden_seen();
  return j;
}

class LitmusCommand final : public Command {
 public:
  void add_options(Options& app) override {
    app.option("test", test_, fmt::format("The litmus test: {}, or all (default)", test_names()));
    app.option("--order", order_, "relaxed (default), acq-rel, seq-cst, fence (relaxed accesses, seq_cst fences), or all");
    app.option("--iterations", iterations_, "Runs of each test on this machine (default 1,000,000)");
    app.option("--time-limit", time_limit_, "Stop a test's runs after this many seconds (default 20)");
    app.flag("--no-machine", no_machine_, "Show only what C++ and x86 allow; do not run the tests here");
    app.flag("--json", json_, "Machine-readable output");
  }
  bool machine_output() const override { return json_; }

  int run(const GlobalOptions&) override {
    std::vector<std::size_t> which;
    if (test_.empty() || test_ == "all" || test_ == "ALL") {
      for (std::size_t i = 0; i < lt::tests().size(); ++i) which.push_back(i);
    } else if (auto t = lt::find_test(test_)) {
      which.push_back(*t);
    } else {
      throw UserError(fmt::format("There is no litmus test called '{}': choose one of {}, or all.", test_, test_names()),
                      exit_code::kUsage);
    }
    std::vector<lt::Order> orders;
    if (order_ == "all") {
      orders.assign(lt::kOrders.begin(), lt::kOrders.end());
    } else if (auto o = lt::find_order(order_)) {
      orders.push_back(*o);
    } else {
      throw UserError(fmt::format("'{}' is not a memory order conclab litmus knows: use relaxed, acq-rel, seq-cst, "
                                  "fence or all.", order_), exit_code::kUsage);
    }
    if (iterations_ < 1 || iterations_ > kMaxIterations) {
      throw UserError(fmt::format("--iterations must be between 1 and {}; {} is not.", with_commas(kMaxIterations),
                                  iterations_), exit_code::kUsage);
    }
    if (!(time_limit_ > 0 && time_limit_ <= 3600)) {
      throw UserError(fmt::format("--time-limit is in seconds, more than 0 and at most 3600; {} is not.", time_limit_),
                      exit_code::kUsage);
    }

    json all = json::array();
    bool forbidden = false;
    for (std::size_t test : which) {
      const std::set<lt::Outcome> sc = lt::model_outcomes(test, lt::Order::kSeqCst);
      for (lt::Order order : orders) {
        const std::set<lt::Outcome> cpp = order == lt::Order::kSeqCst ? sc : lt::model_outcomes(test, order);
        std::optional<lt::MachineRun> machine;
        if (!no_machine_) machine = lt::run_on_machine(test, order, iterations_, time_limit_);
        const lt::Table table = lt::make_table(test, order, cpp, sc, std::move(machine));
        forbidden = forbidden || table.forbidden_seen();
        if (json_) {
          all.push_back(table_json(table));
        } else {
          print_table(table);
        }
      }
    }
    if (json_) {
      json doc;
      doc["usable_cpus"] = lt::usable_cpus().size();
      doc["model"] = "conclab::sim: every schedule within the test's preemption bound, every store each load may read";
      doc["x86"] = "x86-TSO: program order kept except a store followed by a load of another location";
      doc["tables"] = all;
      doc["forbidden_seen"] = forbidden;
      fmt::print("{}\n", doc.dump(2));
    } else {
      fmt::print("{}\n", out::dim(
          "C++: allowed by the C++ memory model with this order, as enumerated by conclab's explorer (every schedule, "
          "every store a load may read).\nx86: allowed by x86-TSO for the instructions g++ emits for this order. "
          "acceptable: some interleaving of the threads gives it; interesting:\nallowed, but no interleaving gives it; "
          "forbidden: not allowed. A count of 0 means this run did not see it, not that it cannot happen."));
    }
    return forbidden ? exit_code::kNotPassed : exit_code::kOk;
  }

 private:
  std::string test_;
  std::string order_ = "relaxed";
  std::uint64_t iterations_ = kDefaultIterations;
  double time_limit_ = 20;
  bool no_machine_ = false;
  bool json_ = false;
};

}  // namespace

CONCLAB_REGISTER_COMMAND(LitmusCommand, "litmus", "Run the classic litmus tests: what C++ allows, what x86 allows, what this machine does", 47);

}  // namespace conclab::commands
