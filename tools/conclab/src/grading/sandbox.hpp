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
//   - the watchdog (grading/monitor.hpp): memory and threads of the whole run, CPU time seen.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "engine/process.hpp"
#include "grading/monitor.hpp"

namespace conclab::grading {

namespace fs = std::filesystem;

enum class SandboxKind { kBubblewrap, kLimitsOnly };

// Our unprivileged uids (root mode) live above this; Monitor::kill_uid refuses anything below, so a mistake
// can never kill another user's processes.
inline constexpr uid_t kUidFloor = 1'000'000'000;

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
