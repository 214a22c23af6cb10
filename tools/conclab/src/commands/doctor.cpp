// `conclab doctor`: is this machine ready for the course? Each problem comes with its fix.
#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "app/errors.hpp"
#include "commands/registry.hpp"
#include "engine/process.hpp"
#include "ui/color.hpp"
#include "util/text.hpp"

namespace conclab::commands {

namespace {

struct Finding {
  std::string what;
  bool ok;
  bool required;
  std::string detail;  // version found, or the problem
  std::string fix;
};
using Findings = std::vector<Finding>;

ProcessResult run(std::vector<std::string> argv, int seconds = 60) {
  ProcessOptions p;
  p.argv = std::move(argv);
  p.timeout = std::chrono::seconds(seconds);
  return run_process(p);
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

int major_version(const std::string& text) {
  std::smatch m;
  static const std::regex version(R"((\d+)\.(\d+)(?:\.(\d+))?)");
  return std::regex_search(text, m, version) ? std::stoi(m[1]) : 0;
}

// clang++ builds the graded tests (half the compile time of g++); g++ builds the CLI and the benchmarks.
void check_compilers(Findings& findings) {
  const ProcessResult clang = run({"clang++", "--version"}, 10);
  const std::string cl = first_line(clang.output);
  const int clang_major = clang.ok() ? major_version(cl.substr(cl.find("version") == std::string::npos ? 0 : cl.find("version"))) : 0;
  findings.push_back({"C++ compiler for the graded tests (clang++ >= 14)", clang.ok() && clang_major >= 14, true,
                      clang.ok() ? cl : "clang++ not found", "sudo apt-get install -y clang libclang-rt-dev (or run scripts/setup.sh)"});
  const ProcessResult gxx = run({"g++", "--version"}, 10);
  const std::string line = first_line(gxx.output);
  const int major = gxx.ok() ? major_version(line.substr(line.find(')') + 1)) : 0;
  findings.push_back({"C++ compiler for conclab and the benchmarks (g++ >= 12)", gxx.ok() && major >= 12, true,
                      gxx.ok() ? line : "g++ not found", "sudo apt-get install -y g++ (or run scripts/setup.sh)"});
}

// The C++20 library features the course uses compile and run.
void check_library_features(Findings& findings, const fs::path& tmp) {
  std::ofstream(tmp / "features.cpp") << R"(#include <atomic>
#include <barrier>
#include <concepts>
#include <latch>
#include <semaphore>
#include <span>
#include <stop_token>
#include <thread>
int main() {
  std::latch l(1); l.count_down(); l.wait();
  std::barrier b(1); b.arrive_and_wait();
  std::counting_semaphore<4> s(1); s.acquire(); s.release();
  std::jthread t([](std::stop_token st) { (void)st.stop_requested(); });
  std::atomic<int> a{0}; a.notify_all();
  std::stop_source src; std::stop_callback cb(src.get_token(), [] {}); src.request_stop();
  int v[3] = {1, 2, 3}; std::span<int> sp(v); return static_cast<int>(sp.size()) - 3;
}
)";
  const ProcessResult r = run({"clang++", "-std=c++20", "-pthread", (tmp / "features.cpp").string(), "-o", (tmp / "features").string()}, 120);
  const ProcessResult x = r.ok() ? run({(tmp / "features").string()}, 20) : r;
  findings.push_back({"C++20 threads library (latch, barrier, semaphore, jthread, stop_token, atomic wait)", r.ok() && x.ok(), true,
                      r.ok() ? (x.ok() ? "all present" : "compiled but did not run") : first_line(r.output),
                      "use clang 14 or newer with libstdc++ 12 (Debian 12: sudo apt-get install -y clang g++)"});
}

// ThreadSanitizer must really report a race on this machine.
void check_tsan(Findings& findings, const fs::path& tmp) {
  std::ofstream(tmp / "race.cpp") << R"(#include <thread>
long shared = 0;
int main() {
  std::thread a([] { for (int i = 0; i < 1000; ++i) shared += 1; });
  std::thread b([] { for (int i = 0; i < 1000; ++i) shared += 1; });
  a.join(); b.join();
  return 0;
}
)";
  const ProcessResult c = run({"clang++", "-std=c++20", "-g1", "-O1", "-fsanitize=thread", (tmp / "race.cpp").string(), "-o", (tmp / "race").string()}, 120);
  Finding f{"ThreadSanitizer catches a real race here", false, true, "reports a data race, as it should",
            "sudo apt-get install -y clang libclang-rt-dev (the ThreadSanitizer runtime)"};
  if (!c.ok()) {
    f.detail = "cannot build with -fsanitize=thread: " + first_line(c.output);
    findings.push_back(f);
    return;
  }
  ProcessOptions p;
  p.argv = {(tmp / "race").string()};
  p.timeout = std::chrono::seconds(30);
  p.env["TSAN_OPTIONS"] = "exitcode=66";
  const ProcessResult r = run_process(p);
  f.ok = r.exit_code == 66 && r.output.find("data race") != std::string::npos;
  if (!f.ok) {
    const bool aslr = r.output.find("unexpected memory mapping") != std::string::npos;
    f.detail = aslr ? "ThreadSanitizer cannot start: this kernel randomises memory too much for it"
                    : "a racy program ran without a report: " + first_line(r.output);
    f.fix = aslr ? "sudo sysctl vm.mmap_rnd_bits=28   (then check again)" : "reinstall clang and libclang-rt-dev; until then race verdicts are unavailable";
  }
  findings.push_back(f);
}

void check_build_tools(Findings& findings) {
  const ProcessResult cmake = run({"cmake", "--version"}, 10);
  const std::string cmake_v = cmake.ok() ? first_line(cmake.output) : "cmake not found";
  std::smatch cm;
  bool cmake_ok = false;
  if (std::regex_search(cmake_v, cm, std::regex(R"((\d+)\.(\d+))"))) cmake_ok = std::stoi(cm[1]) > 3 || (std::stoi(cm[1]) == 3 && std::stoi(cm[2]) >= 25);
  findings.push_back({"CMake >= 3.25", cmake_ok, true, cmake_v, "sudo apt-get install -y cmake"});
  const ProcessResult ninja = run({"ninja", "--version"}, 10);
  findings.push_back({"Ninja", ninja.ok(), true, ninja.ok() ? first_line(ninja.output) : "ninja not found", "sudo apt-get install -y ninja-build"});
}

// Libraries, by their headers.
void check_libraries(Findings& findings) {
  struct Lib { const char* what; const char* header; const char* package; bool required; };
  const Lib libs[] = {
      {"GoogleTest", "/usr/include/gtest/gtest.h", "libgtest-dev libgmock-dev", true},
      {"Google Benchmark", "/usr/include/benchmark/benchmark.h", "libbenchmark-dev", true},
      {"fmt", "/usr/include/fmt/format.h", "libfmt-dev", true},
      {"CLI11", "/usr/include/CLI/CLI.hpp", "libcli11-dev", true},
      {"toml++", "/usr/include/toml++/toml.h", "libtomlplusplus-dev", true},
      {"nlohmann-json", "/usr/include/nlohmann/json.hpp", "nlohmann-json3-dev", true},
      {"TBB (capstone 3's peer benchmark)", "/usr/include/oneapi/tbb.h", "libtbb-dev", false},
      {"SQLite (grading gradebook)", "/usr/include/sqlite3.h", "libsqlite3-dev", false},
  };
  for (const auto& lib : libs) {
    const bool ok = fs::exists(lib.header);
    findings.push_back({lib.what, ok, lib.required, ok ? "found" : fmt::format("{} is missing", lib.header),
                        fmt::format("sudo apt-get install -y {}", lib.package)});
  }
}

void check_optional_tools(Findings& findings) {
  struct Tool { const char* what; const char* program; const char* missing; const char* package; };
  const Tool tools[] = {
      {"gdb (thread stacks when a test hangs)", "gdb", "not found: hang verdicts will not show where threads waited", "gdb"},
      {"bubblewrap (sandbox for `conclab grade`)", "bwrap", "not found: grading runs with resource limits only", "bubblewrap"},
      {"git (`conclab reset` restores starters from it)", "git", "not found", "git"},
  };
  for (const auto& t : tools) {
    const bool found = !find_program(t.program).empty();
    findings.push_back({t.what, found, false, found ? "found" : t.missing, fmt::format("sudo apt-get install -y {}", t.package)});
  }
}

void print_findings(const Findings& findings, const fs::path& root, int required_problems, int optional_problems) {
  fmt::print("{}  {}\n\n", out::bold("conclab doctor"), out::dim(root.string()));
  for (const auto& f : findings) {
    const std::string mark = f.ok ? out::green("ok  ") : f.required ? out::red("FAIL") : out::yellow("warn");
    fmt::print("  {} {}\n       {}\n", mark, f.what, out::dim(f.detail));
    if (!f.ok) fmt::print("       fix: {}\n", out::cyan(f.fix));
  }
  fmt::print("\n{}\n", required_problems == 0
                           ? out::green(fmt::format("Ready.{}", optional_problems ? " (Optional tools missing: see warn lines.)" : ""))
                           : out::red(fmt::format("{} to fix before the course works here.", plural(required_problems, "problem"))));
}

class DoctorCommand final : public Command {
 public:
  void add_options(Options& app) override { app.flag("--json", json_, "Machine-readable output"); }
  bool machine_output() const override { return json_; }

  int run(const GlobalOptions& global) override {
    const fs::path root = find_course_root(global.root);
    char tmpl[] = "/tmp/conclab-doctor-XXXXXX";
    const fs::path tmp = ::mkdtemp(tmpl) ? fs::path(tmpl) : fs::temp_directory_path();
    Findings findings;
    check_compilers(findings);
    check_library_features(findings, tmp);
    check_tsan(findings, tmp);
    check_build_tools(findings);
    check_libraries(findings);
    check_optional_tools(findings);
    std::error_code ec;
    fs::remove_all(tmp, ec);
    int required_problems = 0, optional_problems = 0;
    for (const auto& f : findings) {
      if (!f.ok) (f.required ? required_problems : optional_problems)++;
    }
    if (json_) {
      nlohmann::json j = {{"ok", required_problems == 0}, {"root", root.string()}, {"checks", nlohmann::json::array()}};
      for (const auto& f : findings) {
        j["checks"].push_back({{"check", f.what}, {"ok", f.ok}, {"required", f.required}, {"detail", f.detail}, {"fix", f.ok ? "" : f.fix}});
      }
      fmt::print("{}\n", j.dump(2));
    } else {
      print_findings(findings, root, required_problems, optional_problems);
    }
    return required_problems == 0 ? exit_code::kOk : exit_code::kEnvironment;
  }

 private:
  bool json_ = false;
};

}  // namespace

CONCLAB_REGISTER_COMMAND(DoctorCommand, "doctor", "Check this machine: compiler, C++20 library, ThreadSanitizer, CMake, packages", 90)

}  // namespace conclab::commands
