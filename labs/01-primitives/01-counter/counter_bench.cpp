// Benchmark for lab 01.01: increments per second on one shared counter, from 1, 2, 4 and 8 threads.
// The same file is built against each implementation (bench_01_01_learner, _naive, _improved, _final);
// `./conclab bench 01.01` runs them side by side.
//
//   items_per_second  increments per second of wall-clock time, all threads together: the headline
//   lost              increments missing from the final count, per run: speed means nothing unless 0
//
// All benchmark threads hammer one Counter, which is the worst case for it: every increment needs the
// cache line that holds the count. Expect the mutex to get slower as threads are added, and the
// atomic to stay roughly flat. The naive counter may show an absurd rate (0 ns per increment): the
// compiler may assume no other thread touches a plain integer, and with g++ -O2 it merges the whole
// timed loop into one addition, so it measures nothing. `lost` counts increments that went missing.
#include <counter.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>

namespace {

// Shared by the benchmark threads of one run. Thread 0 replaces it before its timed loop; Google
// Benchmark starts the timed loops of all threads together, at a barrier, after that.
std::unique_ptr<lab::Counter> counter;

void BM_Increment(benchmark::State& state) {
  if (state.thread_index() == 0) counter = std::make_unique<lab::Counter>();
  for (auto _ : state) counter->increment();
  state.SetItemsProcessed(state.iterations());
  // Google Benchmark holds every thread at a barrier when its timed loop ends, so by now all threads'
  // increments are done; each thread ran the same number of iterations. Thread 0 reports the loss once
  // (counters are summed over threads, and the others report none).
  if (state.thread_index() == 0) {
    const std::int64_t made = state.iterations() * state.threads();
    state.counters["lost"] = static_cast<double>(made - counter->value());
  }
}

BENCHMARK(BM_Increment)->Threads(1)->Threads(2)->Threads(4)->Threads(8)->UseRealTime();

}  // namespace
