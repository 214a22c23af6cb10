// Graded tests for capstone P03, the sharded LRU cache. Spec: projects/03-sharded-lru-cache/README.md
//
// What they check, in the order of the spec: values in and out; LRU order within a shard; capacity,
// alone and under concurrency; erase and contains; get_or_load with single-flight (one loader run for
// many concurrent misses, its exception delivered to every waiter, a failed load not cached, a put or
// erase during a load wins, loads that do not hold the shard lock); TTL on a fake clock; statistics;
// and two stress tests (invariants under a random mix, no lost updates).
//
// How the single-flight tests stay deterministic: the loader does not return until the cache has
// counted every caller as a miss (stats().misses, which a thread of the test watches), so all callers
// are inside get_or_load, past their lookup, while the load is still running. A cache without single-flight then runs the loader once per
// caller, every time; a cache with it runs it once. If your get_or_load holds a lock while the loader
// runs, or does not count a waiting caller as a miss, the event a test waits for never comes: a watchdog
// (Watchdog below) then fails the test after a few seconds of real time, with a message saying which
// of the two rules it needs, instead of a bare "hang". The spec's "Statistics" and "get_or_load"
// sections say why both rules exist.
#include <lru_cache.hpp>

#include <gtest/gtest.h>

#include <cxxabi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <functional>
#include <latch>
#include <numeric>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <typeinfo>
#include <utility>
#include <vector>

#include "conclab/fake_clock.hpp"
#include "conclab/run_threads.hpp"
#include "conclab/sim_test.hpp"
#include "conclab/sync.hpp"
#include "conclab/watchdog.hpp"

namespace {

using namespace std::chrono_literals;

constexpr const char* kSpec = "projects/03-sharded-lru-cache/README.md";

using Cache = lab::LruCache<int, int>;
using TimedCache = lab::LruCache<int, int, std::hash<int>, conclab::FakeClock>;

// `n` distinct keys that live in the same shard as `first` (first included), in increasing order.
template <class C>
std::vector<int> same_shard_keys(const C& cache, int first, std::size_t n) {
  std::vector<int> keys;
  for (int k = first; keys.size() < n; ++k) {
    if (cache.shard_of(k) == cache.shard_of(first)) keys.push_back(k);
  }
  return keys;
}

// A test's watchdog. The single-flight tests wait (yielding, never sleeping) for events that a correct
// cache makes happen at once: callers counted as misses, a put() going through while a load runs, a
// loader starting. A cache that breaks the rule a wait relies on would keep the test waiting forever
// and the verdict would be a bare "hang"; instead, a wait that runs out of patience fails the test with
// a message that says what did not happen and what that means, and returns, so the test can end. It is
// a rescue, not a timing assertion: a correct cache never comes near it. The first wait of a test that
// runs out fails the test; its later waits give up at once (the first message is the one to read). And
// once a watchdog has fired in this test program the cache is known to block, so the next tests' waits
// are short.
class Watchdog {
 public:
  // Yields until done(); false, after failing the test with what(), if the patience ran out first.
  template <class Done, class What>
  bool wait(Done done, What what) {
    using Clock = conclab::sync::steady_clock;
    const auto patience = conclab::patience(fired_anywhere().load() ? std::chrono::milliseconds(500) : std::chrono::milliseconds(5000));
    const auto deadline = Clock::now() + patience;
    while (!done()) {
      if (fired_.load() || Clock::now() >= deadline) {
        if (!fired_.exchange(true)) {
          fired_anywhere().store(true);
          ADD_FAILURE() << "[watchdog, after " << patience.count() / 1000.0 << " s of real time] " << what();
        }
        return false;
      }
      conclab::sync::this_thread::yield();
    }
    return true;
  }

 private:
  static conclab::sync::atomic<bool>& fired_anywhere() {
    static conclab::sync::atomic<bool> fired{false};
    return fired;
  }
  conclab::sync::atomic<bool> fired_{false};
};

// Watches stats().misses from a thread of its own; a loader calls wait() to keep its load running until the
// cache has counted `n` misses, i.e. until every concurrent caller has looked the key up and missed. The
// loader itself never calls stats(): in a cache that holds the shard's lock while the loader runs and takes
// it in stats() too, that call would wait for the loader's own thread, before the watchdog could say why.
template <class C>
class MissWatcher {
 public:
  MissWatcher(const C& cache, std::uint64_t n)
      : n_(n), thread_([this, &cache](conclab::sync::stop_token stop) {
          while (!stop.stop_requested()) {
            const std::uint64_t misses = cache.stats().misses;
            last_seen_.store(misses);
            if (misses >= n_) {
              reached_.store(true);
              return;
            }
            conclab::sync::this_thread::yield();
          }
        }) {}

  void wait(Watchdog& dog) {
    dog.wait([&] { return reached_.load(); },
             [&] {
               return "the loader waited for the cache to count " + std::to_string(n_) + " get_or_load callers as "
                      "misses, and the last stats().misses the test could read was " +
                      std::to_string(last_seen_.load()) + ". Either get_or_load holds the shard's lock while the "
                      "loader runs (the other callers cannot even look the key up), or it counts a caller that "
                      "waits for a running load as a miss only after the wait, or not at all: count the miss "
                      "before waiting. This test relies on that count to know that every caller is inside "
                      "get_or_load. See " + std::string(kSpec) + " (Statistics; get_or_load; Traps)";
             });
  }

 private:
  const std::uint64_t n_;
  conclab::sync::atomic<std::uint64_t> last_seen_{0};
  conclab::sync::atomic<bool> reached_{false};
  conclab::sync::jthread thread_;  // declared last: it starts once the members it uses exist
};

std::string show(const std::optional<int>& v) { return v ? std::to_string(*v) : std::string("nothing"); }

// A one-shot event that is safe to raise twice. A thread whose get_or_load throws before calling the
// loader raises it too, so the test fails with the exception's message instead of waiting for a loader
// that never ran. wait() gives up under the test's watchdog, with `what` as the failure's message.
class Signal {
 public:
  void raise() { raised_.store(true); }
  void wait(Watchdog& dog, const std::string& what) {
    dog.wait([&] { return raised_.load(); }, [&] { return what; });
  }

 private:
  conclab::sync::atomic<bool> raised_{false};
};

// What the watchdog says when a loader waits for the test's put()/erase() of its key and it never comes.
std::string write_blocked_by_load(const char* call) {
  return std::string("the loader waited for the test's ") + call + ", which the test calls while the load runs, and " +
         call + " never got through: get_or_load holds the shard's lock (or a cache-wide lock) while the loader "
         "runs. Every call on the shard then waits for the slowest load. Unlock before calling the loader, and "
         "lock again to store its value. See " + kSpec + " (get_or_load; Traps)";
}
constexpr const char* kLoaderNeverCalled =
    "get_or_load on an empty cache never called its loader (or called it only after something the test has not "
    "done yet): a miss with no load running must call loader(key). See projects/03-sharded-lru-cache/README.md "
    "(get_or_load)";

// "std::future_error \"...\"": an exception's dynamic type, readable, and its message.
std::string type_and_message(const std::exception& e) {
  int status = 0;
  char* name = abi::__cxa_demangle(typeid(e).name(), nullptr, nullptr, &status);
  std::string out = (status == 0 && name != nullptr) ? name : typeid(e).name();
  std::free(name);
  return out + " \"" + e.what() + "\"";
}

// The exception the failing loaders throw: a type of the test's own, so that a waiter handed a copy that lost it
// (a std::exception or std::runtime_error rebuilt from what()) is told apart from the loader's exception.
struct BackendDown : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string describe(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    return ex.what();
  } catch (...) {
    return "an exception not derived from std::exception";
  }
}

// --- values in and out ------------------------------------------------------------------------------

TEST(LruCacheTest, GetReturnsWhatPutStored) {
  Cache cache({.capacity = 64, .shards = 4});
  cache.put(1, 10);
  cache.put(2, 20);
  EXPECT_EQ(cache.get(1), 10) << "get(1) after put(1, 10) returned " << show(cache.get(1))
                              << ": a cache must return what was stored. See " << kSpec << " (API)";
  EXPECT_EQ(cache.get(2), 20) << "get(2) after put(2, 20) must return 20. See " << kSpec;
  EXPECT_EQ(cache.get(3), std::nullopt) << "get(3) of a key never put must return std::nullopt. See " << kSpec;
  cache.put(1, 11);
  EXPECT_EQ(cache.get(1), 11) << "put(1, 11) over an existing key must replace its value. See " << kSpec;
  EXPECT_EQ(cache.size(), 2u) << "two distinct keys were put (one of them twice): size() must be 2. See " << kSpec;
}

TEST(LruCacheTest, RejectsZeroCapacityAndZeroShards) {
  EXPECT_THROW(Cache({.capacity = 0, .shards = 4}), std::invalid_argument)
      << "a cache that can hold nothing is a configuration mistake: the constructor must throw "
         "std::invalid_argument. See "
      << kSpec << " (CacheOptions)";
  EXPECT_THROW(Cache({.capacity = 8, .shards = 0}), std::invalid_argument)
      << "zero shards leaves nowhere to put a key: the constructor must throw std::invalid_argument. See " << kSpec;
}

// --- LRU order --------------------------------------------------------------------------------------

TEST(LruOrderTest, TouchedEntrySurvivesEviction) {
  Cache cache({.capacity = 16, .shards = 4});
  const std::size_t c = cache.shard_capacity(cache.shard_of(0));
  const std::vector<int> keys = same_shard_keys(cache, 0, c + 1);
  for (std::size_t i = 0; i < c; ++i) cache.put(keys[i], keys[i]);  // the shard is now full; keys[0] is oldest
  ASSERT_EQ(cache.get(keys[0]), keys[0]) << "key " << keys[0] << " was just put; get() must find it. See " << kSpec;
  cache.put(keys[c], keys[c]);  // one more in the same shard: the least recently used one must go

  EXPECT_TRUE(cache.contains(keys[0]))
      << "key " << keys[0] << " was the oldest in its shard, but get() made it the most recently used, "
      << "so putting key " << keys[c] << " must evict key " << keys[1] << " instead. A get() that does not "
      << "refresh recency turns the cache into a FIFO. See " << kSpec << " (LRU order)";
  EXPECT_FALSE(cache.contains(keys[1]))
      << "key " << keys[1] << " was the least recently used entry of a full shard when key " << keys[c]
      << " arrived in that shard: it must have been evicted. See " << kSpec << " (LRU order)";
  EXPECT_EQ(cache.stats().evictions, 1u) << "exactly one entry had to make room. See " << kSpec << " (Statistics)";
}

TEST(LruOrderTest, EvictsInLeastRecentlyUsedOrder) {
  Cache cache({.capacity = 16, .shards = 4});
  const std::size_t c = cache.shard_capacity(cache.shard_of(0));
  const std::vector<int> keys = same_shard_keys(cache, 0, 2 * c);
  for (std::size_t i = 0; i < c; ++i) cache.put(keys[i], keys[i]);
  // Touch the c old keys in a scrambled order; that order is now their recency order, oldest first.
  std::vector<int> order(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(c));
  std::mt19937 rng(7);
  std::shuffle(order.begin(), order.end(), rng);
  for (int k : order) ASSERT_TRUE(cache.get(k).has_value()) << "key " << k << " must still be cached. See " << kSpec;

  for (std::size_t i = 0; i < c; ++i) {
    cache.put(keys[c + i], keys[c + i]);
    EXPECT_FALSE(cache.contains(order[i]))
        << "after " << i + 1 << " new key(s) arrived in a full shard, the " << i + 1
        << "th least recently used key (" << order[i] << ") must have been evicted. Eviction follows the "
        << "order of the last get/put, oldest first, within each shard. See " << kSpec << " (LRU order)";
    if (i + 1 < c) {
      EXPECT_TRUE(cache.contains(order[i + 1]))
          << "key " << order[i + 1] << " was used more recently than key " << order[i]
          << " and must outlive it. See " << kSpec << " (LRU order)";
    }
  }
}

TEST(LruOrderTest, PutOverExistingKeyMakesItMostRecent) {
  Cache cache({.capacity = 16, .shards = 4});
  const std::size_t c = cache.shard_capacity(cache.shard_of(0));
  const std::vector<int> keys = same_shard_keys(cache, 0, c + 1);
  for (std::size_t i = 0; i < c; ++i) cache.put(keys[i], keys[i]);
  cache.put(keys[0], -1);  // an overwrite is a use
  cache.put(keys[c], keys[c]);
  EXPECT_EQ(cache.get(keys[0]), -1)
      << "put() over an existing key stores the new value and makes the entry the most recently used, "
      << "so it must survive the next eviction in its shard. See " << kSpec << " (LRU order)";
  EXPECT_FALSE(cache.contains(keys[1])) << "key " << keys[1] << " was the least recently used and must be evicted. See "
                                        << kSpec;
}

TEST(LruOrderTest, TouchedOldestSurvivesInALargeShard) {
  // A shard of 256: an implementation that skips some recency updates (final does, for entries already
  // near the front) must still never evict an entry that was used after everything else in the shard.
  Cache cache({.capacity = 256, .shards = 1});
  const std::size_t c = cache.shard_capacity(cache.shard_of(0));
  for (int k = 0; k < static_cast<int>(c); ++k) cache.put(k, k);
  ASSERT_EQ(cache.get(0), 0) << "key 0 must be cached. See " << kSpec;
  cache.put(static_cast<int>(c), 0);
  EXPECT_TRUE(cache.contains(0)) << "key 0 was the oldest of " << c << " entries, then the most recently read; "
                                 << "the next eviction must take key 1, not key 0. See " << kSpec << " (LRU order)";
  EXPECT_FALSE(cache.contains(1)) << "key 1 was the least recently used and must be evicted. See " << kSpec;
}

TEST(LruOrderTest, ContainsDoesNotChangeRecency) {
  Cache cache({.capacity = 16, .shards = 4});
  const std::size_t c = cache.shard_capacity(cache.shard_of(0));
  const std::vector<int> keys = same_shard_keys(cache, 0, c + 1);
  for (std::size_t i = 0; i < c; ++i) cache.put(keys[i], keys[i]);
  ASSERT_TRUE(cache.contains(keys[0])) << "key " << keys[0] << " was put and must be cached. See " << kSpec;
  cache.put(keys[c], keys[c]);
  EXPECT_FALSE(cache.contains(keys[0]))
      << "contains() is a peek: it must not make key " << keys[0] << " recently used, so that key, the "
      << "oldest in a full shard, must be evicted by the next put in the shard. See " << kSpec << " (API)";
  EXPECT_EQ(cache.stats().hits + cache.stats().misses, 0u)
      << "contains() must not count as a hit or a miss: only get() and get_or_load() do. See " << kSpec;
}

// --- capacity ---------------------------------------------------------------------------------------

TEST(CapacityTest, ShardCapacitiesAddUpToCapacity) {
  for (const auto& [capacity, shards] : {std::pair<std::size_t, std::size_t>{10, 4}, {3, 16}, {64, 8}, {1, 1}}) {
    Cache cache({.capacity = capacity, .shards = shards});
    std::size_t sum = 0;
    for (std::size_t s = 0; s < cache.shard_count(); ++s) {
      EXPECT_GE(cache.shard_capacity(s), 1u) << "shard " << s << " can hold nothing: a key hashed there could "
                                             << "never be cached. Use at most `capacity` shards. See " << kSpec;
      sum += cache.shard_capacity(s);
    }
    EXPECT_EQ(sum, capacity) << "with capacity " << capacity << " and " << shards << " shards, the shards' "
                             << "capacities add up to " << sum << ": they must add up to exactly the capacity, "
                             << "or the cache holds more (or less) than it promises. See " << kSpec << " (Capacity)";
    EXPECT_EQ(cache.capacity(), capacity) << "capacity() must report the configured capacity. See " << kSpec;
  }
}

TEST(CapacityTest, NeverExceeded) {
  Cache cache({.capacity = 100, .shards = 8});
  for (int k = 0; k < 1000; ++k) {
    cache.put(k, k);
    ASSERT_LE(cache.size(), 100u) << "after putting " << k + 1 << " distinct keys the cache holds " << cache.size()
                                  << " entries, more than its capacity of 100. See " << kSpec << " (Capacity)";
  }
  EXPECT_EQ(cache.stats().evictions, 1000u - cache.size())
      << "every key put and no longer held must have been counted as an eviction. See " << kSpec << " (Statistics)";
}

TEST(CapacityTest, NeverExceededUnderConcurrency) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 1000;
  Cache cache({.capacity = 64, .shards = 4});
  conclab::sync::atomic<std::size_t> worst{0};
  conclab::run_threads(kThreads, [&](int t) {
    for (int i = 0; i < kPerThread; ++i) {
      cache.put(t * kPerThread + i, i);
      if (i % 8 == 0) {
        const std::size_t n = cache.size();
        std::size_t w = worst.load();
        while (n > w && !worst.compare_exchange_weak(w, n)) {
        }
      }
    }
  });
  EXPECT_LE(worst.load(), 64u) << "while 4 threads put distinct keys, size() reached " << worst.load()
                               << " in a cache of capacity 64: an insert and its eviction must happen under the "
                               << "same lock, or two threads can both see room. See " << kSpec << " (Capacity)";
  EXPECT_LE(cache.size(), 64u) << "the cache ended above its capacity. See " << kSpec;
}

TEST(CapacityTest, KeysWithACommonStrideSpreadOverTheShards) {
  // Keys that are multiples of a stride (ids 0, 16, 32, ...; 1024-aligned offsets) are common. The shard must
  // depend on every bit of the hash: std::hash<int> is the identity, so `hash % shards` looks only at the low
  // bits, and keys whose low bits agree all land in one shard, which then evicts while the others sit empty.
  for (std::size_t shards : {std::size_t{4}, std::size_t{16}, std::size_t{64}}) {
    Cache cache({.capacity = 4096, .shards = shards});
    for (int stride : {1, static_cast<int>(shards), 16, 64, 1024, 65536}) {
      std::vector<int> per_shard(shards, 0);
      const int keys = 16 * static_cast<int>(shards);  // 16 per shard on average
      for (int i = 0; i < keys; ++i) ++per_shard[cache.shard_of(i * stride)];
      const int busiest = *std::max_element(per_shard.begin(), per_shard.end());
      EXPECT_LE(busiest, 3 * 16)
          << "the keys 0, " << stride << ", " << 2 * stride << ", ... (" << keys << " of them) over " << shards
          << " shards put " << busiest << " keys in one shard, where 16 is the average"
          << (busiest == keys ? " (all of them: shard_of() gives every key the same shard)" : "")
          << ". The shard must depend on every bit of the hash; std::hash<int> is the identity, so `hash % shards` "
          << "sees only the low bits and strided keys pile up in a few shards: mix all the bits first (multiply by "
          << "an odd 64-bit constant and take the high bits). See " << kSpec << " (Shards and capacity; Traps)";
    }
  }
}

// --- erase ------------------------------------------------------------------------------------------

TEST(EraseTest, EraseRemovesAndReportsWhetherItWasThere) {
  Cache cache({.capacity = 16, .shards = 4});
  cache.put(5, 50);
  EXPECT_TRUE(cache.erase(5)) << "erase(5) of a cached key must return true. See " << kSpec << " (API)";
  EXPECT_EQ(cache.get(5), std::nullopt) << "after erase(5), get(5) must miss. See " << kSpec;
  EXPECT_FALSE(cache.erase(5)) << "erase(5) of a key no longer cached must return false. See " << kSpec;
  EXPECT_EQ(cache.size(), 0u) << "an erased entry must not be counted by size(). See " << kSpec;
  EXPECT_EQ(cache.stats().evictions, 0u) << "an erase is not an eviction. See " << kSpec << " (Statistics)";
}

// --- get_or_load and single-flight ------------------------------------------------------------------

TEST(GetOrLoadTest, LoadsOnMissAndCachesTheValue) {
  Cache cache({.capacity = 16, .shards = 4});
  int calls = 0;
  auto loader = [&](const int& key) {
    ++calls;
    return key * 100;
  };
  EXPECT_EQ(cache.get_or_load(7, loader), 700) << "get_or_load(7, loader) must return loader(7). See " << kSpec;
  EXPECT_EQ(cache.get_or_load(7, loader), 700) << "the second call must return the cached value. See " << kSpec;
  EXPECT_EQ(calls, 1) << "the loader ran " << calls << " times for two calls on one key: the second must be a hit "
                      << "and must not call the loader. See " << kSpec << " (get_or_load)";
  EXPECT_EQ(cache.get(7), 700) << "a loaded value must be cached, visible to get(). See " << kSpec;
  cache.put(8, 1);
  EXPECT_EQ(cache.get_or_load(8, loader), 1) << "get_or_load on a key that was put must return the stored value "
                                             << "without loading. See " << kSpec;
  EXPECT_EQ(calls, 1) << "get_or_load on a cached key must not call the loader. See " << kSpec;
}

TEST(SingleFlightTest, LoaderRunsOnceForConcurrentMisses) {
  constexpr int kCallers = 8;
  Cache cache({.capacity = 64, .shards = 4});
  conclab::sync::atomic<int> calls{0};
  std::vector<int> got(kCallers, 0);
  Watchdog dog;
  MissWatcher watcher(cache, kCallers);
  conclab::run_threads(kCallers, [&](int i) {
    got[static_cast<std::size_t>(i)] = cache.get_or_load(42, [&](const int& key) {
      calls.fetch_add(1);
      watcher.wait(dog);  // every caller has missed: all are inside get_or_load now
      return key + 1;
    });
  });
  EXPECT_EQ(calls.load(), 1)
      << kCallers << " threads missed key 42 at the same time and the loader ran " << calls.load() << " times. "
      << "With single-flight the first caller loads and the others wait for its result; without it, every "
      << "miss hits the backing store (a cache stampede). See " << kSpec << " (get_or_load, single-flight)";
  for (int i = 0; i < kCallers; ++i) {
    EXPECT_EQ(got[static_cast<std::size_t>(i)], 43)
        << "caller " << i << " got " << got[static_cast<std::size_t>(i)] << ": every waiter must receive the "
        << "value the one load produced. See " << kSpec;
  }
  EXPECT_EQ(cache.stats().loads, 1u) << "stats().loads must count loader runs that returned. See " << kSpec;
}

TEST(SingleFlightTest, ExceptionReachesEveryWaiter) {
  constexpr int kCallers = 8;
  Cache cache({.capacity = 64, .shards = 4});
  conclab::sync::atomic<int> calls{0};
  conclab::sync::atomic<int> saw_exception{0};
  conclab::sync::mutex mu;
  std::string other;  // what a caller got instead, if any (guarded by mu)
  // Each caller keeps its exception until every thread is joined: they share one exception object, whose last
  // reference must go on this thread (libstdc++'s reference count is invisible to ThreadSanitizer).
  std::vector<std::exception_ptr> keep(kCallers);
  Watchdog dog;
  MissWatcher watcher(cache, kCallers);
  conclab::run_threads(kCallers, [&](int i) {
    std::string got;
    try {
      cache.get_or_load(9, [&](const int&) -> int {
        calls.fetch_add(1);
        watcher.wait(dog);
        throw BackendDown("backing store is down");
      });
      got = "a value";
    } catch (const BackendDown& e) {
      keep[static_cast<std::size_t>(i)] = std::current_exception();
      if (std::string(e.what()) == "backing store is down") saw_exception.fetch_add(1);
      return;
    } catch (const std::exception& e) {
      keep[static_cast<std::size_t>(i)] = std::current_exception();
      got = type_and_message(e);
    } catch (...) {
      keep[static_cast<std::size_t>(i)] = std::current_exception();
      got = "an exception not derived from std::exception";
    }
    conclab::sync::lock_guard lock(mu);
    if (other.empty()) other = got;
  });
  EXPECT_EQ(calls.load(), 1) << kCallers << " concurrent misses on key 9 ran the loader " << calls.load()
                             << " times: one load, and everybody waits for its outcome, even when that "
                             << "outcome is an exception. See " << kSpec << " (get_or_load, single-flight)";
  EXPECT_EQ(saw_exception.load(), kCallers)
      << "only " << saw_exception.load() << " of " << kCallers << " callers got the loader's exception, a BackendDown "
      << "(derived from std::runtime_error); another got " << other << ". The leader must rethrow it and every "
      << "waiter must receive that same exception object, type and all: pass the std::exception_ptr on (a "
      << "conclab::sync::shared_future does it once the leader calls set_exception). A promise destroyed unfulfilled "
      << "hands its waiters std::future_error(broken_promise) instead, and a copy made through std::exception& or "
      << "e.what() loses the type (slicing). See " << kSpec << " (get_or_load)";
}

TEST(SingleFlightTest, FailedLoadIsNotCached) {
  Cache cache({.capacity = 16, .shards = 4});
  int calls = 0;
  EXPECT_THROW(cache.get_or_load(3,
                                 [&](const int&) -> int {
                                   ++calls;
                                   throw std::runtime_error("boom");
                                 }),
               std::runtime_error)
      << "the loader's exception must reach the caller of get_or_load. See " << kSpec;
  EXPECT_FALSE(cache.contains(3)) << "a load that threw must leave nothing cached. See " << kSpec << " (get_or_load)";
  EXPECT_EQ(cache.get_or_load(3,
                              [&](const int&) {
                                ++calls;
                                return 30;
                              }),
            30)
      << "after a failed load, the next get_or_load must try again, not replay the old failure. See " << kSpec;
  EXPECT_EQ(calls, 2) << "the second get_or_load must run its loader: failures are not cached. See " << kSpec;
  EXPECT_EQ(cache.stats().load_failures, 1u) << "stats().load_failures must count the throw. See " << kSpec;
  EXPECT_EQ(cache.stats().loads, 1u) << "stats().loads must count the one load that returned. See " << kSpec;
}

TEST(SingleFlightTest, PutDuringLoadWins) {
  Cache cache({.capacity = 16, .shards = 4});
  Watchdog dog;
  Signal loading;
  Signal release;
  int leader_got = 0;
  std::exception_ptr error;
  conclab::sync::jthread leader([&] {
    try {
      leader_got = cache.get_or_load(1, [&](const int&) {
        loading.raise();
        release.wait(dog, write_blocked_by_load("put(1, 7)"));
        return 5;  // read from the backing store before the put below: now outdated
      });
    } catch (...) {
      error = std::current_exception();
      loading.raise();
    }
  });
  loading.wait(dog, kLoaderNeverCalled);
  cache.put(1, 7);  // a newer value arrives while the load is still running
  release.raise();
  leader.join();
  ASSERT_FALSE(error) << "get_or_load threw: " << describe(error) << ". See " << kSpec << " (get_or_load)";
  EXPECT_EQ(leader_got, 5) << "the caller that ran the loader gets the value it loaded. See " << kSpec;
  EXPECT_EQ(cache.get(1), 7)
      << "put(1, 7) happened while a load of key 1 was running; when the load finished it overwrote the newer "
      << "value with its older one (got " << show(cache.get(1)) << "). A load must not store its result if a "
      << "put or erase of the key happened meanwhile. See " << kSpec << " (get_or_load, races with put and erase)";
}

TEST(SingleFlightTest, EraseDuringLoadWins) {
  Cache cache({.capacity = 16, .shards = 4});
  Watchdog dog;
  Signal loading;
  Signal release;
  std::exception_ptr error;
  conclab::sync::jthread leader([&] {
    try {
      cache.get_or_load(1, [&](const int&) {
        loading.raise();
        release.wait(dog, write_blocked_by_load("erase(1)"));
        return 5;
      });
    } catch (...) {
      error = std::current_exception();
      loading.raise();
    }
  });
  loading.wait(dog, kLoaderNeverCalled);
  cache.erase(1);  // e.g. the row was deleted in the backing store: the load in progress is outdated
  release.raise();
  leader.join();
  ASSERT_FALSE(error) << "get_or_load threw: " << describe(error) << ". See " << kSpec << " (get_or_load)";
  EXPECT_FALSE(cache.contains(1))
      << "erase(1) happened while a load of key 1 was running, and the finished load stored its (deleted) "
      << "value anyway. See " << kSpec << " (get_or_load, races with put and erase)";
}

TEST(SingleFlightTest, MissAfterEraseStartsAFreshLoad) {
  Cache cache({.capacity = 16, .shards = 4});
  Watchdog dog;
  Signal loading;
  Signal release;
  std::exception_ptr old_error;
  conclab::sync::jthread old_load([&] {
    try {
      cache.get_or_load(1, [&](const int&) {
        loading.raise();
        release.wait(dog, write_blocked_by_load("erase(1)"));
        return 5;  // loaded before the erase below: outdated
      });
    } catch (...) {
      old_error = std::current_exception();
      loading.raise();
    }
  });
  loading.wait(dog, kLoaderNeverCalled);
  cache.erase(1);
  conclab::sync::atomic<int> fresh_loads{0};
  conclab::sync::atomic<bool> second_failed{false};
  std::exception_ptr second_error;
  int second = 0;
  conclab::sync::jthread second_caller([&] {
    try {
      second = cache.get_or_load(1, [&](const int&) {
        fresh_loads.fetch_add(1);
        return 9;
      });
    } catch (...) {
      second_error = std::current_exception();
      second_failed.store(true);
    }
  });
  // Wait until the second caller has missed: from then on it either loads or waits for the old load.
  dog.wait([&] { return cache.stats().misses >= 2 || second_failed.load(); },
           [&] {
             return "the test waited for its second get_or_load of key 1, called after erase(1), to be counted as a "
                    "miss, and stats().misses is still " + std::to_string(cache.stats().misses) + " (2 expected). A "
                    "get_or_load that misses must count the miss before it loads or waits. See " +
                    std::string(kSpec) + " (Statistics)";
           });
  release.raise();
  second_caller.join();
  old_load.join();
  ASSERT_FALSE(old_error) << "get_or_load threw: " << describe(old_error) << ". See " << kSpec << " (get_or_load)";
  ASSERT_FALSE(second_error) << "get_or_load threw: " << describe(second_error) << ". See " << kSpec;
  EXPECT_EQ(fresh_loads.load(), 1)
      << "erase(1) superseded the load of key 1 that was running; a get_or_load of key 1 after the erase must "
      << "start a load of its own, not wait for the outdated one. See " << kSpec
      << " (get_or_load, races with put and erase)";
  EXPECT_EQ(second, 9) << "the get_or_load after the erase returned " << second << ", not its own load's value 9. See "
                       << kSpec;
}

TEST(SingleFlightTest, LoadsRunWithoutTheShardLock) {
  // Two keys in one shard, loaded by two threads; B calls get_or_load only once loader A runs, and loader
  // A cannot finish until loader B has started. If get_or_load held the shard's lock (or any cache-wide
  // lock) while a loader runs, B could never start, and every slow load would stall every other key in its
  // shard; the watchdog then fails the test and lets A finish, so that B can run after it.
  Cache cache({.capacity = 64, .shards = 4});
  const std::vector<int> keys = same_shard_keys(cache, 100, 2);
  Watchdog dog;
  Signal a_started;
  Signal b_started;
  int a = 0;
  int b = 0;
  std::exception_ptr error_a;
  std::exception_ptr error_b;
  {
    conclab::sync::jthread ta([&] {
      try {
        a = cache.get_or_load(keys[0], [&](const int&) {
          a_started.raise();
          b_started.wait(dog, "loader A (key " + std::to_string(keys[0]) + ") waited for loader B (key " +
                                  std::to_string(keys[1]) + ", same shard, another thread) to start, and B never "
                                  "started: get_or_load holds the shard's lock (or a cache-wide lock) while the loader "
                                  "runs, so one slow load stalls every other key of its shard, hits included. Unlock "
                                  "before calling the loader, and lock again to store its value. See " +
                                  std::string(kSpec) + " (get_or_load; Traps)");
          return 1;
        });
      } catch (...) {
        error_a = std::current_exception();
        a_started.raise();
      }
    });
    conclab::sync::jthread tb([&] {
      a_started.wait(dog, kLoaderNeverCalled);
      try {
        b = cache.get_or_load(keys[1], [&](const int&) {
          b_started.raise();
          return 2;
        });
      } catch (...) {
        error_b = std::current_exception();
        b_started.raise();
      }
    });
  }
  ASSERT_FALSE(error_a) << "get_or_load threw: " << describe(error_a) << ". See " << kSpec << " (get_or_load)";
  ASSERT_FALSE(error_b) << "get_or_load threw: " << describe(error_b) << ". See " << kSpec << " (get_or_load)";
  EXPECT_EQ(a, 1) << "get_or_load(" << keys[0] << ") returned " << a << ", but its loader, the only one that ran for "
                  << "that key, returned 1: the leader must return the value it loaded. See " << kSpec << " (get_or_load)";
  EXPECT_EQ(b, 2) << "get_or_load(" << keys[1] << ") returned " << b << ", but its loader, the only one that ran for "
                  << "that key, returned 2: the leader must return the value it loaded. See " << kSpec << " (get_or_load)";
}

// --- time to live -----------------------------------------------------------------------------------

TEST(TtlTest, EntryLivesUntilItsTtlEnds) {
  conclab::FakeClock clock;
  TimedCache cache({.capacity = 16, .shards = 2, .ttl = 10s}, clock);
  cache.put(1, 10);
  clock.advance(10s - 1ns);
  EXPECT_EQ(cache.get(1), 10) << "an entry put with a 10 s TTL must still be there 1 ns before 10 s. See " << kSpec
                              << " (TTL)";
  clock.advance(1ns);
  EXPECT_EQ(cache.get(1), std::nullopt)
      << "exactly 10 s after put(), an entry with a 10 s TTL has expired: get() must miss. The cache must ask "
      << "its clock for the time (here a conclab::FakeClock), not std::chrono::steady_clock. See " << kSpec << " (TTL)";
  EXPECT_EQ(cache.stats().expirations, 1u) << "the expired entry must be counted in stats().expirations. See " << kSpec;
  EXPECT_EQ(cache.size(), 0u) << "a get() that finds an expired entry removes it. See " << kSpec << " (TTL)";
}

TEST(TtlTest, PutRestartsTheTtl) {
  conclab::FakeClock clock;
  TimedCache cache({.capacity = 16, .shards = 2, .ttl = 10s}, clock);
  cache.put(1, 10);
  clock.advance(6s);
  cache.put(1, 11);  // a fresh value: its 10 s start now
  clock.advance(6s);
  EXPECT_EQ(cache.get(1), 11)
      << "key 1 was put again 6 s ago with a 10 s TTL, so it must be live; it missed, which means the "
      << "overwrite kept the first put's deadline. Every put() stores a fresh value with a fresh TTL. See "
      << kSpec << " (TTL)";
}

TEST(TtlTest, GetDoesNotExtendTheTtl) {
  conclab::FakeClock clock;
  TimedCache cache({.capacity = 16, .shards = 2, .ttl = 10s}, clock);
  cache.put(1, 10);
  clock.advance(6s);
  ASSERT_EQ(cache.get(1), 10) << "6 s into a 10 s TTL the entry must be live. See " << kSpec;
  clock.advance(4s);
  EXPECT_EQ(cache.get(1), std::nullopt)
      << "10 s after the put the entry must have expired even though it was read at 6 s: the TTL bounds how "
      << "stale a value may be, so reads must not extend it. See " << kSpec << " (TTL)";
}

TEST(TtlTest, ExpiredEntryIsReloaded) {
  conclab::FakeClock clock;
  TimedCache cache({.capacity = 16, .shards = 2, .ttl = 5s}, clock);
  int calls = 0;
  auto loader = [&](const int&) { return ++calls; };
  EXPECT_EQ(cache.get_or_load(4, loader), 1) << "the first get_or_load loads. See " << kSpec;
  clock.advance(4s);
  EXPECT_EQ(cache.get_or_load(4, loader), 1) << "4 s into a 5 s TTL the loaded value is still live. See " << kSpec;
  clock.advance(1s);
  EXPECT_EQ(cache.get_or_load(4, loader), 2)
      << "5 s after it was loaded the value has expired: get_or_load must load again, not return the stale value. "
      << "See " << kSpec << " (TTL)";
  EXPECT_EQ(calls, 2) << "the loader must have run twice. See " << kSpec;
}

TEST(TtlTest, ZeroTtlNeverExpires) {
  conclab::FakeClock clock;
  TimedCache cache({.capacity = 16, .shards = 2}, clock);
  cache.put(1, 10);
  clock.advance(std::chrono::hours(24 * 365));
  EXPECT_EQ(cache.get(1), 10) << "with ttl == 0 (the default) entries never expire. See " << kSpec << " (TTL)";
}

// --- statistics -------------------------------------------------------------------------------------

TEST(StatsTest, CountsEveryOutcome) {
  conclab::FakeClock clock;
  TimedCache cache({.capacity = 2, .shards = 1, .ttl = 10s}, clock);
  cache.put(1, 1);
  cache.put(2, 2);
  cache.get(1);                                        // hit
  cache.get(3);                                        // miss
  cache.put(3, 3);                                     // evicts 2
  cache.get_or_load(4, [](const int&) { return 4; });  // miss, load, evicts 1
  try {
    cache.get_or_load(5, [](const int&) -> int { throw std::runtime_error("x"); });  // miss, failure
  } catch (const std::runtime_error&) {
  }
  clock.advance(10s);
  cache.get(3);  // expired: miss
  lab::CacheStats want;
  want.hits = 1;
  want.misses = 4;
  want.loads = 1;
  want.load_failures = 1;
  want.evictions = 2;
  want.expirations = 1;
  const lab::CacheStats got = cache.stats();
  EXPECT_EQ(got, want) << "after a scripted sequence the statistics are hits=" << got.hits << " misses=" << got.misses
                       << " loads=" << got.loads << " load_failures=" << got.load_failures
                       << " evictions=" << got.evictions << " expirations=" << got.expirations
                       << "; expected hits=1 misses=4 loads=1 load_failures=1 evictions=2 expirations=1. "
                       << "See " << kSpec << " (Statistics) for what each counts.";
}

TEST(StatsTest, ShardStatsAddUpToTheTotal) {
  Cache cache({.capacity = 32, .shards = 4});
  for (int k = 0; k < 200; ++k) {
    cache.put(k % 50, k);
    cache.get((k * 7) % 60);
  }
  const std::vector<lab::CacheStats> per_shard = cache.shard_stats();
  EXPECT_EQ(per_shard.size(), cache.shard_count()) << "shard_stats() must have one entry per shard. See " << kSpec;
  lab::CacheStats sum;
  for (const lab::CacheStats& s : per_shard) sum += s;
  EXPECT_EQ(sum, cache.stats()) << "stats() must be the sum of shard_stats(). See " << kSpec << " (Statistics)";
  EXPECT_EQ(sum.hits + sum.misses, 200u) << "200 get() calls must count 200 hits and misses in total. See " << kSpec;
}

// --- stress -----------------------------------------------------------------------------------------

TEST(StressTest, InvariantsHoldUnderAConcurrentMix) {
  // Four threads run a random mix of every operation on 256 keys in a cache of 32. Values encode their
  // key (value / 1000 == key), so a value returned for the wrong key, or half-written, shows up.
  constexpr int kThreads = 4;
  constexpr int kOps = 1500;
  Cache cache({.capacity = 32, .shards = 4});
  conclab::sync::atomic<std::uint64_t> lookups{0};
  conclab::sync::atomic<int> wrong{0};
  conclab::sync::atomic<int> first_wrong_key{-1};
  conclab::run_threads(kThreads, [&](int t) {
    std::mt19937 rng(static_cast<unsigned>(t) + 1);
    std::uint64_t my_lookups = 0;
    for (int i = 0; i < kOps; ++i) {
      const int key = static_cast<int>(rng() % 256);
      std::optional<int> v;
      switch (rng() % 6) {
        case 0:
        case 1: v = cache.get(key); ++my_lookups; break;
        case 2: cache.put(key, key * 1000 + t); break;
        case 3: cache.erase(key); break;
        case 4: (void)cache.contains(key); break;
        default: v = cache.get_or_load(key, [](const int& k) { return k * 1000 + 999; }); ++my_lookups; break;
      }
      if (v && *v / 1000 != key) {
        wrong.fetch_add(1);
        first_wrong_key.store(key);
      }
    }
    lookups.fetch_add(my_lookups);
  });
  EXPECT_EQ(wrong.load(), 0) << wrong.load() << " lookups returned a value that belongs to another key (e.g. for key "
                             << first_wrong_key.load() << "): the index and the LRU list went out of step. See "
                             << kSpec;
  EXPECT_LE(cache.size(), 32u) << "after the mix the cache holds " << cache.size() << " entries, over its capacity "
                               << "of 32. See " << kSpec << " (Capacity)";
  const lab::CacheStats s = cache.stats();
  EXPECT_EQ(s.hits + s.misses, lookups.load())
      << "the threads made " << lookups.load() << " get/get_or_load calls but the statistics count "
      << s.hits + s.misses << " hits and misses: counters updated without the lock lose increments. See " << kSpec
      << " (Statistics)";
}

TEST(StressTest, NoLostUpdates) {
  // Each thread owns 64 keys and writes increasing versions to them, while reading the other threads'
  // keys. The cache is big enough never to evict. A reader must never see a key's version go back, and
  // at the end every key must hold its writer's last version.
  constexpr int kThreads = 4;
  constexpr int kKeysPerThread = 64;
  constexpr int kRounds = 25;
  Cache cache({.capacity = 4096, .shards = 16});
  conclab::sync::atomic<int> went_back{0};
  conclab::run_threads(kThreads, [&](int t) {
    std::vector<int> last_seen(kThreads * kKeysPerThread, -1);
    for (int round = 0; round < kRounds; ++round) {
      for (int i = 0; i < kKeysPerThread; ++i) cache.put(t * kKeysPerThread + i, round);
      for (int other = 0; other < kThreads; ++other) {
        if (other == t) continue;
        for (int i = 0; i < kKeysPerThread; i += 5) {
          const int key = other * kKeysPerThread + i;
          if (std::optional<int> v = cache.get(key)) {
            int& seen = last_seen[static_cast<std::size_t>(key)];
            if (*v < seen) went_back.fetch_add(1);
            seen = *v;
          }
        }
      }
    }
  });
  EXPECT_EQ(went_back.load(), 0) << "a reader saw a key's value go back to an older version " << went_back.load()
                                 << " times: each key has one writer and its versions only grow. See " << kSpec;
  int lost = 0;
  int example = -1;
  for (int key = 0; key < kThreads * kKeysPerThread; ++key) {
    if (cache.get(key) != kRounds - 1) {
      ++lost;
      example = key;
    }
  }
  EXPECT_EQ(lost, 0) << lost << " keys do not hold their last written version (e.g. key " << example
                     << "): a put was lost, though the cache (capacity 4096) never had to evict. See " << kSpec;
  EXPECT_EQ(cache.stats().evictions, 0u) << "256 keys in a cache of 4096 must not cause evictions. See " << kSpec;
}

// ---- Sim tests: single-flight under every schedule (conclab/sim; 20 plain runs in the other builds). The loader
// counts its calls with an atomic, so the explorer can also switch threads while a load runs.

CONCLAB_SIM_TEST(SingleFlightTest, AWaiterThatAsksAgainFindsTheLoadedValue) {
  Cache cache(lab::CacheOptions{.capacity = 8, .shards = 1});
  conclab::sync::atomic<int> loads{0};
  auto loader = [&](const int& key) {
    loads.fetch_add(1);
    return key * 10;
  };
  {
    conclab::sync::jthread leader([&] { EXPECT_EQ(cache.get_or_load(7, loader), 70); });
    EXPECT_EQ(cache.get_or_load(7, loader), 70);
    EXPECT_EQ(cache.get_or_load(7, loader), 70);  // this thread has the value: the cache must have it too
  }
  EXPECT_EQ(loads.load(), 1)
      << "the loader ran " << loads.load() << " times for one key and no put/erase. In the schedule below a "
      << "waiter got the value, asked again, and missed: the leader handed the value to its waiters before "
      << "storing it in the cache. Store it under the lock first, then wake the waiters (" << kSpec << ", Traps)";
}

CONCLAB_SIM_TEST(SingleFlightTest, ALoadSupersededByEraseLeavesTheNextLoadAlone) {
  conclab::sim::explain(
      "the threads wait for each other. Load A's loader waits until load B (same key, started after erase(7)) "
      "is running. If erase() cannot get in while A's loader runs, get_or_load holds the shard's lock around "
      "the loader; if B never starts, the miss after erase(7) waited for the load erase() superseded instead "
      "of starting its own (" + std::string(kSpec) + ", get_or_load: races with put and erase; Traps)");
  // Load A of key 7 starts; an erase supersedes it; load B of 7 starts and is still running when A finishes;
  // then one more miss of 7 must find B and wait for it. Latches put the loads in that order (on every schedule),
  // and the explorer tries every interleaving around them: two loads at most, never a third.
  Cache cache(lab::CacheOptions{.capacity = 8, .shards = 1});
  conclab::sync::atomic<int> loads{0};
  conclab::sync::latch a_running(1), b_running(1), a_finished(1);
  auto loader_a = [&](const int& key) {
    loads.fetch_add(1);
    a_running.count_down();
    b_running.wait();  // B has registered its flight before A finishes
    return key * 10;
  };
  auto loader_b = [&](const int& key) {
    loads.fetch_add(1);
    b_running.count_down();
    a_finished.wait();  // B is still running when A finishes and when the next miss comes
    return key * 10;
  };
  auto loader_c = [&](const int& key) {
    loads.fetch_add(1);
    return key * 10;
  };
  conclab::sync::jthread first([&] {
    (void)cache.get_or_load(7, loader_a);
    a_finished.count_down();
  });
  a_running.wait();
  cache.erase(7);  // supersedes A
  conclab::sync::jthread second([&] { (void)cache.get_or_load(7, loader_b); });
  a_finished.wait();
  (void)cache.get_or_load(7, loader_c);  // must join B (or, once B is done, hit)
  second.join();
  EXPECT_LE(loads.load(), 2)
      << "the loader ran " << loads.load() << " times around one erase. In the schedule below the superseded "
      << "leader, finishing, removed the *new* load's Flight (found by key) from the shard, so the next miss saw no "
      << "load running and started another. A leader removes only its own Flight, and only if it was not "
      << "superseded (" << kSpec << ", Traps)";
}

CONCLAB_SIM_TEST(SingleFlightTest, LoadsOfTwoKeysInOneShardOverlap) {
  conclab::sim::explain(
      "the two loads wait for each other. Loader A (key 1) does not return until loader B (key 2, the same shard, "
      "another thread) has started, and B's get_or_load could not get in while A's loader ran: get_or_load holds "
      "the shard's lock (or a cache-wide lock) around the loader, so one slow load stalls every call on its shard, "
      "hits included. Unlock before calling the loader and lock again to store its value (" +
      std::string(kSpec) + ", get_or_load; Traps)");
  Cache cache(lab::CacheOptions{.capacity = 8, .shards = 1});
  conclab::sync::latch a_running(1);
  conclab::sync::latch b_running(1);
  int a = 0;
  int b = 0;
  {
    conclab::sync::jthread first([&] {
      a = cache.get_or_load(1, [&](const int&) {
        a_running.count_down();
        b_running.wait();
        return 10;
      });
    });
    a_running.wait();
    b = cache.get_or_load(2, [&](const int&) {
      b_running.count_down();
      return 20;
    });
  }
  EXPECT_EQ(a, 10) << "get_or_load(1) must return what its loader returned. See " << kSpec << " (get_or_load)";
  EXPECT_EQ(b, 20) << "get_or_load(2) must return what its loader returned. See " << kSpec << " (get_or_load)";
}

CONCLAB_SIM_TEST(SingleFlightTest, ALoaderExceptionReachesTheWaiter) {
  conclab::sim::explain(
      "a caller of get_or_load never came back. The loader threw, and the leader passed the exception on to its own "
      "caller without waking the callers waiting for the same load: they wait for an outcome nobody will hand them. "
      "A failed load is an outcome too: mark the load done with its exception and wake every waiter (" +
      std::string(kSpec) + ", get_or_load)");
  Cache cache(lab::CacheOptions{.capacity = 8, .shards = 1});
  conclab::sync::atomic<int> loads{0};
  auto failing_loader = [&](const int&) -> int {
    loads.fetch_add(1);
    throw BackendDown("backing store is down");
  };
  // Each caller keeps its exception_ptr until both have been joined: the two threads catch one exception object,
  // and its last reference must go on this thread (libstdc++'s reference count is invisible to ThreadSanitizer).
  auto call = [&](std::exception_ptr& keep) -> std::string {
    try {
      (void)cache.get_or_load(7, failing_loader);
      return "a value";
    } catch (const BackendDown& e) {
      keep = std::current_exception();
      return e.what();
    } catch (const std::exception& e) {
      keep = std::current_exception();
      return "another exception, " + type_and_message(e);
    } catch (...) {
      keep = std::current_exception();
      return "an exception not derived from std::exception";
    }
  };
  std::exception_ptr keep_a;
  std::exception_ptr keep_b;
  std::string a;
  std::string b;
  {
    conclab::sync::jthread other([&] { b = call(keep_b); });
    a = call(keep_a);
  }
  for (const std::string& got : {a, b}) {
    EXPECT_EQ(got, "backing store is down")
        << "a caller of get_or_load got " << got << " instead of the loader's BackendDown(\"backing store is "
        << "down\"), a type derived from std::runtime_error. In the schedule below it waited for another thread's "
        << "load, which threw: the leader must hand that same exception object, type and all, to every waiter "
        << "(pass the std::exception_ptr on, or the promise's set_exception; a promise destroyed unfulfilled gives "
        << "its waiters std::future_error(broken_promise), and a copy made through std::exception& or e.what() "
        << "loses the type). See " << kSpec << " (get_or_load)";
  }
}

CONCLAB_SIM_TEST(StatsTest, ConcurrentMissesAreAllCounted) {
  Cache cache(lab::CacheOptions{.capacity = 8, .shards = 1});
  {
    conclab::sync::jthread other([&] { (void)cache.get(1); });
    (void)cache.get(2);
  }
  const lab::CacheStats s = cache.stats();
  EXPECT_EQ(s.misses, 2u)
      << "two threads each called get() once on an empty cache and stats().misses is " << s.misses
      << ": a count was lost. Counting is a read, an add and a write of memory the shard's threads share: do it "
         "under the shard's lock, inside the critical section that found the miss. See "
      << kSpec << " (Statistics; Traps)";
  EXPECT_EQ(s.hits, 0u) << "nothing was ever put, so nothing can be a hit. See " << kSpec << " (Statistics)";
}

// A value whose copies throw when it says so (its moves never do). A load that returns Fragile{v, true} succeeds,
// but the cache cannot keep a copy of it: its own store() throws, after the loader returned.
struct Fragile {
  int v = 0;
  bool copies_throw = false;
  Fragile(int value, bool throws) : v(value), copies_throw(throws) {}
  Fragile(const Fragile& o) : v(o.v), copies_throw(o.copies_throw) {
    if (copies_throw) throw std::runtime_error("a copy of this Fragile value throws");
  }
  Fragile(Fragile&&) noexcept = default;
  Fragile& operator=(const Fragile& o) {
    if (o.copies_throw) throw std::runtime_error("a copy of this Fragile value throws");
    v = o.v;
    copies_throw = o.copies_throw;
    return *this;
  }
  Fragile& operator=(Fragile&&) noexcept = default;
};

CONCLAB_SIM_TEST(SingleFlightTest, AStoreThatThrowsStillReleasesTheWaiters) {
  conclab::sim::explain(
      "a caller of get_or_load never came back. The loader returned, but storing its value threw (the Value's copy "
      "throws), and the exception left the leader's get_or_load before it told its waiters the load was over: they "
      "wait for a Flight that nobody will finish (and if the Flight lived in the leader's frame, it is gone). "
      "Whatever happens after the loader returns, every waiter must be woken with an outcome: catch the store's "
      "exception and hand it to the waiters as the load's outcome, or finish the Flight in a scope guard (" +
      std::string(kSpec) + ", get_or_load)");
  lab::LruCache<int, Fragile> cache(lab::CacheOptions{.capacity = 8, .shards = 1});
  conclab::sync::atomic<int> loads{0};
  auto fragile_loader = [&](const int& key) {
    loads.fetch_add(1);
    return Fragile(key * 10, /*throws=*/true);
  };
  auto call = [&] {
    try {
      return cache.get_or_load(7, fragile_loader).v;
    } catch (const std::exception&) {
      return -1;  // the store's exception (or any other) is an acceptable outcome; not coming back is not
    }
  };
  int a = 0;
  int b = 0;
  {
    conclab::sync::jthread other([&] { b = call(); });
    a = call();
  }
  EXPECT_TRUE((a == 70 || a == -1) && (b == 70 || b == -1))
      << "the two callers got " << a << " and " << b << ": each must get the loaded value (70) or an exception";
  auto good_loader = [](const int& key) { return Fragile(key * 10 + 1, /*throws=*/false); };
  int after = 0;
  try {
    after = cache.get_or_load(7, good_loader).v;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "get_or_load after the failed store threw: " << e.what();
  }
  EXPECT_EQ(after, 71) << "after a load whose store threw, the next get_or_load of the key must run its own loader "
                       << "(nothing was cached, and no load is running any more): got " << after
                       << ". A Flight left registered in the shard makes later callers wait for a load that is over ("
                       << kSpec << ", get_or_load)";
}

}  // namespace
