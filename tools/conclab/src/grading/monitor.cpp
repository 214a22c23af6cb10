#include "grading/monitor.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <set>
#include <vector>

#include "grading/sandbox.hpp"

namespace conclab::grading {

namespace {

struct Proc {
  pid_t pid = 0;
  pid_t ppid = 0;
  uid_t uid = 0;
  long threads = 0;
  long rss_pages = 0;
  unsigned long long ticks = 0;  // utime + stime
};

bool read_small(const char* path, std::string& out) {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[4096];
  out.clear();
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > 65536) break;
  }
  ::close(fd);
  return true;
}

std::vector<Proc> scan_proc() {
  std::vector<Proc> procs;
  DIR* dir = ::opendir("/proc");
  if (dir == nullptr) return procs;
  std::string text;
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    Proc p;
    p.pid = static_cast<pid_t>(std::atol(e->d_name));
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d", p.pid);
    struct stat st {};
    if (::stat(path, &st) != 0) continue;
    p.uid = st.st_uid;
    std::snprintf(path, sizeof path, "/proc/%d/stat", p.pid);
    if (!read_small(path, text)) continue;
    const auto close_paren = text.rfind(')');
    if (close_paren == std::string::npos) continue;
    char state = 0;
    int ppid = 0;
    unsigned long long utime = 0, stime = 0;
    long threads = 0, rss = 0;
    // Fields after "(comm)": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime
    // stime cutime cstime priority nice num_threads itrealvalue starttime vsize rss.
    if (std::sscanf(text.c_str() + close_paren + 1,
                    " %c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %ld %*d %*u %*u %ld", &state,
                    &ppid, &utime, &stime, &threads, &rss) != 6) {
      continue;
    }
    p.ppid = ppid;
    p.threads = threads;
    p.rss_pages = rss;
    p.ticks = utime + stime;
    procs.push_back(p);
  }
  ::closedir(dir);
  return procs;
}

bool cmdline_contains(pid_t pid, const std::string& token) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
  std::string text;
  if (!read_small(path, text)) return false;
  std::replace(text.begin(), text.end(), '\0', ' ');
  return text.find(token) != std::string::npos;
}

// The run's processes: the grader's children whose command line holds the token, every process of the
// run's uid, and all their descendants.
std::set<std::size_t> owned_by(const std::vector<Proc>& procs, const std::map<pid_t, std::vector<std::size_t>>& children,
                               const std::string& token, long uid) {
  const pid_t self = ::getpid();
  std::set<std::size_t> owned;
  std::deque<std::size_t> todo;
  for (std::size_t i = 0; i < procs.size(); ++i) {
    const bool root_of_run = procs[i].ppid == self && cmdline_contains(procs[i].pid, token);
    const bool same_uid = uid >= 0 && procs[i].uid == static_cast<uid_t>(uid);
    if (root_of_run || same_uid) todo.push_back(i);
  }
  while (!todo.empty()) {
    const std::size_t i = todo.front();
    todo.pop_front();
    if (!owned.insert(i).second) continue;
    if (auto it = children.find(procs[i].pid); it != children.end()) {
      for (std::size_t c : it->second) todo.push_back(c);
    }
  }
  return owned;
}

}  // namespace

long count_user_threads(uid_t uid) {
  long n = 0;
  for (const auto& p : scan_proc()) n += p.uid == uid ? p.threads : 0;
  return n;
}

Monitor::Monitor() : thread_([this] { loop(); }) {}

Monitor::~Monitor() {
  {
    MutexLock lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Monitor::watch(int slot, const std::string& token, long uid, const Limits& limits) {
  {
    MutexLock lock(mu_);
    Watch w{token, uid, limits, {}, {}, ++generations_, std::chrono::steady_clock::now(), std::nullopt, {}};
    w.last = {w.started, 0.0};
    watches_[slot] = w;
  }
  cv_.notify_all();
}

Monitor::Observation Monitor::unwatch(int slot) {
  MutexLock lock(mu_);
  auto it = watches_.find(slot);
  if (it == watches_.end()) return {};
  Observation o = it->second.seen;
  const Watch& w = it->second;
  if (w.halfway && w.last.first > w.halfway->first) {
    o.late_cpu_rate = (w.last.second - w.halfway->second) / std::chrono::duration<double>(w.last.first - w.halfway->first).count();
  }
  watches_.erase(it);
  return o;
}

void Monitor::kill_now(int slot, const std::string& reason) {
  {
    MutexLock lock(mu_);
    auto it = watches_.find(slot);
    if (it == watches_.end() || !it->second.kill_reason.empty()) return;
    it->second.kill_reason = reason;
  }
  cv_.notify_all();
}

void Monitor::kill_uid(uid_t uid) {
  if (uid < kUidFloor) return;
  for (const auto& p : scan_proc()) {
    if (p.uid == uid) ::kill(p.pid, SIGKILL);
  }
}

bool Monitor::kill_pending() const {
  return std::any_of(watches_.begin(), watches_.end(),
                     [](const auto& w) { return !w.second.kill_reason.empty() && w.second.seen.killed_for.empty(); });
}

void Monitor::loop() {
  MutexLock lock(mu_);
  while (!stop_) {
    if (watches_.empty()) {
      cv_.wait(lock, [&]() CONCLAB_REQUIRES(mu_) { return stop_ || !watches_.empty(); });
      continue;
    }
    lock.unlock();
    tick();
    lock.lock();
    // Sample every 50 ms, or at once when a kill was asked for.
    cv_.wait_until(lock, std::chrono::steady_clock::now() + std::chrono::milliseconds(50),
                   [&]() CONCLAB_REQUIRES(mu_) { return stop_ || kill_pending(); });
  }
}

std::string Monitor::record(int slot, unsigned long generation, const Usage& usage, bool any_process, bool& kill) {
  MutexLock lock(mu_);
  auto it = watches_.find(slot);
  if (it == watches_.end() || it->second.generation != generation) return {};  // that run already ended
  Watch& w = it->second;
  Observation& seen = w.seen;
  seen.peak_rss = std::max(seen.peak_rss, usage.rss);
  seen.peak_threads = std::max(seen.peak_threads, usage.threads);
  seen.cpu_seconds = std::max(seen.cpu_seconds, usage.cpu_seconds);
  // Remember the CPU time at half the timeout: what a run does in its second half tells a busy loop (CPU keeps
  // growing, even on a loaded machine) from threads that wait (it stops).
  const auto now = std::chrono::steady_clock::now();
  if (any_process) {
    if (!w.halfway && now - w.started >= w.limits.timeout / 2) w.halfway = std::make_pair(now, seen.cpu_seconds);
    w.last = {now, seen.cpu_seconds};
  }
  if (!seen.killed_for.empty()) {
    kill = true;  // already condemned: finish off anything that is still there
    return {};
  }
  std::string reason = w.kill_reason;
  if (reason.empty() && w.limits.rss_bytes > 0 && usage.rss > w.limits.rss_bytes) {
    reason = fmt::format("used more than {} MB of memory (all its threads and processes together)", w.limits.rss_bytes >> 20);
  } else if (reason.empty() && w.limits.threads > 0 && usage.threads > w.limits.threads) {
    reason = fmt::format("ran more than {} threads at once", w.limits.threads);
  }
  seen.killed_for = reason;
  kill = !reason.empty();
  return reason;
}

void Monitor::tick() {
  std::map<int, Watch> snapshot;
  {
    MutexLock lock(mu_);
    snapshot = watches_;
  }
  if (snapshot.empty()) return;
  const std::vector<Proc> procs = scan_proc();
  const pid_t self = ::getpid();
  std::map<pid_t, std::vector<std::size_t>> children;
  for (std::size_t i = 0; i < procs.size(); ++i) children[procs[i].ppid].push_back(i);
  static const long page = ::sysconf(_SC_PAGESIZE);
  static const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
  for (const auto& [slot, w] : snapshot) {
    const std::set<std::size_t> owned = owned_by(procs, children, w.token, w.uid);
    Usage usage;
    unsigned long long ticks = 0;
    for (std::size_t i : owned) {
      usage.rss += static_cast<std::size_t>(procs[i].rss_pages) * static_cast<std::size_t>(page);
      usage.threads += procs[i].threads;
      ticks += procs[i].ticks;
    }
    usage.cpu_seconds = static_cast<double>(ticks) / hz;
    bool kill = false;
    record(slot, w.generation, usage, !owned.empty(), kill);
    if (!kill) continue;
    for (std::size_t i : owned) {
      if (procs[i].ppid == self) ::kill(-procs[i].pid, SIGKILL);
      ::kill(procs[i].pid, SIGKILL);
    }
  }
}

}  // namespace conclab::grading
