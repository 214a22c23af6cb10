// P01 rate limiter, naive: one mutex around everything.
//
// The version people write first, and why it looks right:
// - Every method locks the object's one mutex for its whole body, so no two calls ever overlap and
//   nothing can race. That part is true: ThreadSanitizer has nothing to say about this file.
// - acquire() locks, and while there are not enough tokens it sleeps until there will be, still holding
//   the lock ("nobody can take my tokens while I wait"). But nobody can do ANYTHING while it waits: every
//   try_acquire, of every key, queues behind the sleeper until its tokens arrive. One slow client stalls
//   all of them. (Tests: TryAcquireDoesNotWaitForABlockedAcquire, BlockedAcquireDoesNotStallOtherKeys.)
// - KeyedLimiter keeps one bucket per key in one map, forever. evict_idle() exists for "a cron job to
//   call", and nothing calls it: every client ever seen stays in memory. A limiter facing the internet
//   sees millions of keys (scanners, spoofed ids) and dies of it. (Test: KeyCountStaysBoundedUnderChurn.)
// - SlidingWindow counts admissions per fixed window [k*W, (k+1)*W) and resets the count at each
//   boundary. `limit` requests just before a boundary and `limit` more just after it all pass: twice the
//   limit within a moment. (Test: NoBurstAcrossTheWindowEdge.)
// Token arithmetic is already exact integer "credit" in nanoseconds of refill time (see improved).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
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

// One token bucket's arithmetic; the owner's lock guards it. credit_ is tokens held at last_, in
// nanoseconds of refill time (one token = one refill interval).
class BucketState {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  BucketState(std::int64_t capacity_ns, time_point now) : credit_(capacity_ns), last_(now) {}

  bool try_take(time_point now, std::int64_t cost, std::int64_t capacity) {
    refill(now, capacity);
    if (credit_ < cost) return false;
    credit_ -= cost;
    return true;
  }

  time_point ready_at(std::int64_t cost) const { return last_ + std::chrono::nanoseconds(cost - credit_); }

  bool full(time_point now, std::int64_t capacity) const {
    return now > last_ ? credit_ + (now - last_).count() >= capacity : credit_ >= capacity;
  }

 private:
  void refill(time_point now, std::int64_t capacity) {
    if (now <= last_) return;
    credit_ = std::min(capacity, credit_ + (now - last_).count());
    last_ = now;
  }

  std::int64_t credit_;
  time_point last_;
};

struct KeyHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view key) const noexcept { return std::hash<std::string_view>{}(key); }
};

}  // namespace detail

// TokenBucket: `burst` tokens at most, refilled at `rate` tokens per second. Thread-safe: one mutex
// serialises every call, including the whole of a waiting acquire().
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

  bool try_acquire(std::int64_t n = 1) CONCLAB_EXCLUDES(mu_) {
    detail::check_count(n);
    if (n > burst_) return false;
    conclab::MutexLock lock(mu_);
    return state_.try_take(clock_.now(), n * interval_, capacity_);
  }

  bool acquire(std::int64_t n, sync::stop_token stop = {}, time_point deadline = time_point::max())
      CONCLAB_EXCLUDES(mu_) {
    detail::check_count(n);
    if (n > burst_) return false;
    conclab::MutexLock lock(mu_);  // held until we return, sleeping included: the bug
    bool counted = false;
    bool taken = false;
    while (!stop.stop_requested()) {
      const time_point now = clock_.now();
      if (state_.try_take(now, n * interval_, capacity_)) {
        taken = true;
        break;
      }
      if (now >= deadline) break;
      if (!counted) {
        counted = true;
        waiters_.fetch_add(1);
      }
      sleep_until(clock_, std::min(state_.ready_at(n * interval_), deadline), stop);
    }
    if (counted) waiters_.fetch_sub(1);
    return taken;
  }

  std::size_t waiters() const { return waiters_.load(); }

 private:
  Clock& clock_;
  const std::int64_t interval_;
  const std::int64_t burst_;
  const std::int64_t capacity_;
  sync::atomic<std::size_t> waiters_{0};

  mutable conclab::Mutex mu_;
  detail::BucketState state_ CONCLAB_GUARDED_BY(mu_);
};

// SlidingWindow, naive: really a fixed window. Thread-safe (one mutex), but not a sliding window.
template <class Clock = conclab::SteadyClock>
class SlidingWindow {
 public:
  using time_point = typename Clock::time_point;
  using duration = typename Clock::duration;

  SlidingWindow(std::int64_t limit, duration window, Clock& clock = default_clock<Clock>())
      : clock_(clock), limit_(limit), window_(window), window_start_(clock.now()) {
    if (limit < 1 || window <= duration::zero()) {
      throw std::invalid_argument("SlidingWindow needs limit >= 1 and a positive window");
    }
  }

  SlidingWindow(const SlidingWindow&) = delete;
  SlidingWindow& operator=(const SlidingWindow&) = delete;

  bool try_acquire(std::int64_t n = 1) CONCLAB_EXCLUDES(mu_) {
    detail::check_count(n);
    if (n > limit_) return false;
    conclab::MutexLock lock(mu_);
    const time_point now = clock_.now();
    if (now >= window_start_ + window_) {  // a new window: forget the old one entirely (the bug)
      window_start_ += ((now - window_start_) / window_) * window_;
      count_ = 0;
    }
    if (count_ + n > limit_) return false;
    count_ += n;
    return true;
  }

 private:
  Clock& clock_;
  const std::int64_t limit_;
  const duration window_;

  mutable conclab::Mutex mu_;
  time_point window_start_ CONCLAB_GUARDED_BY(mu_);
  std::int64_t count_ CONCLAB_GUARDED_BY(mu_) = 0;
};

// KeyedLimiter: one bucket per key in one map under one mutex.
template <class Clock = conclab::SteadyClock>
class KeyedLimiter {
 public:
  using time_point = typename Clock::time_point;

  explicit KeyedLimiter(Limit limit, Clock& clock = default_clock<Clock>())
      : clock_(clock),
        interval_(refill_interval(limit).count()),
        burst_(limit.burst),
        capacity_(limit.burst * interval_) {}

  KeyedLimiter(const KeyedLimiter&) = delete;
  KeyedLimiter& operator=(const KeyedLimiter&) = delete;

  bool try_acquire(std::string_view key, std::int64_t n = 1) CONCLAB_EXCLUDES(mu_) {
    detail::check_count(n);
    if (n > burst_) return false;
    conclab::MutexLock lock(mu_);
    const time_point now = clock_.now();
    return bucket(key, now).try_take(now, n * interval_, capacity_);
  }

  bool acquire(std::string_view key, std::int64_t n, sync::stop_token stop = {},
               time_point deadline = time_point::max()) CONCLAB_EXCLUDES(mu_) {
    detail::check_count(n);
    if (n > burst_) return false;
    conclab::MutexLock lock(mu_);  // held while sleeping: every other key waits too (the bug)
    bool counted = false;
    bool taken = false;
    while (!stop.stop_requested()) {
      const time_point now = clock_.now();
      detail::BucketState& b = bucket(key, now);
      if (b.try_take(now, n * interval_, capacity_)) {
        taken = true;
        break;
      }
      if (now >= deadline) break;
      if (!counted) {
        counted = true;
        waiters_.fetch_add(1);
      }
      sleep_until(clock_, std::min(b.ready_at(n * interval_), deadline), stop);
    }
    if (counted) waiters_.fetch_sub(1);
    return taken;
  }

  std::size_t key_count() const CONCLAB_EXCLUDES(mu_) {
    conclab::MutexLock lock(mu_);
    return buckets_.size();
  }

  // Correct, but nothing calls it: the limiter never forgets a key on its own (the bug).
  std::size_t evict_idle() CONCLAB_EXCLUDES(mu_) {
    conclab::MutexLock lock(mu_);
    const time_point now = clock_.now();
    return std::erase_if(buckets_, [&](const auto& entry) { return entry.second.full(now, capacity_); });
  }

  std::size_t waiters() const { return waiters_.load(); }

 private:
  detail::BucketState& bucket(std::string_view key, time_point now) CONCLAB_REQUIRES(mu_) {
    auto it = buckets_.find(key);
    if (it == buckets_.end()) it = buckets_.try_emplace(std::string(key), capacity_, now).first;
    return it->second;
  }

  Clock& clock_;
  const std::int64_t interval_;
  const std::int64_t burst_;
  const std::int64_t capacity_;
  sync::atomic<std::size_t> waiters_{0};

  mutable conclab::Mutex mu_;
  std::unordered_map<std::string, detail::BucketState, detail::KeyHash, std::equal_to<>> buckets_
      CONCLAB_GUARDED_BY(mu_);
};

}  // namespace lab
