// Capstone P03: a sharded LRU cache.
// Spec: projects/03-sharded-lru-cache/README.md   Check: ./conclab check P03   Speed: ./conclab bench P03
//
// Build lab::LruCache<Key, Value, Hash, Clock>: a thread-safe cache of at most `capacity` entries that
// evicts the least recently used entry of a shard when that shard is full, with
//   - get / put / erase / contains,
//   - get_or_load(key, loader): on a miss, loader(key) runs once however many threads miss the key at
//     the same moment; the others wait for its value, or its exception; failures are not cached,
//   - a time to live measured on an injected clock (conclab::FakeClock in the tests),
//   - statistics per shard.
// The spec says exactly what each call must do; the tests check it, also under ThreadSanitizer.
//
// Keep the public API exactly as it is below (the tests and the benchmark use it). Everything private
// is yours to design: the spec's "The road" section suggests an order (one lock first, then shards,
// then single-flight and TTL).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include "conclab/fake_clock.hpp"

namespace lab {

struct CacheOptions {
  std::size_t capacity = 1024;                // most entries the whole cache holds at once; must be > 0
  std::size_t shards = 16;                    // independent LRUs; at least 1, at most `capacity` are used
  std::chrono::steady_clock::duration ttl{};  // lifetime of an entry after put/load; zero: no expiry
};

struct CacheStats {
  std::uint64_t hits = 0;           // get/get_or_load calls that found a live entry
  std::uint64_t misses = 0;         // ... that did not (including get_or_load callers that waited for a load)
  std::uint64_t loads = 0;          // loader calls that returned a value
  std::uint64_t load_failures = 0;  // loader calls that threw
  std::uint64_t evictions = 0;      // entries removed to make room
  std::uint64_t expirations = 0;    // entries removed because their time to live was over

  CacheStats& operator+=(const CacheStats& o) {
    hits += o.hits;
    misses += o.misses;
    loads += o.loads;
    load_failures += o.load_failures;
    evictions += o.evictions;
    expirations += o.expirations;
    return *this;
  }
  friend bool operator==(const CacheStats&, const CacheStats&) = default;
};

// Contract (write yours here when you are done, as the solutions do): which calls may run at once,
// what happens-before what, and the lock order if you have more than one lock.
template <class Key, class Value, class Hash = std::hash<Key>, class Clock = conclab::SteadyClock>
class LruCache {
 public:
  using time_point = typename Clock::time_point;

  // Uses a default-constructed Clock (the real steady clock for conclab::SteadyClock).
  explicit LruCache(CacheOptions options) : LruCache(options, default_clock()) {}

  // Reads the time from `clock`, which must outlive the cache.
  LruCache(CacheOptions options, const Clock& clock) : clock_(&clock), capacity_(options.capacity) {
    // TODO(lab): throw std::invalid_argument for capacity == 0 or shards == 0. Then build the shards:
    // min(shards, capacity) of them, whose capacities add up to exactly `capacity` (spec: Capacity).
    (void)clock_;
  }

  LruCache(const LruCache&) = delete;
  LruCache& operator=(const LruCache&) = delete;

  // The value for key if it is cached and live (not expired); makes it the most recently used.
  std::optional<Value> get(const Key& key) {
    // TODO(lab): find the key in its shard, under that shard's lock; count a hit or a miss; an
    // expired entry is removed, counted as an expiration, and is a miss.
    (void)key;
    return std::nullopt;
  }

  // Stores value under key as the most recently used entry with a fresh time to live, evicting the
  // shard's least recently used entry if the shard is full.
  void put(const Key& key, Value value) {
    // TODO(lab): insert or overwrite; an overwrite also restarts the TTL. A load of this key that is
    // still running must not store its (now older) result afterwards (spec: races with put and erase).
    (void)key;
    (void)value;
  }

  // Removes key; true if it was cached.
  bool erase(const Key& key) {
    // TODO(lab): remove the entry; like put(), supersede a load of this key that is still running.
    (void)key;
    return false;
  }

  // True if key is cached and live. A peek: changes neither the recency order nor the statistics.
  bool contains(const Key& key) const {
    // TODO(lab): look, under the shard's lock, without touching anything.
    (void)key;
    return false;
  }

  // The cached value; on a miss, loader(key)'s value, which is then cached. Concurrent misses on one
  // key run the loader once and everybody gets its value, or its exception (which is not cached).
  template <class Loader>
  Value get_or_load(const Key& key, Loader&& loader) {
    static_assert(std::is_invocable_v<Loader&, const Key&>, "get_or_load: loader must be callable as loader(key)");
    // TODO(lab): single-flight. Under the shard's lock: a live entry is a hit. Otherwise count a miss,
    // and either join the load already running for this key (wait for it without holding the lock)
    // or register yours, unlock, run the loader, and publish its value or its exception.
    (void)key;
    (void)loader;
    throw std::logic_error("LruCache::get_or_load is not implemented yet");
  }

  // Entries held now, in all shards.
  std::size_t size() const {
    // TODO(lab): add up the shards' sizes, each read under its own lock.
    return 0;
  }

  std::size_t capacity() const { return capacity_; }

  std::size_t shard_count() const {
    // TODO(lab): how many shards the cache has: min(options.shards, options.capacity).
    return 1;
  }

  // Which shard key lives in: the same answer every time for the same key.
  std::size_t shard_of(const Key& key) const {
    // TODO(lab): hash the key (Hash{}(key)) and pick a shard. std::hash of an int is the int itself:
    // mix its bits before taking a remainder, or keys that differ by a multiple of the shard count collide.
    (void)key;
    return 0;
  }

  // How many entries shard `shard` may hold.
  std::size_t shard_capacity(std::size_t shard) const {
    // TODO(lab): the shard's own capacity (they add up to capacity()).
    (void)shard;
    return capacity_;
  }

  // The sum of shard_stats().
  CacheStats stats() const {
    CacheStats total;
    for (const CacheStats& s : shard_stats()) total += s;
    return total;
  }

  // One CacheStats per shard, in shard order.
  std::vector<CacheStats> shard_stats() const {
    // TODO(lab): each shard's counters (spec: Statistics says what each one counts).
    return {CacheStats{}};
  }

 private:
  static const Clock& default_clock() {
    static const Clock clock{};
    return clock;
  }

  // TODO(lab): your shards: a lock, the recency list and the index, the loads in progress, counters.
  const Clock* clock_;
  std::size_t capacity_;
};

}  // namespace lab
