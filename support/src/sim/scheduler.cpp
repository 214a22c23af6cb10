// The explorer: fibers on one OS thread, a hub that decides at every point which fiber runs next, and the
// search over those decisions (sim.hpp says what it does; this file is how).
//
// Control flow: explore() runs schedules; a schedule spawns fiber 0 with the body and runs the hub loop, which
// switches to the chosen fiber; the fiber runs until its next point (or until it blocks, fails or ends) and
// switches back to the hub. Every decision with more than one option goes through the Chooser, which replays
// a prefix and extends it (exhaustive), draws it (random) or reads it from a replay string.
#include <dlfcn.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "conclab/sim/detail.hpp"
#include "conclab/sim/sim.hpp"
#include "internal.hpp"

namespace conclab::sim {
namespace {

constexpr std::size_t kStackBytes = 512 * 1024;
constexpr int kLivelockSteps = 2000;  // steps in a row where every runnable fiber spins
constexpr std::size_t kEarlyValuesPerLocation = 8;  // load buffering: the values a load may read early, at most

// ---- Stacks: mmap'd, a guard page below, reused across schedules. ----

class StackPool {
 public:
  ~StackPool() {
    for (void* s : free_) munmap(s, kStackBytes + page());
  }
  void* take() {
    if (!free_.empty()) {
      void* s = free_.back();
      free_.pop_back();
      return s;
    }
    void* s = mmap(nullptr, kStackBytes + page(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (s == MAP_FAILED) throw std::runtime_error("conclab::sim: out of memory for fiber stacks");
    mprotect(s, page(), PROT_NONE);  // overflow faults instead of corrupting a neighbour
    return s;
  }
  void give(void* s) { free_.push_back(s); }
  static std::size_t page() { return static_cast<std::size_t>(sysconf(_SC_PAGESIZE)); }

 private:
  std::vector<void*> free_;
};

enum class FiberState { kRunnable, kBlocked, kDone };

struct Fiber {
  int id = 0;
  ucontext_t ctx{};
  void* stack = nullptr;
  std::function<void()> fn;
  FiberState state = FiberState::kRunnable;
  // What it is about to do (set at a point) and, when blocked, what it waits for.
  const char* op = "";
  detail::Where where;
  std::optional<detail::Where> override_where;
  detail::WaitQueue* queue = nullptr;
  std::string waits_for;
  detail::Where blocked_where;
  bool needs_notify = false;
  std::int64_t deadline = -1;
  bool timed_out = false;
  detail::WaitQueue finished;  // fibers joining this one
  // Spinning: the last load's location and the write epoch it saw.
  const void* last_load = nullptr;
  std::uint64_t last_load_epoch = ~std::uint64_t{0};
  bool spinning = false;
  std::uint64_t spin_epoch = 0;
  detail::Where spin_where;    // the repeated load's place: spinning only while the next step is there again
  bool spin_anywhere = false;  // it yielded: spinning wherever its next step is
  int spin_through = 0;        // loads left that it may spin on as if it were not spinning (a preemption chose it)
  int priority = 0;  // random mode
  // The memory model: what this fiber's events happen after, what a release fence publishes, what a later
  // acquire fence would acquire, the newest store of each location it has seen, and its clock at the end.
  detail::VectorClock clock;
  detail::VectorClock fence_release;
  detail::VectorClock pending_acquire;
  std::map<const detail::Location*, std::uint64_t> view;
  detail::SyncClock end;
  std::vector<std::pair<const void*, detail::Where>> holds;  // locks held, with where each was taken (play)
};

struct Step {
  int fiber;
  std::string op;
  detail::Where where;
  std::string result;
};

// ---- The choices of one schedule. ----

struct Decision {
  int chosen;
  int count;
};

class Chooser {
 public:
  void reset_run() { pos_ = 0; }
  // Exhaustive and replay: follow the recorded prefix, then take the first option. -1 when the recorded
  // prefix offered a different number of options here: the body is not deterministic.
  int pick(int n) {
    if (pos_ < path_.size()) {
      Decision& d = path_[pos_++];
      if (replaying_) {
        if (d.chosen >= n) return -1;
        d.count = n;
        return d.chosen;
      }
      return d.count == n ? d.chosen : -1;
    }
    path_.push_back({0, n});
    ++pos_;
    return 0;
  }
  // Random: the caller decided; record it for the replay string.
  void record(int chosen, int n) {
    path_.push_back({chosen, n});
    ++pos_;
  }
  // Exhaustive: the next schedule in depth-first order; false when the space is exhausted.
  bool advance() {
    path_.resize(pos_);
    while (!path_.empty() && path_.back().chosen + 1 >= path_.back().count) path_.pop_back();
    if (path_.empty()) return false;
    ++path_.back().chosen;
    return true;
  }
  void clear() {
    path_.clear();
    pos_ = 0;
  }
  void load_replay(const std::vector<int>& chosen) {
    path_.clear();
    for (int c : chosen) path_.push_back({c, c + 1});
    replaying_ = true;
  }
  // "3.0*12.1": the choices taken, runs of one value as value*count.
  std::string encode() const {
    std::string out;
    for (std::size_t i = 0; i < pos_ && i < path_.size();) {
      std::size_t j = i;
      while (j < pos_ && j < path_.size() && path_[j].chosen == path_[i].chosen) ++j;
      if (!out.empty()) out += '.';
      out += std::to_string(path_[i].chosen);
      if (j - i > 1) out += "*" + std::to_string(j - i);
      i = j;
    }
    return out;
  }

 private:
  std::vector<Decision> path_;
  std::size_t pos_ = 0;
  bool replaying_ = false;
};

// Thrown nowhere: a fiber that must stop (its schedule failed) switches to the hub and is never resumed.
struct Run {
  std::vector<std::unique_ptr<Fiber>> fibers;
  ucontext_t hub{};
  int current = -1;  // the fiber running now (-1: the hub)
  int last = -1;     // the fiber that ran last
  std::vector<Step> trace;
  std::uint64_t steps = 0;
  int preemptions_used = 0;
  int preemption_bound = 0;  // < 0: unbounded
  std::uint64_t write_epoch = 0;
  std::int64_t now = 0;
  int spin_rounds = 0;
  detail::VectorClock sc_clock;  // the total order of seq_cst operations, as a clock they all join
  int no_switch = 0;
  int quiet = 0;
  bool failed = false;
  Outcome outcome = Outcome::kPassed;
  std::string message;
  std::string explanation;  // explain(): what a failure of this body means
  // Load buffering: at most one load per schedule reads a value early; the schedule counts only once a later
  // store of another thread provides it (else it is infeasible, and dropped, whatever else happened in it).
  struct Promise {
    int fiber = -1;
    int ordinal = -1;             // the location
    std::string value;            // the bytes it read
    std::uint32_t epoch = 0;      // the loading fiber's own clock entry at the load
    std::uint64_t floor_id = 0;   // the store it could otherwise read at the oldest: the provider must follow it
    bool acquire = false;
    bool kept = false;
  };
  std::optional<Promise> promise;
  detail::WaitQueue promise_waiters;
  bool infeasible = false;
  int locations = 0;  // Location ordinals handed out
  std::uint64_t serial = 0;  // which schedule of the process this is (plain.cpp forgets the last one's accesses)
  int started_before_first_join = -1;
  std::vector<int> choices;  // the fiber picked at each decision where more than one could run (play's choices)
};

struct Explorer {
  Options options;
  Chooser chooser;
  StackPool stacks;
  Run* run = nullptr;
  std::mt19937_64 rng;
  std::vector<std::uint64_t> change_points;  // random mode: steps where the running fiber's priority drops
  std::uint64_t expected_steps = 100;
  std::atomic<std::uint64_t> progress{0};  // read by the watchdog
  // Load buffering: the values each location (by ordinal) was given in the schedules so far, and the frozen copy
  // a load may read early from (frozen per preemption bound, so that every schedule of a pass has the same choices).
  std::map<int, std::set<std::string>> values_seen;
  std::map<int, std::vector<std::string>> early_values;
  std::string replay_value;  // replay: the value the replayed schedule read early
  bool has_replay_value = false;
  std::size_t play_next = 0;  // play: the next entry of options.play to follow
};

Explorer* g_explorer = nullptr;
Fiber* g_starting = nullptr;
std::uint64_t g_schedule_serial = 0;

Run& run() { return *g_explorer->run; }
Fiber& fiber(int id) { return *run().fibers[static_cast<std::size_t>(id)]; }
Fiber& self() { return fiber(run().current); }

int preemptions_left() {
  const Run& r = run();
  return r.preemption_bound < 0 ? 1 << 30 : r.preemption_bound - r.preemptions_used;
}

// Back to the hub; returns when the hub picks this fiber again.
void to_hub() {
  Fiber& f = self();
  swapcontext(&f.ctx, &run().hub);
}

// A fiber whose schedule has failed: give the hub control for good.
[[noreturn]] void abandon() {
  Fiber& f = self();
  swapcontext(&f.ctx, &run().hub);
  std::abort();  // never resumed
}

void join_clock(detail::VectorClock& into, const detail::VectorClock& from) {
  if (into.size() < from.size()) into.resize(from.size(), 0);
  for (std::size_t i = 0; i < from.size(); ++i) into[i] = std::max(into[i], from[i]);
}

// A new event of fiber f: its own entry of its clock moves on.
void tick(Fiber& f) {
  const auto id = static_cast<std::size_t>(f.id);
  if (f.clock.size() <= id) f.clock.resize(id + 1, 0);
  ++f.clock[id];
}

void finish_fiber(Fiber& f) {
  tick(f);  // its end comes after its last plain access (plain.cpp compares epochs strictly)
  join_clock(f.end.clock, f.clock);  // a joiner acquires everything the thread did
  f.state = FiberState::kDone;
  detail::wake_all(f.finished);
}

void trampoline() {
  Fiber& f = *g_starting;
  try {
    f.fn();
  } catch (const std::exception& e) {
    if (!run().failed) {
      run().failed = true;
      run().outcome = Outcome::kFailed;
      run().message = "T" + std::to_string(f.id) + " let an exception escape: " + e.what() +
                      (f.id == 0 ? "" : " (a real program calls std::terminate here)");
    }
  } catch (...) {
    if (!run().failed) {
      run().failed = true;
      run().outcome = Outcome::kFailed;
      run().message = "T" + std::to_string(f.id) + " let an exception escape (a real program calls std::terminate here)";
    }
  }
  f.fn = nullptr;
  Run& r = run();
  while (!r.failed && r.promise && !r.promise->kept && r.promise->fiber == f.id) {
    f.op = "ends";
    detail::block(r.promise_waiters, "has read a value early and waits for the later store that provides it", false);
  }
  finish_fiber(f);
  setcontext(&run().hub);
}

int new_fiber(std::function<void()> fn) {
  Run& r = run();
  auto f = std::make_unique<Fiber>();
  f->id = static_cast<int>(r.fibers.size());
  if (r.current >= 0) f->clock = fiber(r.current).clock;  // everything its creator did happens-before its start
  tick(*f);
  f->fn = std::move(fn);
  f->stack = g_explorer->stacks.take();
  getcontext(&f->ctx);
  f->ctx.uc_stack.ss_sp = static_cast<char*>(f->stack) + StackPool::page();
  f->ctx.uc_stack.ss_size = kStackBytes;
  f->ctx.uc_link = nullptr;
  makecontext(&f->ctx, trampoline, 0);
  if (g_explorer->options.mode == Mode::kRandom) {
    f->priority = g_explorer->options.pct_depth + static_cast<int>(g_explorer->rng() % 1000);
  }
  r.fibers.push_back(std::move(f));
  return r.fibers.back()->id;
}

bool same_place(const detail::Where& a, const detail::Where& b) {
  if (a.return_address != b.return_address || a.loc.line != b.loc.line) return false;
  return a.loc.file == b.loc.file || (a.loc.file != nullptr && b.loc.file != nullptr && std::strcmp(a.loc.file, b.loc.file) == 0);
}

// Spinning: its last two loads were of one location with no store anywhere since, and its next step is the same
// load again (or it yielded). A bounded spin that goes on to something else (a wait, a fallback) is not spinning
// at its last load: its next step is elsewhere, and that step may matter.
bool is_spinning(const Fiber& f) {
  return f.spinning && f.spin_through == 0 && f.spin_epoch == run().write_epoch &&
         (f.spin_anywhere || same_place(f.where, f.spin_where));
}

// How many more loads a spinning fiber that a preemption chose may make before it counts as spinning again: enough
// for a bounded spin to run out and go on to what comes after it (a wait, a fallback), which the other fibers'
// steps may race with.
constexpr int kSpinThrough = 16;

// ---- The hub: who runs next. ----

// Wakes the timed waiter with the earliest deadline, moving the clock to it. False if there is none.
bool fire_earliest_timeout() {
  Run& r = run();
  Fiber* best = nullptr;
  for (auto& f : r.fibers) {
    if (f->state == FiberState::kBlocked && f->deadline >= 0 && (best == nullptr || f->deadline < best->deadline)) best = f.get();
  }
  if (best == nullptr) return false;
  r.now = std::max(r.now, best->deadline);
  auto& q = best->queue->fibers;
  q.erase(std::remove(q.begin(), q.end(), best->id), q.end());
  best->queue = nullptr;
  best->timed_out = true;
  best->state = FiberState::kRunnable;
  return true;
}

std::string where_text(const detail::Where& w);

void fail_stuck() {
  Run& r = run();
  bool lost = false;
  std::string lines;
  for (auto& f : r.fibers) {
    if (f->state != FiberState::kBlocked) continue;
    lost = lost || f->needs_notify;
    lines += "\n  T" + std::to_string(f->id) + " " + f->waits_for + " (" + where_text(f->blocked_where) + ")";
  }
  r.failed = true;
  r.outcome = lost ? Outcome::kLostWakeup : Outcome::kDeadlock;
  r.message = lost ? "a thread waits for a notification that no thread is left to send (a lost wakeup); every "
                     "unfinished thread is blocked:" + lines
                   : "every unfinished thread is blocked, each waiting for another:" + lines;
}

// Random mode: the runnable fiber with the highest priority; at a change point the running one drops.
int pick_random(const std::vector<int>& options) {
  Explorer& x = *g_explorer;
  Run& r = run();
  for (std::size_t i = 0; i < x.change_points.size(); ++i) {
    if (x.change_points[i] == r.steps && r.last >= 0) fiber(r.last).priority = static_cast<int>(i);
  }
  std::size_t best = 0;
  for (std::size_t i = 1; i < options.size(); ++i) {
    if (fiber(options[i]).priority > fiber(options[best]).priority) best = i;
  }
  x.chooser.record(static_cast<int>(best), static_cast<int>(options.size()));
  return static_cast<int>(best);
}

constexpr const char* kNotDeterministic =
    "the code under test offered different choices on the same schedule: it depends on something the explorer "
    "cannot see (a std::thread, std::mutex or std::atomic instead of conclab::sync's, the real clock, randomness, "
    "or state left over from an earlier schedule)";

void fail_not_deterministic() {
  Run& r = run();
  r.failed = true;
  r.outcome = Outcome::kNotDeterministic;
  r.message = kNotDeterministic;
}

// The index of the option to take, or -1 (the schedule has failed: not deterministic).
int pick(const std::vector<int>& options) {
  if (options.size() == 1) return 0;
  if (g_explorer->options.mode == Mode::kRandom) return pick_random(options);
  const int i = g_explorer->chooser.pick(static_cast<int>(options.size()));
  if (i < 0) fail_not_deterministic();
  return i;
}

// The next fiber to run, or -1 when the schedule ends (all done, or stuck: then it has failed).
[[noreturn]] void stop_for_the_player(const std::vector<int>& options);

// Play: a person picks among every thread that can run (spinning or not); the explorer's own rules for spinning
// and preemptions do not apply.
int decide_for_the_player() {
  Run& r = run();
  Explorer& x = *g_explorer;
  for (;;) {
    std::vector<int> runnable;
    bool all_done = true;
    for (auto& f : r.fibers) {
      if (f->state != FiberState::kDone) all_done = false;
      if (f->state == FiberState::kRunnable) runnable.push_back(f->id);
    }
    if (all_done) return -1;
    if (runnable.empty()) {
      if (fire_earliest_timeout()) continue;
      fail_stuck();
      return -1;
    }
    if (runnable.size() == 1) return runnable.front();
    if (x.play_next >= x.options.play.size()) stop_for_the_player(runnable);
    const int want = x.options.play[x.play_next++];
    if (std::find(runnable.begin(), runnable.end(), want) == runnable.end()) {
      r.failed = true;
      r.outcome = Outcome::kNotDeterministic;
      r.message = "T" + std::to_string(want) + " cannot run at this point of the game (choice " + std::to_string(x.play_next) + ")";
      return -1;
    }
    return want;
  }
}

int decide() {
  Run& r = run();
  if (g_explorer->options.mode == Mode::kPlay) return decide_for_the_player();
  for (;;) {
    std::vector<int> runnable, eager;
    bool all_done = true;
    for (auto& f : r.fibers) {
      if (f->state != FiberState::kDone) all_done = false;
      if (f->state != FiberState::kRunnable) continue;
      runnable.push_back(f->id);
      if (!is_spinning(*f)) eager.push_back(f->id);
    }
    if (all_done) return -1;
    if (runnable.empty()) {
      if (fire_earliest_timeout()) continue;
      fail_stuck();
      return -1;
    }
    if (eager.empty() && fire_earliest_timeout()) continue;  // time passes while they spin
    if (eager.empty()) {
      // Everyone who can run is spinning: round robin, no choice (it cannot change what they see).
      if (++r.spin_rounds > kLivelockSteps) {
        r.failed = true;
        r.outcome = Outcome::kNeverEnds;
        r.message = "every thread that can run is spinning, waiting for a change no thread will make (a livelock):";
        for (int id : runnable) r.message += "\n  T" + std::to_string(id) + " at " + where_text(fiber(id).where);
        return -1;
      }
      auto it = std::upper_bound(runnable.begin(), runnable.end(), r.last);
      return it == runnable.end() ? runnable.front() : *it;
    }
    r.spin_rounds = 0;
    const bool last_can_go_on = std::find(eager.begin(), eager.end(), r.last) != eager.end();
    if (!last_can_go_on) {
      const int i = pick(eager);
      return i < 0 ? -1 : eager[static_cast<std::size_t>(i)];
    }
    if (preemptions_left() <= 0 || r.no_switch > 0) return r.last;
    std::vector<int> options{r.last};
    for (int id : eager) {
      if (id != r.last) options.push_back(id);
    }
    const std::size_t first_spinner = options.size();
    for (int id : runnable) {  // a spinning fiber too, at the price of a preemption: it may be about to stop spinning
      if (id != r.last && is_spinning(fiber(id))) options.push_back(id);
    }
    const int i = pick(options);
    if (i < 0) return -1;
    if (i > 0) ++r.preemptions_used;
    if (static_cast<std::size_t>(i) >= first_spinner) fiber(options[static_cast<std::size_t>(i)]).spin_through = kSpinThrough;
    return options[static_cast<std::size_t>(i)];
  }
}

void hub_loop() {
  Run& r = run();
  Explorer& x = *g_explorer;
  while (!r.failed) {
    const int next = decide();
    if (next < 0) return;
    if (std::count_if(r.fibers.begin(), r.fibers.end(), [](const auto& f) { return f->state == FiberState::kRunnable; }) > 1) {
      r.choices.push_back(next);
    }
    if (++r.steps > x.options.max_steps) {
      r.failed = true;
      r.outcome = Outcome::kNeverEnds;
      r.message = "the schedule ran past " + std::to_string(x.options.max_steps) +
                  " steps: a thread that never ends, or a loop that never gives up (the last steps are below)";
      return;
    }
    x.progress.fetch_add(1, std::memory_order_relaxed);
    r.current = r.last = next;
    Fiber& f = fiber(next);
    g_starting = &f;
    swapcontext(&r.hub, &f.ctx);
    r.current = -1;
  }
}

// ---- Printing a schedule. ----

struct Resolved {
  std::string file;
  int line = 0;
};

std::string exe_path() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

// file:line of return addresses, through addr2line (only when a schedule is printed).
std::map<const void*, Resolved> resolve_addresses(const std::vector<const void*>& addrs) {
  std::map<const void*, Resolved> out;
  if (addrs.empty()) return out;
  std::string cmd = "addr2line -e '" + exe_path() + "'";
  for (const void* a : addrs) {
    Dl_info info{};
    if (dladdr(a, &info) == 0) continue;
    const auto offset = reinterpret_cast<std::uintptr_t>(a) - reinterpret_cast<std::uintptr_t>(info.dli_fbase) - 1;
    char hex[32];
    std::snprintf(hex, sizeof hex, " 0x%zx", static_cast<std::size_t>(offset));
    cmd += hex;
  }
  cmd += " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char line[4096];
  for (const void* a : addrs) {
    if (std::fgets(line, sizeof line, p) == nullptr) break;
    std::string s(line);
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    const auto paren = s.find(" (");
    if (paren != std::string::npos) s.erase(paren);
    const auto colon = s.rfind(':');
    if (colon == std::string::npos || s.compare(0, 2, "??") == 0) continue;
    out[a] = {s.substr(0, colon), std::atoi(s.c_str() + colon + 1)};
  }
  pclose(p);
  return out;
}

std::map<const void*, Resolved> g_resolved;

Resolved resolve(const detail::Where& w) {
  if (w.return_address != nullptr) {
    auto it = g_resolved.find(w.return_address);
    return it == g_resolved.end() ? Resolved{} : it->second;
  }
  if (w.loc.line == 0 || w.loc.file == nullptr) return {};
  return {w.loc.file, static_cast<int>(w.loc.line)};
}

std::string base_name(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string source_line(const std::string& file, int line) {
  static std::map<std::string, std::vector<std::string>> cache;
  auto it = cache.find(file);
  if (it == cache.end()) {
    std::vector<std::string> lines;
    std::ifstream in(file);
    if (!in && !file.empty() && file[0] != '/') {
      // Compiled with a path relative to the build tree (ccache's base_dir): the program is in <tree>/bin.
      const std::string exe = exe_path();
      in.open(exe.substr(0, exe.rfind('/')) + "/../" + file);
    }
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    it = cache.emplace(file, std::move(lines)).first;
  }
  if (line <= 0 || static_cast<std::size_t>(line) > it->second.size()) return {};
  std::string s = it->second[static_cast<std::size_t>(line - 1)];
  s.erase(0, s.find_first_not_of(" \t"));
  if (s.size() > 70) {
    std::size_t cut = 67;  // not inside a UTF-8 sequence: the trace and `conclab play`'s JSON stay valid text
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    s = s.substr(0, cut) + "...";
  }
  return s;
}

std::string where_text(const detail::Where& w) {
  if (w.return_address != nullptr && !g_resolved.count(w.return_address)) {
    for (auto& [a, res] : resolve_addresses({w.return_address})) g_resolved[a] = res;
  }
  const Resolved r = resolve(w);
  if (r.line == 0) return "line unknown";
  return base_name(r.file) + ":" + std::to_string(r.line);
}

std::string format_trace(const std::vector<Step>& trace) {
  std::vector<const void*> addrs;
  for (const Step& s : trace) {
    if (s.where.return_address != nullptr && !g_resolved.count(s.where.return_address)) addrs.push_back(s.where.return_address);
  }
  for (auto& [a, r] : resolve_addresses(addrs)) g_resolved[a] = r;
  std::string out;
  const std::size_t n = trace.size();
  constexpr std::size_t kHead = 20, kTail = 60;
  for (std::size_t i = 0; i < n; ++i) {
    if (n > kHead + kTail && i == kHead) {
      out += "   ... " + std::to_string(n - kHead - kTail) + " steps ...\n";
      i = n - kTail;
    }
    const Step& s = trace[i];
    const Resolved r = resolve(s.where);
    std::string what = s.op + (s.result.empty() ? "" : " " + s.result);
    char head[160];
    std::snprintf(head, sizeof head, "%5zu. T%d  %-34s ", i + 1, s.fiber, what.c_str());
    out += head;
    if (r.line > 0) out += base_name(r.file) + ":" + std::to_string(r.line) + "  " + source_line(r.file, r.line);
    out += "\n";
  }
  return out;
}

// ---- Play: the state of a schedule for `conclab play`, as JSON. ----

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

const char* outcome_slug(Outcome o) {
  switch (o) {
    case Outcome::kPassed: return "passed";
    case Outcome::kFailed: return "failed";
    case Outcome::kDeadlock: return "deadlock";
    case Outcome::kLostWakeup: return "lost-wakeup";
    case Outcome::kNeverEnds: return "never-ends";
    case Outcome::kNotDeterministic: return "not-deterministic";
  }
  return "?";
}

// "file":..,"line":..,"code":.. of a place (source_line() keeps the code short).
std::string place_json(const detail::Where& w) {
  const Resolved r = resolve(w);
  std::string file = r.file;
  if (!file.empty() && file[0] != '/') {  // relative to the build tree (ccache's base_dir): the program is in <tree>/bin
    const std::string exe = exe_path();
    file = exe.substr(0, exe.rfind('/')) + "/../" + file;
  }
  return "\"file\":" + json_string(file) + ",\"line\":" + std::to_string(r.line) +
         ",\"code\":" + json_string(r.line > 0 ? source_line(r.file, r.line) : std::string());
}

std::string ints_json(const std::vector<int>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + std::to_string(v[i]);
  return out + "]";
}

// status: "choose" (options: who may run next), "end" (the schedule ended: outcome and message), or "hint" (the
// first failing schedule of a search under play's rules: its choices win the game).
void write_play_state(const Run& r, const char* status, const std::vector<int>& options) {
  std::vector<const void*> addrs;
  auto want = [&addrs](const detail::Where& w) {
    if (w.return_address != nullptr && !g_resolved.count(w.return_address)) addrs.push_back(w.return_address);
  };
  for (const Step& st : r.trace) want(st.where);
  for (const auto& f : r.fibers) {
    want(f->where);
    want(f->blocked_where);
    for (const auto& h : f->holds) want(h.second);
  }
  for (auto& [a, res] : resolve_addresses(addrs)) g_resolved[a] = res;

  std::string out = "{\"status\":" + json_string(status) + ",\"options\":" + ints_json(options) +
                    ",\"choices\":" + ints_json(r.choices) + ",\"steps\":" + std::to_string(r.trace.size());
  const bool ended = std::strcmp(status, "choose") != 0;
  out += ",\"outcome\":" + json_string(ended ? outcome_slug(r.failed ? r.outcome : Outcome::kPassed) : "");
  std::string message = ended && r.failed ? r.message : "";
  if (!message.empty() && !r.explanation.empty() && r.outcome != Outcome::kFailed) message += "\nWhat it means: " + r.explanation;
  out += ",\"message\":" + json_string(message) + ",\"threads\":[";
  for (std::size_t i = 0; i < r.fibers.size(); ++i) {
    const Fiber& f = *r.fibers[i];
    const char* state = f.state == FiberState::kDone      ? "done"
                        : f.state == FiberState::kBlocked ? "blocked"
                        : f.op[0] == '\0'                 ? "starting"
                        : is_spinning(f)                  ? "spinning"
                                                          : "ready";
    out += std::string(i ? "," : "") + "{\"id\":" + std::to_string(f.id) + ",\"state\":" + json_string(state) +
           ",\"op\":" + json_string(f.op) + "," + place_json(f.state == FiberState::kBlocked ? f.blocked_where : f.where) +
           ",\"waits\":" + json_string(f.state == FiberState::kBlocked ? f.waits_for : "") + ",\"holds\":[";
    for (std::size_t h = 0; h < f.holds.size(); ++h) out += std::string(h ? "," : "") + "{" + place_json(f.holds[h].second) + "}";
    out += "]}";
  }
  out += "],\"trace\":[";
  for (std::size_t i = 0; i < r.trace.size(); ++i) {
    const Step& st = r.trace[i];
    out += std::string(i ? "," : "") + "{\"thread\":" + std::to_string(st.fiber) + ",\"op\":" + json_string(st.op) +
           ",\"result\":" + json_string(st.result) + "," + place_json(st.where) + "}";
  }
  out += "]}\n";
  const std::string& path = g_explorer->options.play_out;
  if (FILE* f = std::fopen(path.c_str(), "w"); f != nullptr) {
    std::fwrite(out.data(), 1, out.size(), f);
    std::fclose(f);
  } else {
    std::fprintf(stderr, "conclab::sim: cannot write the game's state to %s\n", path.c_str());
  }
}

// The player's choices ran out where more than one thread can run: show the state and end the process (the next
// move replays the schedule with one more choice).
void stop_for_the_player(const std::vector<int>& options) {
  write_play_state(run(), "choose", options);
  std::fflush(nullptr);
  std::_Exit(0);
}

// ---- One schedule. ----

void free_run(Run& r) {
  for (auto& f : r.fibers) g_explorer->stacks.give(f->stack);
  r.fibers.clear();
}

// Runs the body once under the current choices. Returns the run (failed or not).
void run_schedule(const std::function<void()>& body, Run& r, int bound) {
  Explorer& x = *g_explorer;
  r = Run{};
  r.serial = ++g_schedule_serial;
  r.preemption_bound = bound;
  x.run = &r;
  detail::internal::g_running_view = {&r.current, &r.failed, &r.serial};
  x.chooser.reset_run();
  if (x.options.mode == Mode::kRandom) {
    x.change_points.clear();
    for (int i = 1; i < x.options.pct_depth; ++i) x.change_points.push_back(1 + x.rng() % std::max<std::uint64_t>(1, x.expected_steps));
  }
  new_fiber([&body] { body(); });
  hub_loop();
  x.expected_steps = std::max<std::uint64_t>(r.steps, 10);
  if (r.promise && !r.promise->kept) {  // a value read early that no store provided: not a C++ execution
    r.infeasible = true;
    r.failed = false;
  }
}

// ---- The watchdog: a body that blocks the real thread (std::mutex, a real join, I/O) would hang the explorer. ----

class Watchdog {
 public:
  explicit Watchdog(std::atomic<std::uint64_t>& progress) : progress_(progress), thread_([this] { watch(); }) {}
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }

 private:
  void watch() {
    std::unique_lock<std::mutex> lock(mu_);
    std::uint64_t seen = progress_.load(std::memory_order_relaxed);
    while (!cv_.wait_for(lock, std::chrono::seconds(20), [this] { return done_; })) {
      const std::uint64_t now = progress_.load(std::memory_order_relaxed);
      if (now != seen) {
        seen = now;
        continue;
      }
      std::fputs("\nconclab::sim: no step for 20 s. The code under test blocks the real thread or loops without "
                  "touching a conclab::sync primitive: a std::mutex, std::condition_variable, std::thread or "
                  "std::atomic where the lab asks for conclab::sync's (include <conclab/sync.hpp> and use "
                  "conclab::sync::mutex and friends), a sleep, or I/O.\n",
                  stderr);
      std::_Exit(3);
    }
  }

  std::atomic<std::uint64_t>& progress_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

Result failure_result(Run& r, std::uint64_t schedules, const std::string& replay) {
  Result res;
  res.outcome = r.outcome;
  res.schedules = schedules;
  res.preemptions = r.preemptions_used;
  res.message = r.message;
  if (!r.explanation.empty() && r.outcome != Outcome::kFailed) res.message += "\nWhat it means: " + r.explanation;
  res.trace = format_trace(r.trace);
  res.replay = replay;
  return res;
}

std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

// "<bound>s<0|1>:<choices>[~<hex bytes of the value read early>]"
std::vector<int> parse_replay(const std::string& s, int& bound, bool& spurious) {
  static const std::regex shape(R"(-?\d+s[01]:(\d+(\*\d+)?(\.\d+(\*\d+)?)*)?(~([0-9a-f]{2})+)?)");
  if (!std::regex_match(s, shape)) {
    throw std::invalid_argument("conclab::sim: '" + s + "' is not a replay string: one looks like 2s1:0*4.1.0 (Result::replay)");
  }
  if (const auto tilde = s.find('~'); tilde != std::string::npos) {
    Explorer& x = *g_explorer;
    x.has_replay_value = true;
    for (std::size_t i = tilde + 1; i + 1 < s.size(); i += 2) {
      x.replay_value += static_cast<char>(std::stoi(s.substr(i, 2), nullptr, 16));
    }
  }
  const auto colon = s.find(':');
  const auto sp = s.find('s');
  bound = std::stoi(s.substr(0, sp));
  spurious = s[sp + 1] == '1';
  std::vector<int> out;
  std::stringstream in(s.substr(colon + 1, s.find('~') == std::string::npos ? std::string::npos : s.find('~') - colon - 1));
  for (std::string item; std::getline(in, item, '.');) {
    if (item.empty()) continue;
    const auto star = item.find('*');
    const int v = std::stoi(item.substr(0, star));
    const int times = star == std::string::npos ? 1 : std::stoi(item.substr(star + 1));
    out.insert(out.end(), static_cast<std::size_t>(times), v);
  }
  return out;
}

std::string replay_string(int bound, bool spurious, const Chooser& c, const Run& r) {
  return std::to_string(bound) + "s" + (spurious ? "1" : "0") + ":" + c.encode() + (r.promise ? "~" + hex(r.promise->value) : "");
}

// Load buffering: the values a load may read early in the next pass are those stored in the passes before it.
void freeze_early_values(Explorer& x) {
  x.early_values.clear();
  for (const auto& [ordinal, values] : x.values_seen) x.early_values[ordinal].assign(values.begin(), values.end());
}

}  // namespace

const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::kPassed: return "passed";
    case Outcome::kFailed: return "failed";
    case Outcome::kDeadlock: return "deadlock";
    case Outcome::kLostWakeup: return "lost wakeup";
    case Outcome::kNeverEnds: return "never ends";
    case Outcome::kNotDeterministic: return "not deterministic";
  }
  return "?";
}

std::string Result::report() const {
  if (passed()) {
    return "explored " + std::to_string(schedules) + " schedule" + (schedules == 1 ? "" : "s") +
           (exhausted ? " (every schedule with at most " + std::to_string(preemptions) + " preemption" +
                            (preemptions == 1 ? "" : "s") + ")"
                      : "") +
           ", all pass";
  }
  std::string out = std::string(outcome_name(outcome)) + " on schedule " + std::to_string(schedules) + " (it has " +
                    std::to_string(preemptions) + " preemption" + (preemptions == 1 ? "" : "s") + "): " + message + "\n";
  out += "The schedule, one step per line (T0 is the test's own thread):\n" + trace;
  out += "Its replay string: " + replay;
  return out;
}

int threads_started() { return active() ? static_cast<int>(run().fibers.size()) - 1 : -1; }
int threads_started_before_first_join() { return active() ? run().started_before_first_join : -1; }

bool active() { return g_explorer != nullptr && g_explorer->run != nullptr && g_explorer->run->current >= 0; }

void explain(const std::string& what_it_means) {
  if (active()) run().explanation = what_it_means;
}

void report_failure(const std::string& message) {
  if (!active()) return;
  Run& r = run();
  if (r.failed) return;
  r.failed = true;
  r.outcome = Outcome::kFailed;
  r.message = message;
}

Result explore(const std::function<void()>& body, const Options& options) {
  if (g_explorer != nullptr) throw std::logic_error("conclab::sim::explore is not reentrant");
  Explorer x;
  x.options = options;
  x.rng.seed(options.seed);
  g_explorer = &x;
  detail::internal::explorer_thread_begins();
  struct Reset {
    ~Reset() {
      detail::internal::g_running_view = {};
      g_explorer = nullptr;
      detail::internal::explorer_thread_ends();
    }
  } reset;
  Watchdog watchdog(x.progress);
  Run r;
  std::uint64_t schedules = 0;
  std::uint64_t discarded = 0;  // schedules that read a value early that no store provided
  Result passed;

  if (options.mode == Mode::kPlay) {
    run_schedule(body, r, -1);
    write_play_state(r, "end", {});
    free_run(r);
    if (r.failed) return failure_result(r, 1, "");
    passed.schedules = 1;
    return passed;
  }
  if (options.mode == Mode::kReplay) {
    int bound = 0;
    x.chooser.load_replay(parse_replay(options.replay, bound, x.options.spurious));
    run_schedule(body, r, bound);
    const std::string replay = replay_string(bound, x.options.spurious, x.chooser, r);
    free_run(r);
    if (r.failed) return failure_result(r, 1, replay);
    passed.schedules = r.infeasible ? 0 : 1;
    return passed;
  }
  if (options.mode == Mode::kRandom) {
    for (int i = 0; i < options.runs; ++i) {
      x.rng.seed(options.seed + static_cast<std::uint64_t>(i));
      x.chooser.clear();
      run_schedule(body, r, -1);
      ++schedules;
      const std::string replay = replay_string(-1, options.spurious, x.chooser, r);
      free_run(r);
      if (r.failed) return failure_result(r, schedules, replay);
    }
    passed.schedules = schedules;
    return passed;
  }
  for (int bound = 0; bound <= options.preemptions; ++bound) {
    x.chooser.clear();
    freeze_early_values(x);
    do {
      run_schedule(body, r, bound);
      const std::string replay = replay_string(bound, options.spurious, x.chooser, r);
      if (options.play_rules && r.failed && !r.infeasible && !options.play_out.empty()) write_play_state(r, "hint", {});
      free_run(r);
      if (r.infeasible) {
        ++discarded;
      } else {
        ++schedules;
        if (r.failed) return failure_result(r, schedules, replay);
      }
      if (schedules + discarded >= options.max_schedules) {
        passed.schedules = schedules;
        passed.dropped = discarded;
        passed.preemptions = bound;
        return passed;
      }
    } while (x.chooser.advance());
  }
  passed.schedules = schedules;
  passed.dropped = discarded;
  passed.exhausted = true;
  passed.preemptions = options.preemptions;
  return passed;
}

// ---- What the primitives call. ----

namespace detail {

void point(const char* op, const Where& where) {
  if (!active()) {
    std::fprintf(stderr, "conclab::sim: a conclab::sync operation (%s) ran outside conclab::sim::explore. In the sim "
                 "build every use of conclab::sync must happen inside a sim test (CONCLAB_SIM_TEST) or explore().\n", op);
    std::abort();
  }
  Run& r = run();
  Fiber& f = self();
  if (r.failed) abandon();
  if (r.quiet > 0) return;  // part of an enclosing step (NoSwitch(true)): no switch, no step, no new place
  internal::operation_begins();  // from here to the operation's return: its own accesses, not the program's
  f.op = op;
  f.where = f.override_where ? *f.override_where : where;
  if (r.no_switch == 0) {
    to_hub();
    if (run().failed) abandon();
  }
  tick(f);
  if (run().quiet == 0) run().trace.push_back({f.id, op, f.where, ""});
}

void note(const std::string& result) {
  Run& r = run();
  if (r.trace.empty() || r.quiet > 0) return;
  Step& s = r.trace.back();
  s.result += s.result.empty() ? result : "; " + result;
}

bool block(WaitQueue& queue, std::string what, bool needs_notify, std::int64_t deadline_ns) {
  Fiber& f = self();
  // A fiber that waits is not spinning: whatever wakes it (a notify, a timeout) is a change it waited for, even
  // when no store came with it, and its loads from before the wait say nothing about its loads after.
  f.spinning = false;
  f.spin_through = 0;
  f.last_load = nullptr;
  f.state = FiberState::kBlocked;
  f.queue = &queue;
  f.waits_for = std::move(what);
  f.blocked_where = f.where;
  f.needs_notify = needs_notify;
  f.deadline = deadline_ns;
  f.timed_out = false;
  queue.fibers.push_back(f.id);
  const int saved = run().no_switch;
  run().no_switch = 0;  // blocking always switches
  to_hub();
  run().no_switch = saved;
  if (run().failed) abandon();
  f.deadline = -1;
  run().trace.push_back({f.id, std::string(f.op) + (f.timed_out ? " (times out)" : " (woken)"), f.where, ""});
  return !f.timed_out;
}

namespace {
void make_runnable(int id) {
  Fiber& f = fiber(id);
  f.state = FiberState::kRunnable;
  f.queue = nullptr;
  f.deadline = -1;
}
}  // namespace

int wake_one(WaitQueue& queue) {
  if (queue.fibers.empty()) return -1;
  const int n = static_cast<int>(queue.fibers.size());
  const int i = choose(n, false);
  const int id = queue.fibers[static_cast<std::size_t>(i)];
  queue.fibers.erase(queue.fibers.begin() + i);
  make_runnable(id);
  return id;
}

int wake_all(WaitQueue& queue) {
  const int n = static_cast<int>(queue.fibers.size());
  for (int id : queue.fibers) make_runnable(id);
  queue.fibers.clear();
  return n;
}

NoSwitch::NoSwitch(bool quiet) : quiet_(quiet) {
  if (!active()) return;
  ++run().no_switch;
  if (quiet_) ++run().quiet;
}
NoSwitch::~NoSwitch() {
  if (!active()) return;
  --run().no_switch;
  if (quiet_) --run().quiet;
}

// The outermost wins: a lock taken by std::lock inside a scoped_lock is shown at the scoped_lock.
ScopedWhere::ScopedWhere(const Where& where) : had_(!active() || self().override_where.has_value()) {
  if (!had_) self().override_where = where;
}
ScopedWhere::~ScopedWhere() {
  if (!had_ && active()) self().override_where.reset();
}

int choose(int n, bool costs_preemption) {
  if (n <= 1) return 0;
  if (g_explorer->options.mode == Mode::kPlay || g_explorer->options.play_rules) return 0;  // the ordinary outcome
  Run& r = run();
  if (costs_preemption && preemptions_left() <= 0) return 0;
  int i = 0;
  Explorer& x = *g_explorer;
  if (x.options.mode == Mode::kRandom) {
    // The ordinary outcome most of the time; one of the others one time in eight.
    i = x.rng() % 8 == 0 ? 1 + static_cast<int>(x.rng() % static_cast<std::uint64_t>(n - 1)) : 0;
    x.chooser.record(i, n);
  } else {
    i = x.chooser.pick(n);
    if (i < 0) fail(Outcome::kNotDeterministic, kNotDeterministic);
  }
  if (i > 0 && costs_preemption) ++r.preemptions_used;
  return i;
}

bool spurious_enabled() { return g_explorer->options.spurious; }

void fail(Outcome outcome, const std::string& message) {
  Run& r = run();
  if (!r.failed) {
    r.failed = true;
    r.outcome = outcome;
    r.message = message;
  }
  abandon();
}

int spawn(std::function<void()> fn) { return new_fiber(std::move(fn)); }

void join(int id) {
  if (run().started_before_first_join < 0) run().started_before_first_join = static_cast<int>(run().fibers.size()) - 1;
  while (fiber(id).state != FiberState::kDone) block(fiber(id).finished, "joins T" + std::to_string(id), false);
  acquire_from(fiber(id).end);
}

// ---- The memory model ----

Location::Location() {
  StoreRecord initial;  // fiber -1: happens-before everything
  initial.id = next_id++;
  stores.push_back(std::move(initial));
  if (active()) ordinal = run().locations++;
}

void release_to(SyncClock& sync) {
  if (active()) join_clock(sync.clock, self().clock);
}

void acquire_from(const SyncClock& sync) {
  if (active()) join_clock(self().clock, sync.clock);
}

namespace {

bool is_acquire(std::memory_order o) {
  return o == std::memory_order_acquire || o == std::memory_order_consume || o == std::memory_order_acq_rel ||
         o == std::memory_order_seq_cst;
}
bool is_release(std::memory_order o) {
  return o == std::memory_order_release || o == std::memory_order_acq_rel || o == std::memory_order_seq_cst;
}

bool happens_before_now(const Fiber& f, const StoreRecord& s) {
  if (s.fiber < 0) return true;
  const auto i = static_cast<std::size_t>(s.fiber);
  return i < f.clock.size() && f.clock[i] >= s.epoch;
}

// True if another fiber's load of s happens-before fiber f's current step.
bool a_read_happens_before_now(const Fiber& f, const StoreRecord& s) {
  for (const auto& [fiber, epoch] : s.reads) {
    const auto i = static_cast<std::size_t>(fiber);
    if (fiber != f.id && i < f.clock.size() && f.clock[i] >= epoch) return true;
  }
  return false;
}

// The oldest position of `loc` that fiber f may still read, or place a store after: nothing older than what it
// has seen there, than a store that happens-before it, or than a store another thread read before something
// that happens-before it (coherence: [intro.races] p13-p16).
std::size_t oldest_visible(const Fiber& f, const Location& loc) {
  std::size_t oldest = 0;
  const auto seen = f.view.find(&loc);
  for (std::size_t i = 0; i < loc.stores.size(); ++i) {
    const StoreRecord& s = loc.stores[i];
    if ((seen != f.view.end() && s.id == seen->second) || happens_before_now(f, s) || a_read_happens_before_now(f, s)) oldest = i;
  }
  return oldest;
}

// Fiber f's load at its current step read s.
void note_read(const Fiber& f, StoreRecord& s, std::uint32_t epoch) { s.reads.emplace_back(f.id, epoch); }

void acquire_store(Fiber& f, const StoreRecord& s, std::memory_order order) {
  if (!s.sync) return;
  join_clock(is_acquire(order) ? f.clock : f.pending_acquire, *s.sync);
}

// What a store by f with `order` publishes to an acquire read of it.
std::shared_ptr<const VectorClock> release_of(const Fiber& f, std::memory_order order) {
  if (is_release(order)) return std::make_shared<const VectorClock>(f.clock);
  if (!f.fence_release.empty()) return std::make_shared<const VectorClock>(f.fence_release);
  return nullptr;
}

StoreRecord new_store(Location& loc, Fiber& f, std::memory_order order) {
  Run& r = run();
  if (order == std::memory_order_seq_cst) {
    join_clock(f.clock, r.sc_clock);
    join_clock(r.sc_clock, f.clock);
  }
  StoreRecord s;
  s.id = loc.next_id++;
  s.fiber = f.id;
  s.epoch = f.clock[static_cast<std::size_t>(f.id)];
  s.sync = release_of(f, order);
  s.seq_cst = order == std::memory_order_seq_cst;
  return s;
}

// Load buffering. The loading fiber may not touch the location again before its early value is provided (what it
// would read or overwrite there is not known yet), nor acquire through a fence (what it would acquire is not
// known yet): a schedule that does is dropped. It loses some executions the model allows, never adds one.
[[noreturn]] void infeasible() {
  Run& r = run();
  r.failed = true;  // stops the schedule; run_schedule() turns it into "infeasible" as the promise is not kept
  abandon();
}

bool early_read_pending(const Run& r) { return r.promise && !r.promise->kept && r.promise->fiber == r.current; }

// Neither may a fiber that the early load happens-before (through a release the loader made since): what it read
// or wrote there would have to follow the store not yet made in the location's order (coherence).
void no_touch_while_early(const Location& loc) {
  const Run& r = run();
  if (!r.promise || r.promise->kept || r.promise->ordinal != loc.ordinal) return;
  if (r.promise->fiber == r.current) infeasible();
  const Fiber& f = self();
  const auto loader = static_cast<std::size_t>(r.promise->fiber);
  if (loader < f.clock.size() && f.clock[loader] >= r.promise->epoch) infeasible();
}

bool another_fiber_runs() {
  const Run& r = run();
  for (const auto& f : r.fibers) {
    if (f->id != r.current && f->state != FiberState::kDone) return true;
  }
  return false;
}

}  // namespace

const std::string* speculate(Location& loc, std::memory_order order, std::size_t size) {
  Run& r = run();
  Explorer& x = *g_explorer;
  if (x.options.mode == Mode::kRandom || !x.options.load_buffering || order == std::memory_order_seq_cst) return nullptr;
  if (r.promise || loc.ordinal < 0 || preemptions_left() <= 0 || r.no_switch > 0 || !another_fiber_runs()) return nullptr;
  if (choose(2, true) == 0) return nullptr;
  std::string value;
  if (x.options.mode == Mode::kReplay) {
    if (x.chooser.pick(INT_MAX) < 0 || !x.has_replay_value || x.replay_value.size() != size) fail(Outcome::kNotDeterministic, kNotDeterministic);
    value = x.replay_value;
  } else {
    std::vector<const std::string*> candidates;
    if (const auto it = x.early_values.find(loc.ordinal); it != x.early_values.end()) {
      for (const std::string& v : it->second) {
        if (v.size() == size) candidates.push_back(&v);
      }
    }
    if (candidates.empty()) infeasible();
    const int i = x.chooser.pick(static_cast<int>(candidates.size()));
    if (i < 0) fail(Outcome::kNotDeterministic, kNotDeterministic);
    value = *candidates[static_cast<std::size_t>(i)];
  }
  Fiber& f = self();
  Run::Promise p;
  p.fiber = f.id;
  p.ordinal = loc.ordinal;
  p.value = std::move(value);
  p.epoch = f.clock[static_cast<std::size_t>(f.id)];
  p.floor_id = loc.stores[oldest_visible(f, loc)].id;
  p.acquire = is_acquire(order);
  r.promise = std::move(p);
  return &r.promise->value;
}

void stored(Location& loc, std::size_t index, const void* value, std::size_t size) {
  Run& r = run();
  Explorer& x = *g_explorer;
  std::string bytes(static_cast<const char*>(value), size);
  if (loc.ordinal >= 0) {
    auto& seen = x.values_seen[loc.ordinal];
    if (seen.size() < kEarlyValuesPerLocation) seen.insert(bytes);
  }
  if (!r.promise || r.promise->kept || r.promise->ordinal != loc.ordinal || r.promise->fiber == r.current) return;
  Run::Promise& p = *r.promise;
  Fiber& f = self();
  StoreRecord& s = loc.stores[index];
  const auto reader = static_cast<std::size_t>(p.fiber);
  const bool after_the_load = reader < f.clock.size() && f.clock[reader] >= p.epoch;
  std::size_t floor = 0;
  while (floor < loc.stores.size() && loc.stores[floor].id != p.floor_id) ++floor;
  // It provides the value if nothing orders it after the load, it follows in the location's order everything the
  // loader had seen there, and an acquire load would not synchronize with it (that would order the loader's
  // later steps after it, which they did not wait for).
  if (bytes != p.value || after_the_load || index <= floor || (p.acquire && s.sync)) return;
  p.kept = true;
  Fiber& loader = fiber(p.fiber);
  loader.view[&loc] = s.id;
  note_read(loader, s, p.epoch);
  if (s.sync) join_clock(loader.pending_acquire, *s.sync);
  note("the value T" + std::to_string(p.fiber) + " read early");
  wake_all(r.promise_waiters);
}

std::size_t atomic_load(Location& loc, std::memory_order order, bool latest_only) {
  no_touch_while_early(loc);
  Fiber& f = self();
  if (order == std::memory_order_seq_cst) join_clock(f.clock, run().sc_clock);
  const std::size_t last = loc.stores.size() - 1;
  std::size_t pick = last;
  std::size_t oldest = oldest_visible(f, loc);
  // Seq_cst loads of one location never go back in its order: a seq_cst load that reads a store is
  // coherence-ordered before, so precedes in the single total order, every seq_cst load that reads a later one
  // ([atomics.order] p4, C++20, P0668R5). So IRIW with seq_cst loads is forbidden whatever the stores' order,
  // while SB with seq_cst loads and release stores is not.
  if (order == std::memory_order_seq_cst) {
    for (std::size_t i = oldest; i <= last; ++i) {
      if (loc.stores[i].id == loc.sc_floor) oldest = i;
    }
  }
  if (!latest_only && oldest < last) pick = last - static_cast<std::size_t>(choose(static_cast<int>(last - oldest + 1), true));
  StoreRecord& s = loc.stores[pick];
  f.view[&loc] = s.id;
  note_read(f, s, f.clock[static_cast<std::size_t>(f.id)]);
  acquire_store(f, s, order);
  if (order == std::memory_order_seq_cst) loc.sc_floor = s.id;  // pick is at or after the old floor (above)
  return pick;
}

std::size_t atomic_store(Location& loc, std::memory_order order) {
  no_touch_while_early(loc);
  Fiber& f = self();
  StoreRecord s = new_store(loc, f, order);
  // Where it may enter the modification order: after everything this fiber has seen or that happens-before it,
  // never between a store and the read-modify-write that read it; a seq_cst store goes last.
  std::vector<std::size_t> places{loc.stores.size()};
  if (!s.seq_cst) {
    const std::size_t oldest = oldest_visible(f, loc);
    for (std::size_t p = loc.stores.size() - 1; p > oldest; --p) {
      if (!loc.stores[p].rmw) places.push_back(p);
    }
  }
  const std::size_t at = places[static_cast<std::size_t>(choose(static_cast<int>(places.size()), true))];
  f.view[&loc] = s.id;
  loc.stores.insert(loc.stores.begin() + static_cast<std::ptrdiff_t>(at), std::move(s));
  return at;
}

std::size_t atomic_rmw(Location& loc, std::memory_order order) {
  no_touch_while_early(loc);
  Fiber& f = self();
  if (order == std::memory_order_seq_cst) join_clock(f.clock, run().sc_clock);
  const std::size_t read = loc.stores.size() - 1;  // a read-modify-write reads the last store: that is its atomicity
  const std::shared_ptr<const VectorClock> before = loc.stores[read].sync;
  acquire_store(f, loc.stores[read], order);
  StoreRecord s = new_store(loc, f, order);
  s.rmw = true;
  if (before) {  // it continues the release sequence of the store it read
    auto joined = std::make_shared<VectorClock>(s.sync ? *s.sync : VectorClock{});
    join_clock(*joined, *before);
    s.sync = std::move(joined);
  }
  f.view[&loc] = s.id;
  loc.stores.push_back(std::move(s));
  return read;
}

namespace {

bool access_happens_before_now(const Fiber& f, const RaceState::Access& a) {
  if (a.fiber < 0 || a.fiber == f.id) return true;
  const auto i = static_cast<std::size_t>(a.fiber);
  return i < f.clock.size() && f.clock[i] >= a.epoch;
}

[[noreturn]] void race(const char* what, const RaceState::Access& earlier, bool earlier_writes, bool now_writes, const Where& where) {
  fail(Outcome::kFailed,
       std::string("data race on ") + what + ": T" + std::to_string(earlier.fiber) + (earlier_writes ? " wrote" : " read") +
           " it (" + where_text(earlier.where) + ") and T" + std::to_string(current()) + (now_writes ? " writes" : " reads") +
           " it (" + where_text(where) + "), and nothing orders the two: no lock both hold, no release/acquire pair, no "
           "join between them");
}

}  // namespace

void check_read(RaceState& state, const char* what, const Where& where) {
  if (!active()) return;
  Fiber& f = self();
  if (!access_happens_before_now(f, state.last_write)) race(what, state.last_write, true, false, where);
  const std::uint32_t epoch = f.clock[static_cast<std::size_t>(f.id)];
  for (auto& r : state.reads) {
    if (r.fiber == f.id) {
      r = {f.id, epoch, where};
      return;
    }
  }
  state.reads.push_back({f.id, epoch, where});
}

void check_write(RaceState& state, const char* what, const Where& where) {
  if (!active()) return;
  Fiber& f = self();
  if (!access_happens_before_now(f, state.last_write)) race(what, state.last_write, true, true, where);
  for (const auto& r : state.reads) {
    if (!access_happens_before_now(f, r)) race(what, r, false, true, where);
  }
  state.last_write = {f.id, f.clock[static_cast<std::size_t>(f.id)], where};
  state.reads.clear();
}

void atomic_fence(std::memory_order order) {
  if (is_acquire(order) && early_read_pending(run())) infeasible();
  Fiber& f = self();
  if (is_acquire(order)) join_clock(f.clock, f.pending_acquire);
  if (order == std::memory_order_seq_cst) {
    join_clock(f.clock, run().sc_clock);
    join_clock(run().sc_clock, f.clock);
  }
  if (is_release(order)) f.fence_release = f.clock;
}

bool finished(int id) { return fiber(id).state == FiberState::kDone; }
int current() { return run().current; }

void note_load(const void* location) {
  Run& r = run();
  Fiber& f = self();
  if (f.spin_through > 0) --f.spin_through;
  if (f.last_load == location && f.last_load_epoch == r.write_epoch) {
    f.spinning = true;
    f.spin_epoch = r.write_epoch;
    f.spin_where = f.where;
    f.spin_anywhere = false;
  }
  f.last_load = location;
  f.last_load_epoch = r.write_epoch;
}

void note_held(const void* lock, bool held) {
  if (!active()) return;
  auto& holds = self().holds;
  if (held) {
    holds.emplace_back(lock, self().where);
    return;
  }
  for (auto it = holds.rbegin(); it != holds.rend(); ++it) {
    if (it->first == lock) {
      holds.erase(std::next(it).base());
      return;
    }
  }
}

void note_write() {
  Run& r = run();
  ++r.write_epoch;
  self().spinning = false;
}

void note_yield() {
  Fiber& f = self();
  f.spinning = true;
  f.spin_epoch = run().write_epoch;
  f.spin_anywhere = true;
}

void internal::plain_spin_point(const void* pc) {
  if (!active()) return;
  point("spins on plain memory", Where{{}, pc});
  note_yield();
}

std::int64_t now_ns() { return active() ? run().now : 0; }

void sleep_until_ns(std::int64_t deadline_ns) {
  WaitQueue q;
  if (deadline_ns <= run().now) return;
  block(q, "sleeps", false, deadline_ns);
}

namespace internal {

int running_fiber() { return active() && !run().failed ? run().current : -1; }
RunningView g_running_view;
std::uint64_t schedule_serial() { return run().serial; }
VectorClock& running_clock() { return self().clock; }
void tick_running() { tick(self()); }

const void* user_frame(const void* const* frames, std::size_t count) {
  std::vector<const void*> wanted;
  for (std::size_t i = 0; i < count; ++i) {
    if (frames[i] != nullptr && !g_resolved.count(frames[i])) wanted.push_back(frames[i]);
  }
  for (auto& [a, res] : resolve_addresses(wanted)) g_resolved[a] = res;
  for (std::size_t i = 0; i < count && frames[i] != nullptr; ++i) {
    const Resolved r = resolve(Where{{}, frames[i]});
    if (r.line > 0 && r.file.rfind("/usr/", 0) != 0) return frames[i];
  }
  return frames[0];
}

std::string code_place(const void* const* frames, std::size_t count) {
  const Where w{{}, user_frame(frames, count)};
  const Resolved r = resolve(w);
  const std::string text = source_line(r.file, r.line);
  return where_text(w) + (text.empty() ? "" : " (" + text + ")");
}

[[noreturn]] void fail_with_race(const std::string& message, const void* pc, const std::string& step) {
  if (!run().failed) run().trace.push_back({run().current, step, Where{{}, pc}, ""});
  fail(Outcome::kFailed, message);
}

}  // namespace internal

}  // namespace detail
}  // namespace conclab::sim
