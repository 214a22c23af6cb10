// Capstone P03, sharded LRU cache: the NAIVE version.
// Spec: projects/03-sharded-lru-cache/README.md   Check: ./conclab check P03
//
// The cache most people write first: the textbook LRU (a std::list in recency order plus an
// std::unordered_map from key to list node) with one std::mutex around all of it. Every operation is
// correct on its own, and it passes the LRU, capacity and stress tests. What it gets wrong:
//
//   - get_or_load() is "get, and on a miss load and put". It rightly does not hold the mutex while the
//     loader runs (that would stall every other key behind one slow load), but then nothing stops N
//     threads that miss the same key from running N loads at once: a cache stampede, exactly when the
//     backing store is least able to take it. Each caller also gets its own exception, from its own load.
//   - Its closing put() stores the loaded value unconditionally, so a put() or erase() that happened
//     while the load ran is silently undone by an older value.
//   - put() over an existing key replaces the value but keeps the old expiry time, so a value written
//     a second ago can expire at once. (The bug hides because a fresh key gets a fresh deadline.)
//   - shards in CacheOptions is ignored: every thread queues on the one mutex, whichever key it wants.
//
// Fails SingleFlightTest.LoaderRunsOnceForConcurrentMisses, .ExceptionReachesEveryWaiter,
// .PutDuringLoadWins, .EraseDuringLoadWins and TtlTest.PutRestartsTheTtl, in every run.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
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

// A thread-safe LRU cache of Key -> Value: one mutex around one list and one map.
//
// Contract: every public member function may be called from any number of threads at once; each
// takes mu_ for its whole duration except get_or_load, which releases it while the loader runs.
template <class Key, class Value, class Hash = std::hash<Key>, class Clock = conclab::SteadyClock>
class LruCache {
 public:
  using time_point = typename Clock::time_point;

  explicit LruCache(CacheOptions options) : LruCache(options, default_clock()) {}

  LruCache(CacheOptions options, const Clock& clock)
      : clock_(&clock), ttl_(options.ttl), capacity_(options.capacity) {
    if (options.capacity == 0) throw std::invalid_argument("LruCache: capacity must be at least 1");
    if (options.shards == 0) throw std::invalid_argument("LruCache: shards must be at least 1");
  }

  LruCache(const LruCache&) = delete;
  LruCache& operator=(const LruCache&) = delete;

  std::optional<Value> get(const Key& key) {
    sync::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it == index_.end()) {
      ++stats_.misses;
      return std::nullopt;
    }
    if (expired(it->second->expires)) {
      lru_.erase(it->second);
      index_.erase(it);
      ++stats_.expirations;
      ++stats_.misses;
      return std::nullopt;
    }
    ++stats_.hits;
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->value;
  }

  void put(const Key& key, Value value) {
    sync::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it != index_.end()) {
      it->second->value = std::move(value);  // BUG: the old `expires` stays
      lru_.splice(lru_.begin(), lru_, it->second);
      return;
    }
    if (index_.size() >= capacity_) {
      index_.erase(lru_.back().key);
      lru_.pop_back();
      ++stats_.evictions;
    }
    lru_.push_front(Entry{key, std::move(value), deadline()});
    index_.emplace(key, lru_.begin());
  }

  bool erase(const Key& key) {
    sync::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it == index_.end()) return false;
    lru_.erase(it->second);
    index_.erase(it);
    return true;
  }

  bool contains(const Key& key) const {
    sync::lock_guard lock(mu_);
    auto it = index_.find(key);
    return it != index_.end() && !expired(it->second->expires);
  }

  template <class Loader>
  Value get_or_load(const Key& key, Loader&& loader) {
    static_assert(std::is_invocable_v<Loader&, const Key&>, "get_or_load: loader must be callable as loader(key)");
    if (std::optional<Value> cached = get(key)) return *std::move(cached);
    // BUG: between the miss above and the put below, any number of threads can miss the same key and
    // run their own load; and a put/erase of the key in between is overwritten by the put below.
    Value value = [&] {
      try {
        return Value(std::invoke(loader, key));
      } catch (...) {
        sync::lock_guard lock(mu_);
        ++stats_.load_failures;
        throw;
      }
    }();
    {
      sync::lock_guard lock(mu_);
      ++stats_.loads;
    }
    put(key, value);
    return value;
  }

  std::size_t size() const {
    sync::lock_guard lock(mu_);
    return index_.size();
  }

  std::size_t capacity() const { return capacity_; }
  std::size_t shard_count() const { return 1; }
  std::size_t shard_of(const Key&) const { return 0; }
  std::size_t shard_capacity(std::size_t) const { return capacity_; }

  CacheStats stats() const {
    sync::lock_guard lock(mu_);
    return stats_;
  }

  std::vector<CacheStats> shard_stats() const { return {stats()}; }

 private:
  struct Entry {
    Key key;
    Value value;
    time_point expires;  // time_point::max() when there is no TTL
  };
  using List = std::list<Entry>;

  static const Clock& default_clock() {
    static const Clock clock{};
    return clock;
  }

  bool expired(time_point expires) const { return ttl_ != ttl_.zero() && clock_->now() >= expires; }
  time_point deadline() const { return ttl_ == ttl_.zero() ? time_point::max() : clock_->now() + ttl_; }

  const Clock* clock_;
  const std::chrono::steady_clock::duration ttl_;
  const std::size_t capacity_;

  mutable sync::mutex mu_;
  List lru_;                                                  // front: most recently used
  std::unordered_map<Key, typename List::iterator, Hash> index_;  // key -> its node in lru_
  CacheStats stats_;
};

}  // namespace lab
