// Benchmark for lab 03.04: meals per second at a table of 5, every philosopher a benchmark thread that asks for
// a meal, eats (a few hundred nanoseconds of work) and asks again at once: the most contended a table gets.
// The same file is built against each implementation; `./conclab bench 03.04` runs them side by side.
//
//   BM_Table                     the lab's Table: yours, naive, improved (one condition variable, notify_all),
//                                final (a condition variable per seat, woken only when granted)
//   BM_Reference_OrderedForks    a mutex per fork, lower-numbered fork first (the resource hierarchy): no waiter,
//                                no fairness; run once, with final
//
//   items_per_second  meals per second, all philosophers together. (Google Benchmark gives every thread the same
//                     number of iterations, so it cannot show who would have starved: the tests check fairness.)
//
// The naive table deadlocks (every philosopher holding its left fork), usually within milliseconds here. A
// watchdog ends the program when no meal has been served for 2 s, so `conclab bench` reports the naive run as
// failed instead of waiting for its 20-minute limit.
#include <dining_philosophers.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace {

constexpr int kPhilosophers = 5;

// Served meals, for the watchdog. Relaxed: only a sign of life, it orders nothing.
std::atomic<long> g_meals{0};

// Ends the program when no meal is served for 2 s (a deadlock: the naive table). Started by thread 0 before the
// timed loop, stopped by it after the loop (Google Benchmark holds every thread at a barrier when its loop ends).
class Watchdog {
 public:
  Watchdog()
      : thread_([this](std::stop_token stop) {
          long last = -1;
          std::unique_lock lock(mu_);
          for (;;) {
            cv_.wait_for(lock, stop, std::chrono::seconds(2), [] { return false; });  // 2 s, or until stopped
            if (stop.stop_requested()) return;
            const long now = g_meals.load(std::memory_order_relaxed);
            if (now == last) {
              std::fprintf(stderr, "no meal served for 2 s: the table is deadlocked (every philosopher holding one fork?)\n");
              std::_Exit(3);
            }
            last = now;
          }
        }) {}

 private:
  std::mutex mu_;
  std::condition_variable_any cv_;
  std::jthread thread_;  // last: stopped and joined first
};

// A meal: a little work that the compiler cannot drop, and a count for the watchdog.
void meal(int p) {
  long x = p;
  for (int i = 0; i < 100; ++i) benchmark::DoNotOptimize(x = x * 31 + i);
  g_meals.fetch_add(1, std::memory_order_relaxed);
}

// Shared by the benchmark threads of one run: thread 0 replaces them before its timed loop; Google Benchmark
// starts the timed loops of all threads together, at a barrier, after that.
std::unique_ptr<lab::Table> table;
std::unique_ptr<Watchdog> watchdog;

void BM_Table(benchmark::State& state) {
  const int p = state.thread_index();
  if (p == 0) {
    table = std::make_unique<lab::Table>(kPhilosophers);
    watchdog = std::make_unique<Watchdog>();
  }
  const lab::EatFn eat = [](int who) { meal(who); };
  for (auto _ : state) table->dine(p, 1, eat);
  state.SetItemsProcessed(state.iterations());
  if (p == 0) watchdog.reset();
}

// The resource hierarchy, for comparison: no waiter, no queue, no fairness.
class OrderedForks {
 public:
  void dine(int p) {
    const int left = p, right = (p + 1) % kPhilosophers;
    std::lock_guard first(forks_[static_cast<std::size_t>(std::min(left, right))]);
    std::lock_guard second(forks_[static_cast<std::size_t>(std::max(left, right))]);
    meal(p);
  }

 private:
  std::array<std::mutex, kPhilosophers> forks_;
};
std::unique_ptr<OrderedForks> ordered;

void BM_Reference_OrderedForks(benchmark::State& state) {
  const int p = state.thread_index();
  if (p == 0) {
    ordered = std::make_unique<OrderedForks>();
  }
  for (auto _ : state) ordered->dine(p);
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_Table)->Threads(kPhilosophers)->UseRealTime();
BENCHMARK(BM_Reference_OrderedForks)->Threads(kPhilosophers)->UseRealTime();

}  // namespace
