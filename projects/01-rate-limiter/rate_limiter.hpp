// Capstone P01: a rate limiter. The spec is README.md in this folder; read it first.
//
// You build three classes, all in namespace lab, all templates on the clock they read time from:
//   TokenBucket<Clock>   `burst` tokens at most, refilled at `rate` per second; try_acquire and acquire
//   SlidingWindow<Clock> at most `limit` admissions in any `window` of clock time
//   KeyedLimiter<Clock>  one token bucket per key, sharded, forgetting idle keys on its own
// Clock is conclab::SteadyClock by default (production) and conclab::FakeClock in the tests. Never call
// std::chrono::steady_clock::now() or sleep directly: ask clock_.now(), and sleep with
// lab::sleep_until(clock_, until, stop) from limiter_common.hpp, which a stop request interrupts.
//
// Check with:  ./conclab check P01
//
// The public API below is fixed (the tests call it); everything private is yours to change.
// Each stub compiles and fails its tests quickly instead of hanging.
//
// sync:: is conclab::sync (conclab/sync.hpp): std's primitives under the course's names (sync::thread is
// std::thread, sync::mutex is std::mutex, and so on), instrumented in the sim build so that the course's
// explorer can try every schedule of the threads (module 01's README says more).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include <conclab/annotated_mutex.hpp>
#include <conclab/fake_clock.hpp>
#include <limiter_common.hpp>
#include <conclab/sync.hpp>

namespace lab {
namespace sync = conclab::sync;

// ---------------------------------------------------------------------------------------------------
// TokenBucket: `burst` tokens at most, refilled at `rate` tokens per second of clock time.
// Thread-safe: every member may be called from any number of threads at once.
template <class Clock = conclab::SteadyClock>
class TokenBucket {
 public:
  using time_point = typename Clock::time_point;

  // TODO(lab): reject a nonsense Limit (refill_interval(limit) throws std::invalid_argument for you) and
  // start with a FULL bucket. Keep tokens in integers (e.g. credit in nanoseconds) so no fraction is lost.
  explicit TokenBucket(Limit limit, Clock& clock = default_clock<Clock>()) : clock_(clock) { (void)limit; }

  TokenBucket(const TokenBucket&) = delete;
  TokenBucket& operator=(const TokenBucket&) = delete;

  // Takes n tokens if the bucket holds n now; otherwise takes nothing. Never blocks.
  // n == 0 succeeds; n < 0 throws std::invalid_argument; n > burst always fails.
  bool try_acquire(std::int64_t n = 1) {
    // TODO(lab): refill from the time passed since the last call (capped at burst), then take n if there.
    (void)n;
    return false;
  }

  // Takes n tokens, waiting for them if needed. Returns false, having taken nothing, if `stop` is
  // requested (before or during the wait), if the clock reaches `deadline` first, or if n > burst.
  bool acquire(std::int64_t n, sync::stop_token stop = {}, time_point deadline = time_point::max()) {
    // TODO(lab): loop { try to take; work out when n tokens will be there; sleep_until(clock_, min(that,
    // deadline), stop) WITHOUT holding any lock } and count yourself in waiters() while you sleep.
    (void)n;
    (void)stop;
    (void)deadline;
    throw std::logic_error("TokenBucket::acquire is not implemented yet");
  }

  // How many callers are blocked in acquire() right now (for monitoring and tests).
  std::size_t waiters() const {
    // TODO(lab): count callers from their first sleep until they return.
    return 0;
  }

 private:
  Clock& clock_;
};

// ---------------------------------------------------------------------------------------------------
// SlidingWindow: at most `limit` admissions in any span of clock time `window` long.
// Thread-safe: every member may be called from any thread.
template <class Clock = conclab::SteadyClock>
class SlidingWindow {
 public:
  using time_point = typename Clock::time_point;
  using duration = typename Clock::duration;

  // TODO(lab): throw std::invalid_argument unless limit >= 1 and window > 0.
  SlidingWindow(std::int64_t limit, duration window, Clock& clock = default_clock<Clock>()) : clock_(clock) {
    (void)limit;
    (void)window;
  }

  SlidingWindow(const SlidingWindow&) = delete;
  SlidingWindow& operator=(const SlidingWindow&) = delete;

  // Admits n at once if the last `window` of clock time (now included) holds at most limit - n
  // admissions; otherwise admits nothing. Never blocks. An admission at time t counts until t + window.
  bool try_acquire(std::int64_t n = 1) {
    // TODO(lab): remember WHEN recent admissions happened (not a counter reset every window), drop the
    // ones older than the window, then admit if there is room.
    (void)n;
    return false;
  }

 private:
  Clock& clock_;
};

// ---------------------------------------------------------------------------------------------------
// KeyedLimiter: one token bucket per key, all with the same Limit.
// Thread-safe: every member may be called from any thread. Idle keys are forgotten without anyone
// calling evict_idle(): memory follows the clients seen recently, not every client ever seen.
template <class Clock = conclab::SteadyClock>
class KeyedLimiter {
 public:
  using time_point = typename Clock::time_point;

  // TODO(lab): validate the limit as TokenBucket does; set up the shards of your key map.
  explicit KeyedLimiter(Limit limit, Clock& clock = default_clock<Clock>()) : clock_(clock) { (void)limit; }

  KeyedLimiter(const KeyedLimiter&) = delete;
  KeyedLimiter& operator=(const KeyedLimiter&) = delete;

  // Takes n tokens from `key`'s bucket if it holds them now (a new key starts with a full bucket).
  bool try_acquire(std::string_view key, std::int64_t n = 1) {
    // TODO(lab): find or create the key's bucket under its shard's lock, take n, and sweep that shard
    // if it has gone a refill period (burst / rate) without a sweep.
    (void)key;
    (void)n;
    return false;
  }

  // As TokenBucket::acquire, for `key`'s bucket.
  bool acquire(std::string_view key, std::int64_t n, sync::stop_token stop = {},
               time_point deadline = time_point::max()) {
    // TODO(lab): as TokenBucket::acquire; between tries hold no lock (and no pointer into the map: a sweep
    // may remove the bucket while you sleep, so look the key up again each time).
    (void)key;
    (void)n;
    (void)stop;
    (void)deadline;
    throw std::logic_error("KeyedLimiter::acquire is not implemented yet");
  }

  // The number of keys currently remembered.
  std::size_t key_count() const {
    // TODO(lab): sum the sizes of the shards' maps.
    return 0;
  }

  // Forgets every key whose bucket is full now (a full bucket is just like a new one); returns how many.
  std::size_t evict_idle() {
    // TODO(lab): sweep every shard.
    return 0;
  }

  // How many callers are blocked in acquire() right now (for monitoring and tests).
  std::size_t waiters() const {
    // TODO(lab): as TokenBucket::waiters.
    return 0;
  }

 private:
  Clock& clock_;
};

}  // namespace lab
