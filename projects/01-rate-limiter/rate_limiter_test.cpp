// Graded tests for capstone P01, the rate limiter. The spec is projects/01-rate-limiter/README.md.
//
// Time is a SpyClock: a conclab::FakeClock (it moves only when a test calls advance(), so "after 100 ms one
// token is back" is checked exactly and instantly, however busy the machine is) that also counts, for the
// test, how often the limiter reads it and which threads are asleep in lab::sleep_until() on it. Threads are
// ordered with start gates and by waiting until the clock itself sees a caller asleep, never with sleeps and
// never by trusting the limiter's own waiters() count (that count is checked, not relied on).
//
// Tests with a blocked acquire() carry a Watchdog: if the test cannot make progress for 5 s of real time
// (the correct code needs microseconds), it unblocks everything and the test fails with an explanation
// instead of hanging. It turns a deadlock into a readable failure; it measures nothing. On a slow or busy
// machine (ThreadSanitizer, several test programs sharing two cores) set CONCLAB_TIMEOUT_SCALE to stretch
// it: CONCLAB_TIMEOUT_SCALE=3 gives 15 s. Values below 1, or not numbers, are ignored.
//
// The CONCLAB_SIM_TESTs (two threads, a call or two each, try_acquire() only) also run under the explorer in
// the sim build: every schedule with up to two preemptions, spurious CAS failures, relaxed loads that read an
// older value, and data races on plain memory, so a lost update, a CAS that gives up, a bucket used after a
// sweep dropped it, or a shard published with a relaxed store is found on every run. Elsewhere they run 20
// times on real threads.
#include <limiter_common.hpp>  // first: the SpyClock's sleep_until() overload below must precede the limiter

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <stop_token>

#include <conclab/fake_clock.hpp>
#include <conclab/sync.hpp>

namespace conclab_test {

// A FakeClock that tells the test what the limiter does with it: reads() counts calls of now() (a waiting
// acquire() that polls reads it over and over while it stands still), and sleepers() counts the threads
// blocked in lab::sleep_until() on it right now (a waiting acquire() must sleep there, so that a move of
// the clock or a stop request wakes it). It IS a FakeClock, so it fits every limiter template.
class SpyClock : public conclab::FakeClock {
 public:
  time_point now() const {
    reads_.fetch_add(1, std::memory_order_relaxed);  // relaxed: a statistic, pairs with nothing
    return conclab::FakeClock::now();
  }
  std::uint64_t reads() const { return reads_.load(std::memory_order_relaxed); }
  int sleepers() const { return sleepers_.load(std::memory_order_seq_cst); }

 private:
  friend void sleep_on_spy(SpyClock& clock, time_point until, const conclab::sync::stop_token& stop);
  mutable std::atomic<std::uint64_t> reads_{0};
  std::atomic<int> sleepers_{0};
};

// The FakeClock's sleep (limiter_common.hpp), plus the count of sleepers. A sleeper is counted only once it
// is certain to block: after it has read changes(), so any later move of the clock wakes it.
inline void sleep_on_spy(SpyClock& clock, SpyClock::time_point until, const conclab::sync::stop_token& stop) {
  const std::uint64_t seen = clock.changes();
  if (clock.conclab::FakeClock::now() >= until || stop.stop_requested()) return;
  conclab::sync::stop_callback wake(stop, [&clock] { clock.advance(conclab::FakeClock::duration::zero()); });
  clock.sleepers_.fetch_add(1);
  clock.wait_for_change(seen);
  clock.sleepers_.fetch_sub(1);
}

}  // namespace conclab_test

namespace lab {
// Found by the limiter's `sleep_until(clock_, until, stop)`, qualified or not: declared before the limiter's
// templates, and a better match than the FakeClock& overload.
inline void sleep_until(conclab_test::SpyClock& clock, conclab_test::SpyClock::time_point until,
                        const conclab::sync::stop_token& stop) {
  conclab_test::sleep_on_spy(clock, until, stop);
}
}  // namespace lab

#include <rate_limiter.hpp>

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include <conclab/fake_clock.hpp>
#include <conclab/run_threads.hpp>
#include <conclab/sim_test.hpp>

#include "conclab/sync.hpp"
#include "conclab/watchdog.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = conclab_test::SpyClock;
using Bucket = lab::TokenBucket<Clock>;
using Window = lab::SlidingWindow<Clock>;
using Keyed = lab::KeyedLimiter<Clock>;

// Real time before the Watchdog declares a deadlock: 5 s, times CONCLAB_TIMEOUT_SCALE if that is a number
// >= 1 (for slow or busy machines; see the top of this file). The correct code needs microseconds.
const std::chrono::milliseconds kPatience = conclab::patience(std::chrono::seconds(5));  // conclab/watchdog.hpp

// A waiting acquire() reads the clock a few times and then sleeps in lab::sleep_until(). One that reads it
// this many times while it stands still, without ever sleeping there, is polling.
constexpr std::uint64_t kPollingReads = 200;

// Yields the CPU until done() is true. Not a sleep: it waits for an event, however long that takes.
template <class Done>
void spin_until(Done done) {
  while (!done()) conclab::sync::this_thread::yield();
}

// If not disarmed within kPatience of real time, sets fired() and calls `rescue` (which unblocks the
// threads of the test, e.g. by requesting stop and moving the fake clock far ahead).
class Watchdog : public conclab::Watchdog {
 public:
  explicit Watchdog(std::function<void()> rescue) : conclab::Watchdog(kPatience, std::move(rescue)) {}
};

// Runs call(stop_token) on its own thread, so the test can watch it block and then release it.
// Its destructor requests stop and moves the fake clock a day ahead before joining, so a test that
// fails half-way never leaves a thread blocked forever.
class BackgroundCall {
 public:
  BackgroundCall(Clock* clock, std::function<bool(conclab::sync::stop_token)> call)
      : clock_(clock), thread_([this, call = std::move(call)](conclab::sync::stop_token stop) {
          try {
            result_ = call(stop);
          } catch (...) {
            error_ = std::current_exception();
          }
          finished_.store(true);
        }) {}
  BackgroundCall(Clock& clock, std::function<bool(conclab::sync::stop_token)> call) : BackgroundCall(&clock, std::move(call)) {}
  explicit BackgroundCall(std::function<bool(conclab::sync::stop_token)> call) : BackgroundCall(nullptr, std::move(call)) {}

  BackgroundCall(const BackgroundCall&) = delete;
  BackgroundCall& operator=(const BackgroundCall&) = delete;
  ~BackgroundCall() { unblock(); }

  bool finished() const { return finished_.load(); }
  void request_stop() { thread_.request_stop(); }
  void unblock() {
    thread_.request_stop();
    if (clock_ != nullptr) clock_->advance(24h);
  }
  // Joins the thread; returns what the call returned, or rethrows what it threw.
  bool get() {
    if (thread_.joinable()) thread_.join();
    if (error_) std::rethrow_exception(error_);
    return result_;
  }

 private:
  Clock* clock_;
  bool result_ = false;          // written by the thread before finished_, read after join()
  std::exception_ptr error_;     // likewise
  conclab::sync::atomic<bool> finished_{false};
  conclab::sync::jthread thread_;          // declared last: it starts once the fields above exist
};

// A stop_token whose stop has already been requested. (The stop_source lives on the heap: g++ 12 warns,
// wrongly, about a default-constructed std::stop_source on the stack.)
conclab::sync::stop_token stopped_token() {
  auto source = std::make_unique<conclab::sync::stop_source>();
  source->request_stop();
  return source->get_token();  // the token shares the stop state, which outlives the source
}

constexpr const char* kSpec = " (spec: projects/01-rate-limiter/README.md";

// Waits until `sleepers` threads are asleep in lab::sleep_until() on the test's clock: seen by the clock, so
// the test never relies on the limiter's own waiters() to know that a caller really blocked. Returns "" once
// they are, or else a sentence that says what `call` (the last one to block) did instead, for an ASSERT:
// it returned, it polls the clock, or it blocked somewhere other than sleep_until() (the watchdog fired).
std::string await_asleep(const Clock& clock, const BackgroundCall& call, const Watchdog& watchdog, int sleepers = 1) {
  const std::uint64_t reads_before = clock.reads();
  spin_until([&] {
    return clock.sleepers() >= sleepers || call.finished() || watchdog.fired() ||
           clock.reads() - reads_before > kPollingReads;
  });
  if (clock.sleepers() >= sleepers) return "";
  if (call.finished()) {
    return "the call returned on an empty bucket before the clock moved: it must wait until a token has refilled";
  }
  if (!watchdog.fired()) {
    return "the waiting call read the clock over " + std::to_string(kPollingReads) +
           " times while it stood still, and never slept in lab::sleep_until(clock_, until, stop): it POLLS (a loop "
           "that naps or yields and re-checks). A poller burns a core per waiting client, wakes late by up to "
           "its nap, and cannot be woken by a stop request or a FakeClock move. Sleep through "
           "lab::sleep_until(clock_, min(ready, deadline), stop) and re-check after it returns";
  }
  return "for " + std::to_string(kPatience.count()) + " ms of real time the call neither returned nor went to "
         "sleep in lab::sleep_until(clock_, until, stop) (the test watches that through its own clock, not through "
         "waiters()). It is blocked somewhere else: waiting on a lock, or on a condition variable of its own that "
         "nobody notifies when the clock moves. A waiting acquire() must sleep ONLY through lab::sleep_until";
}

// The message for a waiters() count that disagrees with the threads the clock sees asleep.
std::string waiters_message(std::size_t expected, std::size_t got) {
  return std::to_string(expected) + " thread(s) are asleep in lab::sleep_until() inside acquire() (the test sees "
         "them through its own clock), but waiters() says " + std::to_string(got) + ". Count a caller BEFORE its "
         "first sleep (not after it wakes) and uncount it on EVERY way out: success, stop, deadline, exception "
         "(a guard object's destructor does all of them)";
}

// ---------------------------------------------------------------------------------------------------
// TokenBucket: the arithmetic, on one thread.

TEST(TokenBucketTest, StartsFullWithBurstTokens) {
  Clock clock;
  Bucket bucket({.rate = 10, .burst = 4}, clock);
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(bucket.try_acquire()) << "token " << i + 1 << " of a burst of 4 was refused: a new bucket starts "
                                      << "full, so a client may spend its whole burst at once" << kSpec << ", TokenBucket)";
  }
  EXPECT_FALSE(bucket.try_acquire()) << "a 5th token was admitted from a bucket of 4 while the clock stood still: "
                                     << "tokens only come back as clock time passes" << kSpec << ", TokenBucket)";
}

TEST(TokenBucketTest, RefillsAtTheConfiguredRate) {
  Clock clock;
  Bucket bucket({.rate = 10, .burst = 5}, clock);  // one token every 100 ms
  ASSERT_TRUE(bucket.try_acquire(5)) << "a full bucket of 5 must hand out 5 tokens at once: a request of exactly "
                                      << "`burst` fits (only n > burst is refused up front)" << kSpec << ")";
  clock.advance(99ms);
  EXPECT_FALSE(bucket.try_acquire()) << "after 99 ms at 10 tokens/s only 0.99 of a token is back; a token must "
                                     << "be whole before it is handed out" << kSpec << ", TokenBucket)";
  clock.advance(1ms);
  EXPECT_TRUE(bucket.try_acquire()) << "after 100 ms at 10 tokens/s one token is back, but try_acquire() "
                                    << "refused it: is the refill computed from the clock?" << kSpec << ")";
  EXPECT_FALSE(bucket.try_acquire()) << "only one token came back in 100 ms, yet a second was admitted" << kSpec << ")";
  clock.advance(250ms);
  EXPECT_TRUE(bucket.try_acquire(2)) << "250 ms at 10 tokens/s is 2.5 tokens: 2 must be available" << kSpec << ")";
  EXPECT_FALSE(bucket.try_acquire()) << "250 ms is 2.5 tokens, and 2 were just taken: half a token cannot be "
                                     << "handed out" << kSpec << ")";
  clock.advance(50ms);
  EXPECT_TRUE(bucket.try_acquire())
      << "the half token left from the previous refill plus 50 ms make one whole token, but it was refused. "
      << "A refill must keep the fraction (e.g. count credit in nanoseconds, or move the last-refill time "
      << "forward only by the whole tokens added) instead of rounding it away each time" << kSpec
      << ", Token arithmetic)";
}

TEST(TokenBucketTest, NeverHoldsMoreThanBurst) {
  Clock clock;
  Bucket bucket({.rate = 10, .burst = 5}, clock);
  ASSERT_TRUE(bucket.try_acquire(5)) << "a full bucket of 5 must hand out 5 tokens at once: a request of exactly "
                                      << "`burst` fits (only n > burst is refused up front)" << kSpec << ")";
  clock.advance(1h);
  EXPECT_TRUE(bucket.try_acquire(5)) << "after an hour the bucket must be full again (5 tokens)" << kSpec << ")";
  EXPECT_FALSE(bucket.try_acquire())
      << "an hour of idleness refilled more than `burst` tokens: the bucket must be capped at burst, or an idle "
      << "client could save up and then send 36000 requests at once" << kSpec << ", TokenBucket)";
}

// Two threads read the clock, and the one with the LATER reading reaches the bucket first: the other one
// arrives with a reading older than one the bucket has already used. (With the real clock that happens
// whenever a caller reads the clock before taking a lock, or before a CAS.) The test plays it on one thread
// by setting the clock back.
TEST(TokenBucketTest, AnOlderClockReadingGivesNoExtraTokens) {
  Clock clock;
  Bucket bucket({.rate = 10, .burst = 2}, clock);  // one token every 100 ms
  const Clock::time_point start = clock.now();
  ASSERT_TRUE(bucket.try_acquire(2)) << "a full bucket of 2 must hand out 2 tokens at once: a request of exactly "
                                      << "`burst` fits (only n > burst is refused up front)" << kSpec << ")";
  clock.advance(100ms);
  ASSERT_TRUE(bucket.try_acquire()) << "100 ms at 10 tokens/s brings one token back" << kSpec << ")";
  clock.set(start + 50ms);  // a caller whose clock reading is 50 ms older than the one just used
  EXPECT_FALSE(bucket.try_acquire())
      << "a caller arrived with a clock reading 50 ms OLDER than the last one the bucket used, and was admitted "
      << "from an empty bucket. Time seen going backwards must add nothing: `now - last` is then negative (as "
      << "an unsigned number it is huge, and the bucket fills to the brim). Skip the refill when now <= last, "
      << "or compute with signed integers and max()" << kSpec << ", Token arithmetic)";
  clock.set(start + 100ms);
  EXPECT_FALSE(bucket.try_acquire()) << "back at the reading already used (t + 100 ms) the bucket is still empty: "
                                     << "the older reading must not have moved the bucket's time back either, or "
                                     << "the same 50 ms are refilled twice" << kSpec << ", Token arithmetic)";
  clock.set(start + 200ms);
  EXPECT_TRUE(bucket.try_acquire()) << "100 ms after the last token was taken one is back" << kSpec << ")";
  EXPECT_FALSE(bucket.try_acquire()) << "only one token came back in those 100 ms" << kSpec << ")";
}

TEST(TokenBucketTest, TryAcquireNTakesAllOrNothing) {
  Clock clock;
  Bucket bucket({.rate = 10, .burst = 5}, clock);
  ASSERT_TRUE(bucket.try_acquire(3)) << "a full bucket of 5 must hand out 3 tokens" << kSpec << ")";
  EXPECT_FALSE(bucket.try_acquire(3)) << "3 tokens were admitted when only 2 were left" << kSpec << ")";
  EXPECT_TRUE(bucket.try_acquire(2))
      << "a refused try_acquire(3) must take nothing, but afterwards the 2 remaining tokens were not there" << kSpec
      << ", TokenBucket)";
  EXPECT_TRUE(bucket.try_acquire(0)) << "try_acquire(0) asks for nothing and must succeed even on an empty bucket"
                                     << kSpec << ")";
  EXPECT_THROW(bucket.try_acquire(-1), std::invalid_argument)
      << "try_acquire(-1) would ADD a token; a negative count is a caller's bug: throw std::invalid_argument" << kSpec
      << ")";
}

TEST(TokenBucketTest, RequestLargerThanBurstIsRefusedAtOnce) {
  Clock clock;
  Bucket bucket({.rate = 10, .burst = 3}, clock);
  EXPECT_FALSE(bucket.try_acquire(4)) << "4 tokens from a bucket that holds at most 3 can never be granted" << kSpec
                                      << ")";
  BackgroundCall call(clock, [&](conclab::sync::stop_token stop) { return bucket.acquire(4, stop); });
  Watchdog watchdog([&] { call.unblock(); });
  const bool result = call.get();
  watchdog.disarm();
  ASSERT_FALSE(watchdog.fired()) << "acquire(4) on a bucket of burst 3 waited: no amount of time will ever put 4 "
                                 << "tokens in it, so it must return false at once" << kSpec << ", acquire)";
  EXPECT_FALSE(result) << "acquire(4) on a bucket of burst 3 returned true" << kSpec << ", acquire)";
  EXPECT_TRUE(bucket.try_acquire(3)) << "refusing 4 tokens must take none of them" << kSpec << ")";
}

TEST(TokenBucketTest, RejectsAnInvalidLimit) {
  Clock clock;
  EXPECT_THROW(Bucket({.rate = 0, .burst = 1}, clock), std::invalid_argument)
      << "a rate of 0 means a token never comes back; the constructor must throw std::invalid_argument "
      << "(lab::refill_interval() in limiter_common.hpp does the check for you)" << kSpec << ")";
  EXPECT_THROW(Bucket({.rate = 10, .burst = 0}, clock), std::invalid_argument)
      << "a burst of 0 can never admit anything; the constructor must throw std::invalid_argument" << kSpec << ")";
}

// Greedy demand on an irregular schedule, then every window between two steps is checked against the
// contract: admitted <= rate * T + burst always, and admitted >= rate * T - 1 when demand never lets up.
TEST(TokenBucketTest, ConformanceOverEveryWindow) {
  constexpr std::int64_t kRate = 50;  // one token every 20 ms
  constexpr std::int64_t kBurst = 5;
  constexpr std::int64_t kNsPerSecond = 1'000'000'000;
  Clock clock;
  Bucket bucket({.rate = kRate, .burst = kBurst}, clock);
  std::mt19937 rng(20240601);  // fixed seed: the same schedule on every run
  std::uniform_int_distribution<int> step_ms(1, 30);
  std::uniform_int_distribution<std::int64_t> chunk(1, 3);

  std::vector<std::int64_t> at;        // clock reading (ns) of each step
  std::vector<std::int64_t> admitted;  // tokens admitted at that step
  for (int step = 0; step < 400; ++step) {
    if (step > 0) clock.advance(std::chrono::milliseconds(step_ms(rng)));
    std::int64_t got = 0;
    for (std::int64_t n = chunk(rng); bucket.try_acquire(n);) got += n;  // demand in chunks of n ...
    while (bucket.try_acquire(1)) ++got;                                 // ... then single tokens
    at.push_back(std::chrono::nanoseconds(clock.now().time_since_epoch()).count());
    admitted.push_back(got);
  }
  std::vector<std::int64_t> prefix(admitted.size() + 1, 0);
  for (std::size_t i = 0; i < admitted.size(); ++i) prefix[i + 1] = prefix[i] + admitted[i];

  for (std::size_t i = 0; i < at.size(); ++i) {
    for (std::size_t j = i; j < at.size(); ++j) {
      const std::int64_t span = at[j] - at[i];
      const std::int64_t in_window = prefix[j + 1] - prefix[i];  // steps i..j, both ends included
      ASSERT_LE(in_window * kNsPerSecond, kRate * span + kBurst * kNsPerSecond)
          << in_window << " tokens were admitted within " << span / 1'000'000 << " ms (steps " << i << ".." << j
          << "), more than rate * T + burst = " << kRate << "/s * T + " << kBurst
          << ". The bucket handed out tokens it did not have" << kSpec << ", Conformance)";
      if (j > i) {
        const std::int64_t after = prefix[j + 1] - prefix[i + 1];  // steps i+1..j: what the span refilled
        ASSERT_GE(after * kNsPerSecond, kRate * span - kNsPerSecond)
            << "under demand that never let up only " << after << " tokens were admitted in " << span / 1'000'000
            << " ms (steps " << i + 1 << ".." << j << "), fewer than rate * T - 1. The bucket lost refill: "
            << "is a fraction of a token thrown away on each refill?" << kSpec << ", Conformance)";
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// TokenBucket::acquire: blocking, cancellation, deadlines.

TEST(TokenBucketTest, AcquireWaitsForTokens) {
  Clock clock;
  Bucket bucket({.rate = 10, .burst = 1}, clock);  // one token every 100 ms
  ASSERT_TRUE(bucket.try_acquire()) << "a full bucket of 1 must hand out its token (n == burst fits; only "
                                    << "n > burst is refused up front)" << kSpec << ")";
  const auto deadline = clock.now() + 150ms;  // later than the token: it must not get in the way
  BackgroundCall call(clock, [&](conclab::sync::stop_token stop) { return bucket.acquire(1, stop, deadline); });
  Watchdog watchdog([&] { call.unblock(); });
  const std::string blocked = await_asleep(clock, call, watchdog);
  ASSERT_TRUE(blocked.empty()) << "acquire(1) on an empty bucket: " << blocked << kSpec << ", acquire)";
  ASSERT_EQ(bucket.waiters(), 1u) << waiters_message(1, bucket.waiters()) << kSpec << ", waiters)";
  clock.advance(100ms);
  const bool result = call.get();
  watchdog.disarm();
  ASSERT_FALSE(watchdog.fired())
      << "acquire() kept waiting after the clock moved 100 ms and a token was back. A FakeClock only wakes "
      << "sleepers through lab::sleep_until(clock, until, stop): sleep there, then re-check" << kSpec << ", acquire)";
  EXPECT_TRUE(result) << "acquire() returned false although its token came before the deadline" << kSpec << ")";
  EXPECT_EQ(bucket.waiters(), 0u)
      << "waiters() still counts a caller that has returned. Uncount a caller on EVERY way out of acquire(): "
      << "tokens, stop, deadline, exception (a guard object's destructor covers them all)" << kSpec << ", waiters)";
  EXPECT_FALSE(bucket.try_acquire()) << "the token that came back should have gone to the waiting acquire(), but it "
                                     << "was still in the bucket" << kSpec << ", acquire)";
}

TEST(TokenBucketTest, StopTokenCancelsABlockedAcquire) {
  Clock clock;
  Bucket bucket({.rate = 10, .burst = 1}, clock);
  ASSERT_TRUE(bucket.try_acquire()) << "a full bucket of 1 must hand out its token (n == burst fits; only "
                                    << "n > burst is refused up front)" << kSpec << ")";
  BackgroundCall call(clock, [&](conclab::sync::stop_token stop) { return bucket.acquire(1, stop); });
  Watchdog watchdog([&] { call.unblock(); });
  const std::string blocked = await_asleep(clock, call, watchdog);
  ASSERT_TRUE(blocked.empty()) << "acquire(1) on an empty bucket: " << blocked << kSpec << ", acquire)";
  ASSERT_EQ(bucket.waiters(), 1u) << waiters_message(1, bucket.waiters()) << kSpec << ", waiters)";
  call.request_stop();
  const bool result = call.get();
  watchdog.disarm();
  ASSERT_FALSE(watchdog.fired())
      << "acquire() did not return after its stop_token was stopped: a caller that gave up (a client that "
      << "hung up, a server shutting down) would hang there. lab::sleep_until(clock, until, stop) wakes on a "
      << "stop request; check stop.stop_requested() after every wakeup" << kSpec << ", acquire)";
  EXPECT_FALSE(result) << "a cancelled acquire() must return false" << kSpec << ", acquire)";
  EXPECT_EQ(bucket.waiters(), 0u)
      << "waiters() still counts a caller that has returned. Uncount a caller on EVERY way out of acquire(): "
      << "tokens, stop, deadline, exception (a guard object's destructor covers them all)" << kSpec << ", waiters)";
  clock.advance(100ms);
  EXPECT_TRUE(bucket.try_acquire()) << "the cancelled acquire() took (or kept reserved) the token that refilled "
                                    << "after it gave up; a cancelled call must take nothing" << kSpec << ")";
}

TEST(TokenBucketTest, AlreadyStoppedTokenTakesNothing) {
  Clock clock;
  Bucket bucket({.rate = 10, .burst = 3}, clock);
  EXPECT_FALSE(bucket.acquire(1, stopped_token()))
      << "acquire() with a stop_token that is already stopped must return false without taking anything: "
      << "the caller has already given up" << kSpec << ", acquire)";
  EXPECT_TRUE(bucket.try_acquire(3)) << "acquire() with a stopped token took a token anyway" << kSpec << ")";
}

TEST(TokenBucketTest, DeadlineOnTheFakeClockEndsAWait) {
  Clock clock;
  Bucket bucket({.rate = 10, .burst = 1}, clock);  // the next token comes 100 ms from now
  ASSERT_TRUE(bucket.try_acquire()) << "a full bucket of 1 must hand out its token (n == burst fits; only "
                                    << "n > burst is refused up front)" << kSpec << ")";
  const auto deadline = clock.now() + 50ms;
  BackgroundCall call(clock, [&](conclab::sync::stop_token stop) { return bucket.acquire(1, stop, deadline); });
  Watchdog watchdog([&] { call.unblock(); });
  // No waiting for it to block: acquire() may see at once that the token cannot come before the deadline.
  clock.advance(60ms);
  const bool result = call.get();
  watchdog.disarm();
  ASSERT_FALSE(watchdog.fired())
      << "acquire() with a deadline 50 ms away was still waiting after the FAKE clock moved 60 ms. The deadline "
      << "is a time on the limiter's clock, not the wall clock: compare it with clock.now(), and never sleep "
      << "past it (sleep_until(clock, min(ready, deadline), stop))" << kSpec << ", acquire)";
  EXPECT_FALSE(result) << "acquire() returned true although no token could exist before its deadline" << kSpec << ")";
  clock.advance(40ms);
  EXPECT_TRUE(bucket.try_acquire()) << "the token that refilled after the deadline is gone: an acquire() that timed "
                                    << "out must take nothing, and the refill it did at its clock reading (60 ms, "
                                    << "0.6 of a token) must keep that fraction rather than round it away" << kSpec
                                    << ", acquire and Token arithmetic)";
}

TEST(TokenBucketTest, TryAcquireDoesNotWaitForABlockedAcquire) {
  Clock clock;
  Bucket bucket({.rate = 10, .burst = 2}, clock);
  ASSERT_TRUE(bucket.try_acquire(2)) << "a full bucket of 2 must hand out 2 tokens" << kSpec << ")";
  BackgroundCall call(clock, [&](conclab::sync::stop_token stop) { return bucket.acquire(1, stop); });
  Watchdog watchdog([&] { call.unblock(); });
  const std::string blocked = await_asleep(clock, call, watchdog);
  ASSERT_TRUE(blocked.empty()) << "acquire(1) on an empty bucket: " << blocked << kSpec << ", acquire)";
  // try_acquire() on a thread of its own, so that the test sees it if it goes to sleep too.
  BackgroundCall probe(clock, [&](conclab::sync::stop_token) { return bucket.try_acquire(); });
  spin_until([&] { return probe.finished() || clock.sleepers() > 1 || watchdog.fired(); });
  ASSERT_LE(clock.sleepers(), 1)
      << "try_acquire() went to sleep in lab::sleep_until() while another thread was waiting in acquire(). "
      << "try_acquire() never waits, for anything: not for its token, not to let a waiting acquire() go first "
      << "(a waiting acquire() reserves nothing). A caller that must not block would hang here" << kSpec
      << ", TokenBucket)";
  const bool stalled = watchdog.fired();
  ASSERT_FALSE(stalled)
      << "try_acquire() did not return while another thread was blocked in acquire(): acquire() sleeps while "
      << "holding the lock, so every other caller queues behind it until its tokens arrive. Release the lock "
      << "before sleeping and take it again to re-check" << kSpec << ", The story: naive)";
  EXPECT_FALSE(probe.get()) << "the bucket was empty, yet try_acquire() admitted a token" << kSpec << ")";
  clock.advance(100ms);
  EXPECT_TRUE(call.get()) << "the blocked acquire() did not get the token that came back 100 ms later" << kSpec << ")";
  watchdog.disarm();
}

TEST(TokenBucketTest, SteadyClockAcquireWakesOnStop) {
  // The production clock: a token every 1000 s, so only the stop request can end this wait.
  lab::TokenBucket<> bucket({.rate = 0.001, .burst = 1});
  ASSERT_TRUE(bucket.try_acquire()) << "a new bucket on the default (steady) clock must start full" << kSpec << ")";
  BackgroundCall call([&](conclab::sync::stop_token stop) { return bucket.acquire(1, stop); });
  Watchdog watchdog([&] { call.request_stop(); });
  // The real clock has no spy: this test waits for waiters() (the one that relies on it).
  spin_until([&] { return bucket.waiters() > 0 || call.finished() || watchdog.fired(); });
  ASSERT_FALSE(watchdog.fired())
      << "for " << kPatience.count() << " ms acquire(1) on the steady clock neither returned nor showed up in "
      << "waiters(). Either it never blocked, or waiters() does not count it while it sleeps (the fake-clock tests "
      << "say which): count a caller before its first sleep" << kSpec << ", waiters)";
  ASSERT_FALSE(call.finished()) << "acquire(1) on an empty bucket that refills in 1000 s returned at once" << kSpec
                                << ")";
  call.request_stop();
  EXPECT_FALSE(call.get()) << "a cancelled acquire() on the steady clock must return false" << kSpec << ")";
  watchdog.disarm();
  EXPECT_FALSE(watchdog.fired()) << "acquire() on the steady clock did not wake when stop was requested" << kSpec
                                 << ", acquire)";
}

// ---------------------------------------------------------------------------------------------------
// TokenBucket under many threads.

// Workers hammer try_acquire() while a clock thread hands out 10 new tokens per step, waiting each time
// until the workers have taken them. Every token must be admitted exactly once: no more (two threads
// spending one token) and no fewer (a token lost in a race).
TEST(TokenBucketTest, ManyThreadsAdmitExactlyTheTokensThatExist) {
  constexpr int kWorkers = 8;  // more than this machine's cores, on purpose
  constexpr int kSteps = 30;
  constexpr std::int64_t kBurst = 20;
  constexpr std::int64_t kPerStep = 10;  // 1 ms at 10'000 tokens/s
  Clock clock;
  ASSERT_TRUE(Bucket({.rate = 10'000, .burst = kBurst}, clock).try_acquire(kBurst))
      << "sanity check before the stress: on one thread, a new limiter must admit its first requests. Make "
      << "the single-thread tests pass first" << kSpec << ")";
  Bucket bucket({.rate = 10'000, .burst = kBurst}, clock);
  const auto expected = [](int steps) { return kBurst + steps * kPerStep; };

  conclab::sync::atomic<std::int64_t> admitted{0};
  conclab::sync::atomic<bool> done{false};
  conclab::sync::atomic<bool> gave_up{false};
  Watchdog watchdog([&] { gave_up = true; });
  conclab::run_threads(kWorkers + 1, [&](int i) {
    if (i == kWorkers) {  // the clock
      for (int s = 0; s <= kSteps && !gave_up; ++s) {
        if (s > 0) clock.advance(1ms);
        spin_until([&] { return admitted.load() >= expected(s) || gave_up.load(); });
      }
      done = true;
      return;
    }
    const std::int64_t n = i % 2 + 1;  // half the workers take 1 token at a time, half take 2
    while (!done.load()) {
      if (bucket.try_acquire(n)) {
        admitted.fetch_add(n);
      } else {
        conclab::sync::this_thread::yield();
      }
    }
  });
  watchdog.disarm();
  ASSERT_FALSE(watchdog.fired()) << kWorkers << " threads never managed to take all " << expected(kSteps)
                                 << " tokens the bucket should have handed out (" << admitted.load()
                                 << " so far): tokens were lost between threads" << kSpec << ", Conformance)";
  EXPECT_EQ(admitted.load(), expected(kSteps))
      << "the burst plus " << kSteps << " ms at 10'000 tokens/s is exactly " << expected(kSteps) << " tokens, but "
      << kWorkers << " threads were admitted " << admitted.load()
      << ". More means two threads spent the same token: a read-modify-write of the bucket that is not atomic "
      << "(a lost update), or a CAS that ignores its failure" << kSpec << ", Thread safety)";
}

// ---------------------------------------------------------------------------------------------------
// Sim tests. In the sim build the explorer runs each body on every schedule of its threads with up to two
// preemptions, spurious compare_exchange_weak failures included, so a race that a stress test hits once in
// a thousand runs is found on every run, and the failing schedule is printed step by step. Elsewhere each
// body runs 20 times on real threads. Only try_acquire() here: nothing in a body may block on the clock.
// The clock is a plain FakeClock: the explorer models a std::atomic as acquire-release, so the SpyClock's
// read counter would order every two calls that read the clock, and hide a missing acquire/release.
using SimBucket = lab::TokenBucket<conclab::FakeClock>;
using SimKeyed = lab::KeyedLimiter<conclab::FakeClock>;

CONCLAB_SIM_TEST(TokenBucketTest, TwoThreadsTakeTheLastTwoTokens) {
  conclab::FakeClock clock;
  SimBucket bucket({.rate = 10, .burst = 2}, clock);  // two tokens, and the clock stands still
  bool a = false;
  bool b = false;
  {
    conclab::sync::jthread first([&] { a = bucket.try_acquire(); });
    conclab::sync::jthread second([&] { b = bucket.try_acquire(); });
  }
  EXPECT_TRUE(a && b)
      << "a full bucket of 2 and two threads asking for 1 each, yet " << (a ? "the second" : "the first")
      << " was refused. In the schedule below the two calls overlapped: a compare-exchange that fails does not "
      << "mean \"no tokens\", it means another thread changed the bucket first (or, for "
      << "compare_exchange_weak, nothing at all: it may fail spuriously). Reload and retry until the CAS "
      << "succeeds or the tokens are really gone" << kSpec << ", Traps: A CAS loop that ignores failure)";
  EXPECT_FALSE(bucket.try_acquire())
      << "two threads took 1 token each from a bucket of 2, and a third token was still there. In the schedule "
      << "below both read the bucket before either wrote it, and the second write overwrote the first (a lost "
      << "update): reading the state and writing the new one must be ONE step, a compare-exchange from the "
      << "value read, or both under a lock" << kSpec << ", Token arithmetic)";
}

// Two threads make the first calls on a new limiter, for the same key: whatever the limiter sets up on
// first use (a shard, a map node, a bucket) must be set up once and seen whole by the other thread.
CONCLAB_SIM_TEST(KeyedLimiterTest, TwoFirstCallsOnANewLimiter) {
  conclab::FakeClock clock;
  SimKeyed limiter({.rate = 10, .burst = 1}, clock);  // one token, and the clock stands still
  bool a = false;
  bool b = false;
  {
    conclab::sync::jthread first([&] { a = limiter.try_acquire("k"); });
    conclab::sync::jthread second([&] { b = limiter.try_acquire("k"); });
  }
  EXPECT_EQ(int{a} + int{b}, 1)
      << "two threads made the first calls for key \"k\" (burst 1) on a new limiter and " << int{a} + int{b}
      << " were admitted. "
      << (a || b ? "In the schedule below both found no bucket (or no shard) and each made its own: finding "
                   "and creating must be one step under the lock, or a compare-exchange that installs only one."
                 : "The bucket was new, so full: one of them must get the token. In the schedule below a "
                   "compare-exchange failed (spuriously, or because the other thread wrote first) and the call "
                   "gave up: retry with the value the failed CAS loaded until the tokens are really gone.")
      << " (If instead the explorer reports a DATA RACE, something built by one thread, say a shard made "
      << "on first use, was published through an atomic with memory_order_relaxed: the other thread used "
      << "it before the writes that built it. Publish with release, read with acquire)" << kSpec
      << ", KeyedLimiter and Thread safety)";
}

// A sweep runs while another caller of the same key is taking a token: the sweep may drop the bucket only
// if it is full at the sweep's clock reading, and the caller must then take from the NEW bucket, never from
// the dropped one. Thread `mover` moves the clock a whole refill period (so the shard's sweep is due) and
// then calls; thread `caller` calls at any point around it.
CONCLAB_SIM_TEST(KeyedLimiterTest, ASweepNeverLosesATokenTakenMeanwhile) {
  conclab::FakeClock clock;
  SimKeyed limiter({.rate = 10, .burst = 2}, clock);  // refill period (empty to full): 200 ms
  ASSERT_TRUE(limiter.try_acquire("k", 2)) << "a new key starts with a full bucket of 2" << kSpec << ")";
  bool by_caller = false;
  bool by_mover = false;
  {
    conclab::sync::jthread caller([&] { by_caller = limiter.try_acquire("k"); });
    conclab::sync::jthread mover([&] {
      clock.advance(200ms);  // the bucket is full again, and the shard's sweep is due
      by_mover = limiter.try_acquire("k");
    });
  }
  int by_main = 0;
  while (by_main < 5 && limiter.try_acquire("k")) ++by_main;
  const int total = int{by_caller} + int{by_mover} + by_main;
  EXPECT_EQ(total, 2)
      << "after the bucket of 2 was emptied, the clock moved one refill period: exactly 2 tokens came back, "
      << "but " << total << " were admitted (caller " << by_caller << ", mover " << by_mover << ", then " << by_main
      << " more). In the schedule below a sweep dropped the bucket while the other thread still held on to it "
      << "(a pointer, an iterator, a shared_ptr) outside the shard's lock; that thread took its token from the "
      << "dropped bucket, and the new one handed the same tokens out again. Find the bucket and take from it "
      << "under the one lock the sweep also takes, and read the clock under it" << kSpec
      << ", Traps: Holding a bucket across a sleep)";
}

// ---------------------------------------------------------------------------------------------------
// SlidingWindow.

TEST(SlidingWindowTest, AdmitsUpToTheLimitPerWindow) {
  Clock clock;
  Window window(3, 100ms, clock);
  EXPECT_TRUE(window.try_acquire(2)) << "2 of a limit of 3 must be admitted" << kSpec << ", SlidingWindow)";
  EXPECT_FALSE(window.try_acquire(2)) << "2 more would make 4 in one window of limit 3" << kSpec << ")";
  EXPECT_TRUE(window.try_acquire(1)) << "a refused try_acquire(2) must admit nothing; 1 more fits" << kSpec << ")";
  EXPECT_FALSE(window.try_acquire()) << "a 4th admission within one window of limit 3" << kSpec << ")";
  EXPECT_FALSE(window.try_acquire(4)) << "4 can never fit in a limit of 3" << kSpec << ")";
  EXPECT_THROW(Window(0, 100ms, clock), std::invalid_argument) << "a limit of 0 admits nothing: throw" << kSpec << ")";
  EXPECT_THROW(Window(3, 0ms, clock), std::invalid_argument) << "a window of 0 s means nothing: throw" << kSpec << ")";
}

TEST(SlidingWindowTest, AdmissionsExpireOneWindowLater) {
  Clock clock;
  Window window(3, 100ms, clock);
  ASSERT_TRUE(window.try_acquire(3)) << "3 of a limit of 3 must be admitted at once" << kSpec << ")";
  clock.advance(99ms);
  EXPECT_FALSE(window.try_acquire()) << "99 ms later the 3 admissions are still inside the 100 ms window" << kSpec
                                     << ", SlidingWindow)";
  clock.advance(1ms);
  EXPECT_TRUE(window.try_acquire(3)) << "100 ms after 3 admissions they have left the window: an admission at t "
                                     << "counts until t + window, not after" << kSpec << ", SlidingWindow)";
  clock.advance(30ms);
  EXPECT_FALSE(window.try_acquire()) << "30 ms after 3 admissions the window of 100 ms still holds them" << kSpec
                                     << ")";
}

TEST(SlidingWindowTest, NoBurstAcrossTheWindowEdge) {
  Clock clock;
  Window window(10, 1s, clock);
  ASSERT_TRUE(window.try_acquire(1)) << "an empty window must admit 1" << kSpec << ")";
  clock.advance(900ms);
  ASSERT_TRUE(window.try_acquire(9)) << "1 + 9 admissions within 1 s fit a limit of 10" << kSpec << ")";
  clock.advance(150ms);  // t = 1.05 s: the first admission (t = 0) has left the window, the 9 (t = 0.9 s) have not
  int admitted = 0;
  while (admitted < 20 && window.try_acquire()) ++admitted;
  EXPECT_EQ(admitted, 1)
      << "at t = 1.05 s the last second (0.05 s .. 1.05 s] already holds the 9 admissions of t = 0.9 s, so only 1 "
      << "more fits, but " << admitted << " were admitted: " << 9 + admitted << " within 150 ms. A counter that "
      << "is reset at each window boundary lets a full limit through on each side of the boundary. A sliding "
      << "window must remember WHEN its admissions happened" << kSpec << ", SlidingWindow and The story: naive)";
}

TEST(SlidingWindowTest, ConformanceOverEveryWindow) {
  constexpr std::int64_t kLimit = 5;
  Clock clock;
  Window window(kLimit, 100ms, clock);
  std::mt19937 rng(7);  // fixed seed: the same schedule on every run
  std::uniform_int_distribution<int> step_ms(1, 40);
  std::vector<Clock::time_point> at;
  std::vector<std::int64_t> admitted;
  for (int step = 0; step < 300; ++step) {
    if (step > 0) clock.advance(std::chrono::milliseconds(step_ms(rng)));
    std::int64_t got = 0;
    while (got <= kLimit && window.try_acquire()) ++got;  // greedy demand
    at.push_back(clock.now());
    admitted.push_back(got);
    // The window that ends now: (now - 100 ms, now].
    std::int64_t in_window = 0;
    for (std::size_t i = at.size(); i-- > 0 && at[i] + 100ms > at.back();) in_window += admitted[i];
    ASSERT_EQ(in_window, kLimit) << "under greedy demand the 100 ms ending at step " << step << " must hold exactly "
                                 << kLimit << " admissions; it holds " << in_window
                                 << (in_window > kLimit ? ": more than the limit (are old admissions forgotten too "
                                                          "early, e.g. at a fixed window boundary?)"
                                                        : ": fewer, so admissions are counted too long")
                                 << kSpec << ", SlidingWindow)";
  }
}

TEST(SlidingWindowTest, ManyThreadsNeverExceedTheLimit) {
  constexpr int kWorkers = 8;
  constexpr int kRounds = 12;
  constexpr std::int64_t kLimit = 50;
  Clock clock;
  ASSERT_TRUE(Window(kLimit, 100ms, clock).try_acquire(kLimit))
      << "sanity check before the stress: on one thread, a new limiter must admit its first requests. Make "
      << "the single-thread tests pass first" << kSpec << ")";
  Window window(kLimit, 100ms, clock);
  conclab::sync::atomic<std::int64_t> admitted{0};
  conclab::sync::atomic<bool> done{false};
  conclab::sync::atomic<bool> gave_up{false};
  Watchdog watchdog([&] { gave_up = true; });
  conclab::run_threads(kWorkers + 1, [&](int i) {
    if (i == kWorkers) {  // the clock: one window per round
      for (int r = 0; r < kRounds && !gave_up; ++r) {
        // 150 ms: well past the edge of the last round's window (the edge itself is checked, exactly, by the
        // single-thread tests above; this test is about threads).
        if (r > 0) clock.advance(150ms);
        spin_until([&] { return admitted.load() >= kLimit * (r + 1) || gave_up.load(); });
      }
      done = true;
      return;
    }
    while (!done.load()) {
      if (window.try_acquire()) {
        admitted.fetch_add(1);
      } else {
        conclab::sync::this_thread::yield();
      }
    }
  });
  watchdog.disarm();
  ASSERT_FALSE(watchdog.fired()) << kWorkers << " threads could not fill a window of " << kLimit
                                 << ": admissions were refused that should have been admitted" << kSpec << ")";
  EXPECT_EQ(admitted.load(), kLimit * kRounds)
      << kRounds << " windows of " << kLimit << " must admit exactly " << kLimit * kRounds << " under " << kWorkers
      << " competing threads, but " << admitted.load() << " were admitted: a check and an update that are not "
      << "one atomic step let two threads take the last place" << kSpec << ", Thread safety)";
}

// ---------------------------------------------------------------------------------------------------
// KeyedLimiter.

TEST(KeyedLimiterTest, KeysHaveIndependentBuckets) {
  Clock clock;
  Keyed limiter({.rate = 10, .burst = 3}, clock);
  int greedy = 0;
  while (greedy < 10 && limiter.try_acquire("greedy")) ++greedy;
  EXPECT_EQ(greedy, 3) << "key \"greedy\" should get its burst of 3 and no more" << kSpec << ", KeyedLimiter)";
  EXPECT_TRUE(limiter.try_acquire("polite", 3))
      << "key \"polite\" was refused after \"greedy\" used up ITS bucket: each key must have a bucket of its own, "
      << "so one noisy client cannot starve the others" << kSpec << ", KeyedLimiter)";
  clock.advance(100ms);
  EXPECT_TRUE(limiter.try_acquire("greedy")) << "100 ms later each key has one token back" << kSpec << ")";
  EXPECT_TRUE(limiter.try_acquire("polite")) << "100 ms later each key has one token back" << kSpec << ")";
  EXPECT_EQ(limiter.key_count(), 2u) << "two keys were used, so key_count() must be 2" << kSpec << ", key_count)";
}

// Many keys, each used once: every one must have a bucket of its own. Among "client-0" .. "client-49999" are
// pairs whose std::hash (libstdc++) agrees in its low 32 bits (e.g. client-18981 and client-35509), so a map
// keyed by a hash, or by part of one, instead of by the key itself gives two clients one bucket.
TEST(KeyedLimiterTest, ManyKeysNeverShareABucket) {
  constexpr int kKeys = 50'000;
  Clock clock;
  Keyed limiter({.rate = 1, .burst = 2}, clock);
  for (int i = 0; i < kKeys; ++i) {
    const std::string key = "client-" + std::to_string(i);
    ASSERT_TRUE(limiter.try_acquire(key, 2))
        << "key \"" << key << "\" was used for the first time and refused its burst of 2: its bucket had already "
        << "been spent by ANOTHER key (the " << i << " keys before it each took their own 2). Two different keys "
        << "share one bucket: is the map keyed by a hash (or a truncated hash) instead of by the key? A hash is "
        << "not an identity; keep the key, compare it, and let the hash only choose where to look" << kSpec
        << ", KeyedLimiter)";
  }
  EXPECT_EQ(limiter.key_count(), static_cast<std::size_t>(kKeys))
      << kKeys << " different keys were used within one refill period: each must be remembered on its own" << kSpec
      << ", key_count)";
}

TEST(KeyedLimiterTest, EvictIdleForgetsOnlyFullBuckets) {
  Clock clock;
  Keyed limiter({.rate = 10, .burst = 5}, clock);  // a token every 100 ms
  for (int i = 0; i < 5'000; ++i) {
    ASSERT_TRUE(limiter.try_acquire("idle-" + std::to_string(i))) << "a new key starts with a full bucket" << kSpec
                                                                  << ")";
  }
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(limiter.try_acquire("busy-" + std::to_string(i), 5)) << "a new key starts full (5)" << kSpec << ")";
  }
  ASSERT_EQ(limiter.key_count(), 5'100u) << "5'100 keys were used within one refill period" << kSpec
                                          << ", key_count)";
  clock.advance(300ms);  // the idle buckets (one token short) are full again; the busy ones hold 3 of 5
  EXPECT_EQ(limiter.evict_idle(), 5'000u)
      << "evict_idle() must forget exactly the 5'000 keys whose buckets are full again (a full bucket is just "
      << "like a new one, so forgetting it changes nothing) and keep the 100 that are still refilling" << kSpec
      << ", Eviction)";
  EXPECT_EQ(limiter.key_count(), 100u) << "after evict_idle() only the 100 busy keys should be left" << kSpec << ")";
  for (int i = 0; i < 100; ++i) {
    const std::string key = "busy-" + std::to_string(i);
    ASSERT_TRUE(limiter.try_acquire(key, 3)) << key << " refilled 3 tokens in 300 ms" << kSpec << ")";
    ASSERT_FALSE(limiter.try_acquire(key))
        << key << " got a 4th token 300 ms after spending all 5: its bucket was forgotten (or reset) while it was "
        << "still refilling, which hands the client a fresh burst. Evict only buckets that are full" << kSpec
        << ", Eviction)";
  }
}

TEST(KeyedLimiterTest, KeyCountStaysBoundedUnderChurn) {
  constexpr int kRounds = 10;
  constexpr int kPerRound = 500;
  Clock clock;
  Keyed limiter({.rate = 10, .burst = 5}, clock);  // refill period (empty to full): 500 ms
  for (int r = 0; r < kRounds; ++r) {
    for (int i = 0; i < kPerRound; ++i) {
      ASSERT_TRUE(limiter.try_acquire("client-" + std::to_string(r) + "-" + std::to_string(i)))
          << "a new key starts with a full bucket" << kSpec << ")";
    }
    const std::size_t keys = limiter.key_count();
    ASSERT_LE(keys, 2u * kPerRound)
        << "after " << r + 1 << " rounds of " << kPerRound << " new clients, one refill period apart, the limiter "
        << "remembers " << keys << " keys, although every earlier client's bucket has been full for a whole "
        << "refill period. Nothing but a test called evict_idle(): the limiter must forget idle keys on its own "
        << "(sweep a shard when it is used and has not been swept for a refill period), or its memory grows "
        << "with every client ever seen" << kSpec << ", Eviction and The story: naive)";
    clock.advance(500ms);
  }
}

TEST(KeyedLimiterTest, BlockedAcquireDoesNotStallOtherKeys) {
  Clock clock;
  Keyed limiter({.rate = 10, .burst = 1}, clock);
  ASSERT_TRUE(limiter.try_acquire("slow")) << "a new key starts with a full bucket" << kSpec << ")";
  BackgroundCall call(clock, [&](conclab::sync::stop_token stop) { return limiter.acquire("slow", 1, stop); });
  Watchdog watchdog([&] { call.unblock(); });
  const std::string blocked = await_asleep(clock, call, watchdog);
  ASSERT_TRUE(blocked.empty()) << "acquire(\"slow\") on an empty bucket: " << blocked << kSpec << ", acquire)";
  const bool other = limiter.try_acquire("fast");  // another client, with a full bucket
  const bool stalled = watchdog.fired();
  ASSERT_FALSE(stalled)
      << "try_acquire(\"fast\") did not return while another thread waited in acquire(\"slow\"): the waiting "
      << "acquire() sleeps holding the limiter's lock, so EVERY client queues behind one slow one. Never sleep "
      << "holding a lock: compute when the tokens will be there, unlock, sleep, lock and re-check" << kSpec
      << ", The story: naive)";
  EXPECT_TRUE(other) << "key \"fast\" is new, so its bucket is full" << kSpec << ")";
  clock.advance(100ms);
  EXPECT_TRUE(call.get()) << "acquire(\"slow\") did not get the token that came back 100 ms later" << kSpec << ")";
  watchdog.disarm();
}

TEST(KeyedLimiterTest, StopTokenCancelsABlockedAcquire) {
  Clock clock;
  Keyed limiter({.rate = 10, .burst = 1}, clock);
  ASSERT_TRUE(limiter.try_acquire("a")) << "a new key starts with a full bucket" << kSpec << ")";
  BackgroundCall call(clock, [&](conclab::sync::stop_token stop) { return limiter.acquire("a", 1, stop); });
  Watchdog watchdog([&] { call.unblock(); });
  const std::string blocked = await_asleep(clock, call, watchdog);
  ASSERT_TRUE(blocked.empty()) << "acquire(\"a\") on an empty bucket: " << blocked << kSpec << ", acquire)";
  ASSERT_EQ(limiter.waiters(), 1u) << waiters_message(1, limiter.waiters()) << kSpec << ", waiters)";
  call.request_stop();
  const bool result = call.get();
  watchdog.disarm();
  ASSERT_FALSE(watchdog.fired()) << "acquire(\"a\") did not return after its stop_token was stopped" << kSpec
                                 << ", acquire)";
  EXPECT_FALSE(result) << "a cancelled acquire() must return false" << kSpec << ")";
  EXPECT_EQ(limiter.waiters(), 0u)
      << "waiters() still counts a caller that has returned. Uncount a caller on EVERY way out of acquire(): "
      << "tokens, stop, deadline, exception (a guard object's destructor covers them all)" << kSpec << ")";
  clock.advance(100ms);
  EXPECT_TRUE(limiter.try_acquire("a")) << "the cancelled acquire() took the token that refilled after it gave up"
                                        << kSpec << ")";
}

TEST(KeyedLimiterTest, DeadlineEndsAWait) {
  Clock clock;
  Keyed limiter({.rate = 10, .burst = 1}, clock);
  ASSERT_TRUE(limiter.try_acquire("a")) << "a new key starts with a full bucket" << kSpec << ")";
  const auto deadline = clock.now() + 50ms;
  BackgroundCall call(clock, [&](conclab::sync::stop_token stop) { return limiter.acquire("a", 1, stop, deadline); });
  Watchdog watchdog([&] { call.unblock(); });
  clock.advance(60ms);
  const bool result = call.get();
  watchdog.disarm();
  ASSERT_FALSE(watchdog.fired()) << "acquire(\"a\") was still waiting 10 ms (fake clock) past its deadline" << kSpec
                                 << ", acquire)";
  EXPECT_FALSE(result) << "acquire(\"a\") returned true although no token could exist before its deadline" << kSpec
                       << ")";
}

// Threads hammer four keys (every thread all four) while a clock thread hands out tokens step by step.
// Each key must get exactly its own share: no more, no fewer, whatever the others do.
TEST(KeyedLimiterTest, EveryKeyGetsExactlyItsShareUnderContention) {
  constexpr int kWorkers = 8;
  constexpr int kKeys = 4;
  constexpr int kSteps = 25;
  constexpr std::int64_t kBurst = 20;
  constexpr std::int64_t kPerStep = 10;  // 1 ms at 10'000 tokens/s
  const std::array<std::string, kKeys> keys = {"alpha", "bravo", "charlie", "delta"};
  Clock clock;
  ASSERT_TRUE(Keyed({.rate = 10'000, .burst = kBurst}, clock).try_acquire("probe", kBurst))
      << "sanity check before the stress: on one thread, a new limiter must admit its first requests. Make "
      << "the single-thread tests pass first" << kSpec << ")";
  Keyed limiter({.rate = 10'000, .burst = kBurst}, clock);
  const auto expected = [](int steps) { return kBurst + steps * kPerStep; };

  std::array<conclab::sync::atomic<std::int64_t>, kKeys> admitted{};
  conclab::sync::atomic<bool> done{false};
  conclab::sync::atomic<bool> gave_up{false};
  const auto all_reached = [&](std::int64_t target) {
    for (const auto& a : admitted) {
      if (a.load() < target) return false;
    }
    return true;
  };
  Watchdog watchdog([&] { gave_up = true; });
  conclab::run_threads(kWorkers + 1, [&](int i) {
    if (i == kWorkers) {  // the clock
      for (int s = 0; s <= kSteps && !gave_up; ++s) {
        if (s > 0) clock.advance(1ms);
        spin_until([&] { return all_reached(expected(s)) || gave_up.load(); });
      }
      done = true;
      return;
    }
    for (int k = i % kKeys; !done.load(); k = (k + 1) % kKeys) {
      if (limiter.try_acquire(keys[static_cast<std::size_t>(k)])) {
        admitted[static_cast<std::size_t>(k)].fetch_add(1);
      } else {
        conclab::sync::this_thread::yield();
      }
    }
  });
  watchdog.disarm();
  ASSERT_FALSE(watchdog.fired()) << "the threads never took all the tokens each key should have handed out: "
                                 << "tokens were lost in a race" << kSpec << ", Thread safety)";
  for (int k = 0; k < kKeys; ++k) {
    EXPECT_EQ(admitted[static_cast<std::size_t>(k)].load(), expected(kSteps))
        << "key \"" << keys[static_cast<std::size_t>(k)] << "\" must admit exactly its burst plus " << kSteps
        << " ms of refill = " << expected(kSteps) << " tokens while " << kWorkers << " threads compete for all "
        << kKeys << " keys. More means a token was spent twice; a different share per key means the keys are "
        << "not independent" << kSpec << ", KeyedLimiter and Thread safety)";
  }
}

TEST(KeyedLimiterTest, WorksWithTheSteadyClockByDefault) {
  lab::KeyedLimiter<> limiter({.rate = 0.001, .burst = 2});  // a token every 1000 s of real time
  EXPECT_TRUE(limiter.try_acquire("k", 2)) << "a new key on the default (steady) clock starts full" << kSpec << ")";
  EXPECT_FALSE(limiter.try_acquire("k")) << "no token comes back for 1000 s" << kSpec << ")";
  EXPECT_FALSE(limiter.acquire("k", 1, stopped_token()))
      << "acquire() with a stopped token must return false at once" << kSpec << ")";
  EXPECT_THROW(lab::KeyedLimiter<>({.rate = -1, .burst = 1}), std::invalid_argument)
      << "a negative rate must be rejected with std::invalid_argument" << kSpec << ")";
}

}  // namespace
