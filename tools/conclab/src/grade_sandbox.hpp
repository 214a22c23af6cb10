// Running untrusted code for `conclab grade`: a sandbox (bubblewrap when it works here), resource limits
// (always), and a watchdog that sees what setrlimit cannot.
//
// What each layer stops (docs/grading.md has the full table):
//   - bubblewrap: no network, the system read-only, nothing of the host's files but the system folders
//     and what the grader binds in (the scratch course for a build, the test program for a run), a private
//     size-capped /tmp, its own PID namespace (killing the sandbox kills everything started inside it).
//   - setrlimit: CPU time, file size, open files, processes/threads, no core files, and address space
//     (not on ThreadSanitizer runs: TSan reserves terabytes of shadow address space).
//   - a different user: when the grader runs as root, RLIMIT_NPROC means nothing (the kernel exempts
//     root), so the untrusted code runs as an unprivileged uid of its own (one per job slot, through
//     setpriv), under which the kernel counts and caps its threads.
//   - the watchdog (Monitor): samples /proc every 50 ms and kills a run whose processes together use more
//     resident memory or threads than allowed (the only memory cap a TSan run gets), and records the CPU
//     time seen, which tells a busy loop from a deadlock when a run times out.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "process.hpp"

namespace conclab::grading {

namespace fs = std::filesystem;

struct Limits {
  std::chrono::milliseconds timeout{30000};  // wall clock
  rlim_t cpu_seconds = 60;                   // RLIMIT_CPU
  rlim_t address_space = 0;                  // RLIMIT_AS in bytes; 0: none (TSan)
  rlim_t file_size = 64u << 20;              // RLIMIT_FSIZE
  rlim_t open_files = 256;                   // RLIMIT_NOFILE
  rlim_t processes = 256;                    // RLIMIT_NPROC, on top of what the user already runs (non-root)
  std::size_t rss_bytes = 0;                 // watchdog: all the run's processes together; 0: none
  long threads = 0;                          // watchdog: all the run's threads together; 0: none
  std::size_t output_bytes = 2u << 20;       // more output than this ends the run (an output flood)
  std::size_t tmp_bytes = 64u << 20;         // the private /tmp (bubblewrap)
};

enum class SandboxKind { kBubblewrap, kLimitsOnly };

struct Sandbox {
  SandboxKind kind = SandboxKind::kLimitsOnly;
  std::string description;  // one line for the console and the outputs
  std::string reason;       // why there is no bubblewrap (empty when there is)
  fs::path bwrap;
  fs::path setpriv;
  fs::path env;             // /usr/bin/env, to start the program with only the environment we give
  bool switch_uid = false;  // root: run untrusted code as an unprivileged uid per slot
  uid_t uid_base = 0;
  rlim_t nproc_in_use = 0;  // non-root: threads this user already runs (RLIMIT_NPROC counts them too)
  int slots = 1;            // runs at once (non-root: they share the user's RLIMIT_NPROC)
  std::vector<fs::path> hide;  // folders to cover with an empty tmpfs when they sit under a bound system folder

  // Builds run as uid_for(slot), which owns the slot's scratch copy; test runs as uid_for(slot, true), which
  // cannot write it, so one submission's tests cannot tamper with the next submission's build.
  uid_t uid_for(int slot, bool test_run = false) const { return uid_base + static_cast<uid_t>(slot) + (test_run ? 32u : 0u); }
};

// mode: "auto" (bubblewrap if it works here, else limits only, saying why), "bwrap" (fail if it does not
// work), "none" (limits only). Throws UserError for "bwrap" when bubblewrap is missing or broken.
Sandbox detect_sandbox(const std::string& mode, int slots);

// The watchdog. One thread for the whole grading run; each slot registers its current run.
class Monitor {
 public:
  struct Observation {
    std::string killed_for;  // non-empty: the watchdog ended the run, and why
    double cpu_seconds = 0;  // the most CPU time the run's processes were seen to have used
    double late_cpu_rate = -1;  // CPU seconds per second over the second half of the timeout; -1: not seen
    std::size_t peak_rss = 0;
    long peak_threads = 0;
  };

  Monitor();
  ~Monitor();
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  // A run of `slot` starts: its processes are the grader's children whose command line contains `token`,
  // their descendants, and (uid >= 0) every process of that uid.
  void watch(int slot, const std::string& token, long uid, const Limits& limits);
  Observation unwatch(int slot);
  // Ends the slot's current run now (called from the output callback on a flood).
  void kill_now(int slot, const std::string& reason);
  // Kills every process of `uid` (limits-only mode: what escaped the process group).
  static void kill_uid(uid_t uid);

 private:
  struct Watch {
    std::string token;
    long uid = -1;
    Limits limits;
    Observation seen;
    std::string kill_reason;  // requested by kill_now
    unsigned long generation = 0;  // which run of the slot this is
    std::chrono::steady_clock::time_point started;
    std::optional<std::pair<std::chrono::steady_clock::time_point, double>> halfway;  // (when, cpu) at half the timeout
    std::pair<std::chrono::steady_clock::time_point, double> last;                    // (when, cpu) at the latest tick
  };
  void loop();
  void tick();

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<int, Watch> watches_;  // guarded by mu_
  bool stop_ = false;             // guarded by mu_
  unsigned long generations_ = 0; // guarded by mu_
  std::thread thread_;
};

// What to run. Paths are host paths; in the bubblewrap sandbox the program is bound read-only at
// /sandbox/<its name> when bind_program is set, and `rw_paths` are bound read-write at the same path.
struct RunSpec {
  fs::path program;                          // absolute, or a name found on PATH
  std::vector<std::string> args;
  std::map<std::string, std::string> env;    // the whole environment the program sees
  bool bind_program = false;
  std::vector<fs::path> rw_paths;
  fs::path cwd;                              // limits-only mode (and bubblewrap when it is in rw_paths)
  std::string token;                         // a path that appears in the command line: identifies the run
  bool test_run = false;                     // untrusted code runs (as the slot's test uid when switching)
};

struct RunResult {
  ProcessResult process;
  Monitor::Observation observed;
};

RunResult run_sandboxed(const Sandbox& sandbox, int slot, Monitor& monitor, const RunSpec& spec, const Limits& limits);

// Gives `path` and everything under it to `uid` (root, switch_uid): the slot's files must be writable by
// the unprivileged user that builds and runs in it.
void give_to(const fs::path& path, uid_t uid);

}  // namespace conclab::grading
