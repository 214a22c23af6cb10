// Running a child process and watching it from outside: exit status, signal, time, output.
//
// The child runs in its own process group, so a timeout or Ctrl-C kills it and everything it started.
// Output (stdout and stderr merged, in order) is kept up to a cap; past it, reading goes on (so the child
// never blocks on a full pipe) but the bytes are dropped and `output_truncated` says so.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace conclab {

struct ProcessOptions {
  std::vector<std::string> argv;
  std::filesystem::path cwd;                            // empty: inherit
  std::map<std::string, std::string> env;               // set (or, with an empty value, unset) in the child
  std::chrono::milliseconds timeout{0};                 // 0: none
  std::size_t output_cap = 8u << 20;
  std::vector<std::pair<int, rlim_t>> rlimits;          // setrlimit(resource, value) in the child
  std::function<void(pid_t)> on_timeout;                // called before the kill (e.g. to take stacks)
  std::function<void(std::string_view)> on_output;      // streamed chunks, as they arrive
};

struct ProcessResult {
  int exit_code = -1;          // when it exited normally
  int signal = 0;              // when a signal ended it
  bool timed_out = false;      // we killed it at the timeout
  bool interrupted = false;    // we killed it because the user pressed Ctrl-C
  bool failed_to_start = false;
  std::string output;
  bool output_truncated = false;
  double seconds = 0;

  bool ok() const { return !timed_out && !interrupted && signal == 0 && exit_code == 0; }
};

ProcessResult run_process(const ProcessOptions& options);

// Set by the SIGINT/SIGTERM handler that main() installs; every running child is then killed.
std::atomic<bool>& interrupted();
void install_interrupt_handler();

// The name of a signal: "SIGSEGV (segmentation fault)".
std::string signal_name(int sig);

// Looks a program up on PATH; empty when absent.
std::filesystem::path find_program(std::string_view name);

}  // namespace conclab
