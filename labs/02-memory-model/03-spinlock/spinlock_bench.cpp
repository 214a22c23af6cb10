// Benchmark for lab 02.03: lock/unlock pairs per second around a tiny critical section, from 1, 2 and 4 threads.
// The same file is built against each implementation (bench_02_03_learner, _naive, _improved, _final);
// `./conclab bench 02.03` runs them side by side. Two reference rows run once, with final:
//   BM_Reference_TasSpinlock  plain test-and-set: `while (flag.exchange(true)) {}`, seq_cst, spinning on the exchange
//   BM_Reference_StdMutex     std::mutex (glibc: a futex, with a short spin before it sleeps)
//
//   items_per_second  critical sections per second of wall-clock time, all threads together: the headline
//   lost              increments missing from the guarded count per run: speed means nothing unless 0
//
// The critical section is one increment of a counter the lock guards; there is nothing to do outside it, so this
// is the worst case, every thread wanting the lock all the time. On this course's 2-core machine, 4 threads are
// more threads than cores: a holder is sometimes descheduled while the others wait, and a lock whose waiters only
// spin then burns whole time slices waiting for a thread that is not running. That row is the point of the lab.
// The naive lock is `volatile bool` check-then-act: fast, and wrong (see `lost`).
#include <spinlock.hpp>

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

namespace {

// Plain test-and-set, for comparison: every waiting turn is an exchange, a write that needs the cache line
// exclusively, so waiters take the line from each other and from the holder.
class TasSpinlock {
 public:
  void lock() noexcept {
    while (flag_.exchange(true)) {
    }
  }
  void unlock() noexcept { flag_.store(false); }

 private:
  std::atomic<bool> flag_{false};
};

template <class Lock>
struct Guarded {
  Lock lock;
  std::int64_t count = 0;  // guarded by lock
};

template <class Lock>
std::unique_ptr<Guarded<Lock>>& shared() {
  static std::unique_ptr<Guarded<Lock>> g;
  return g;
}

template <class Lock>
void run(benchmark::State& state) {
  // Thread 0 makes a fresh lock and counter; Google Benchmark starts every thread's timed loop together after that
  // (at a barrier), so the others read the pointer inside the loop, never before thread 0 has replaced it.
  if (state.thread_index() == 0) shared<Lock>() = std::make_unique<Guarded<Lock>>();
  for (auto _ : state) {
    Guarded<Lock>& g = *shared<Lock>();
    g.lock.lock();
    ++g.count;
    g.lock.unlock();
  }
  state.SetItemsProcessed(state.iterations());
  // Every thread's timed loop has ended at a barrier: thread 0 reports the loss once.
  if (state.thread_index() == 0) {
    state.counters["lost"] = static_cast<double>(state.iterations() * state.threads() - shared<Lock>()->count);
  }
}

void BM_LockUnlock(benchmark::State& state) { run<lab::Spinlock>(state); }
void BM_Reference_TasSpinlock(benchmark::State& state) { run<TasSpinlock>(state); }
void BM_Reference_StdMutex(benchmark::State& state) { run<std::mutex>(state); }

BENCHMARK(BM_LockUnlock)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();
BENCHMARK(BM_Reference_TasSpinlock)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();
BENCHMARK(BM_Reference_StdMutex)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

}  // namespace
