// conclab::FakeClock: time that moves only when a test says so.
//
// Code under test asks a clock object for now() instead of calling std::chrono::steady_clock::now(),
// so a test can check "the token bucket refills 10 tokens after 1 s" without waiting a second and
// without depending on how busy the machine is. In production pass conclab::SteadyClock, whose now()
// is the real steady clock; both hand out std::chrono::steady_clock::time_point.
//
// Thread-safe: now(), advance() and set() may be called from any thread. advance() and set() wake
// threads blocked in wait_for_change(), so a component that sleeps "until time T" can be tested by
// advancing the clock from the test thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace conclab {

struct SteadyClock {
  using duration = std::chrono::steady_clock::duration;
  using time_point = std::chrono::steady_clock::time_point;
  time_point now() const { return std::chrono::steady_clock::now(); }
};

class FakeClock {
 public:
  using duration = std::chrono::steady_clock::duration;
  using time_point = std::chrono::steady_clock::time_point;

  // Starts at an arbitrary, non-zero point so that code which treats time_point{} as "never" still works.
  explicit FakeClock(time_point start = time_point{std::chrono::hours(1)})
      : ticks_(start.time_since_epoch().count()) {}

  time_point now() const {
    // acquire: pairs with the release in advance()/set(), so whatever the test did before moving
    // the clock is visible to a thread that observes the new time.
    return time_point{duration{ticks_.load(std::memory_order_acquire)}};
  }

  void advance(duration d) {
    ticks_.fetch_add(d.count(), std::memory_order_release);  // pairs with the acquire in now()
    changes_.fetch_add(1, std::memory_order_release);        // pairs with wait_for_change()
    changes_.notify_all();
  }

  void set(time_point t) {
    ticks_.store(t.time_since_epoch().count(), std::memory_order_release);  // pairs with now()
    changes_.fetch_add(1, std::memory_order_release);  // pairs with changes() and wait_for_change()
    changes_.notify_all();
  }

  // The number of times the clock has moved; pass it to wait_for_change().
  std::uint64_t changes() const { return changes_.load(std::memory_order_acquire); }  // pairs with advance() and set()

  // Blocks until the clock moves after `seen` was read from changes().
  void wait_for_change(std::uint64_t seen) const {
    changes_.wait(seen, std::memory_order_acquire);  // acquire: pairs with the release in advance()
  }

 private:
  std::atomic<duration::rep> ticks_;
  std::atomic<std::uint64_t> changes_{0};
};

}  // namespace conclab
