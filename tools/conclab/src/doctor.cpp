#include "doctor.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "output.hpp"
#include "process.hpp"

namespace conclab {

namespace fs = std::filesystem;

namespace {

struct Finding {
  std::string what;
  bool ok;
  bool required;
  std::string detail;  // version found, or the problem
  std::string fix;
};

ProcessResult run(std::vector<std::string> argv, int seconds = 60, const fs::path& cwd = {}) {
  ProcessOptions p;
  p.argv = std::move(argv);
  p.timeout = std::chrono::seconds(seconds);
  p.cwd = cwd;
  return run_process(p);
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

int major_version(const std::string& text) {
  std::smatch m;
  static const std::regex version(R"((\d+)\.(\d+)(?:\.(\d+))?)");
  return std::regex_search(text, m, version) ? std::stoi(m[1]) : 0;
}

}  // namespace

int cmd_doctor(const fs::path& root, bool json_out) {
  std::vector<Finding> findings;
  char tmpl[] = "/tmp/conclab-doctor-XXXXXX";
  const fs::path tmp = ::mkdtemp(tmpl) ? fs::path(tmpl) : fs::temp_directory_path();

  // Compiler.
  const ProcessResult gxx = run({"g++", "--version"}, 10);
  const int gxx_major = gxx.ok() ? major_version(first_line(gxx.output).substr(first_line(gxx.output).find(')') + 1)) : 0;
  findings.push_back({"C++ compiler (g++ >= 12)", gxx.ok() && gxx_major >= 12, true,
                      gxx.ok() ? first_line(gxx.output) : "g++ not found", "sudo apt-get install -y g++ (or run scripts/setup.sh)"});

  // The C++20 library features the course uses.
  {
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
    const ProcessResult r = run({"g++", "-std=c++20", "-pthread", (tmp / "features.cpp").string(), "-o", (tmp / "features").string()}, 120);
    const ProcessResult x = r.ok() ? run({(tmp / "features").string()}, 20) : r;
    findings.push_back({"C++20 threads library (latch, barrier, semaphore, jthread, stop_token, atomic wait)", r.ok() && x.ok(), true,
                        r.ok() ? (x.ok() ? "all present" : "compiled but did not run") : first_line(r.output),
                        "use g++ 12 or newer with libstdc++ 12 (Debian 12: sudo apt-get install -y g++)"});
  }

  // ThreadSanitizer must really report a race on this machine.
  {
    std::ofstream(tmp / "race.cpp") << R"(#include <thread>
long shared = 0;
int main() {
  std::thread a([] { for (int i = 0; i < 1000; ++i) shared += 1; });
  std::thread b([] { for (int i = 0; i < 1000; ++i) shared += 1; });
  a.join(); b.join();
  return 0;
}
)";
    const ProcessResult c = run({"g++", "-std=c++20", "-g", "-O1", "-fsanitize=thread", (tmp / "race.cpp").string(), "-o", (tmp / "race").string()}, 120);
    std::string detail = "reports a data race, as it should";
    std::string fix = "sudo apt-get install -y g++ (libtsan2 comes with it)";
    bool ok = false;
    if (!c.ok()) {
      detail = "cannot build with -fsanitize=thread: " + first_line(c.output);
    } else {
      ProcessOptions p;
      p.argv = {(tmp / "race").string()};
      p.timeout = std::chrono::seconds(30);
      p.env["TSAN_OPTIONS"] = "exitcode=66";
      const ProcessResult r = run_process(p);
      ok = r.exit_code == 66 && r.output.find("data race") != std::string::npos;
      if (!ok) {
        detail = r.output.find("unexpected memory mapping") != std::string::npos
                     ? "ThreadSanitizer cannot start: this kernel randomises memory too much for it"
                     : "a racy program ran without a report: " + first_line(r.output);
        fix = r.output.find("unexpected memory mapping") != std::string::npos
                  ? "sudo sysctl vm.mmap_rnd_bits=28   (then check again)"
                  : "reinstall g++ and libtsan2; until then race verdicts are unavailable";
      }
    }
    findings.push_back({"ThreadSanitizer catches a real race here", ok, true, detail, fix});
  }

  // Build tools.
  const ProcessResult cmake = run({"cmake", "--version"}, 10);
  const std::string cmake_v = cmake.ok() ? first_line(cmake.output) : "cmake not found";
  std::smatch cm;
  bool cmake_ok = false;
  if (std::regex_search(cmake_v, cm, std::regex(R"((\d+)\.(\d+))"))) cmake_ok = std::stoi(cm[1]) > 3 || (std::stoi(cm[1]) == 3 && std::stoi(cm[2]) >= 25);
  findings.push_back({"CMake >= 3.25", cmake_ok, true, cmake_v, "sudo apt-get install -y cmake"});
  const ProcessResult ninja = run({"ninja", "--version"}, 10);
  findings.push_back({"Ninja", ninja.ok(), true, ninja.ok() ? first_line(ninja.output) : "ninja not found", "sudo apt-get install -y ninja-build"});

  // Libraries, by their headers.
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

  // Optional tools.
  findings.push_back({"gdb (thread stacks when a test hangs)", !find_program("gdb").empty(), false,
                      find_program("gdb").empty() ? "not found: hang verdicts will not show where threads waited" : "found",
                      "sudo apt-get install -y gdb"});
  findings.push_back({"clang++ (the clang-tsa preset, -Wthread-safety)", !find_program("clang++").empty(), false,
                      find_program("clang++").empty() ? "not found" : "found", "sudo apt-get install -y clang"});
  findings.push_back({"bubblewrap (sandbox for `conclab grade`)", !find_program("bwrap").empty(), false,
                      find_program("bwrap").empty() ? "not found: grading runs with resource limits only" : "found",
                      "sudo apt-get install -y bubblewrap"});
  findings.push_back({"git (`conclab reset` restores starters from it)", !find_program("git").empty(), false,
                      find_program("git").empty() ? "not found" : "found", "sudo apt-get install -y git"});

  std::error_code ec;
  fs::remove_all(tmp, ec);
  int required_problems = 0, optional_problems = 0;
  for (const auto& f : findings) {
    if (!f.ok) (f.required ? required_problems : optional_problems)++;
  }
  if (json_out) {
    nlohmann::json j = {{"ok", required_problems == 0}, {"root", root.string()}, {"checks", nlohmann::json::array()}};
    for (const auto& f : findings) {
      j["checks"].push_back({{"check", f.what}, {"ok", f.ok}, {"required", f.required}, {"detail", f.detail}, {"fix", f.ok ? "" : f.fix}});
    }
    fmt::print("{}\n", j.dump(2));
  } else {
    fmt::print("{}  {}\n\n", out::bold("conclab doctor"), out::dim(root.string()));
    for (const auto& f : findings) {
      const std::string mark = f.ok ? out::green("ok  ") : f.required ? out::red("FAIL") : out::yellow("warn");
      fmt::print("  {} {}\n       {}\n", mark, f.what, out::dim(f.detail));
      if (!f.ok) fmt::print("       fix: {}\n", out::cyan(f.fix));
    }
    fmt::print("\n{}\n", required_problems == 0
                             ? out::green(fmt::format("Ready.{}", optional_problems ? " (Optional tools missing: see warn lines.)" : ""))
                             : out::red(fmt::format("{} problem{} to fix before the course works here.", required_problems,
                                                    required_problems == 1 ? "" : "s")));
  }
  return required_problems == 0 ? exit_code::kOk : exit_code::kEnvironment;
}

}  // namespace conclab
