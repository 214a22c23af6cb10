// Benchmark for lab 01.04: what one get() costs once the value is built, from 1, 2, 4 and 8 threads.
// The same file is built against each implementation (bench_01_04_learner, _naive, _improved, _final);
// `./conclab bench 01.04` runs them side by side.
//
//   items_per_second  get() calls per second of wall-clock time, all threads together: the headline
//
// Lazy values are built once and read forever after, so this fast path is what matters. A mutex taken
// on every call (improved) makes every reader write to the mutex's cache line, so readers on different
// cores queue behind each other; final's atomic flag (one acquire load once the value is built) only
// reads shared memory, so readers do not disturb each other. naive is fastest and wrong (a data race).
#include <lazy.hpp>

#include <benchmark/benchmark.h>

#include <memory>
#include <string>

namespace {

// Shared by the benchmark threads of one run. Thread 0 replaces it before its timed loop; Google
// Benchmark starts the timed loops of all threads together, at a barrier, after that.
std::unique_ptr<lab::Lazy<std::string>> lazy;

void BM_Get(benchmark::State& state) {
  if (state.thread_index() == 0) {
    lazy = std::make_unique<lab::Lazy<std::string>>([] { return std::string(64, 'x'); });
    benchmark::DoNotOptimize(lazy->get());  // build it now: the timed loop measures the fast path only
  }
  for (auto _ : state) {
    const std::string& value = lazy->get();
    benchmark::DoNotOptimize(&value);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_Get)->Threads(1)->Threads(2)->Threads(4)->Threads(8)->UseRealTime();

}  // namespace
