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

ProcessResult run_process(const ProcessOptions& options) {
  ProcessResult result;
  const auto start = std::chrono::steady_clock::now();
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    result.failed_to_start = true;
    result.output = fmt::format("pipe: {}", std::strerror(errno));
    return result;
  }
  // Everything the child needs is prepared before fork(): after it, only async-signal-safe calls.
  std::vector<std::string> env_storage;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view kv(*e);
    const std::string key(kv.substr(0, kv.find('=')));
    if (!options.env.contains(key)) env_storage.emplace_back(kv);
  }
  for (const auto& [k, v] : options.env) {
    if (!v.empty()) env_storage.push_back(k + "=" + v);
  }
  std::vector<char*> envp;
  for (auto& s : env_storage) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_storage = options.argv;
  std::vector<char*> argv;
  for (auto& s : argv_storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  const std::string cwd = options.cwd.string();

  const pid_t pid = ::fork();
  if (pid < 0) {
    result.failed_to_start = true;
    result.output = fmt::format("fork: {}", std::strerror(errno));
    ::close(fds[0]);
    ::close(fds[1]);
    return result;
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    ::dup2(fds[1], STDOUT_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    for (const auto& [resource, value] : options.rlimits) {
      struct rlimit rl {value, value};
      ::setrlimit(resource, &rl);
    }
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) _exit(127);
    ::execvpe(argv[0], argv.data(), envp.data());
    const char msg[] = "conclab: could not start the program\n";
    (void)!::write(STDERR_FILENO, msg, sizeof msg - 1);
    _exit(127);
  }
  ::setpgid(pid, pid);  // also in the parent, so the group exists before we might kill it
  ::close(fds[1]);

  const auto deadline = start + options.timeout;
  char buf[65536];
  bool open = true;
  bool killed = false;
  std::chrono::steady_clock::time_point killed_at;
  auto kill_group = [&] {
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
    killed = true;
    killed_at = std::chrono::steady_clock::now();
  };
  while (open) {
    // A process that escaped the group (setsid) may hold the pipe open after the kill: stop reading.
    if (killed && std::chrono::steady_clock::now() - killed_at > std::chrono::seconds(2)) break;
    int wait_ms = 100;
    if (options.timeout.count() > 0 && !killed) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        result.timed_out = true;
        if (options.on_timeout) options.on_timeout(pid);
        kill_group();
        continue;
      }
      wait_ms = static_cast<int>(std::min<long>(left.count(), 100));
    }
    if (interrupted().load() && !killed) {
      result.interrupted = true;
      kill_group();
    }
    struct pollfd p {fds[0], POLLIN, 0};
    const int r = ::poll(&p, 1, wait_ms);
    if (r < 0 && errno != EINTR) break;
    if (r > 0) {
      const ssize_t n = ::read(fds[0], buf, sizeof buf);
      if (n <= 0) {
        open = false;
        break;
      }
      const std::string_view chunk(buf, static_cast<std::size_t>(n));
      if (options.on_output) options.on_output(chunk);
      if (result.output.size() < options.output_cap) {
        result.output.append(chunk.substr(0, options.output_cap - result.output.size()));
        if (result.output.size() >= options.output_cap) result.output_truncated = true;
      } else {
        result.output_truncated = true;
      }
    }
    // A child that closed its output but is still running (or left a grandchild holding the pipe)
    // is handled by the deadline and the group kill above.
  }
  ::close(fds[0]);
  int status = 0;
  // The pipe is closed; the child may still be running (it closed stdout). Wait with the same deadline.
  while (true) {
    const pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) break;
    if (!killed && ((options.timeout.count() > 0 && std::chrono::steady_clock::now() >= deadline) || interrupted().load())) {
      if (interrupted().load()) {
        result.interrupted = true;
      } else {
        result.timed_out = true;
        if (options.on_timeout) options.on_timeout(pid);
      }
      kill_group();
    }
    ::usleep(2000);
  }
  ::kill(-pid, SIGKILL);  // anything the child left behind in its group goes too
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  if (result.exit_code == 127 && result.output.find("conclab: could not start") != std::string::npos) result.failed_to_start = true;
  if (killed && (result.timed_out || result.interrupted)) result.signal = 0;  // our kill is not the program's crash
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace conclab
