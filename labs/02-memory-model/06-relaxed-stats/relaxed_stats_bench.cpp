// Benchmark for lab 02.06: what a hot counter costs, on 1 and 2 threads. `./conclab bench 02.06` builds this file
// against each implementation (bench_02_06_learner, _naive, _improved, _final) and runs them side by side.
//
//   BM_Record          lab::Stats::record() from every thread on one shared Stats: the version under test
//                      (naive's plain integers lose counts, see `lost`; its speed is not a result).
// The rest do not depend on the version (each binary runs them; compare within one binary):
//   BM_FetchAdd/relaxed, BM_FetchAdd/seq_cst   one shared atomic counter, fetch_add(1) with that order. On x86-64
//                      both compile to the same `lock xadd`: expect the same speed here (on ARM they differ).
//   BM_StoreSeqCst, BM_StoreRelease   a store: seq_cst is an `xchg` (a full barrier) on x86, release a plain `mov`.
//   BM_Mutex           one counter under a mutex.
//   BM_Sharded         one counter per thread, each on its own cache line, incremented relaxed; summed on read.
//   BM_FourCounters/one_line, /padded   record()'s four relaxed updates, the counters on one cache line or each on
//                      its own: does splitting them help when every thread writes all of them?
//
//   items_per_second   operations per second of wall-clock time, all threads together: the headline
#include <stats.hpp>

#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <memory>

#include <conclab/sync.hpp>

namespace {
namespace sync = conclab::sync;  // std's types in the benchmark build

constexpr std::size_t kLine = 64;  // x86-64's cache line

// ---- The version under test ----

std::unique_ptr<lab::Stats> stats;  // replaced by thread 0 before the timed loops start (they start together)

void BM_Record(benchmark::State& state) {
  if (state.thread_index() == 0) stats = std::make_unique<lab::Stats>();
  std::int64_t latency = state.thread_index();
  for (auto _ : state) {
    stats->record(100, latency, (latency & 15) != 0);
    latency = (latency + 7) & 1023;
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {  // every thread has finished its loop (Google Benchmark's barrier)
    state.counters["lost"] = static_cast<double>(state.iterations() * state.threads() - stats->snapshot().requests);
  }
}
BENCHMARK(BM_Record)->Threads(1)->Threads(2)->UseRealTime();

// ---- The same for every version: the cost of each kind of counter ----

alignas(kLine) sync::atomic<std::int64_t> shared_counter{0};

template <std::memory_order Order>
void BM_FetchAdd(benchmark::State& state) {
  for (auto _ : state) shared_counter.fetch_add(1, Order);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FetchAdd<std::memory_order_relaxed>)->Name("BM_FetchAdd/relaxed")->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_FetchAdd<std::memory_order_seq_cst>)->Name("BM_FetchAdd/seq_cst")->Threads(1)->Threads(2)->UseRealTime();

template <std::memory_order Order>
void BM_Store(benchmark::State& state) {
  std::int64_t v = 0;
  for (auto _ : state) shared_counter.store(++v, Order);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Store<std::memory_order_seq_cst>)->Name("BM_StoreSeqCst")->Threads(1)->UseRealTime();
BENCHMARK(BM_Store<std::memory_order_release>)->Name("BM_StoreRelease")->Threads(1)->UseRealTime();

struct LockedCounter {
  sync::mutex mu;
  std::int64_t value = 0;  // guarded by mu
};
LockedCounter locked;

void BM_Mutex(benchmark::State& state) {
  for (auto _ : state) {
    sync::lock_guard lock(locked.mu);
    ++locked.value;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Mutex)->Threads(1)->Threads(2)->UseRealTime();

struct alignas(kLine) Shard {
  sync::atomic<std::int64_t> value{0};
};
std::array<Shard, 8> shards;

void BM_Sharded(benchmark::State& state) {
  Shard& mine = shards[static_cast<std::size_t>(state.thread_index()) % shards.size()];
  for (auto _ : state) {
    // relaxed: pairs with nothing; only this thread writes this shard, a reader sums the shards relaxed.
    mine.value.fetch_add(1, std::memory_order_relaxed);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Sharded)->Threads(1)->Threads(2)->UseRealTime();

// record()'s four updates (count, bytes, a max that rarely moves), relaxed, with two layouts.
template <std::size_t Align>
struct alignas(kLine) FourCounters {
  alignas(Align) sync::atomic<std::int64_t> ok{0};
  alignas(Align) sync::atomic<std::int64_t> errors{0};
  alignas(Align) sync::atomic<std::int64_t> bytes{0};
  alignas(Align) sync::atomic<std::int64_t> max{0};
};
FourCounters<8> one_line;
FourCounters<kLine> padded;

template <class Counters>
void record_into(Counters& c, std::int64_t latency) {
  // relaxed (all): pairs with nothing, as in final's record().
  ((latency & 15) != 0 ? c.ok : c.errors).fetch_add(1, std::memory_order_relaxed);
  c.bytes.fetch_add(100, std::memory_order_relaxed);
  std::int64_t seen = c.max.load(std::memory_order_relaxed);
  while (seen < latency && !c.max.compare_exchange_weak(seen, latency, std::memory_order_relaxed)) {
  }
}

template <class Counters, Counters* C>
void BM_FourCounters(benchmark::State& state) {
  std::int64_t latency = state.thread_index();
  for (auto _ : state) {
    record_into(*C, latency);
    latency = (latency + 7) & 1023;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FourCounters<FourCounters<8>, &one_line>)
    ->Name("BM_FourCounters/one_line")
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();
BENCHMARK(BM_FourCounters<FourCounters<kLine>, &padded>)
    ->Name("BM_FourCounters/padded")
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();

}  // namespace
