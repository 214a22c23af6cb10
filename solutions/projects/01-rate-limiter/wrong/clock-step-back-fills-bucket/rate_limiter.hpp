// P01 rate limiter, WRONG (clock-step-back-fills-bucket): the refill computes `now - last` as an unsigned
// number ("time never goes back").
//
// Why it looks right: the default clock is steady, every reading is taken under the lock, so each reading
// is at least the last one and `now - last` is never negative; unsigned even documents it. Why it is wrong:
// the clock is a template parameter, and not every clock is steady. A wall clock is stepped back when NTP
// corrects it; a test clock is set back; and a limiter that reads the clock outside its lock (final reads it
// before its CAS) sees the readings of racing callers out of order. Then `now - last` is -1 ns, which as an
// unsigned number is 2^64 - 1: the bucket fills to the brim and an empty bucket admits a whole burst.
// Caught by TokenBucketTest.AnOlderClockReadingGivesNoExtraTokens, which sets the FakeClock back.
// The fix: skip the refill when now <= last (improved), in signed arithmetic.
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
#include <unordered_map>

#include <conclab/annotated_mutex.hpp>
#include <conclab/fake_clock.hpp>
#include <limiter_common.hpp>
#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

namespace detail {

inline void check_count(std::int64_t n) {
  if (n < 0) throw std::invalid_argument("rate limiter: a negative number of tokens makes no sense");
}

// One token bucket's arithmetic. Not thread-safe: the owner holds the lock that guards it.
// Invariant: 0 <= credit_ <= capacity; credit_ is what the bucket held at time last_.
class BucketState {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  BucketState(std::int64_t capacity_ns, time_point now) : credit_(capacity_ns), last_(now) {}

  // Takes n tokens (cost = n * interval ns of credit) if the bucket holds them at `now`.
  bool try_take(time_point now, std::int64_t cost, std::int64_t capacity) {
    refill(now, capacity);
    if (credit_ < cost) return false;
    credit_ -= cost;
    return true;
  }

  // When the bucket will hold `cost` worth of credit, if nobody else takes any. Call after try_take failed.
  time_point ready_at(std::int64_t cost) const { return last_ + std::chrono::nanoseconds(cost - credit_); }

  // Full again: forgetting this bucket and making a new one later changes nothing.
  bool full(time_point now, std::int64_t capacity) const {
    return now > last_ ? credit_ + (now - last_).count() >= capacity : credit_ >= capacity;
  }

 private:
  void refill(time_point now, std::int64_t capacity) {
    // Time never goes back, so now >= last_ (the bug: a clock stepped back, or an older reading, gives 2^64 - 1).
    const auto elapsed = static_cast<std::uint64_t>((now - last_).count());
    credit_ = static_cast<std::int64_t>(std::min<std::uint64_t>(static_cast<std::uint64_t>(capacity),
                                                                static_cast<std::uint64_t>(credit_) + elapsed));
    last_ = now;
  }

  std::int64_t credit_;  // tokens held at last_, in nanoseconds of refill time
  time_point last_;      // when credit_ was last brought up to date
};

// Counts the callers that are blocked in acquire(), for waiters(). Counts a caller once, from its first
// sleep until it returns.
class WaiterCount {
 public:
  explicit WaiterCount(sync::atomic<std::size_t>& count) : count_(count) {}
  WaiterCount(const WaiterCount&) = delete;
  WaiterCount& operator=(const WaiterCount&) = delete;
  ~WaiterCount() {
    // relaxed: a statistic; nothing else is published through it, so it pairs with nothing.
    if (counted_) count_.fetch_sub(1, std::memory_order_relaxed);
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

// Hash that accepts std::string_view and std::string alike, so a lookup by string_view allocates nothing.
struct KeyHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view key) const noexcept { return std::hash<std::string_view>{}(key); }
};

}  // namespace detail

// ---------------------------------------------------------------------------------------------------
// TokenBucket: `burst` tokens at most, refilled at `rate` tokens per second of clock time.
//
// Thread-safe: every member may be called from any number of threads at once. Each call reads the clock
// once under the lock, so admissions happen in a single order consistent with the clock readings.
// acquire() holds no lock while it waits: other callers are never delayed by a waiting one.
// The clock must outlive the bucket.
template <class Clock = conclab::SteadyClock>
class TokenBucket {
 public:
  using time_point = typename Clock::time_point;

  explicit TokenBucket(Limit limit, Clock& clock = default_clock<Clock>())
      : clock_(clock),
        interval_(refill_interval(limit).count()),
        burst_(limit.burst),
        capacity_(limit.burst * interval_),
        state_(capacity_, clock.now()) {}

  TokenBucket(const TokenBucket&) = delete;
  TokenBucket& operator=(const TokenBucket&) = delete;

  // Takes n tokens if the bucket holds n now; otherwise takes nothing. Never blocks.
  bool try_acquire(std::int64_t n = 1) CONCLAB_EXCLUDES(mu_) {
    detail::check_count(n);
    if (n > burst_) return false;  // can never succeed
    conclab::MutexLock lock(mu_);
    return state_.try_take(clock_.now(), n * interval_, capacity_);
  }

  // Takes n tokens, waiting for them if needed. Returns false, having taken nothing, if `stop` is
  // requested (before or during the wait), if the clock reaches `deadline` before the tokens are there,
  // or if n > burst (the bucket can never hold that many).
  bool acquire(std::int64_t n, sync::stop_token stop = {}, time_point deadline = time_point::max())
      CONCLAB_EXCLUDES(mu_) {
    detail::check_count(n);
    if (n > burst_) return false;
    detail::WaiterCount waiting(waiters_);
    while (!stop.stop_requested()) {
      time_point now;
      time_point ready;
      {
        conclab::MutexLock lock(mu_);
        now = clock_.now();
        if (state_.try_take(now, n * interval_, capacity_)) return true;
        ready = state_.ready_at(n * interval_);
      }  // the lock is released before sleeping: this is the whole point
      if (now >= deadline) return false;
      waiting.about_to_sleep();
      sleep_until(clock_, std::min(ready, deadline), stop);
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
  const std::int64_t capacity_;  // burst_ * interval_: a full bucket's credit
  sync::atomic<std::size_t> waiters_{0};

  mutable conclab::Mutex mu_;
  detail::BucketState state_ CONCLAB_GUARDED_BY(mu_);
};

// ---------------------------------------------------------------------------------------------------
// SlidingWindow: at most `limit` admissions in any span of clock time `window` long.
//
// Exact: it keeps the time of every admission still inside the window (at most `limit` entries, merged
// when several land on the same clock reading), so memory is O(limit), each call O(1) amortised.
// Thread-safe: every member may be called from any thread; one mutex guards the log.
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
    // An admission at time t counts in windows [s, s + window) with s <= t; it stops counting once
    // now >= t + window.
    while (!log_.empty() && log_.front().at + window_ <= now) {
      in_window_ -= log_.front().count;
      log_.pop_front();
    }
    if (in_window_ + n > limit_) return false;
    if (n == 0) return true;
    if (!log_.empty() && log_.back().at >= now) {
      log_.back().count += n;  // same clock reading (or a stale one): merge, keeps the log <= limit long
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
// KeyedLimiter: one token bucket per key (a client id, an IP, an API key), all with the same Limit.
//
// Thread-safe: every member may be called from any thread. Keys live in kShards shards chosen by hash;
// each shard's mutex guards its map and every bucket in it, so calls on keys of different shards never
// wait for each other. No call holds more than one shard lock at a time (no lock order to get wrong),
// and acquire() holds none while it waits.
//
// Memory: a key exists from its first call until its bucket is full again and its shard is swept. Each
// call sweeps the shard it touches if that shard has gone one refill period (burst / rate) without a
// sweep; evict_idle() sweeps every shard now.
template <class Clock = conclab::SteadyClock>
class KeyedLimiter {
 public:
  using time_point = typename Clock::time_point;
  static constexpr std::size_t kShards = 16;

  explicit KeyedLimiter(Limit limit, Clock& clock = default_clock<Clock>())
      : clock_(clock),
        interval_(refill_interval(limit).count()),
        burst_(limit.burst),
        capacity_(limit.burst * interval_) {
    const time_point first_sweep = clock.now() + std::chrono::nanoseconds(capacity_);
    for (Shard& shard : shards_) {
      conclab::MutexLock lock(shard.mu_);
      shard.next_sweep_ = first_sweep;
    }
  }

  KeyedLimiter(const KeyedLimiter&) = delete;
  KeyedLimiter& operator=(const KeyedLimiter&) = delete;

  // Takes n tokens from `key`'s bucket if it holds them now (a new key starts with a full bucket).
  bool try_acquire(std::string_view key, std::int64_t n = 1) {
    detail::check_count(n);
    if (n > burst_) return false;
    return take_or_ready(key, n).taken;
  }

  // As TokenBucket::acquire, for `key`'s bucket. While it waits it holds no lock and no reference to
  // the bucket (it looks the key up again on every try), so a sweep may drop the bucket meanwhile:
  // harmless, because only a full bucket is dropped, and a new one is just as full.
  bool acquire(std::string_view key, std::int64_t n, sync::stop_token stop = {},
               time_point deadline = time_point::max()) {
    detail::check_count(n);
    if (n > burst_) return false;
    detail::WaiterCount waiting(waiters_);
    while (!stop.stop_requested()) {
      const Attempt attempt = take_or_ready(key, n);
      if (attempt.taken) return true;
      if (attempt.now >= deadline) return false;
      waiting.about_to_sleep();
      sleep_until(clock_, std::min(attempt.ready, deadline), stop);
    }
    return false;
  }

  // The number of keys currently remembered. Each shard is counted under its lock, one after another:
  // exact when nothing else runs, a close estimate while other threads are calling.
  std::size_t key_count() const {
    std::size_t total = 0;
    for (const Shard& shard : shards_) {
      conclab::MutexLock lock(shard.mu_);
      total += shard.buckets_.size();
    }
    return total;
  }

  // Forgets every key whose bucket is full now; returns how many were forgotten.
  std::size_t evict_idle() {
    std::size_t evicted = 0;
    for (Shard& shard : shards_) {
      conclab::MutexLock lock(shard.mu_);
      evicted += sweep(shard, clock_.now());
    }
    return evicted;
  }

  // How many callers are blocked in acquire() right now (for monitoring and tests).
  std::size_t waiters() const {
    return waiters_.load(std::memory_order_relaxed);  // relaxed: a statistic, pairs with nothing
  }

 private:
  struct Shard {
    mutable conclab::Mutex mu_;
    std::unordered_map<std::string, detail::BucketState, detail::KeyHash, std::equal_to<>> buckets_
        CONCLAB_GUARDED_BY(mu_);
    time_point next_sweep_ CONCLAB_GUARDED_BY(mu_){};  // sweep on the first call at or after this time
  };

  struct Attempt {
    bool taken;
    time_point now;    // the clock reading the attempt used
    time_point ready;  // if not taken: when the tokens should be there
  };

  Shard& shard_for(std::string_view key) {
    // Fibonacci hashing: the top bits of hash * 2^64/phi, so the shard does not reuse the low bits the
    // shard's own unordered_map buckets by.
    const std::uint64_t h = detail::KeyHash{}(key);
    return shards_[(h * 0x9E3779B97F4A7C15ULL) >> 60];  // 60 = 64 - log2(kShards)
  }

  Attempt take_or_ready(std::string_view key, std::int64_t n) {
    Shard& shard = shard_for(key);
    conclab::MutexLock lock(shard.mu_);
    const time_point now = clock_.now();
    if (now >= shard.next_sweep_) sweep(shard, now);
    auto it = shard.buckets_.find(key);
    if (it == shard.buckets_.end()) {
      it = shard.buckets_.try_emplace(std::string(key), capacity_, now).first;
    }
    if (it->second.try_take(now, n * interval_, capacity_)) return {true, now, now};
    return {false, now, it->second.ready_at(n * interval_)};
  }

  std::size_t sweep(Shard& shard, time_point now) CONCLAB_REQUIRES(shard.mu_) {
    shard.next_sweep_ = now + std::chrono::nanoseconds(capacity_);
    return std::erase_if(shard.buckets_, [&](const auto& entry) { return entry.second.full(now, capacity_); });
  }

  Clock& clock_;
  const std::int64_t interval_;
  const std::int64_t burst_;
  const std::int64_t capacity_;
  sync::atomic<std::size_t> waiters_{0};
  std::array<Shard, kShards> shards_;
};

}  // namespace lab
