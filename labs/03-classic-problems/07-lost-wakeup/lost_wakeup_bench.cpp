// Benchmark for lab 03.07: is_set() on an event that is already set, from 1, 2 and 4 threads at once.
// The same file is built against each implementation (bench_03_07_learner, _naive, _improved, _final);
// `./conclab bench 03.07` runs them side by side.
//
//   items_per_second  is_set() calls per second of wall-clock time, all threads together
//
// Once an event is set, everybody who asks "is it set yet?" (a worker polling a cancel flag, a thread calling
// wait() after the fact) should get the answer for the price of a read. With a mutex every call is a lock and an
// unlock: a write to the mutex's cache line, which the asking threads pass from core to core. With the atomic it
// is one acquire load of a line every core keeps a copy of. (wait() on a set event has the same two costs, but the
// naive version's wait() blocks forever even then, so only is_set() is measured here.)
#include <event.hpp>

#include <benchmark/benchmark.h>

#include <memory>

namespace {

// Shared by the benchmark threads of one run. Thread 0 replaces it before its timed loop; Google Benchmark
// starts the timed loops of all threads together, at a barrier, after that.
std::unique_ptr<lab::Event> event;

void BM_IsSetOnASetEvent(benchmark::State& state) {
  if (state.thread_index() == 0) {
    event = std::make_unique<lab::Event>();
    event->set();
  }
  bool all_set = true;
  for (auto _ : state) {
    const bool set = event->is_set();
    benchmark::DoNotOptimize(set);
    all_set = all_set && set;
  }
  state.SetItemsProcessed(state.iterations());
  if (!all_set) state.SkipWithError("is_set() returned false on an event that was set");
}

BENCHMARK(BM_IsSetOnASetEvent)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

}  // namespace
