// P01 rate limiter, WRONG (lazy-shard-relaxed-publish): KeyedLimiter allocates each shard on first use and
// publishes the pointer with a relaxed compare-and-swap; callers load it relaxed.
//
// Why it looks right: 256 shards, each a mutex and a map, is memory for nothing in a service with ten
// clients, so a shard is made when a key first lands in it. The CAS makes sure only one shard is installed
// per slot (the loser deletes its own and uses the winner's), and every access to the shard's map is under
// the shard's mutex. "The pointer is atomic, so relaxed is enough." Why it is wrong: the pointer is not the
// only thing published: the Shard it points to (its map, its mutex, its sweep time) was built with plain
// writes just before the CAS. A relaxed store/load pair orders nothing, so a thread that loads the pointer
// may use the shard before it sees the writes that built it: it locks the mutex and reads the map while the
// constructor's writes are, for it, still in the future. (The mutex does not help when the reader gets it
// first: no unlock of the builder comes before its lock.) On x86 the hardware happens to keep the order and
// ThreadSanitizer needs that exact interleaving; the explorer checks every access against happens-before and
// reports the data race on every run: KeyedLimiterTest.TwoFirstCallsOnANewLimiter.
// The fix: publish with release and read with acquire (`compare_exchange_strong(expected, fresh, acq_rel,
// acquire)`, `load(acquire)`), so that building the shard happens-before any use of it; or build every
// shard in the constructor (final).
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <memory>
#include <unordered_map>

#include <conclab/annotated_mutex.hpp>
#include <conclab/fake_clock.hpp>
#include <limiter_common.hpp>
#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

namespace detail {

// A cache line on the x86-64 and ARM cores this course targets. (std::hardware_destructive_interference_size
// says the same, but g++ 12 warns whenever a header uses it, because its value may differ between
// compiler flags and so break the ABI.)
inline constexpr std::size_t kCacheLine = 64;

inline void check_count(std::int64_t n) {
  if (n < 0) throw std::invalid_argument("rate limiter: a negative number of tokens makes no sense");
}

inline std::int64_t ticks(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// One token bucket as one atomic word: zero_at_, the clock time (ns) at which the bucket held, or will
// hold, zero tokens. Lock-free; safe to call from any number of threads at once.
//
// Why one word is enough: tokens(now) = min(burst, (now - zero_at) / interval). A full bucket is any
// zero_at <= now - capacity (capacity = burst * interval); "time passing" changes nothing in memory.
//
// Memory order: every operation is relaxed. The word is the bucket's whole state and publishes no other
// memory, so no acquire/release pairing is needed; the CAS alone makes each take see the latest value
// (read-modify-writes of one atomic are totally ordered), which is what stops two callers from spending
// the same token.
//
// Not cache-line aligned itself: it is also the value of every node of KeyedLimiter's maps, where padding
// would double a key's memory. TokenBucket pads its one bucket.
class AtomicBucket {
 public:
  AtomicBucket(std::int64_t now, std::int64_t capacity) : zero_at_(now - capacity) {}

  // Takes `cost` ns worth of tokens at time `now` if the bucket holds them. On failure, `ready` is when
  // they would be there if nobody else takes any.
  bool try_take(std::int64_t now, std::int64_t cost, std::int64_t capacity, std::int64_t& ready) {
    std::int64_t zero = zero_at_.load(std::memory_order_relaxed);  // relaxed: see the class comment
    for (;;) {
      const std::int64_t next = std::max(zero, now - capacity) + cost;  // a full bucket starts at now - capacity
      if (next > now) {
        ready = next;
        return false;  // refused: nothing written, so a refused caller never disturbs the others
      }
      // relaxed on success and failure: see the class comment. On failure `zero` is reloaded; retry.
      if (zero_at_.compare_exchange_weak(zero, next, std::memory_order_relaxed, std::memory_order_relaxed)) {
        return true;
      }
    }
  }

  bool full(std::int64_t now, std::int64_t capacity) const {
    return zero_at_.load(std::memory_order_relaxed) <= now - capacity;  // relaxed: see the class comment
  }

 private:
  sync::atomic<std::int64_t> zero_at_;
};

class WaiterCount {
 public:
  explicit WaiterCount(sync::atomic<std::size_t>& count) : count_(count) {}
  WaiterCount(const WaiterCount&) = delete;
  WaiterCount& operator=(const WaiterCount&) = delete;
  ~WaiterCount() {
    if (counted_) count_.fetch_sub(1, std::memory_order_relaxed);  // relaxed: a statistic, pairs with nothing
  }
  void about_to_sleep() {
    if (counted_) return;
    counted_ = true;
    count_.fetch_add(1, std::memory_order_relaxed);  // relaxed: a statistic, pairs with nothing
  }

 private:
  sync::atomic<std::size_t>& count_;
  bool counted_ = false;
};

// A key with its hash already computed: the shard is picked from the hash, and the shard's map reuses it
// instead of hashing the string a second time.
struct HashedKey {
  std::string_view key;
  std::size_t hash;
};

inline std::size_t hash_of(std::string_view key) noexcept { return std::hash<std::string_view>{}(key); }

// Transparent hash and equality, so the map is searched with a HashedKey and allocates nothing to look.
struct KeyHash {
  using is_transparent = void;
  std::size_t operator()(const std::string& key) const noexcept { return hash_of(key); }
  std::size_t operator()(const HashedKey& key) const noexcept { return key.hash; }
};
struct KeyEq {
  using is_transparent = void;
  bool operator()(const std::string& a, const std::string& b) const noexcept { return a == b; }
  bool operator()(const HashedKey& a, const std::string& b) const noexcept { return a.key == b; }
  bool operator()(const std::string& a, const HashedKey& b) const noexcept { return a == b.key; }
};

}  // namespace detail

// ---------------------------------------------------------------------------------------------------
// TokenBucket: `burst` tokens at most, refilled at `rate` tokens per second of clock time.
//
// Thread-safe and lock-free: every member may be called from any number of threads at once. An
// admission happens at the clock reading its caller made; a caller whose reading is a moment old gets
// no extra tokens for it. acquire() holds nothing while it waits. The clock must outlive the bucket.
template <class Clock = conclab::SteadyClock>
class TokenBucket {
 public:
  using time_point = typename Clock::time_point;

  explicit TokenBucket(Limit limit, Clock& clock = default_clock<Clock>())
      : clock_(clock),
        interval_(refill_interval(limit).count()),
        burst_(limit.burst),
        capacity_(limit.burst * interval_),
        bucket_(detail::ticks(clock.now()), capacity_) {}

  TokenBucket(const TokenBucket&) = delete;
  TokenBucket& operator=(const TokenBucket&) = delete;

  // Takes n tokens if the bucket holds n now; otherwise takes nothing. Never blocks.
  bool try_acquire(std::int64_t n = 1) {
    detail::check_count(n);
    if (n > burst_) return false;
    std::int64_t ready = 0;
    return bucket_.try_take(detail::ticks(clock_.now()), n * interval_, capacity_, ready);
  }

  // Takes n tokens, waiting for them if needed. Returns false, having taken nothing, if `stop` is
  // requested (before or during the wait), if the tokens cannot be there by `deadline`, or if n > burst.
  bool acquire(std::int64_t n, sync::stop_token stop = {}, time_point deadline = time_point::max()) {
    detail::check_count(n);
    if (n > burst_) return false;
    detail::WaiterCount waiting(waiters_);
    while (!stop.stop_requested()) {
      const time_point now = clock_.now();
      std::int64_t ready = 0;
      if (bucket_.try_take(detail::ticks(now), n * interval_, capacity_, ready)) return true;
      const time_point ready_at{std::chrono::nanoseconds(ready)};
      if (ready_at > deadline) return false;  // cannot make it even if nobody else takes a token
      waiting.about_to_sleep();
      sleep_until(clock_, ready_at, stop);
    }
    return false;
  }

  // How many callers are blocked in acquire() right now (for monitoring and tests).
  std::size_t waiters() const {
    return waiters_.load(std::memory_order_relaxed);  // relaxed: a statistic, pairs with nothing
  }

 private:
  Clock& clock_;
  const std::int64_t interval_;  // ns of refill time per token
  const std::int64_t burst_;
  const std::int64_t capacity_;  // burst_ * interval_
  sync::atomic<std::size_t> waiters_{0};
  // On its own cache line: every caller writes it, and the fields above are read-only after construction
  // (the waiters_ count changes only around a sleep).
  alignas(detail::kCacheLine) detail::AtomicBucket bucket_;
};

// ---------------------------------------------------------------------------------------------------
// SlidingWindow: at most `limit` admissions in any span of clock time `window` long.
//
// Unchanged from improved: an exact log of recent admissions under one mutex. Thread-safe.
template <class Clock = conclab::SteadyClock>
class SlidingWindow {
 public:
  using time_point = typename Clock::time_point;
  using duration = typename Clock::duration;

  SlidingWindow(std::int64_t limit, duration window, Clock& clock = default_clock<Clock>())
      : clock_(clock), limit_(limit), window_(window) {
    if (limit < 1 || window <= duration::zero()) {
      throw std::invalid_argument("SlidingWindow needs limit >= 1 and a positive window");
    }
  }

  SlidingWindow(const SlidingWindow&) = delete;
  SlidingWindow& operator=(const SlidingWindow&) = delete;

  // Admits n at once if the last `window` of clock time (now included) holds at most limit - n
  // admissions; otherwise admits nothing. Never blocks.
  bool try_acquire(std::int64_t n = 1) CONCLAB_EXCLUDES(mu_) {
    detail::check_count(n);
    if (n > limit_) return false;
    conclab::MutexLock lock(mu_);
    const time_point now = clock_.now();
    while (!log_.empty() && log_.front().at + window_ <= now) {  // no longer in any window holding now
      in_window_ -= log_.front().count;
      log_.pop_front();
    }
    if (in_window_ + n > limit_) return false;
    if (n == 0) return true;
    if (!log_.empty() && log_.back().at >= now) {
      log_.back().count += n;  // same clock reading: merge, so the log never exceeds `limit` entries
    } else {
      log_.push_back({now, n});
    }
    in_window_ += n;
    return true;
  }

 private:
  struct Entry {
    time_point at;
    std::int64_t count;
  };

  Clock& clock_;
  const std::int64_t limit_;
  const duration window_;

  mutable conclab::Mutex mu_;
  std::deque<Entry> log_ CONCLAB_GUARDED_BY(mu_);     // admissions still in the window, oldest first
  std::int64_t in_window_ CONCLAB_GUARDED_BY(mu_) = 0;  // sum of log_[i].count
};

// ---------------------------------------------------------------------------------------------------
// KeyedLimiter: one token bucket per key, all with the same Limit.
//
// Thread-safe: every member may be called from any thread. 256 shards chosen by hash; in each, a mutex
// guards the map and its sweep time. A bucket's tokens are taken with its CAS while the shard lock is held
// (where no other thread writes the word, so the CAS retries only if it fails spuriously): the lock is what
// keeps a sweep from freeing a bucket under a caller that is using it. No call holds two shard locks;
// acquire() holds none while it waits.
//
// Memory: a key exists from its first call until its bucket is full again and its shard is swept. Each
// call sweeps the shard it touches if that shard has gone one refill period (burst / rate) without a
// sweep; evict_idle() sweeps every shard now.
template <class Clock = conclab::SteadyClock>
class KeyedLimiter {
 public:
  using time_point = typename Clock::time_point;
  static constexpr std::size_t kShards = 256;

  explicit KeyedLimiter(Limit limit, Clock& clock = default_clock<Clock>())
      : clock_(clock),
        interval_(refill_interval(limit).count()),
        burst_(limit.burst),
        capacity_(limit.burst * interval_) {}

  ~KeyedLimiter() {
    for (sync::atomic<Shard*>& slot : shards_) delete slot.load(std::memory_order_relaxed);
  }

  KeyedLimiter(const KeyedLimiter&) = delete;
  KeyedLimiter& operator=(const KeyedLimiter&) = delete;

  // Takes n tokens from `key`'s bucket if it holds them now (a new key starts with a full bucket).
  bool try_acquire(std::string_view key, std::int64_t n = 1) {
    detail::check_count(n);
    if (n > burst_) return false;
    std::int64_t ready = 0;
    return take(key, n, ready);
  }

  // As TokenBucket::acquire, for `key`'s bucket. Between tries it holds no lock and no pointer to the
  // bucket (it looks the key up again each time), so a sweep may drop the bucket meanwhile: harmless,
  // because only a full bucket is dropped, and a new one is just as full.
  bool acquire(std::string_view key, std::int64_t n, sync::stop_token stop = {},
               time_point deadline = time_point::max()) {
    detail::check_count(n);
    if (n > burst_) return false;
    detail::WaiterCount waiting(waiters_);
    while (!stop.stop_requested()) {
      std::int64_t ready = 0;
      if (take(key, n, ready)) return true;
      const time_point ready_at{std::chrono::nanoseconds(ready)};
      if (ready_at > deadline) return false;  // cannot make it even if nobody else takes a token
      waiting.about_to_sleep();
      sleep_until(clock_, ready_at, stop);
    }
    return false;
  }

  // The number of keys currently remembered: each shard counted under its lock, one after another.
  // Exact when nothing else runs, a close estimate while other threads are calling.
  std::size_t key_count() const {
    std::size_t total = 0;
    for (const sync::atomic<Shard*>& slot : shards_) {
      Shard* shard = slot.load(std::memory_order_relaxed);  // the bug: relaxed (see shard_for)
      if (shard == nullptr) continue;                      // never used: no keys
      conclab::MutexLock lock(shard->mu_);
      total += shard->buckets_.size();
    }
    return total;
  }

  // Forgets every key whose bucket is full now; returns how many were forgotten.
  std::size_t evict_idle() {
    std::size_t evicted = 0;
    for (sync::atomic<Shard*>& slot : shards_) {
      Shard* shard = slot.load(std::memory_order_relaxed);  // the bug: relaxed (see shard_for)
      if (shard == nullptr) continue;
      conclab::MutexLock lock(shard->mu_);
      evicted += sweep(*shard, detail::ticks(clock_.now()));  // the clock read under the lock: see take()
    }
    return evicted;
  }

  // How many callers are blocked in acquire() right now (for monitoring and tests).
  std::size_t waiters() const {
    return waiters_.load(std::memory_order_relaxed);  // relaxed: a statistic, pairs with nothing
  }

 private:
  // Cache-line aligned, so neighbouring shards' locks never share a line.
  struct alignas(detail::kCacheLine) Shard {
    mutable conclab::Mutex mu_;
    std::unordered_map<std::string, detail::AtomicBucket, detail::KeyHash, detail::KeyEq> buckets_
        CONCLAB_GUARDED_BY(mu_);
    // Sweep on the first call at or after this time (ns). 0: the first call sweeps the shard (still empty, so
    // at no cost) and sets the real time; the constructor need not lock 256 mutexes to set it.
    std::int64_t next_sweep_ CONCLAB_GUARDED_BY(mu_) = 0;
  };

  Shard& shard_for(const detail::HashedKey& key) {
    // Fibonacci hashing: the top 8 bits of hash * 2^64/phi, independent of the low bits the shard's own
    // unordered_map buckets by.
    const std::uint64_t h = key.hash;
    sync::atomic<Shard*>& slot = shards_[(h * 0x9E3779B97F4A7C15ULL) >> 56];  // 56 = 64 - log2(kShards)
    // Made on first use. The bug: relaxed, "the pointer is atomic". It also publishes the Shard it points to.
    Shard* shard = slot.load(std::memory_order_relaxed);
    if (shard != nullptr) return *shard;
    auto fresh = std::make_unique<Shard>();
    if (slot.compare_exchange_strong(shard, fresh.get(), std::memory_order_relaxed)) return *fresh.release();
    return *shard;  // another thread installed one first; the failed CAS loaded it into `shard`
  }

  // Takes n tokens from `key`'s bucket, creating it if needed, and sweeps the shard first if its time has
  // come. The clock is read while the shard lock is held: a sweep then lies wholly before or after this
  // call, so a bucket made after a sweep never starts from an older reading than the sweep's, and cannot
  // hand out tokens the swept one had already given. On failure, `ready` is when the tokens should be there.
  bool take(std::string_view name, std::int64_t n, std::int64_t& ready) {
    const detail::HashedKey key{name, detail::hash_of(name)};  // hashed once, for the shard and its map
    Shard& shard = shard_for(key);
    conclab::MutexLock lock(shard.mu_);
    const std::int64_t now = detail::ticks(clock_.now());
    if (now >= shard.next_sweep_) sweep(shard, now);
    auto it = shard.buckets_.find(key);
    if (it == shard.buckets_.end()) it = shard.buckets_.try_emplace(std::string(name), now, capacity_).first;
    return it->second.try_take(now, n * interval_, capacity_, ready);
  }

  std::size_t sweep(Shard& shard, std::int64_t now) CONCLAB_REQUIRES(shard.mu_) {
    shard.next_sweep_ = now + capacity_;
    return std::erase_if(shard.buckets_, [&](const auto& entry) { return entry.second.full(now, capacity_); });
  }

  Clock& clock_;
  const std::int64_t interval_;
  const std::int64_t burst_;
  const std::int64_t capacity_;
  sync::atomic<std::size_t> waiters_{0};
  std::array<sync::atomic<Shard*>, kShards> shards_{};  // null until a key first lands in the shard
};

}  // namespace lab
