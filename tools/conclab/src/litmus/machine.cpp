// A litmus test on this machine's cores: one thread per test thread, each pinned to its own CPU, meeting at a
// spin barrier before and after every iteration. Between the barriers each thread waits a random few steps, so
// that over many iterations the threads' accesses meet in every relative timing, then runs its steps; after the
// second barrier thread 0 counts the outcome and resets the locations.
//
// The harness follows litmus7's `user` synchronisation (a polling barrier) with `-affinity incr1` (one thread per
// logical CPU), which its manual finds gives the most outcome variety (Alglave, Maranget et al., herdtools7).
// A spinning thread that is not on a CPU of its own waits for a time slice at every barrier, so a test with more
// threads than usable CPUs is not run.
#include <fmt/format.h>
#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <thread>
#include <vector>

#include "litmus/litmus.hpp"

namespace conclab::litmus {

namespace {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// A reusable barrier for n threads that spins (a futex wait would put the threads to sleep, and the next
// iteration would start with them waking at different moments).
class SpinBarrier {
 public:
  explicit SpinBarrier(int n) : n_(n) {}
  void arrive_and_wait() {
    const std::uint32_t gen = generation_.load(std::memory_order_acquire);
    // acq_rel: the last to arrive acquires every earlier arrival's writes, and releases them with generation_.
    if (arrived_.fetch_add(1, std::memory_order_acq_rel) == n_ - 1) {
      arrived_.store(0, std::memory_order_relaxed);        // ordered before the release below
      generation_.fetch_add(1, std::memory_order_release);  // pairs with the acquire loads of the waiters
    } else {
      while (generation_.load(std::memory_order_acquire) == gen) cpu_relax();
    }
  }

 private:
  const int n_;
  alignas(64) std::atomic<int> arrived_{0};
  alignas(64) std::atomic<std::uint32_t> generation_{0};
};

struct MachineMem {
  static void fence() { std::atomic_thread_fence(std::memory_order_seq_cst); }
};
using MachineAtomic = std::atomic<int>;

// Each thread's registers on a cache line of its own, so one thread's write does not slow another's step.
struct alignas(64) Registers {
  int r[kMaxRegisters] = {-1, -1, -1, -1};
};

std::uint32_t next_random(std::uint32_t& seed) {  // xorshift32
  seed ^= seed << 13;
  seed ^= seed >> 17;
  seed ^= seed << 5;
  return seed;
}

#if defined(__x86_64__) || defined(__i386__)
// litmus7's `timebase` synchronisation: every thread waits for the same time-stamp-counter target (set by thread 0
// before the barrier), plus a random few cycles of its own, and starts then. Leaving a barrier, the thread that
// opened it is a cache miss ahead of the others; a common target removes that lead, and the jitter makes the
// threads' steps meet in every relative timing over many iterations. The TSC ticks at one rate on every core
// (constant_tsc), so one target means one moment.
constexpr bool kHaveTimebase = true;
inline std::uint64_t timebase() { return __builtin_ia32_rdtsc(); }
#else
constexpr bool kHaveTimebase = false;
inline std::uint64_t timebase() { return 0; }
#endif
constexpr std::uint64_t kStartAhead = 4000;  // cycles from setting the target to reaching it: past the barrier
constexpr std::uint32_t kJitter = 512;       // cycles of random start offset per thread

void start_at(std::uint64_t target, std::uint32_t& seed) {
  if constexpr (kHaveTimebase) {
    const std::uint64_t mine = target + next_random(seed) % kJitter;
    while (timebase() < mine) cpu_relax();
  } else {
    for (volatile std::uint32_t n = next_random(seed) % 64; n > 0;) n = n - 1;
  }
}

bool pin_to(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

template <class T, Order O>
MachineRun run(const TestInfo& info, std::uint64_t iterations, double max_seconds, const std::vector<int>& cpus) {
  constexpr int kThreads = T::kThreads;
  const auto actors = T::template actors<O, MachineMem, MachineAtomic>();
  MachineRun result;
  result.ran = true;
  result.cpus.assign(cpus.begin(), cpus.begin() + kThreads);

  Vars<MachineAtomic> vars;
  Registers regs[kThreads];
  SpinBarrier barrier(kThreads);
  std::atomic<bool> stop{false};  // set by thread 0 between iterations; the barrier orders it for the others
  std::atomic<std::uint64_t> target{0};  // the iteration's start time (timebase); set by thread 0 likewise
  std::uint64_t done = 0;
  std::map<Outcome, std::uint64_t> counts;
  // Outcomes counted in a flat array (each component is 0..3, so base 4) and turned into the map at the end.
  const int components = info.registers + (info.finals ? 2 : 0);
  std::vector<std::uint64_t> tally(std::size_t{1} << (2 * components), 0);
  const auto start = std::chrono::steady_clock::now();
  target.store(timebase() + kStartAhead, std::memory_order_relaxed);

  auto body = [&](int t) {
    pin_to(result.cpus[t]);
    std::uint32_t seed = 0x9e3779b9u * static_cast<std::uint32_t>(t + 1);
    for (std::uint64_t i = 0;; ++i) {
      barrier.arrive_and_wait();  // the locations are reset and `stop` is decided
      if (stop.load(std::memory_order_relaxed)) return;
      start_at(target.load(std::memory_order_relaxed), seed);
      actors[t](vars, regs[t].r);
      barrier.arrive_and_wait();  // every step of this iteration is done
      if (t != 0) continue;
      // Thread 0 alone, while the others wait at the first barrier.
      std::size_t key = 0;
      int component = 0;
      for (int r = 0; r < info.registers; ++r) {
        int value = -1;
        for (int th = 0; th < kThreads; ++th) {
          if (regs[th].r[r] != -1) value = regs[th].r[r];
          regs[th].r[r] = -1;
        }
        key |= static_cast<std::size_t>(value & 3) << (2 * component++);
      }
      if (info.finals) {
        key |= static_cast<std::size_t>(vars.x.load(std::memory_order_relaxed) & 3) << (2 * component++);
        key |= static_cast<std::size_t>(vars.y.load(std::memory_order_relaxed) & 3) << (2 * component++);
      }
      ++tally[key];
      vars.x.store(0, std::memory_order_relaxed);
      vars.y.store(0, std::memory_order_relaxed);
      done = i + 1;
      if (done == iterations ||
          ((done & 4095) == 0 && std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > max_seconds)) {
        stop.store(true, std::memory_order_relaxed);
      }
      target.store(timebase() + kStartAhead, std::memory_order_relaxed);
    }
  };
  {
    std::vector<std::jthread> threads;
    for (int t = 1; t < kThreads; ++t) threads.emplace_back(body, t);
    body(0);
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.iterations = done;
  result.stopped_by_time = done < iterations;
  for (std::size_t key = 0; key < tally.size(); ++key) {
    if (tally[key] == 0) continue;
    Outcome out;
    for (int c = 0; c < components; ++c) out.push_back(static_cast<int>((key >> (2 * c)) & 3));
    result.counts[out] = tally[key];
  }
  return result;
}

}  // namespace

std::vector<int> usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return cpus;
  for (int c = 0; c < CPU_SETSIZE; ++c) {
    if (CPU_ISSET(c, &set)) cpus.push_back(c);
  }
  return cpus;
}

MachineRun run_on_machine(std::size_t test, Order o, std::uint64_t iterations, double max_seconds) {
  const TestInfo& info = tests().at(test);
  const std::vector<int> cpus = usable_cpus();
  if (static_cast<int>(cpus.size()) < info.threads) {
    MachineRun r;
    r.not_run = fmt::format("{} has {} threads and needs a CPU for each; this process may use {}, so only the model's column is shown",
                            info.name, info.threads, cpus.size());
    return r;
  }
  // Thread 0 is the calling thread: pin it for the run and give it back its CPUs afterwards.
  cpu_set_t saved;
  CPU_ZERO(&saved);
  const bool have_saved = pthread_getaffinity_np(pthread_self(), sizeof saved, &saved) == 0;
  MachineRun out;
  with_test(test, [&]<class T>() { with_order(o, [&]<Order O>() { out = run<T, O>(info, iterations, max_seconds, cpus); }); });
  if (have_saved) pthread_setaffinity_np(pthread_self(), sizeof saved, &saved);
  return out;
}

}  // namespace conclab::litmus
