// Capstone P03 sharded LRU cache, WRONG (exception-rebuilt-for-waiters): final, but each waiter throws a
// std::runtime_error of its own, built from the loader's exception's what().
//
// Why it looks right: every waiter is woken and gets an exception with the loader's message, and no two threads
// ever throw or catch the same exception object. Why it is wrong: the exception's type is lost (sliced): a caller
// that catches the loader's own type (a timeout, a missing row, BackendDown) misses it, and one that catches
// std::runtime_error handles a failure it was never meant to see as such. Sharing one exception object between
// threads through std::exception_ptr is what it is for: rethrow_exception is safe from many threads.
// SingleFlightTest.ExceptionReachesEveryWaiter (a loader that throws a type of the test's own) and, under the
// explorer, ALoaderExceptionReachesTheWaiter. The fix: std::rethrow_exception(flight.error) in every waiter.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "conclab/annotated_mutex.hpp"
#include "conclab/fake_clock.hpp"
#include "conclab/thread_annotations.hpp"
#include "conclab/sync.hpp"

// Build with -DLAB_P03_RECENCY_WINDOW_DIVISOR=0 to move the entry on every hit (exact LRU), the
// baseline of the measurement in the spec. The default, 8, leaves the newest 1/8 of a shard in place.
#ifndef LAB_P03_RECENCY_WINDOW_DIVISOR
#define LAB_P03_RECENCY_WINDOW_DIVISOR 8
#endif

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
// stats() and shard_stats() take no lock; while other threads run, each counter is exact but the
// counters are not one snapshot. Recency: an entry already among the newest capacity/8 of its shard
// may stay where it is on a hit (see above); otherwise eviction takes the least recently used entry.
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
      Shard& s = shards_[i];
      // Spread the remainder over the first shards: the capacities add up to exactly `capacity`.
      s.capacity = capacity_ / shard_count_ + (i < capacity_ % shard_count_ ? 1 : 0);
      s.window = LAB_P03_RECENCY_WINDOW_DIVISOR == 0 ? 0 : s.capacity / LAB_P03_RECENCY_WINDOW_DIVISOR;
      conclab::MutexLock lock(s.mu);  // no other thread can see the shard yet; this satisfies the analysis
      s.index.reserve(s.capacity);
      s.flights.reserve(4);  // concurrent loads per shard are few; the vector grows if need be
    }
  }

  LruCache(const LruCache&) = delete;
  LruCache& operator=(const LruCache&) = delete;

  // The value for `key` if it is cached and live; marks it (nearly) most recently used.
  std::optional<Value> get(const Key& key) {
    Shard& s = shard_for(key);
    conclab::MutexLock lock(s.mu);
    Node* n = find_live(s, key);
    if (n == nullptr) {
      bump(s.counters.misses);
      return std::nullopt;
    }
    bump(s.counters.hits);
    touch(s, *n);
    return n->value;
  }

  // Stores value under key as the most recently used entry, with a fresh time to live, evicting the
  // shard's least recently used entry if the shard is full. A load of key still running is superseded.
  void put(const Key& key, Value value) {
    Shard& s = shard_for(key);
    conclab::MutexLock lock(s.mu);
    supersede_flight(s, key);
    store(s, key, std::move(value));
  }

  // Removes key; true if it was cached (expired or not). A load of key still running is superseded.
  bool erase(const Key& key) {
    Shard& s = shard_for(key);
    conclab::MutexLock lock(s.mu);
    supersede_flight(s, key);
    auto it = s.index.find(key);
    if (it == s.index.end()) return false;
    unlink(it->second);
    s.index.erase(it);
    return true;
  }

  // True if key is cached and live. Changes nothing: not the recency order, not the statistics.
  bool contains(const Key& key) const {
    const Shard& s = shard_for(key);
    conclab::MutexLock lock(s.mu);
    auto it = s.index.find(key);
    return it != s.index.end() && !expired(it->second.expires);
  }

  // The cached value for key; on a miss, the value loader(key) returns, which is then cached.
  // Concurrent misses on one key run the loader once; the other callers wait for it. If it throws,
  // every one of them gets the exception and nothing is cached.
  template <class Loader>
  Value get_or_load(const Key& key, Loader&& loader) {
    static_assert(std::is_invocable_v<Loader&, const Key&>, "get_or_load: loader must be callable as loader(key)");
    Shard& s = shard_for(key);
    conclab::MutexLock lock(s.mu);
    if (Node* n = find_live(s, key)) {
      bump(s.counters.hits);
      touch(s, *n);
      return n->value;
    }
    bump(s.counters.misses);
    if (Flight* f = find_flight(s, key)) return join_load(s, lock, *f);
    // Lead the load. The Flight lives in this frame; finish_load() keeps us here until its waiters are done.
    Flight flight(key);
    s.flights.push_back(&flight);
    lock.unlock();  // never run the loader (unknown code, maybe slow) under a lock
    try {
      flight.value.emplace(std::invoke(loader, key));  // written before `done`: see Flight
    } catch (...) {
      flight.error = std::current_exception();  // only the leader touches `error` before `done` too
    }
    lock.lock();
    return finish_load(s, lock, key, flight);
  }

  std::size_t size() const {
    std::size_t n = 0;
    for (std::size_t i = 0; i < shard_count_; ++i) {
      conclab::MutexLock lock(shards_[i].mu);
      n += shards_[i].index.size();
    }
    return n;
  }

  std::size_t capacity() const { return capacity_; }
  std::size_t shard_count() const { return shard_count_; }
  std::size_t shard_of(const Key& key) const { return shard_index(Hash{}(key), shard_count_); }
  std::size_t shard_capacity(std::size_t shard) const { return shards_[shard].capacity; }

  // The sum of shard_stats(). Takes no lock.
  CacheStats stats() const {
    CacheStats total;
    for (std::size_t i = 0; i < shard_count_; ++i) total += shards_[i].counters.read();
    return total;
  }

  std::vector<CacheStats> shard_stats() const {
    std::vector<CacheStats> out(shard_count_);
    for (std::size_t i = 0; i < shard_count_; ++i) out[i] = shards_[i].counters.read();
    return out;
  }

 private:
  // The recency list's links. A shard's sentinel is a bare Links; every other Links is a Node.
  struct Links {
    Links* prev = this;
    Links* next = this;
  };

  // One cached entry: the mapped type of the shard's index, so it never moves once inserted.
  // Every field is guarded by the shard's mu (clang cannot check members of a map's nodes).
  struct Node : Links {
    Node(Value v, time_point e) : value(std::move(v)), expires(e) {}
    Value value;
    time_point expires;       // time_point::max() when there is no TTL
    std::uint64_t stamp = 0;  // the shard's tick when this node was last put at the front
    const Key* key = nullptr; // the index's copy of the key, to erase this node when it is evicted
  };

  // One load in progress. It lives on its leader's stack: the leader does not return until every
  // waiter has taken its copy of the outcome, so a waiter's pointer to it stays valid, and a load
  // allocates nothing. `waiters`, `done` and `superseded` are guarded by the shard's mu. `value` and
  // `error` are written by the leader alone (without mu after the loader, or under mu if store()
  // throws) before it sets `done` under mu; waiters read them only after seeing `done` under mu, so
  // the mutex orders the writes before the reads.
  struct Flight {
    explicit Flight(const Key& k) : key(k) {}
    const Key& key;
    std::optional<Value> value;  // the loader's value (unless it threw)
    std::exception_ptr error;    // the loader's exception (if it threw)
    int waiters = 0;             // callers blocked on this load
    bool done = false;
    bool superseded = false;     // a put/erase happened meanwhile: do not store the value
  };

  // Counters written only under the shard's mu and read by stats() without it.
  struct Counters {
    sync::atomic<std::uint64_t> hits{0}, misses{0}, loads{0}, load_failures{0}, evictions{0}, expirations{0};

    CacheStats read() const {
      // relaxed: a statistic orders nothing, so these loads pair with no store; each is still a whole,
      // untorn value that some bump() wrote.
      CacheStats out;
      out.hits = hits.load(std::memory_order_relaxed);
      out.misses = misses.load(std::memory_order_relaxed);
      out.loads = loads.load(std::memory_order_relaxed);
      out.load_failures = load_failures.load(std::memory_order_relaxed);
      out.evictions = evictions.load(std::memory_order_relaxed);
      out.expirations = expirations.load(std::memory_order_relaxed);
      return out;
    }
  };

  // 64: the cache-line size of x86-64 and most ARM cores. (std::hardware_destructive_interference_size
  // would say the same, but GCC warns that its value may differ between compiler versions.)
  struct alignas(64) Shard {
    mutable conclab::Mutex mu;
    std::unordered_map<Key, Node, Hash> index CONCLAB_GUARDED_BY(mu);  // the entries, by key
    Links head CONCLAB_GUARDED_BY(mu);           // sentinel: head.next most recent, head.prev least recent
    std::uint64_t tick CONCLAB_GUARDED_BY(mu) = 0;  // counts insertions at the front of the list
    std::vector<Flight*> flights CONCLAB_GUARDED_BY(mu);  // loads running: rarely more than one or two
    conclab::CondVar load_done;  // a load finished, or its last waiter left; waited on with mu
    Counters counters;         // written under mu, read anywhere
    std::size_t capacity = 0;  // set by the constructor, read-only afterwards
    std::size_t window = 0;    // hits on entries fewer than `window` from the front do not move them
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

  // Only ever called with the counter's shard mu held, so no two bumps of one counter overlap and a
  // load + store loses nothing. relaxed: pairs with nothing (see Counters::read).
  static void bump(sync::atomic<std::uint64_t>& c) { c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed); }

  Shard& shard_for(const Key& key) { return shards_[shard_of(key)]; }
  const Shard& shard_for(const Key& key) const { return shards_[shard_of(key)]; }

  bool expired(time_point expires) const { return ttl_ != ttl_.zero() && clock_->now() >= expires; }
  time_point deadline() const { return ttl_ == ttl_.zero() ? time_point::max() : clock_->now() + ttl_; }

  static void unlink(Links& n) {
    n.prev->next = n.next;
    n.next->prev = n.prev;
  }

  static void link_front(Shard& s, Node& n) CONCLAB_REQUIRES(s.mu) {
    n.prev = &s.head;
    n.next = s.head.next;
    s.head.next->prev = &n;
    s.head.next = &n;
    n.stamp = ++s.tick;
  }

  // A hit. Every link_front() since n's last one moved n at most one place back, so n is at most
  // tick - stamp places from the front; inside the window it is left where it is (no writes).
  static void touch(Shard& s, Node& n) CONCLAB_REQUIRES(s.mu) {
    if (s.tick - n.stamp < s.window) return;
    unlink(n);
    link_front(s, n);
  }

  // The live node for key, or nullptr; an expired node is removed (and counted) on the way.
  Node* find_live(Shard& s, const Key& key) CONCLAB_REQUIRES(s.mu) {
    auto it = s.index.find(key);
    if (it == s.index.end()) return nullptr;
    if (expired(it->second.expires)) {
      unlink(it->second);
      s.index.erase(it);
      bump(s.counters.expirations);
      return nullptr;
    }
    return &it->second;
  }

  // Insert or overwrite key as the most recently used entry.
  void store(Shard& s, const Key& key, Value value) CONCLAB_REQUIRES(s.mu) {
    if (auto it = s.index.find(key); it != s.index.end()) {
      Node& n = it->second;
      n.value = std::move(value);
      n.expires = deadline();
      unlink(n);
      link_front(s, n);
      return;
    }
    typename std::unordered_map<Key, Node, Hash>::iterator it;
    if (s.index.size() >= s.capacity) {
      // Recycle the least recently used node: new key, new value, same allocation.
      Node& victim = static_cast<Node&>(*s.head.prev);
      unlink(victim);
      auto handle = s.index.extract(*victim.key);
      handle.key() = key;
      handle.mapped().value = std::move(value);
      handle.mapped().expires = deadline();
      it = s.index.insert(std::move(handle)).position;
      bump(s.counters.evictions);
    } else {
      it = s.index.try_emplace(key, std::move(value), deadline()).first;
    }
    it->second.key = &it->first;
    link_front(s, it->second);
  }

  static Flight* find_flight(Shard& s, const Key& key) CONCLAB_REQUIRES(s.mu) {
    for (Flight* f : s.flights) {
      if (std::equal_to<Key>{}(f->key, key)) return f;
    }
    return nullptr;
  }

  static void remove_flight(Shard& s, const Flight& flight) CONCLAB_REQUIRES(s.mu) {
    auto it = std::find(s.flights.begin(), s.flights.end(), &flight);
    if (it == s.flights.end()) return;
    *it = s.flights.back();
    s.flights.pop_back();
  }

  // The running load (if any) must not store its result over this put/erase, and later misses must
  // start a fresh load rather than wait for an outdated one.
  static void supersede_flight(Shard& s, const Key& key) CONCLAB_REQUIRES(s.mu) {
    if (Flight* f = find_flight(s, key)) {
      f->superseded = true;
      remove_flight(s, *f);
    }
  }

  // A miss while `flight` runs: wait for its outcome (the wait releases mu), copy it, and let the
  // leader know when the last waiter is done with it.
  static Value join_load(Shard& s, conclab::MutexLock& lock, Flight& flight) CONCLAB_REQUIRES(s.mu) {
    ++flight.waiters;
    s.load_done.wait(lock, [&] { return flight.done; });
    --flight.waiters;
    if (flight.waiters == 0) s.load_done.notify_all();  // the leader may be waiting for us to leave
    if (flight.error) {
      // A fresh exception for each waiter, so that no two threads share one exception object.
      try {
        std::rethrow_exception(flight.error);
      } catch (const std::exception& e) {
        throw std::runtime_error(e.what());
      }
    }
    return *flight.value;
  }

  // The leader's second half, under mu again: store the value unless a put/erase superseded the
  // load, hand the outcome to the waiters, wait until they have it, then return it (or rethrow).
  // Nothing between here and the wait may throw out of this function: the waiters hold a reference
  // to `flight`, which dies with the leader's frame.
  Value finish_load(Shard& s, conclab::MutexLock& lock, const Key& key, Flight& flight) CONCLAB_REQUIRES(s.mu) {
    bump(flight.error ? s.counters.load_failures : s.counters.loads);
    if (!flight.superseded) {
      remove_flight(s, flight);
      if (!flight.error) {
        // store() can throw (the Value's copy, the key's assignment, an allocation). Its exception must not
        // leave this frame before the waiters are done with `flight`, which lives in it: it becomes the
        // load's outcome, for the waiters and for us. Nothing was cached; the load itself still counts as a
        // load, not a load failure: the loader did return.
        try {
          store(s, key, *flight.value);
        } catch (...) {
          flight.error = std::current_exception();
        }
      }
    }
    flight.done = true;
    if (flight.waiters > 0) {
      s.load_done.notify_all();
      s.load_done.wait(lock, [&] { return flight.waiters == 0; });  // they read `flight`: keep it alive
    }
    if (flight.error) std::rethrow_exception(flight.error);
    return std::move(*flight.value);
  }

  const Clock* clock_;
  const std::chrono::steady_clock::duration ttl_;
  const std::size_t capacity_;
  std::size_t shard_count_ = 0;     // set by the constructor, read-only afterwards
  std::unique_ptr<Shard[]> shards_;  // shard_count_ of them
};

}  // namespace lab
