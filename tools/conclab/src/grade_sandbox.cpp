#include "grade_sandbox.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <deque>
#include <set>

#include "course.hpp"

namespace conclab::grading {

namespace {

// Our unprivileged uids (root mode) live above this; kill_uid refuses anything below, so a mistake can
// never kill another user's processes.
constexpr uid_t kUidFloor = 1'000'000'000;

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

long count_user_threads(uid_t uid) {
  long n = 0;
  for (const auto& p : scan_proc()) n += p.uid == uid ? p.threads : 0;
  return n;
}

bool under(const fs::path& path, const fs::path& dir) {
  const std::string p = path.lexically_normal().string();
  std::string d = dir.lexically_normal().string();
  if (!d.empty() && d.back() != '/') d += '/';
  return p.rfind(d, 0) == 0 || p + "/" == d;
}

// The system folders every sandbox sees, read-only.
const std::vector<std::string>& system_dirs() {
  static const std::vector<std::string> dirs = {"/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"};
  return dirs;
}

bool bwrap_has_size_option(const fs::path& bwrap) {
  ProcessOptions p;
  p.argv = {bwrap.string(), "--help"};
  p.timeout = std::chrono::seconds(10);
  return run_process(p).output.find("--size") != std::string::npos;
}

std::vector<std::string> bwrap_argv(const Sandbox& s, const RunSpec& spec, const Limits& l, bool size_option) {
  std::vector<std::string> a = {s.bwrap.string(), "--unshare-all", "--die-with-parent", "--new-session"};
  for (const auto& d : system_dirs()) {
    std::error_code ec;
    const auto st = fs::symlink_status(d, ec);
    if (ec || !fs::exists(st)) continue;
    if (fs::is_symlink(st)) {
      a.insert(a.end(), {"--symlink", fs::read_symlink(d, ec).string(), d});
    } else if (fs::is_directory(st)) {
      a.insert(a.end(), {"--ro-bind", d, d});
    }
  }
  a.insert(a.end(), {"--proc", "/proc", "--dev", "/dev"});
  if (size_option) a.insert(a.end(), {"--size", std::to_string(l.tmp_bytes)});
  a.insert(a.end(), {"--tmpfs", "/tmp"});
  // A course or submissions folder that happens to live under /usr or /etc would be visible: cover it.
  for (const auto& h : s.hide) {
    for (const auto& d : system_dirs()) {
      if (under(h, d)) a.insert(a.end(), {"--tmpfs", h.string()});
    }
  }
  for (const auto& p : spec.rw_paths) a.insert(a.end(), {"--bind", p.string(), p.string()});
  std::string program = spec.program.string();
  if (spec.bind_program) {
    const std::string inside = "/sandbox/" + spec.program.filename().string();
    a.insert(a.end(), {"--ro-bind", spec.program.string(), inside});
    program = inside;
  }
  const bool cwd_visible = !spec.cwd.empty() && std::any_of(spec.rw_paths.begin(), spec.rw_paths.end(),
                                                             [&](const fs::path& p) { return under(spec.cwd, p); });
  a.insert(a.end(), {"--chdir", cwd_visible ? spec.cwd.string() : std::string("/tmp")});
  a.push_back("--clearenv");
  for (const auto& [k, v] : spec.env) a.insert(a.end(), {"--setenv", k, v});
  a.insert(a.end(), {"--remount-ro", "/", "--"});
  a.push_back(program);
  a.insert(a.end(), spec.args.begin(), spec.args.end());
  return a;
}

std::vector<std::string> limits_only_argv(const Sandbox& s, const RunSpec& spec) {
  std::vector<std::string> a;
  a.push_back(s.env.string());
  a.push_back("-i");
  for (const auto& [k, v] : spec.env) a.push_back(k + "=" + v);
  a.push_back(spec.program.string());
  a.insert(a.end(), spec.args.begin(), spec.args.end());
  return a;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------

Monitor::Monitor() : thread_([this] { loop(); }) {}

Monitor::~Monitor() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Monitor::watch(int slot, const std::string& token, long uid, const Limits& limits) {
  {
    std::lock_guard lock(mu_);
    Watch w{token, uid, limits, {}, {}, ++generations_, std::chrono::steady_clock::now(), std::nullopt, {}};
    w.last = {w.started, 0.0};
    watches_[slot] = w;
  }
  cv_.notify_all();
}

Monitor::Observation Monitor::unwatch(int slot) {
  std::lock_guard lock(mu_);
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
    std::lock_guard lock(mu_);
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

void Monitor::loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (watches_.empty()) {
      cv_.wait(lock, [&] { return stop_ || !watches_.empty(); });
      continue;
    }
    lock.unlock();
    tick();
    lock.lock();
    cv_.wait_for(lock, std::chrono::milliseconds(50), [&] {
      if (stop_) return true;
      return std::any_of(watches_.begin(), watches_.end(), [](const auto& w) { return !w.second.kill_reason.empty() && w.second.seen.killed_for.empty(); });
    });
  }
}

void Monitor::tick() {
  std::map<int, Watch> snapshot;
  {
    std::lock_guard lock(mu_);
    snapshot = watches_;
  }
  if (snapshot.empty()) return;
  const std::vector<Proc> procs = scan_proc();
  const pid_t self = ::getpid();
  std::map<pid_t, std::vector<std::size_t>> children;
  for (std::size_t i = 0; i < procs.size(); ++i) children[procs[i].ppid].push_back(i);
  static const long page = ::sysconf(_SC_PAGESIZE);
  static const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));

  for (auto& [slot, w] : snapshot) {
    std::set<std::size_t> owned;
    std::deque<std::size_t> todo;
    for (std::size_t i = 0; i < procs.size(); ++i) {
      const bool root_of_run = procs[i].ppid == self && cmdline_contains(procs[i].pid, w.token);
      const bool same_uid = w.uid >= 0 && procs[i].uid == static_cast<uid_t>(w.uid);
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
    std::size_t rss = 0;
    long threads = 0;
    unsigned long long ticks = 0;
    for (std::size_t i : owned) {
      rss += static_cast<std::size_t>(procs[i].rss_pages) * static_cast<std::size_t>(page);
      threads += procs[i].threads;
      ticks += procs[i].ticks;
    }
    std::string reason;
    bool kill = false;
    {
      std::lock_guard lock(mu_);
      auto it = watches_.find(slot);
      if (it == watches_.end() || it->second.generation != w.generation) continue;  // that run already ended
      Observation& seen = it->second.seen;
      seen.peak_rss = std::max(seen.peak_rss, rss);
      seen.peak_threads = std::max(seen.peak_threads, threads);
      seen.cpu_seconds = std::max(seen.cpu_seconds, static_cast<double>(ticks) / hz);
      // Remember the CPU time at half the timeout: what a run does in its second half tells a busy loop
      // (CPU keeps growing, even on a loaded machine) from threads that wait (it stops).
      const auto now = std::chrono::steady_clock::now();
      if (!owned.empty()) {
        if (!it->second.halfway && now - it->second.started >= w.limits.timeout / 2) it->second.halfway = std::make_pair(now, seen.cpu_seconds);
        it->second.last = {now, seen.cpu_seconds};
      }
      if (seen.killed_for.empty()) {
        if (!it->second.kill_reason.empty()) {
          reason = it->second.kill_reason;
        } else if (w.limits.rss_bytes > 0 && rss > w.limits.rss_bytes) {
          reason = fmt::format("used more than {} MB of memory (all its threads and processes together)", w.limits.rss_bytes >> 20);
        } else if (w.limits.threads > 0 && threads > w.limits.threads) {
          reason = fmt::format("ran more than {} threads at once", w.limits.threads);
        }
        if (!reason.empty()) seen.killed_for = reason;
      } else {
        kill = true;  // already condemned: finish off anything that is still there
      }
      kill = kill || !reason.empty();
    }
    if (kill) {
      for (std::size_t i : owned) {
        if (procs[i].ppid == self) ::kill(-procs[i].pid, SIGKILL);
        ::kill(procs[i].pid, SIGKILL);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------

Sandbox detect_sandbox(const std::string& mode, int slots) {
  Sandbox s;
  s.env = find_program("env");
  if (s.env.empty()) s.env = "/usr/bin/env";
  s.setpriv = find_program("setpriv");
  if (::geteuid() == 0 && !s.setpriv.empty()) {
    s.switch_uid = true;
    s.uid_base = kUidFloor + static_cast<uid_t>(::getpid() % 1'000'000) * 64u;
  } else {
    s.nproc_in_use = static_cast<rlim_t>(count_user_threads(::getuid()));
  }
  s.slots = std::max(1, slots);

  std::string root_note;
  if (::geteuid() == 0 && !s.switch_uid) {
    root_note = "; running as root without setpriv, so the thread cap is only the watchdog's";
  }
  if (mode == "none") {
    s.kind = SandboxKind::kLimitsOnly;
    s.reason = "--sandbox none";
  } else {
    s.bwrap = find_program("bwrap");
    if (s.bwrap.empty()) {
      s.reason = "bubblewrap (bwrap) is not installed";
    } else {
      // Try it: containers often forbid the namespaces bubblewrap needs.
      Sandbox probe = s;
      probe.kind = SandboxKind::kBubblewrap;
      RunSpec spec;
      spec.program = "/usr/bin/true";
      spec.env = {{"PATH", "/usr/bin:/bin"}};
      Limits l;
      l.timeout = std::chrono::seconds(20);
      Monitor m;
      const RunResult r = run_sandboxed(probe, 0, m, spec, l);
      if (r.process.ok()) {
        s.kind = SandboxKind::kBubblewrap;
      } else {
        std::string first = r.process.output.substr(0, r.process.output.find('\n'));
        s.reason = fmt::format("bubblewrap cannot make a sandbox here ({})", first.empty() ? "no message" : first);
      }
    }
    if (mode == "bwrap" && s.kind != SandboxKind::kBubblewrap) {
      throw UserError(fmt::format("--sandbox bwrap: {}. Install bubblewrap, or grade with --sandbox none (limits only).", s.reason),
                      exit_code::kEnvironment);
    }
  }
  if (s.kind == SandboxKind::kBubblewrap) {
    s.description = "bubblewrap (no network, read-only system, private /tmp, own PID namespace) and resource limits" + root_note;
  } else {
    s.description = fmt::format("resource limits only, NO sandbox: {}. Submissions can read and write what this user can, "
                                "and open network connections{}",
                                s.reason, root_note);
  }
  return s;
}

RunResult run_sandboxed(const Sandbox& s, int slot, Monitor& monitor, const RunSpec& spec, const Limits& l) {
  static const bool size_option = !s.bwrap.empty() && bwrap_has_size_option(s.bwrap);
  ProcessOptions p;
  if (s.switch_uid) {
    const std::string uid = std::to_string(s.uid_for(slot, spec.test_run));
    p.argv = {s.setpriv.string(), "--reuid=" + uid, "--regid=" + uid, "--clear-groups"};
    if (s.kind != SandboxKind::kBubblewrap) p.argv.push_back("--no-new-privs");
  }
  const std::vector<std::string> inner = s.kind == SandboxKind::kBubblewrap ? bwrap_argv(s, spec, l, size_option)
                                                                             : limits_only_argv(s, spec);
  p.argv.insert(p.argv.end(), inner.begin(), inner.end());
  if (s.kind != SandboxKind::kBubblewrap) p.cwd = spec.cwd;
  p.timeout = l.timeout;
  p.output_cap = l.output_bytes;
  // Root: the run's own uid, so the cap is exact. Otherwise the user's count includes everything else
  // they run, so the cap is what they ran when grading started plus room for every slot.
  const rlim_t nproc = s.switch_uid ? l.processes : s.nproc_in_use + 64 + l.processes * static_cast<rlim_t>(s.slots);
  p.rlimits = {{RLIMIT_CPU, l.cpu_seconds}, {RLIMIT_FSIZE, l.file_size}, {RLIMIT_NOFILE, l.open_files},
               {RLIMIT_NPROC, nproc},       {RLIMIT_CORE, 0}};
  if (l.address_space > 0) p.rlimits.emplace_back(RLIMIT_AS, l.address_space);
  std::size_t seen = 0;
  p.on_output = [&](std::string_view chunk) {
    seen += chunk.size();
    if (seen > l.output_bytes) {
      monitor.kill_now(slot, fmt::format("printed more than {} MB of output (an output flood)", l.output_bytes >> 20));
    }
  };
  monitor.watch(slot, spec.token.empty() ? std::string("\x01none") : spec.token,
                s.switch_uid ? static_cast<long>(s.uid_for(slot, spec.test_run)) : -1L, l);
  RunResult r;
  r.process = run_process(p);
  r.observed = monitor.unwatch(slot);
  // Without a PID namespace, a process that left the group (setsid) survives the group kill: sweep by uid.
  if (s.switch_uid && s.kind != SandboxKind::kBubblewrap) Monitor::kill_uid(s.uid_for(slot, spec.test_run));
  return r;
}

void give_to(const fs::path& path, uid_t uid) {
  std::error_code ec;
  if (::lchown(path.c_str(), uid, uid) != 0) return;
  if (!fs::is_directory(fs::symlink_status(path, ec))) return;
  for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::none, ec); it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (ec) break;
    (void)::lchown(it->path().c_str(), uid, uid);
  }
}

}  // namespace conclab::grading
