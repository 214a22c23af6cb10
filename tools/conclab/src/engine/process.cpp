#include "engine/process.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace conclab {

std::atomic<bool>& interrupted() {
  static std::atomic<bool> flag{false};
  return flag;
}

namespace {
void on_signal(int) { interrupted().store(true); }
}  // namespace

void install_interrupt_handler() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: let poll() return EINTR promptly
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

std::string signal_name(int sig) {
  switch (sig) {
    case SIGSEGV: return "SIGSEGV (segmentation fault: a bad pointer, or memory used after it was freed)";
    case SIGABRT: return "SIGABRT (abort: std::terminate, a failed assert, or a detected heap corruption)";
    case SIGBUS: return "SIGBUS (bus error)";
    case SIGFPE: return "SIGFPE (arithmetic error, such as division by zero)";
    case SIGILL: return "SIGILL (illegal instruction)";
    case SIGKILL: return "SIGKILL (killed)";
    case SIGXCPU: return "SIGXCPU (CPU time limit reached)";
    case SIGXFSZ: return "SIGXFSZ (file size limit reached)";
    default: return fmt::format("signal {} ({})", sig, strsignal(sig));
  }
}

std::filesystem::path find_program(std::string_view name) {
  const char* path = std::getenv("PATH");
  std::string_view rest = path ? path : "/usr/bin:/bin";
  while (!rest.empty()) {
    const auto colon = rest.find(':');
    const std::filesystem::path candidate = std::filesystem::path(rest.substr(0, colon)) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return {};
}

namespace {

// Everything the child needs, prepared before fork(): after it, the child makes only async-signal-safe calls.
struct ChildArgs {
  std::vector<std::string> env_storage, argv_storage;
  std::vector<char*> envp, argv;
  std::string cwd;

  explicit ChildArgs(const ProcessOptions& options) : argv_storage(options.argv), cwd(options.cwd.string()) {
    for (char** e = environ; *e != nullptr; ++e) {
      std::string_view kv(*e);
      if (!options.env.contains(std::string(kv.substr(0, kv.find('='))))) env_storage.emplace_back(kv);
    }
    for (const auto& [k, v] : options.env) {
      if (!v.empty()) env_storage.push_back(k + "=" + v);
    }
    for (auto& s : env_storage) envp.push_back(s.data());
    envp.push_back(nullptr);
    for (auto& s : argv_storage) argv.push_back(s.data());
    argv.push_back(nullptr);
  }
};

// In the child, after fork(): its own process group, output into the pipe, limits, then exec.
[[noreturn]] void exec_child(const ChildArgs& a, const ProcessOptions& options, int out_fd) {
  ::setpgid(0, 0);
  ::dup2(out_fd, STDOUT_FILENO);
  ::dup2(out_fd, STDERR_FILENO);
  const int devnull = ::open("/dev/null", O_RDONLY);
  if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  signal(SIGPIPE, SIG_DFL);
  for (const auto& [resource, value] : options.rlimits) {
    struct rlimit rl {value, value};
    ::setrlimit(resource, &rl);
  }
  if (!a.cwd.empty() && ::chdir(a.cwd.c_str()) != 0) _exit(127);
  ::execvpe(a.argv[0], a.argv.data(), a.envp.data());
  const char msg[] = "conclab: could not start the program\n";
  (void)!::write(STDERR_FILENO, msg, sizeof msg - 1);
  _exit(127);
}

// The parent's side of one child: reads its output, enforces the deadline and Ctrl-C, reaps it.
class Watcher {
 public:
  Watcher(const ProcessOptions& options, pid_t pid, std::chrono::steady_clock::time_point start)
      : options_(options), pid_(pid), deadline_(start + options.timeout) {}

  void pump(int fd, ProcessResult& result) {
    char buf[65536];
    for (;;) {
      // A process that escaped the group (setsid) may hold the pipe open after the kill: stop reading.
      if (killed_ && std::chrono::steady_clock::now() - killed_at_ > std::chrono::seconds(2)) return;
      int wait_ms = 100;
      if (options_.timeout.count() > 0 && !killed_) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
          time_out(result);
          continue;
        }
        wait_ms = static_cast<int>(std::min<long>(left.count(), 100));
      }
      if (interrupted().load() && !killed_) {
        result.interrupted = true;
        kill_group();
      }
      struct pollfd p {fd, POLLIN, 0};
      const int r = ::poll(&p, 1, wait_ms);
      if (r < 0 && errno != EINTR) return;
      if (r <= 0) continue;
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) return;  // closed: the child ended, or closed its output (the deadline still applies below)
      keep(std::string_view(buf, static_cast<std::size_t>(n)), result);
    }
  }

  // The pipe is closed; the child may still be running (it closed stdout). Waits with the same deadline.
  int reap(ProcessResult& result) {
    int status = 0;
    for (;;) {
      const pid_t w = ::waitpid(pid_, &status, WNOHANG);
      if (w == pid_ || (w < 0 && errno != EINTR)) break;
      if (!killed_ && interrupted().load()) {
        result.interrupted = true;
        kill_group();
      } else if (!killed_ && options_.timeout.count() > 0 && std::chrono::steady_clock::now() >= deadline_) {
        time_out(result);
      }
      ::usleep(2000);
    }
    ::kill(-pid_, SIGKILL);  // anything the child left behind in its group goes too
    return status;
  }

  bool killed() const { return killed_; }

 private:
  void kill_group() {
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);
    killed_ = true;
    killed_at_ = std::chrono::steady_clock::now();
  }

  void time_out(ProcessResult& result) {
    result.timed_out = true;
    if (options_.on_timeout) options_.on_timeout(pid_);
    kill_group();
  }

  // Output is kept up to the cap; past it, reading goes on (the child must never block on a full pipe).
  void keep(std::string_view chunk, ProcessResult& result) const {
    if (options_.on_output) options_.on_output(chunk);
    if (result.output.size() < options_.output_cap) {
      result.output.append(chunk.substr(0, options_.output_cap - result.output.size()));
      if (result.output.size() >= options_.output_cap) result.output_truncated = true;
    } else {
      result.output_truncated = true;
    }
  }

  const ProcessOptions& options_;
  pid_t pid_;
  std::chrono::steady_clock::time_point deadline_;
  bool killed_ = false;
  std::chrono::steady_clock::time_point killed_at_;
};

}  // namespace

ProcessResult run_process(const ProcessOptions& options) {
  ProcessResult result;
  const auto start = std::chrono::steady_clock::now();
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    result.failed_to_start = true;
    result.output = fmt::format("pipe: {}", std::strerror(errno));
    return result;
  }
  const ChildArgs args(options);
  const pid_t pid = ::fork();
  if (pid < 0) {
    result.failed_to_start = true;
    result.output = fmt::format("fork: {}", std::strerror(errno));
    ::close(fds[0]);
    ::close(fds[1]);
    return result;
  }
  if (pid == 0) exec_child(args, options, fds[1]);
  ::setpgid(pid, pid);  // also in the parent, so the group exists before we might kill it
  ::close(fds[1]);
  Watcher watcher(options, pid, start);
  watcher.pump(fds[0], result);
  ::close(fds[0]);
  const int status = watcher.reap(result);
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  if (result.exit_code == 127 && result.output.find("conclab: could not start") != std::string::npos) result.failed_to_start = true;
  if (watcher.killed() && (result.timed_out || result.interrupted)) result.signal = 0;  // our kill is not the program's crash
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace conclab
