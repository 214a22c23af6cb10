// The grader's watchdog: one thread for a whole grading run that samples /proc every 50 ms and sees what
// setrlimit cannot. It kills a run whose processes together use more resident memory or threads than
// allowed (the only memory cap a ThreadSanitizer run gets), and records the CPU time seen, which tells a
// busy loop from a deadlock when a run times out.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "conclab/annotated_mutex.hpp"

namespace conclab::grading {

// What a run may use (the sandbox applies the rlimits; the monitor watches rss_bytes, threads and output).
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

// Thread-safe: every slot of a grading run calls watch/unwatch/kill_now from its own thread; the monitor's
// thread samples /proc and kills. A run's observation is complete once unwatch() returns.
class Monitor {
 public:
  struct Observation {
    std::string killed_for;     // non-empty: the watchdog ended the run, and why
    double cpu_seconds = 0;     // the most CPU time the run's processes were seen to have used
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
  void watch(int slot, const std::string& token, long uid, const Limits& limits) CONCLAB_EXCLUDES(mu_);
  Observation unwatch(int slot) CONCLAB_EXCLUDES(mu_);
  // Ends the slot's current run now (called from the output callback on a flood).
  void kill_now(int slot, const std::string& reason) CONCLAB_EXCLUDES(mu_);
  // Kills every process of `uid` (limits-only mode: what escaped the process group).
  static void kill_uid(uid_t uid);

 private:
  struct Watch {
    std::string token;
    long uid = -1;
    Limits limits;
    Observation seen;
    std::string kill_reason;       // requested by kill_now
    unsigned long generation = 0;  // which run of the slot this is
    std::chrono::steady_clock::time_point started;
    std::optional<std::pair<std::chrono::steady_clock::time_point, double>> halfway;  // (when, cpu) at half the timeout
    std::pair<std::chrono::steady_clock::time_point, double> last;                    // (when, cpu) at the latest tick
  };
  struct Usage {
    std::size_t rss = 0;
    long threads = 0;
    double cpu_seconds = 0;
  };
  void loop() CONCLAB_EXCLUDES(mu_);
  void tick() CONCLAB_EXCLUDES(mu_);
  // Records `usage` for the slot's run (if it is still the same run); returns why to kill it, or empty.
  std::string record(int slot, unsigned long generation, const Usage& usage, bool any_process, bool& kill) CONCLAB_EXCLUDES(mu_);
  bool kill_pending() const CONCLAB_REQUIRES(mu_);

  Mutex mu_;
  CondVar cv_;
  std::map<int, Watch> watches_ CONCLAB_GUARDED_BY(mu_);
  bool stop_ CONCLAB_GUARDED_BY(mu_) = false;
  unsigned long generations_ CONCLAB_GUARDED_BY(mu_) = 0;
  std::thread thread_;  // last: it starts in the constructor and uses everything above
};

// Threads that `uid` runs now (all its processes together).
long count_user_threads(uid_t uid);

}  // namespace conclab::grading
