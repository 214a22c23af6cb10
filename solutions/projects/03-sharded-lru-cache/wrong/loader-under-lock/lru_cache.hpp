// Capstone P03 sharded LRU cache, WRONG (loader-under-lock): improved's shards, but get_or_load holds the shard's
// lock while the loader runs: single-flight "for free".
//
// Why it looks right: a second caller that misses the same key waits on the lock, then finds the value cached, so
// the loader runs once per key, the exception reaches only the caller whose load failed, and a put or erase simply
// waits for the load to finish. Why it is wrong: every other key of the shard, hits included, now waits for the
// slowest load, and a loader that needs another call on the shard deadlocks. Under the explorer,
// SingleFlightTest.LoadsOfTwoKeysInOneShardOverlap and ALoadSupersededByEraseLeavesTheNextLoadAlone deadlock every
// run. In a real run the single-flight tests hold a load open until something else happens in the shard (a put,
// another load, the other callers' misses), and their watchdogs fail them after a few seconds,
// LoadsRunWithoutTheShardLock with the cause. The fix: register a Flight, unlock, run the loader, lock again to
// store.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "conclab/fake_clock.hpp"
#include "conclab/sync.hpp"

namespace lab {
namespace sync = conclab::sync;

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

// A thread-safe LRU cache of Key -> Value, split into shards.
//
// Contract: every public member function may be called from any number of threads at once. Each
// call is atomic with respect to the other calls on the same key (they take the key's shard lock).
// A value put() by one thread happens-before a get() in another thread that returns it.
// get_or_load(key, loader) calls loader(key) with no lock held, at most once at a time per key:
// callers that miss while a load of that key runs wait for it and get its value or its exception.
// Lock order: a thread holds at most one shard lock at a time, and none while it calls the loader.
template <class Key, class Value, class Hash = std::hash<Key>, class Clock = conclab::SteadyClock>
class LruCache {
 public:
  using time_point = typename Clock::time_point;

  explicit LruCache(CacheOptions options) : LruCache(options, default_clock()) {}

  LruCache(CacheOptions options, const Clock& clock)
      : clock_(&clock), ttl_(options.ttl), capacity_(options.capacity) {
    if (options.capacity == 0) throw std::invalid_argument("LruCache: capacity must be at least 1");
    if (options.shards == 0) throw std::invalid_argument("LruCache: shards must be at least 1");
    if (options.ttl < decltype(options.ttl){}) throw std::invalid_argument("LruCache: ttl must not be negative");
    shard_count_ = std::min(options.shards, options.capacity);
    shards_ = std::make_unique<Shard[]>(shard_count_);
    for (std::size_t i = 0; i < shard_count_; ++i) {
      // Spread the remainder over the first shards: the capacities add up to exactly `capacity`.
      shards_[i].capacity = capacity_ / shard_count_ + (i < capacity_ % shard_count_ ? 1 : 0);
    }
  }

  LruCache(const LruCache&) = delete;
  LruCache& operator=(const LruCache&) = delete;

  // The value for `key` if it is cached and live; marks it most recently used.
  std::optional<Value> get(const Key& key) {
    Shard& s = shard_for(key);
    sync::lock_guard lock(s.mu);
    auto it = find_live(s, key);
    if (it == s.index.end()) {
      ++s.stats.misses;
      return std::nullopt;
    }
    ++s.stats.hits;
    s.lru.splice(s.lru.begin(), s.lru, it->second);
    return it->second->value;
  }

  // Stores value under key as the most recently used entry, with a fresh time to live, evicting the
  // shard's least recently used entry if the shard is full. A load of key still running is superseded.
  void put(const Key& key, Value value) {
    Shard& s = shard_for(key);
    sync::lock_guard lock(s.mu);
    supersede_flight(s, key);
    store(s, key, std::move(value));
  }

  // Removes key; true if it was cached (expired or not). A load of key still running is superseded.
  bool erase(const Key& key) {
    Shard& s = shard_for(key);
    sync::lock_guard lock(s.mu);
    supersede_flight(s, key);
    auto it = s.index.find(key);
    if (it == s.index.end()) return false;
    s.lru.erase(it->second);
    s.index.erase(it);
    return true;
  }

  // True if key is cached and live. Changes nothing: not the recency order, not the statistics.
  bool contains(const Key& key) const {
    const Shard& s = shard_for(key);
    sync::lock_guard lock(s.mu);
    auto it = s.index.find(key);
    return it != s.index.end() && !expired(it->second->expires);
  }

  // The cached value for key; on a miss, the value loader(key) returns, which is then cached.
  // Concurrent misses on one key run the loader once; the other callers wait for it. If it throws,
  // every one of them gets the exception and nothing is cached.
  template <class Loader>
  Value get_or_load(const Key& key, Loader&& loader) {
    static_assert(std::is_invocable_v<Loader&, const Key&>, "get_or_load: loader must be callable as loader(key)");
    Shard& s = shard_for(key);
    sync::unique_lock lock(s.mu);
    auto it = find_live(s, key);
    if (it != s.index.end()) {
      ++s.stats.hits;
      s.lru.splice(s.lru.begin(), s.lru, it->second);
      return it->second->value;
    }
    ++s.stats.misses;
    // Load with the lock held: a second caller of this key waits on the lock and then finds the value.
    try {
      Value value(std::invoke(loader, key));
      ++s.stats.loads;
      store(s, key, value);
      return value;
    } catch (...) {
      ++s.stats.load_failures;
      throw;
    }
  }

  std::size_t size() const {
    std::size_t n = 0;
    for (std::size_t i = 0; i < shard_count_; ++i) {
      sync::lock_guard lock(shards_[i].mu);
      n += shards_[i].index.size();
    }
    return n;
  }

  std::size_t capacity() const { return capacity_; }
  std::size_t shard_count() const { return shard_count_; }
  std::size_t shard_of(const Key& key) const { return shard_index(Hash{}(key), shard_count_); }
  std::size_t shard_capacity(std::size_t shard) const { return shards_[shard].capacity; }

  // The sum of shard_stats(). Each shard is read under its own lock, so the sum is not one snapshot
  // while other threads are using the cache.
  CacheStats stats() const {
    CacheStats total;
    for (const CacheStats& s : shard_stats()) total += s;
    return total;
  }

  std::vector<CacheStats> shard_stats() const {
    std::vector<CacheStats> out(shard_count_);
    for (std::size_t i = 0; i < shard_count_; ++i) {
      sync::lock_guard lock(shards_[i].mu);
      out[i] = shards_[i].stats;
    }
    return out;
  }

 private:
  struct Entry {
    Key key;
    Value value;
    time_point expires;  // time_point::max() when there is no TTL
  };
  using List = std::list<Entry>;

  // One load in progress. The leader fulfils `promise`; waiters hold copies of `result`.
  struct Flight {
    sync::promise<Value> promise;
    sync::shared_future<Value> result = promise.get_future().share();
    bool superseded = false;  // guarded by the shard's mu: a put/erase happened, do not store the result
  };

  struct Shard {
    mutable sync::mutex mu;
    List lru;                                                            // front: most recently used
    std::unordered_map<Key, typename List::iterator, Hash> index;        // key -> its node in lru
    std::unordered_map<Key, std::shared_ptr<Flight>, Hash> flights;      // loads in progress
    CacheStats stats;
    std::size_t capacity = 0;  // set once by the constructor, read-only afterwards
  };

  static const Clock& default_clock() {
    static const Clock clock{};
    return clock;
  }

  // Which shard a hash belongs to. std::hash of an integer is the integer itself, so mix the bits
  // first (Fibonacci hashing): otherwise keys 0, 16, 32, ... would all land in shard 0 of 16.
  static std::size_t shard_index(std::size_t h, std::size_t n) {
    const std::uint64_t mixed = static_cast<std::uint64_t>(h) * 0x9E3779B97F4A7C15ull;
    return static_cast<std::size_t>((mixed >> 32) % n);
  }

  Shard& shard_for(const Key& key) { return shards_[shard_of(key)]; }
  const Shard& shard_for(const Key& key) const { return shards_[shard_of(key)]; }

  bool expired(time_point expires) const { return ttl_ != ttl_.zero() && clock_->now() >= expires; }

  time_point deadline() const { return ttl_ == ttl_.zero() ? time_point::max() : clock_->now() + ttl_; }

  // The index entry for key if it is live; an expired entry is removed (and counted) on the way.
  // Caller holds s.mu.
  auto find_live(Shard& s, const Key& key) {
    auto it = s.index.find(key);
    if (it != s.index.end() && expired(it->second->expires)) {
      s.lru.erase(it->second);
      s.index.erase(it);
      ++s.stats.expirations;
      return s.index.end();
    }
    return it;
  }

  // Insert or overwrite key as the most recently used entry. Caller holds s.mu.
  void store(Shard& s, const Key& key, Value value) {
    auto it = s.index.find(key);
    if (it != s.index.end()) {
      it->second->value = std::move(value);
      it->second->expires = deadline();
      s.lru.splice(s.lru.begin(), s.lru, it->second);
      return;
    }
    if (s.index.size() >= s.capacity) {
      s.index.erase(s.lru.back().key);
      s.lru.pop_back();
      ++s.stats.evictions;
    }
    s.lru.push_front(Entry{key, std::move(value), deadline()});
    s.index.emplace(key, s.lru.begin());
  }

  // Caller holds s.mu. The running load (if any) must not store its result over this put/erase, and
  // later misses must start a fresh load rather than wait for an outdated one.
  static void supersede_flight(Shard& s, const Key& key) {
    auto fit = s.flights.find(key);
    if (fit == s.flights.end()) return;
    fit->second->superseded = true;
    s.flights.erase(fit);
  }

  // The leader's half of get_or_load: runs the loader with no lock held, publishes the outcome.
  template <class Loader>
  Value lead_load(Shard& s, const Key& key, Flight& flight, Loader& loader) {
    Value value = [&] {
      try {
        return Value(std::invoke(loader, key));
      } catch (...) {
        {
          sync::lock_guard lock(s.mu);
          ++s.stats.load_failures;
          if (!flight.superseded) s.flights.erase(key);
        }
        flight.promise.set_exception(std::current_exception());
        throw;
      }
    }();
    std::exception_ptr store_error;
    {
      sync::lock_guard lock(s.mu);
      ++s.stats.loads;  // the loader returned: a load, even if the store below fails
      if (!flight.superseded) {
        s.flights.erase(key);
        try {
          store(s, key, value);  // may throw: the Value's copy, an allocation
        } catch (...) {
          store_error = std::current_exception();  // nothing cached; it is the load's outcome for everybody
        }
      }
    }
    if (store_error) {
      // Without this the promise would die unfulfilled and the waiters would get a broken_promise
      // instead of the reason.
      flight.promise.set_exception(store_error);
      std::rethrow_exception(store_error);
    }
    flight.promise.set_value(value);  // wake the waiters after unlocking: they do not need the lock
    return value;
  }

  const Clock* clock_;
  const std::chrono::steady_clock::duration ttl_;
  const std::size_t capacity_;
  std::size_t shard_count_ = 0;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace lab
