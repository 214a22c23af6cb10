// Benchmark for capstone P01: how many try_acquire() calls per second the limiter sustains, on one
// bucket, on one hot key of a KeyedLimiter, and spread over 1000 keys, with 1 to 8 threads calling at
// once. Run it with `./conclab bench P01`, which compiles this file against every implementation.
//
// The limit is set so high (10^9 tokens/s, a burst of 10^9) that every request is admitted: each call
// has to WRITE the bucket, which is the contended case. (A refused request can be a plain read, and
// reads of a shared cache line scale; writes do not.) The limiters run on the real steady clock.
//
// Every thread of a run shares one limiter: a function-local static, created by whichever thread gets
// there first (C++ guarantees that initialisation happens once, thread-safely).
#include <rate_limiter.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr lab::Limit kNeverLimits{.rate = 1e9, .burst = 1'000'000'000};
constexpr std::size_t kManyKeys = 1000;

lab::TokenBucket<>& shared_bucket() {
  static lab::TokenBucket<> bucket(kNeverLimits);
  return bucket;
}

lab::KeyedLimiter<>& shared_keyed() {
  static lab::KeyedLimiter<> limiter(kNeverLimits);
  return limiter;
}

const std::vector<std::string>& client_keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> k;
    for (std::size_t i = 0; i < kManyKeys; ++i) k.push_back("client-" + std::to_string(i));
    return k;
  }();
  return keys;
}

// One TokenBucket, every thread calling try_acquire(): mutex (naive, improved) against CAS (final).
void BM_TokenBucket(benchmark::State& state) {
  lab::TokenBucket<>& bucket = shared_bucket();
  std::int64_t admitted = 0;
  for (auto _ : state) admitted += bucket.try_acquire() ? 1 : 0;
  benchmark::DoNotOptimize(admitted);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TokenBucket)->Threads(1)->Threads(2)->Threads(4)->Threads(8)->UseRealTime();

// Every thread hammers the same key of a KeyedLimiter: one shard, one bucket, all contention.
void BM_KeyedHotKey(benchmark::State& state) {
  lab::KeyedLimiter<>& limiter = shared_keyed();
  const std::string_view key = "the-hot-client";
  std::int64_t admitted = 0;
  for (auto _ : state) admitted += limiter.try_acquire(key) ? 1 : 0;
  benchmark::DoNotOptimize(admitted);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_KeyedHotKey)->Threads(1)->Threads(2)->Threads(4)->Threads(8)->UseRealTime();

// Threads walk 1000 keys, each starting at a different place: mostly different shards and buckets.
void BM_KeyedManyKeys(benchmark::State& state) {
  lab::KeyedLimiter<>& limiter = shared_keyed();
  const std::vector<std::string>& keys = client_keys();
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 397 % keys.size();
  std::int64_t admitted = 0;
  for (auto _ : state) {
    admitted += limiter.try_acquire(keys[i]) ? 1 : 0;
    if (++i == keys.size()) i = 0;
  }
  benchmark::DoNotOptimize(admitted);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_KeyedManyKeys)->Threads(1)->Threads(2)->Threads(4)->Threads(8)->UseRealTime();

}  // namespace
