// Benchmark for lab 03.05: what fairness costs, and what it buys. Built against each implementation
// (bench_03_05_learner, _naive, _improved, _final); `./conclab bench 03.05` runs them side by side. Every build
// also runs the same benchmarks on std::shared_mutex (glibc's pthread_rwlock_t, reader preference), the baseline.
//
//   BM_Mix/<lock>/<w>      operations per second, all threads together, when w of every 100 operations are
//                          writes (the others reads). A read sums a 64-element table under the shared lock, a
//                          write adds one to every element under the exclusive lock.
//   BM_WriterWait/<lock>   how long ONE writer's lock() takes while three readers keep the lock busy, their
//                          read sections overlapping (each holds it for about 20 µs, then comes straight back).
//                          The time column is the mean wait; wait_min_s and wait_max_s the extremes. The readers give up after kReaderCap; a wait
//                          as long as the cap means the writer got in only because the readers stopped: starved.
//
// Expect reader preference (naive, std::shared_mutex) to be the fastest on read-heavy mixes and to starve the
// writer; the phase-fair versions to let the writer in after one reader phase, about one read section.
#include <rwlock.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <numeric>
#include <shared_mutex>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kReaderCap = std::chrono::seconds(5);

template <class Lock>
struct Protected {
  Lock lock;
  std::array<long, 64> table{};  // guarded by lock
};

// Shared by the benchmark threads of one run; thread 0 replaces it before the timed loops start together.
template <class Lock>
std::unique_ptr<Protected<Lock>> shared_state;

template <class Lock>
void BM_Mix(benchmark::State& state) {
  if (state.thread_index() == 0) shared_state<Lock> = std::make_unique<Protected<Lock>>();
  const int writes_per_100 = static_cast<int>(state.range(0));
  int op = state.thread_index() * 37;  // threads start at different places in the pattern
  for (auto _ : state) {
    Protected<Lock>& p = *shared_state<Lock>;
    if (op++ % 100 < writes_per_100) {
      std::unique_lock w(p.lock);
      for (long& x : p.table) ++x;
    } else {
      std::shared_lock r(p.lock);
      benchmark::DoNotOptimize(std::accumulate(p.table.begin(), p.table.end(), 0L));
    }
  }
  state.SetItemsProcessed(state.iterations());
}

// A read section of about 20 µs: spin on the clock, holding the shared lock.
void read_for_a_while() {
  const auto until = Clock::now() + std::chrono::microseconds(20);
  while (Clock::now() < until) {
  }
}

template <class Lock>
void BM_WriterWait(benchmark::State& state) {
  constexpr int kReaders = 3;
  double longest = 0;
  double shortest = 1e9;
  for (auto _ : state) {
    Lock lock;
    std::atomic<bool> writer_done{false};
    std::atomic<int> reading{0};  // readers that have been inside at least once
    const auto readers_stop = Clock::now() + kReaderCap;
    std::vector<std::jthread> readers;
    for (int i = 0; i < kReaders; ++i) {
      readers.emplace_back([&] {
        bool counted = false;
        while (!writer_done.load() && Clock::now() < readers_stop) {
          std::shared_lock r(lock);
          if (!counted) {
            counted = true;
            reading.fetch_add(1);
          }
          read_for_a_while();
        }
      });
    }
    while (reading.load() < kReaders) {
    }  // every reader is in its loop: from now on their sections overlap
    const auto start = Clock::now();
    {
      std::unique_lock w(lock);
      const double waited = std::chrono::duration<double>(Clock::now() - start).count();
      state.SetIterationTime(waited);
      longest = std::max(longest, waited);
      shortest = std::min(shortest, waited);
      writer_done.store(true);
    }
    readers.clear();  // joins
  }
  state.counters["wait_min_s"] = shortest;  // the time column is the mean wait
  state.counters["wait_max_s"] = longest;
}

BENCHMARK_TEMPLATE(BM_Mix, lab::RwLock)->Name("BM_Mix/lab::RwLock")->Arg(1)->Arg(10)->Arg(50)->Threads(2)->Threads(4)->UseRealTime();
BENCHMARK_TEMPLATE(BM_Mix, std::shared_mutex)->Name("BM_Mix/std::shared_mutex")->Arg(1)->Arg(10)->Arg(50)->Threads(2)->Threads(4)->UseRealTime();
BENCHMARK_TEMPLATE(BM_WriterWait, lab::RwLock)->Name("BM_WriterWait/lab::RwLock")->Iterations(3)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_WriterWait, std::shared_mutex)->Name("BM_WriterWait/std::shared_mutex")->Iterations(3)->UseManualTime()->Unit(benchmark::kMillisecond);

}  // namespace
