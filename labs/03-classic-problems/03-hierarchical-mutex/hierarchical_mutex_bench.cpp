// Benchmark for lab 03.03: what the level check costs. One thread, no contention: the price of the bookkeeping
// alone, on top of an uncontended lock and unlock. The same file is built against each implementation
// (bench_03_03_learner, _naive, _improved, _final); `./conclab bench 03.03` runs them side by side.
//
//   BM_PlainMutex           a sync::mutex lock + unlock: the baseline, the same in every build
//   BM_LockUnlock           one HierarchicalMutex, lock + unlock (naive: a plain mutex with a level beside it)
//   BM_NestedThree          lock levels 300, 200, 100, unlock in reverse: three pairs per iteration
//   BM_NestedThreeOutOfOrder  the same, unlocking 300 first: the out-of-order path (a search)
//
// items_per_second counts lock + unlock pairs. Under contention the mutex itself dominates (lesson 01.01's
// benchmark); the check is per thread and touches no shared memory, so it adds no contention of its own.
#include <hierarchical_mutex.hpp>

#include <benchmark/benchmark.h>

#include <conclab/sync.hpp>

namespace {

void BM_PlainMutex(benchmark::State& state) {
  conclab::sync::mutex m;
  for (auto _ : state) {
    m.lock();
    m.unlock();
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_LockUnlock(benchmark::State& state) {
  lab::HierarchicalMutex m(100);
  for (auto _ : state) {
    m.lock();
    m.unlock();
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_NestedThree(benchmark::State& state) {
  lab::HierarchicalMutex high(300), mid(200), low(100);
  for (auto _ : state) {
    high.lock();
    mid.lock();
    low.lock();
    low.unlock();
    mid.unlock();
    high.unlock();
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(3 * state.iterations());
}

void BM_NestedThreeOutOfOrder(benchmark::State& state) {
  lab::HierarchicalMutex high(300), mid(200), low(100);
  for (auto _ : state) {
    high.lock();
    mid.lock();
    low.lock();
    high.unlock();  // the bottom of the thread's record first
    mid.unlock();
    low.unlock();
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(3 * state.iterations());
}

BENCHMARK(BM_PlainMutex);
BENCHMARK(BM_LockUnlock);
BENCHMARK(BM_NestedThree);
BENCHMARK(BM_NestedThreeOutOfOrder);

}  // namespace
