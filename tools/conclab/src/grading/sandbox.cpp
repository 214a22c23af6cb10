#include "grading/sandbox.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "app/errors.hpp"

namespace conclab::grading {

namespace {

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
