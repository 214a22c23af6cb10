// Benchmark for capstone P03, the sharded LRU cache. The same file is built against each
// implementation (bench_P03_learner, _naive, _improved, _final); `./conclab bench P03` runs them side by
// side. Spec and measured figures: projects/03-sharded-lru-cache/README.md, section "Benchmark".
//
// Workload: 1M distinct keys drawn from a Zipf(0.99) distribution (rank r is drawn with probability
// proportional to 1/r^0.99), a cache of 100'000 entries (10%) in 16 shards, and a mix of reads and
// writes: put_pct:10 is 90% reads / 10% writes, put_pct:50 is half and half. A read is
// get_or_load(key, loader) (a miss loads and caches, as a read-through cache does); a write is
// put(key, value). 1, 2, 4 and 8 threads on a 2-core machine: above 2, threads take turns on the cores,
// and a thread preempted while it holds a lock makes everybody who needs that lock wait.
//
//   items_per_second  operations per second of wall-clock time, all threads together: the headline
//   hit_ratio         reads that did not call the loader / all reads (a read that waited for another
//                     thread's load of the same key counts as a hit; that is rare here)
//
// Rows, per binary:
//   BM_LruCache                     lab::LruCache, the implementation this binary was built against
//   BM_Reference_ExactLru           an exact LRU (std::list + std::unordered_map), one thread, no lock:
//                                   the hit ratio to match (final must be within 1% of it) and the
//                                   single-thread speed with no synchronisation at all
//   BM_Peer_TbbConcurrentLruCache   oneTBB's tbb::concurrent_lru_cache (a preview feature) on the same
//                                   stream; a put is a lookup plus a store through the handle, because
//                                   that cache has no put (see the spec for how its semantics differ)
// The Reference and Peer rows do not depend on the implementation, so every binary repeats them.
//
// The key stream (2M operations, 16 MiB) is generated once per process; each cache is created and
// warmed with 1M operations once per mix, outside the timed loop, and then kept for every thread count
// and repetition, so every measured run starts from a full, steady-state cache.
#define TBB_PREVIEW_CONCURRENT_LRU_CACHE 1
#include <lru_cache.hpp>

#include <benchmark/benchmark.h>
#include <tbb/concurrent_lru_cache.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <list>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace {

constexpr std::size_t kKeys = 1'000'000;
constexpr std::size_t kCapacity = kKeys / 10;
constexpr std::size_t kShards = 16;
constexpr double kZipfS = 0.99;
constexpr std::size_t kStreamLength = std::size_t{1} << 21;
constexpr std::size_t kWarmupOps = 1'000'000;

struct Stream {
  std::vector<std::uint64_t> keys;  // Zipf-distributed keys, scrambled so hot keys are not neighbours
  std::vector<std::uint8_t> dice;   // uniform 0..99: operation i is a put if dice[i] < put_pct
};

const Stream& stream() {
  static const Stream s = [] {
    // Inverse transform sampling: the CDF over the 1M ranks, then a binary search per draw.
    std::vector<double> cdf(kKeys);
    double sum = 0;
    for (std::size_t r = 0; r < kKeys; ++r) {
      sum += 1.0 / std::pow(static_cast<double>(r + 1), kZipfS);
      cdf[r] = sum;
    }
    std::mt19937_64 rng(20'240'603);  // fixed: every binary and every run sees the same stream
    std::uniform_real_distribution<double> uniform(0.0, sum);
    Stream out;
    out.keys.resize(kStreamLength);
    out.dice.resize(kStreamLength);
    for (std::size_t i = 0; i < kStreamLength; ++i) {
      const auto rank = static_cast<std::uint64_t>(std::lower_bound(cdf.begin(), cdf.end(), uniform(rng)) - cdf.begin());
      // An odd multiplier is a bijection on 64-bit integers: 1M distinct keys, hot ones spread out.
      out.keys[i] = (rank + 1) * 0x9E3779B97F4A7C15ull;
      out.dice[i] = static_cast<std::uint8_t>(rng() % 100);
    }
    return out;
  }();
  return s;
}

std::uint64_t value_for(std::uint64_t key) { return key ^ 0xC0FFEEull; }

// Which operations a thread runs next. Threads claim fresh chunks of the stream from one cursor per
// benchmark, so no operation is replayed until the whole 2M-operation stream has gone by (the cache
// turns over every ~0.4M operations, so a replay that late finds nothing left of the first pass). If
// threads walked the stream from fixed offsets instead, one would sometimes trail another by a few
// thousand operations and hit on every key the other had just loaded.
constexpr std::size_t kChunk = std::size_t{1} << 14;
static_assert(kStreamLength % kChunk == 0 && kWarmupOps < kStreamLength);
using Cursor = std::atomic<std::size_t>;

// Runs the stream against a cache through two adapters: read(key) -> true on a hit, write(key, value).
// noinline keeps the timed loop one function, so a profiler can measure it alone (the spec's recency
// measurement runs callgrind with --toggle-collect on it).
template <class Read, class Write>
[[gnu::noinline]] void run_stream(benchmark::State& state, Cursor& cursor, Read&& read, Write&& write) {
  const Stream& s = stream();
  const auto put_pct = static_cast<std::uint8_t>(state.range(0));
  std::size_t pos = 0;
  std::size_t end = 0;
  std::int64_t reads = 0;
  std::int64_t hits = 0;
  for (auto _ : state) {
    if (pos == end) {
      // relaxed: the cursor only hands out distinct numbers; the stream itself is read-only.
      pos = cursor.fetch_add(kChunk, std::memory_order_relaxed) % kStreamLength;
      end = pos + kChunk;
    }
    const std::uint64_t key = s.keys[pos];
    if (s.dice[pos] < put_pct) {
      write(key, static_cast<std::uint64_t>(pos));
    } else {
      ++reads;
      if (read(key)) ++hits;
    }
    ++pos;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["hit_ratio"] = benchmark::Counter(reads == 0 ? 0.0 : static_cast<double>(hits) / static_cast<double>(reads),
                                                   benchmark::Counter::kAvgThreads);
}

template <class Read, class Write>
void warm_up(std::uint8_t put_pct, Read&& read, Write&& write) {
  const Stream& s = stream();
  for (std::size_t i = 0; i < kWarmupOps; ++i) {
    if (s.dice[i] < put_pct) {
      write(s.keys[i], static_cast<std::uint64_t>(i));
    } else {
      read(s.keys[i]);
    }
  }
}

std::size_t mix_slot(const benchmark::State& state) { return state.range(0) == 10 ? 0 : 1; }

// --- the implementation under test ---------------------------------------------------------------------

using Cache = lab::LruCache<std::uint64_t, std::uint64_t>;

// An unfinished implementation may throw (the starter's get_or_load does): count it, keep going, and
// report the run as an error rather than let the exception kill the whole benchmark binary.
thread_local std::int64_t t_errors = 0;
thread_local std::string t_first_error;

bool cache_read(Cache& cache, std::uint64_t key) {
  bool loaded = false;
  try {
    const std::uint64_t v = cache.get_or_load(key, [&](const std::uint64_t& k) {
      loaded = true;
      return value_for(k);
    });
    benchmark::DoNotOptimize(v);
  } catch (const std::exception& e) {
    if (t_errors++ == 0) t_first_error = e.what();
  }
  return !loaded;
}

// Setup by thread 0 before `for (auto _ : state)` is seen by every thread: the loop's first step waits
// at Google Benchmark's start barrier until all threads are there.
void BM_LruCache(benchmark::State& state) {
  static std::unique_ptr<Cache> caches[2];  // one per mix, created and warmed once
  static Cursor cursor{kWarmupOps / kChunk * kChunk + kChunk};  // after the warm-up operations
  std::unique_ptr<Cache>& cache = caches[mix_slot(state)];
  auto read = [&](std::uint64_t k) { return cache_read(*cache, k); };
  auto write = [&](std::uint64_t k, std::uint64_t v) { cache->put(k, v); };
  if (state.thread_index() == 0 && !cache) {
    cache = std::make_unique<Cache>(lab::CacheOptions{.capacity = kCapacity, .shards = kShards});
    warm_up(static_cast<std::uint8_t>(state.range(0)), read, write);
  }
  run_stream(state, cursor, read, write);
  if (t_errors > 0) {
    state.SkipWithError(("get_or_load threw on " + std::to_string(t_errors) + " call(s): " + t_first_error).c_str());
    t_errors = 0;
  }
}

// --- the reference: an exact LRU, single-threaded, no synchronisation -----------------------------------

class ExactLru {
 public:
  explicit ExactLru(std::size_t capacity) : capacity_(capacity) { index_.reserve(capacity); }

  template <class Loader>
  std::uint64_t get_or_load(std::uint64_t key, Loader&& loader) {
    if (auto it = index_.find(key); it != index_.end()) {
      order_.splice(order_.begin(), order_, it->second);
      return it->second->second;
    }
    const std::uint64_t v = loader(key);
    insert(key, v);
    return v;
  }

  void put(std::uint64_t key, std::uint64_t value) {
    if (auto it = index_.find(key); it != index_.end()) {
      it->second->second = value;
      order_.splice(order_.begin(), order_, it->second);
      return;
    }
    insert(key, value);
  }

 private:
  using Order = std::list<std::pair<std::uint64_t, std::uint64_t>>;  // (key, value), most recent first

  void insert(std::uint64_t key, std::uint64_t value) {
    if (index_.size() == capacity_) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
    order_.emplace_front(key, value);
    index_.emplace(key, order_.begin());
  }

  std::size_t capacity_;
  Order order_;
  std::unordered_map<std::uint64_t, Order::iterator> index_;
};

void BM_Reference_ExactLru(benchmark::State& state) {
  static std::unique_ptr<ExactLru> caches[2];
  static Cursor cursor{kWarmupOps / kChunk * kChunk + kChunk};  // after the warm-up operations
  std::unique_ptr<ExactLru>& cache = caches[mix_slot(state)];
  auto read = [&](std::uint64_t k) {
    bool loaded = false;
    benchmark::DoNotOptimize(cache->get_or_load(k, [&](std::uint64_t key) {
      loaded = true;
      return value_for(key);
    }));
    return !loaded;
  };
  auto write = [&](std::uint64_t k, std::uint64_t v) { cache->put(k, v); };
  if (!cache) {
    cache = std::make_unique<ExactLru>(kCapacity);
    warm_up(static_cast<std::uint8_t>(state.range(0)), read, write);
  }
  run_stream(state, cursor, read, write);
}

// --- the peer: tbb::concurrent_lru_cache --------------------------------------------------------------

// Its value function is fixed when the cache is built, a plain function here; it counts, per thread,
// how often it ran, which is how a read learns that it missed.
thread_local std::uint64_t tbb_loads = 0;

std::uint64_t tbb_load(std::uint64_t key) {
  ++tbb_loads;
  return value_for(key);
}

using TbbCache = tbb::concurrent_lru_cache<std::uint64_t, std::uint64_t>;

void BM_Peer_TbbConcurrentLruCache(benchmark::State& state) {
  static std::unique_ptr<TbbCache> caches[2];
  static Cursor cursor{kWarmupOps / kChunk * kChunk + kChunk};  // after the warm-up operations
  std::unique_ptr<TbbCache>& cache = caches[mix_slot(state)];
  auto read = [&](std::uint64_t k) {
    const std::uint64_t loads_before = tbb_loads;
    TbbCache::handle h = (*cache)[k];  // looks up, or runs tbb_load(k); pins the entry until h dies
    // atomic_ref: a write below may store to the same entry from another thread at the same time.
    benchmark::DoNotOptimize(std::atomic_ref<std::uint64_t>(h.value()).load(std::memory_order_relaxed));
    return tbb_loads == loads_before;
  };
  auto write = [&](std::uint64_t k, std::uint64_t v) {
    // No put: look the key up (loading it if absent) and store through the handle.
    TbbCache::handle h = (*cache)[k];
    std::atomic_ref<std::uint64_t>(h.value()).store(v, std::memory_order_relaxed);  // relaxed: pairs with nothing, a benchmark value
  };
  if (state.thread_index() == 0 && !cache) {
    cache = std::make_unique<TbbCache>(&tbb_load, kCapacity);
    warm_up(static_cast<std::uint8_t>(state.range(0)), read, write);
  }
  run_stream(state, cursor, read, write);
}

// 0.3 s per run: with --benchmark_repetitions=5 a whole binary stays well under 3 minutes.
void mixes(benchmark::internal::Benchmark* b) { b->ArgNames({"put_pct"})->Arg(10)->Arg(50)->MinTime(0.3)->UseRealTime(); }

BENCHMARK(BM_LruCache)->Apply(mixes)->Threads(1)->Threads(2)->Threads(4)->Threads(8);
BENCHMARK(BM_Reference_ExactLru)->Apply(mixes)->Threads(1);
BENCHMARK(BM_Peer_TbbConcurrentLruCache)->Apply(mixes)->Threads(1)->Threads(2)->Threads(4)->Threads(8);

}  // namespace
