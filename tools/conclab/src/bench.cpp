#include "bench.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "builder.hpp"
#include "files.hpp"
#include "output.hpp"
#include "process.hpp"
#include "state.hpp"

namespace conclab {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

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

bool is_shared_row(const std::string& name) {
  return name.rfind("BM_Peer_", 0) == 0 || name.rfind("BM_Reference_", 0) == 0;
}

}  // namespace

int cmd_bench(Context& ctx, const BenchArgs& args) {
  const Lab& lab = ctx.course.get(args.lab);
  bool has_bench = false;
  for (const auto& e : fs::directory_iterator(lab.dir)) has_bench = has_bench || e.path().filename().string().ends_with("_bench.cpp");
  if (!has_bench) {
    throw UserError(fmt::format("Lab {} has no benchmark: speed is not the point of this one.", lab.id), exit_code::kUsage);
  }
  std::vector<std::string> who;
  if (args.learner) who.push_back("learner");
  for (const char* v : {"naive", "improved", "final"}) {
    if (fs::is_directory(lab.solutions_dir / v)) who.push_back(v);
  }
  std::vector<std::string> targets;
  for (const auto& w : who) targets.push_back(fmt::format("bench_{}_{}", lab.target_id(), w));
  fmt::print(stderr, "Building {} benchmark programs...\n", targets.size());
  const BuildResult b = build_targets(ctx.course.root, "default", targets);
  if (!b.ok) {
    throw UserError(fmt::format("The benchmark of lab {} does not build:\n{}", lab.id, b.first_error),
                    b.configure_failed ? exit_code::kEnvironment : exit_code::kNoCompile);
  }

  std::map<std::string, std::map<std::string, Row>> table;  // row name -> implementation -> medians
  std::vector<std::string> order;
  for (const auto& w : who) {
    if (interrupted().load()) return exit_code::kInterrupted;
    fmt::print(stderr, "Running {} ({} repetitions)...\n", w, args.repetitions);
    ProcessOptions p;
    p.argv = {target_binary(build_dir(ctx.course.root, "default"), fmt::format("bench_{}_{}", lab.target_id(), w)).string(),
              "--benchmark_format=json", fmt::format("--benchmark_repetitions={}", args.repetitions),
              "--benchmark_report_aggregates_only=true"};
    // Peer and reference benchmarks do not depend on the implementation: run them once, with final.
    std::string filter = args.filter;
    if (filter.empty() && w != "final") filter = "-BM_(Peer|Reference)_";
    if (!filter.empty()) p.argv.push_back("--benchmark_filter=" + filter);
    if (args.min_time > 0) p.argv.push_back(fmt::format("--benchmark_min_time={}", args.min_time));
    // The report goes to its own file: stdout may carry the program's own prints and warnings.
    const fs::path report = build_dir(ctx.course.root, "default") / fmt::format("bench-{}-{}.json", lab.target_id(), w);
    p.argv.push_back("--benchmark_out=" + report.string());
    p.argv.push_back("--benchmark_out_format=json");
    p.timeout = std::chrono::minutes(20);
    const ProcessResult r = run_process(p);
    if (!r.ok()) {
      fmt::print(stderr, "{}: the benchmark failed ({}); skipped.\n", w,
                 r.timed_out ? "timed out" : r.signal ? signal_name(r.signal) : fmt::format("exit code {}", r.exit_code));
      continue;
    }
    const std::string report_text = read_text(report);
    json j;
    try {
      // Google Benchmark writes NaN and infinity as bare words (the spread of an all-zero counter), which
      // JSON does not allow.
      static const std::regex not_a_number(R"((:\s*)-?(?:[Nn]a[Nn]|[Ii]nf(?:inity)?)\b)");
      j = json::parse(std::regex_replace(report_text, not_a_number, "$1null"));
    } catch (const std::exception& e) {
      fmt::print(stderr, "{}: could not read the benchmark's report {} ({}); skipped.\n", w, report.string(), e.what());
      continue;
    }
    for (const auto& bm : j["benchmarks"]) {
      if (bm.value("aggregate_name", "") != "median") continue;
      const std::string name = bm.value("run_name", bm.value("name", ""));
      if (!table.contains(name)) order.push_back(name);
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
        if (k == "items_per_second" && !v.is_number()) row.items_per_second = 0;
      }
      table[name][is_shared_row(name) ? "reference" : w] = row;
    }
  }

  // Render.
  std::vector<std::string> columns;
  for (const auto& w : who) columns.push_back(w);
  const bool ratio = std::find(who.begin(), who.end(), "naive") != who.end() && std::find(who.begin(), who.end(), "final") != who.end();
  std::set<std::string> counter_names;
  for (const auto& [name, impls] : table) {
    for (const auto& [w, row] : impls) {
      for (const auto& [c, v] : row.counters) counter_names.insert(c);
    }
  }
  auto cell = [&](const std::string& name, const std::string& w) -> std::string {
    const auto& impls = table[name];
    const std::string key = is_shared_row(name) ? "reference" : w;
    if (!impls.contains(key) || (is_shared_row(name) && w != "final")) return "";
    const Row& row = impls.at(key);
    std::string s = row.items_per_second > 0 ? human_rate(row.items_per_second) : fmt::format("{:.3g} {}", row.real_time, row.time_unit);
    for (const auto& c : counter_names) {
      if (row.counters.contains(c)) s += fmt::format(" ({} {:.4f})", c, row.counters.at(c));
    }
    return s;
  };
  auto ratio_cell = [&](const std::string& name) -> std::string {
    const auto& impls = table[name];
    if (!impls.contains("naive") || !impls.contains("final")) return "";
    const double n = impls.at("naive").items_per_second, f = impls.at("final").items_per_second;
    if (n > 0 && f > 0) return fmt::format("{:.2f}x", f / n);
    const double nt = impls.at("naive").real_time, ft = impls.at("final").real_time;
    return nt > 0 && ft > 0 ? fmt::format("{:.2f}x", nt / ft) : "";
  };

  std::ostringstream md;
  md << "| benchmark | " ;
  for (const auto& c : columns) md << (c == "learner" ? "yours" : c) << " | ";
  if (ratio) md << "final / naive |";
  md << "\n|---|";
  for (std::size_t i = 0; i < columns.size(); ++i) md << "---|";
  if (ratio) md << "---|";
  md << "\n";
  for (const auto& name : order) {
    md << "| " << name << " | ";
    for (const auto& c : columns) md << cell(name, c) << " | ";
    if (ratio) md << (is_shared_row(name) ? "" : ratio_cell(name)) << " |";
    md << "\n";
  }
  const std::string command = fmt::format("./conclab bench {} --repetitions {}{}", lab.id, args.repetitions, args.learner ? "" : " --no-learner");
  const std::string provenance = fmt::format("Medians of {} repetitions; {}; {} cores ({}); {}.", args.repetitions, command,
                                             ::sysconf(_SC_NPROCESSORS_ONLN), cpu_model(), utc_now().substr(0, 10));

  if (args.write_readme) {
    const fs::path readme = lab.is_project ? lab.dir / "README.md" : ctx.course.root / lab.lesson;
    std::string s = read_text(readme);
    const std::string begin = fmt::format("<!-- bench:{}:begin -->", lab.id), end = fmt::format("<!-- bench:{}:end -->", lab.id);
    const auto b_pos = s.find(begin), e_pos = s.find(end);
    if (b_pos == std::string::npos || e_pos == std::string::npos || e_pos < b_pos) {
      throw UserError(fmt::format("{} has no {} ... {} markers to write the table between.", fs::relative(readme, ctx.course.root).string(), begin, end),
                      exit_code::kUsage);
    }
    s = s.substr(0, b_pos + begin.size()) + "\n" + md.str() + "\n" + provenance + "\n" + s.substr(e_pos);
    write_text_atomically(readme, s);
    fmt::print(stderr, "Wrote the table into {}.\n", fs::relative(readme, ctx.course.root).string());
  }
  if (args.markdown || args.write_readme) {
    fmt::print("{}\n{}\n", md.str(), provenance);
    return exit_code::kOk;
  }
  // Plain text for the terminal.
  std::size_t w0 = 9;
  for (const auto& name : order) w0 = std::max(w0, name.size());
  fmt::print("\n{}  ", out::bold(fmt::format("{:<{}}", "benchmark", w0)));
  for (const auto& c : columns) fmt::print("{:>14}", c == "learner" ? "yours" : c);
  if (ratio) fmt::print("{:>15}", "final/naive");
  fmt::print("\n");
  for (const auto& name : order) {
    fmt::print("{:<{}}  ", name, w0);
    for (const auto& c : columns) {
      const std::string v = cell(name, c);
      fmt::print("{:>14}", v.substr(0, v.find(" (")));
    }
    if (ratio) fmt::print("{:>15}", is_shared_row(name) ? "" : ratio_cell(name));
    fmt::print("\n");
  }
  if (!counter_names.empty()) fmt::print("{}\n", out::dim("(counters such as hit ratio: --markdown shows them)"));
  fmt::print("\n{}\n", out::dim(provenance));
  return exit_code::kOk;
}

}  // namespace conclab
