// Benchmark for lab 03.06: adds per second into a StripedCounter from 1, 2 and 4 threads, each thread into its
// own slot. The same file is built against each implementation (bench_03_06_learner, _naive, _improved, _final);
// `./conclab bench 03.06` runs them side by side. Figures measured here: the lesson, "What it costs here".
//
//   items_per_second  adds per second of wall-clock time, all threads together: the headline
//   lost              adds missing from the final total, per run: speed means nothing unless it is 0
//
// Rows, per binary:
//   BM_Add            each thread calls counter.add(its slot) per event: packed slots (naive) against padded
//                     ones (improved, final) is false sharing against none
//   BM_Local          each thread counts through its own LocalCounter and lets it flush at the end: forwarding
//                     every add to the slot (naive, improved) against a tally kept in the thread (final)
//   BM_Reference_OneAtomic     every thread fetch_adds ONE shared atomic: true sharing, the ceiling of contention
//   BM_Reference_Padded128     slots aligned to 128 bytes instead of 64: does the adjacent-line prefetcher
//                              (lines fetched in 128-byte pairs) matter on this machine?
//   BM_Peer_TbbCombinable      oneTBB's tbb::combinable<std::int64_t>: `++c.local()` per event (a lookup of the
//                              calling thread's element each time), combine() at the end
//   BM_Peer_TbbEtsHeld         tbb::enumerable_thread_specific<std::int64_t>, the thread's element looked up once
//                              and held, `++mine` per event: the same shape as final's LocalCounter
// The Reference and Peer rows do not depend on the implementation, so every binary repeats them.
//
// On a 2-core machine, 4 threads take turns on the cores: a row's 4-thread figure shows what oversubscription
// adds, not more parallelism. benchmark::ClobberMemory() after each event keeps g++ -O2 from folding a whole
// loop of plain adds (final's LocalCounter) into one addition: every event costs at least a load and a store.
#include <striped_counter.hpp>

#include <benchmark/benchmark.h>
#include <oneapi/tbb/combinable.h>
#include <oneapi/tbb/enumerable_thread_specific.h>

#include <atomic>
#include <latch>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace {

constexpr std::size_t kMaxThreads = 4;

// Shared by the benchmark threads of one run, made fresh by the Setup callback, which Google Benchmark runs once
// before the run's threads start: nothing races with making them.
std::unique_ptr<lab::StripedCounter> counter;
std::unique_ptr<std::latch> flushed;  // BM_Local: every thread has flushed, so thread 0 may read the total

void fresh_counter(const benchmark::State& state) {
  counter = std::make_unique<lab::StripedCounter>(kMaxThreads);
  flushed = std::make_unique<std::latch>(state.threads());
}

void report_lost(benchmark::State& state, std::int64_t total) {
  state.counters["lost"] = static_cast<double>(state.iterations() * state.threads() - total);
}

void BM_Add(benchmark::State& state) {
  const auto slot = static_cast<std::size_t>(state.thread_index());
  for (auto _ : state) {
    counter->add(slot);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
  // Google Benchmark holds every thread at a barrier when its timed loop ends, so all adds are done by now;
  // each thread ran the same number of iterations. Thread 0 reports the loss once.
  if (state.thread_index() == 0) report_lost(state, counter->total());
}
BENCHMARK(BM_Add)->Setup(fresh_counter)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

void BM_Local(benchmark::State& state) {
  const auto slot = static_cast<std::size_t>(state.thread_index());
  {
    lab::LocalCounter mine(*counter, slot);
    for (auto _ : state) {
      mine.add();
      benchmark::ClobberMemory();
    }
  }  // destroyed: the one flush of this thread's tally, after the timed loop (it happens once per thread per run)
  state.SetItemsProcessed(state.iterations());
  flushed->arrive_and_wait();  // every thread's flush happens-before thread 0's total()
  if (state.thread_index() == 0) report_lost(state, counter->total());
}
BENCHMARK(BM_Local)->Setup(fresh_counter)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

// --- references, independent of the implementation ----------------------------------------------------------

std::atomic<std::int64_t> one_atomic{0};

void BM_Reference_OneAtomic(benchmark::State& state) {
  for (auto _ : state) {
    one_atomic.fetch_add(1, std::memory_order_relaxed);  // relaxed: pairs with nothing, a count
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Reference_OneAtomic)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

struct alignas(128) Slot128 {
  std::atomic<std::int64_t> value{0};
};
Slot128 slots128[kMaxThreads];

void BM_Reference_Padded128(benchmark::State& state) {
  Slot128& mine = slots128[state.thread_index()];
  for (auto _ : state) {
    mine.value.fetch_add(1, std::memory_order_relaxed);  // relaxed: pairs with nothing, a count
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Reference_Padded128)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

// --- peers: oneTBB's per-thread accumulators ------------------------------------------------------------------

std::unique_ptr<tbb::combinable<std::int64_t>> combinable;
std::unique_ptr<tbb::enumerable_thread_specific<std::int64_t>> ets;

void fresh_peers(const benchmark::State&) {
  combinable = std::make_unique<tbb::combinable<std::int64_t>>([] { return std::int64_t{0}; });
  ets = std::make_unique<tbb::enumerable_thread_specific<std::int64_t>>(0);
}

void BM_Peer_TbbCombinable(benchmark::State& state) {
  for (auto _ : state) {
    ++combinable->local();  // finds this thread's element (created on first use) on every event
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    // combine() reads every thread's element; the others are done (the end barrier) and do not touch it again.
    report_lost(state, combinable->combine([](std::int64_t a, std::int64_t b) { return a + b; }));
  }
}
BENCHMARK(BM_Peer_TbbCombinable)->Setup(fresh_peers)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

void BM_Peer_TbbEtsHeld(benchmark::State& state) {
  std::int64_t& mine = ets->local();  // looked up once, then held, like a LocalCounter
  for (auto _ : state) {
    ++mine;
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    // The same barrier: every thread's last ++mine happens-before this combine().
    report_lost(state, ets->combine([](std::int64_t a, std::int64_t b) { return a + b; }));
  }
}
BENCHMARK(BM_Peer_TbbEtsHeld)->Setup(fresh_peers)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

}  // namespace
