// `conclab bench LAB`: the lab's Google Benchmark, run once per implementation (yours, naive, improved,
// final) in one invocation, and a table of medians with the final/naive ratio.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "app/errors.hpp"
#include "commands/registry.hpp"
#include "engine/build.hpp"
#include "engine/process.hpp"
#include "ui/color.hpp"
#include "util/files.hpp"

namespace conclab::commands {

namespace {

using nlohmann::json;

struct BenchArgs {
  std::string lab;
  int repetitions = 5;
  bool learner = true;        // include the learner's version
  bool markdown = false;      // print a markdown table
  bool write_readme = false;  // replace the table between <!-- bench:ID:begin/end --> in the lab's README
  double min_time = 0;        // seconds per benchmark (0: the library's default)
  std::string filter;         // a --benchmark_filter regex
};

struct Row {
  double items_per_second = 0;
  double real_time = 0;
  std::string time_unit;
  std::map<std::string, double> counters;
};

std::string human_rate(double v) {
  if (v <= 0) return "-";
  const char* units[] = {"", "k", "M", "G"};
  int u = 0;
  while (v >= 1000 && u < 3) {
    v /= 1000;
    ++u;
  }
  return fmt::format("{:.3g}{}/s", v, units[u]);
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown CPU";
}

// Peer and reference rows measure something that does not depend on the implementation.
bool is_shared_row(const std::string& name) { return name.rfind("BM_Peer_", 0) == 0 || name.rfind("BM_Reference_", 0) == 0; }

Row row_of(const json& bm) {
  Row row;
  auto number = [&](const char* key) { return bm.contains(key) && bm[key].is_number() ? bm[key].get<double>() : 0.0; };
  row.items_per_second = number("items_per_second");
  row.real_time = number("real_time");
  row.time_unit = bm.value("time_unit", "ns");
  static const std::set<std::string> standard{"name", "run_name", "run_type", "repetitions", "repetition_index", "threads",
                                              "iterations", "real_time", "cpu_time", "time_unit", "items_per_second",
                                              "bytes_per_second", "aggregate_name", "aggregate_unit", "family_index",
                                              "per_family_instance_index", "label"};
  for (const auto& [k, v] : bm.items()) {
    if (!standard.contains(k) && v.is_number()) row.counters[k] = v.get<double>();
  }
  return row;
}

// Every implementation's medians, and how to show them.
class BenchTable {
 public:
  explicit BenchTable(std::vector<std::string> who) : who_(std::move(who)) {}

  void add(const std::string& who, const json& report) {
    for (const auto& bm : report["benchmarks"]) {
      if (bm.value("aggregate_name", "") != "median") continue;
      const std::string name = bm.value("run_name", bm.value("name", ""));
      if (!rows_.contains(name)) order_.push_back(name);
      const Row& row = rows_[name][is_shared_row(name) ? "reference" : who] = row_of(bm);
      for (const auto& [c, v] : row.counters) counter_names_.insert(c);
    }
  }

  std::string markdown() const {
    std::ostringstream md;
    md << "| benchmark | ";
    for (const auto& c : who_) md << column_name(c) << " | ";
    if (has_ratio()) md << "final / naive |";
    md << "\n|---|";
    for (std::size_t i = 0; i < who_.size(); ++i) md << "---|";
    if (has_ratio()) md << "---|";
    md << "\n";
    for (const auto& name : order_) {
      md << "| " << name << " | ";
      for (const auto& c : who_) md << cell(name, c) << " | ";
      if (has_ratio()) md << (is_shared_row(name) ? "" : ratio_cell(name)) << " |";
      md << "\n";
    }
    return md.str();
  }

  void print_plain() const {
    std::size_t w0 = 9;
    for (const auto& name : order_) w0 = std::max(w0, name.size());
    fmt::print("\n{}  ", out::bold(fmt::format("{:<{}}", "benchmark", w0)));
    for (const auto& c : who_) fmt::print("{:>14}", column_name(c));
    if (has_ratio()) fmt::print("{:>15}", "final/naive");
    fmt::print("\n");
    for (const auto& name : order_) {
      fmt::print("{:<{}}  ", name, w0);
      for (const auto& c : who_) {
        const std::string v = cell(name, c);
        fmt::print("{:>14}", v.substr(0, v.find(" (")));
      }
      if (has_ratio()) fmt::print("{:>15}", is_shared_row(name) ? "" : ratio_cell(name));
      fmt::print("\n");
    }
    if (!counter_names_.empty()) fmt::print("{}\n", out::dim("(counters such as hit ratio: --markdown shows them)"));
  }

 private:
  static std::string column_name(const std::string& who) { return who == kLearner ? "yours" : who; }

  bool has_ratio() const {
    return std::find(who_.begin(), who_.end(), "naive") != who_.end() && std::find(who_.begin(), who_.end(), "final") != who_.end();
  }

  std::string cell(const std::string& name, const std::string& who) const {
    const auto& impls = rows_.at(name);
    const std::string key = is_shared_row(name) ? "reference" : who;
    if (!impls.contains(key) || (is_shared_row(name) && who != "final")) return "";
    const Row& row = impls.at(key);
    std::string s = row.items_per_second > 0 ? human_rate(row.items_per_second) : fmt::format("{:.3g} {}", row.real_time, row.time_unit);
    for (const auto& c : counter_names_) {
      if (row.counters.contains(c)) s += fmt::format(" ({} {:.4f})", c, row.counters.at(c));
    }
    return s;
  }

  std::string ratio_cell(const std::string& name) const {
    const auto& impls = rows_.at(name);
    if (!impls.contains("naive") || !impls.contains("final")) return "";
    const double n = impls.at("naive").items_per_second, f = impls.at("final").items_per_second;
    if (n > 0 && f > 0) return fmt::format("{:.2f}x", f / n);
    const double nt = impls.at("naive").real_time, ft = impls.at("final").real_time;
    return nt > 0 && ft > 0 ? fmt::format("{:.2f}x", nt / ft) : "";
  }

  std::vector<std::string> who_;
  std::map<std::string, std::map<std::string, Row>> rows_;  // row name -> implementation -> medians
  std::vector<std::string> order_;
  std::set<std::string> counter_names_;
};

// Runs one implementation's benchmark program; its JSON report, or nullopt (said on stderr) when it failed.
std::optional<json> run_benchmark(const Context& ctx, const Lab& lab, const std::string& who, const BenchArgs& args) {
  const fs::path tree = build_dir(ctx.course.root, BuildKind::kBench);
  ProcessOptions p;
  p.argv = {target_binary(tree, lab.bench_target(who)).string(), "--benchmark_format=json",
            fmt::format("--benchmark_repetitions={}", args.repetitions), "--benchmark_report_aggregates_only=true"};
  // Peer and reference benchmarks do not depend on the implementation: run them once, with final.
  std::string filter = args.filter;
  if (filter.empty() && who != "final") filter = "-BM_(Peer|Reference)_";
  if (!filter.empty()) p.argv.push_back("--benchmark_filter=" + filter);
  if (args.min_time > 0) p.argv.push_back(fmt::format("--benchmark_min_time={}", args.min_time));
  // The report goes to its own file: stdout may carry the program's own prints and warnings.
  const fs::path report = tree / fmt::format("bench-{}-{}.json", lab.target_id(), who);
  p.argv.push_back("--benchmark_out=" + report.string());
  p.argv.push_back("--benchmark_out_format=json");
  p.timeout = std::chrono::minutes(20);
  const ProcessResult r = run_process(p);
  if (!r.ok()) {
    fmt::print(stderr, "{}: the benchmark failed ({}); skipped.\n", who,
               r.timed_out ? "timed out" : r.signal ? signal_name(r.signal) : fmt::format("exit code {}", r.exit_code));
    return std::nullopt;
  }
  try {
    // Google Benchmark writes NaN and infinity as bare words (the spread of an all-zero counter), which JSON does not allow.
    static const std::regex not_a_number(R"((:\s*)-?(?:[Nn]a[Nn]|[Ii]nf(?:inity)?)\b)");
    return json::parse(std::regex_replace(read_text(report), not_a_number, "$1null"));
  } catch (const std::exception& e) {
    fmt::print(stderr, "{}: could not read the benchmark's report {} ({}); skipped.\n", who, report.string(), e.what());
    return std::nullopt;
  }
}

void write_into_readme(const Context& ctx, const Lab& lab, const std::string& table) {
  const fs::path readme = lab.is_project ? lab.dir / "README.md" : ctx.course.root / lab.lesson;
  std::string s = read_text(readme);
  const std::string begin = fmt::format("<!-- bench:{}:begin -->", lab.id), end = fmt::format("<!-- bench:{}:end -->", lab.id);
  const auto b_pos = s.find(begin), e_pos = s.find(end);
  if (b_pos == std::string::npos || e_pos == std::string::npos || e_pos < b_pos) {
    throw UserError(fmt::format("{} has no {} ... {} markers to write the table between.", shown_path(ctx, readme), begin, end),
                    exit_code::kUsage);
  }
  write_text_atomically(readme, s.substr(0, b_pos + begin.size()) + "\n" + table + "\n" + s.substr(e_pos));
  fmt::print(stderr, "Wrote the table into {}.\n", shown_path(ctx, readme));
}

class BenchCommand final : public Command {
 public:
  void add_options(Options& app) override {
    app.option("lab", args_.lab, "Lab id").required();
    app.option("--repetitions", args_.repetitions, "Repetitions, at least 2: the table shows medians").range(2, 100);
    app.option("--min-time", args_.min_time, "Seconds per benchmark (default: the library's)");
    app.option("--filter", args_.filter, "Only benchmarks matching this regex");
    app.flag("!--no-learner", args_.learner, "Leave your version out");
    app.flag("--markdown", args_.markdown, "Print a markdown table");
    app.flag("--write-readme", args_.write_readme, "Write the table into the lab's README between its bench markers");
  }

  int run(const GlobalOptions& global) override {
    Context ctx = open_context(global, false);
    const Lab& lab = ctx.course.get(args_.lab);
    if (!lab.has_benchmark()) {
      throw UserError(fmt::format("Lab {} has no benchmark: speed is not the point of this one.", lab.id), exit_code::kUsage);
    }
    std::vector<std::string> who;
    if (args_.learner) who.emplace_back(kLearner);
    for (const auto& v : lab.variants_on_disk()) {
      if (is_reference_variant(v)) who.push_back(v);  // the bench tree has no wrong variants: they are not about speed
    }
    build(ctx, lab, who);
    BenchTable table(who);
    for (const auto& w : who) {
      if (interrupted().load()) return exit_code::kInterrupted;
      fmt::print(stderr, "Running {} ({} repetitions)...\n", w, args_.repetitions);
      if (auto report = run_benchmark(ctx, lab, w, args_)) table.add(w, *report);
    }
    const std::string command = fmt::format("./conclab bench {} --repetitions {}{}", lab.id, args_.repetitions, args_.learner ? "" : " --no-learner");
    const std::string provenance = fmt::format("Medians of {} repetitions; {}; {} cores ({}); {}.", args_.repetitions, command,
                                               ::sysconf(_SC_NPROCESSORS_ONLN), cpu_model(), utc_now().substr(0, 10));
    if (args_.write_readme) write_into_readme(ctx, lab, table.markdown() + "\n" + provenance);
    if (args_.markdown || args_.write_readme) {
      fmt::print("{}\n{}\n", table.markdown(), provenance);
      return exit_code::kOk;
    }
    table.print_plain();
    fmt::print("\n{}\n", out::dim(provenance));
    return exit_code::kOk;
  }

 private:
  static void build(const Context& ctx, const Lab& lab, const std::vector<std::string>& who) {
    std::vector<std::string> targets;
    for (const auto& w : who) targets.push_back(lab.bench_target(w));
    fmt::print(stderr, "Building {} benchmark programs...\n", targets.size());
    const BuildResult b = build_targets(ctx.course.root, BuildKind::kBench, targets);
    if (!b.ok) {
      throw UserError(fmt::format("The benchmark of lab {} does not build:\n{}", lab.id, b.first_error),
                      b.configure_failed ? exit_code::kEnvironment : exit_code::kNoCompile);
    }
  }

  BenchArgs args_;
};

}  // namespace

CONCLAB_REGISTER_COMMAND(BenchCommand, "bench", "Benchmark your version against naive, improved and final", 100)

}  // namespace conclab::commands
