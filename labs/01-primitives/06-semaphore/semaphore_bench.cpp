// The cost of an uncontended acquire() + release() pair, and of try_acquire() + release(): the path a semaphore
// takes when a permit is free, which is most of the time in a well-sized pool. The final version's atomic fast
// path skips the mutex there. Run: conclab bench 01.06 (or build bench_01_06_<variant> and run it).
//
// Single-threaded on purpose: the naive semaphore loses permits under contention (lost updates), and a
// benchmark that may hang compares nothing. The graded tests cover the contended behaviour.
#include <semaphore.hpp>

#include <benchmark/benchmark.h>

namespace {

void BM_UncontendedAcquireRelease(benchmark::State& state) {
  lab::Semaphore sem(1);
  for (auto _ : state) {
    sem.acquire();
    sem.release();
    benchmark::ClobberMemory();  // keeps a plain-int semaphore (naive) from being optimised away
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_UncontendedAcquireRelease);

void BM_UncontendedTryAcquireRelease(benchmark::State& state) {
  lab::Semaphore sem(1);
  for (auto _ : state) {
    const bool got = sem.try_acquire();
    benchmark::DoNotOptimize(got);
    sem.release();
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_UncontendedTryAcquireRelease);

void BM_PermitScope(benchmark::State& state) {
  lab::Semaphore sem(4);
  for (auto _ : state) {
    lab::Permit permit(sem);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PermitScope);

}  // namespace
