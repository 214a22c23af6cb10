// Graded tests for lab 01.06, the semaphore and its Permit.
//
// Threads are lined up with latches and start gates, never with sleeps. "At most N inside" is measured with
// an atomic counter of users inside the section and the highest value it ever reached.
#include <semaphore.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <exception>
#include <functional>
#include <latch>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "conclab/run_threads.hpp"

namespace {

constexpr const char* kLesson = " (lesson: modules/01-primitives/07-latch-barrier-semaphore.md)";

// Raises `max` to `value` if it is higher.
void record_max(std::atomic<int>& max, int value) {
  int seen = max.load();
  while (value > seen && !max.compare_exchange_weak(seen, value)) {
  }
}

// Runs `body` on `n` threads (through a start gate) and returns the first exception's message, or "".
std::string run_catching(int n, const std::function<void(int)>& body) {
  try {
    conclab::run_threads(n, body);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST(SemaphoreTest, TryAcquireTakesOnlyFreePermits) {
  lab::Semaphore sem(2);
  EXPECT_EQ(sem.available(), 2) << "a Semaphore(2) starts with two free permits";
  EXPECT_TRUE(sem.try_acquire()) << "try_acquire() must take a free permit and return true";
  EXPECT_TRUE(sem.try_acquire()) << "the second of two permits must be free too";
  EXPECT_FALSE(sem.try_acquire()) << "with no permit left, try_acquire() must return false at once (never block)";
  EXPECT_EQ(sem.available(), 0) << "a failed try_acquire() must change nothing";
  sem.release();
  EXPECT_EQ(sem.available(), 1) << "release() must give one permit back";
  EXPECT_TRUE(sem.try_acquire()) << "a released permit can be taken again";
  sem.release(2);
  EXPECT_EQ(sem.available(), 2) << "release(2) must give two permits back";
}

TEST(SemaphoreTest, RejectsNegativeCounts) {
  EXPECT_THROW(lab::Semaphore(-1), std::invalid_argument) << "a semaphore cannot start with fewer than 0 permits";
  lab::Semaphore sem(1);
  EXPECT_THROW(sem.release(-1), std::invalid_argument) << "release(-1) would take a permit without waiting for it";
  EXPECT_EQ(sem.available(), 1) << "a rejected release() must change nothing";
}

TEST(SemaphoreTest, AcquireBlocksUntilRelease) {
  lab::Semaphore sem(1);
  sem.acquire();  // the only permit: now the next acquire() must wait
  std::atomic<bool> got_in{false};
  std::string error;
  std::latch started(1);
  std::jthread user([&] {
    try {
      started.count_down();
      sem.acquire();
      got_in.store(true);
      sem.release();
    } catch (const std::exception& e) {
      error = e.what();
    }
  });
  started.wait();
  EXPECT_FALSE(got_in.load()) << "acquire() got a permit while the only one was held: it must block until a "
                                 "release()"
                              << kLesson;
  sem.release();
  user.join();
  EXPECT_EQ(error, "") << "acquire() with no free permit must wait for a release(), but it threw" << kLesson;
  EXPECT_TRUE(got_in.load()) << "release() must let the blocked acquire() through";
  EXPECT_EQ(sem.available(), 1) << "one permit out, one back: the semaphore must end where it started";
}

TEST(SemaphoreTest, NeverMoreThanNUsersInside) {
  constexpr int kLimit = 2;
  constexpr int kThreads = 4;
  constexpr int kRounds = 30;
  lab::Semaphore sem(kLimit);
  std::atomic<int> inside{0};
  std::atomic<int> most_inside{0};
  const std::string error = run_catching(kThreads, [&](int) {
    for (int r = 0; r < kRounds; ++r) {
      lab::Permit permit(sem);
      record_max(most_inside, inside.fetch_add(1) + 1);
      std::this_thread::yield();  // stay inside a moment, so that others try to get in meanwhile
      inside.fetch_sub(1);
    }
  });
  ASSERT_EQ(error, "") << "a user thread threw" << kLesson;
  EXPECT_LE(most_inside.load(), kLimit)
      << most_inside.load() << " users were inside at once with a limit of " << kLimit
      << ": two threads took the same permit (checked that one was free, then took it, in two steps)" << kLesson;
  EXPECT_EQ(sem.available(), kLimit) << "every Permit gave its permit back, so all " << kLimit
                                     << " must be free again: a lost update lost a permit" << kLesson;
}

TEST(SemaphoreTest, NUsersCanBeInsideAtOnce) {
  // Three permits, three users that meet inside: each waits at a latch until all three are in. A semaphore
  // that admits fewer than N at once (e.g. a plain mutex) never lets the third one in, and the test hangs.
  constexpr int kLimit = 3;
  lab::Semaphore sem(kLimit);
  std::latch all_inside(kLimit);
  const std::string error = run_catching(kLimit, [&](int) {
    lab::Permit permit(sem);
    all_inside.arrive_and_wait();
  });
  ASSERT_EQ(error, "") << "a user thread threw" << kLesson;
  EXPECT_EQ(sem.available(), kLimit) << "all permits must be free again after the users left";
}

TEST(SemaphoreTest, ReleaseOfSeveralPermitsLetsThatManyWaitersIn) {
  constexpr int kWaiters = 3;
  lab::Semaphore sem(0);
  std::atomic<int> passed{0};
  std::latch started(kWaiters);
  std::vector<std::string> errors(kWaiters);
  {
    std::vector<std::jthread> waiters;
    for (int i = 0; i < kWaiters; ++i) {
      waiters.emplace_back([&, i] {
        try {
          started.count_down();
          sem.acquire();
          passed.fetch_add(1);
          passed.notify_all();
        } catch (const std::exception& e) {
          errors[static_cast<std::size_t>(i)] = e.what();
          passed.fetch_add(100);  // wakes the test thread below, which then reports the error
          passed.notify_all();
        }
      });
    }
    started.wait();
    sem.release(2);
    for (int seen = passed.load(); seen < 2; seen = passed.load()) passed.wait(seen);  // two permits: two get in
    EXPECT_EQ(passed.load(), 2) << "release(2) must let exactly two of three waiters in" << kLesson;
    sem.release();
  }  // joins the waiters: hangs here if a release() woke fewer threads than it gave permits
  for (const auto& e : errors) EXPECT_EQ(e, "") << "acquire() threw instead of waiting for a release()" << kLesson;
  EXPECT_EQ(passed.load(), kWaiters) << "three permits released for three waiters: all three must get in";
  EXPECT_EQ(sem.available(), 0) << "all released permits were taken";
}

TEST(SemaphoreTest, RacingTryAcquiresGiveTheLastPermitToOneThread) {
  constexpr int kThreads = 4;
  lab::Semaphore sem(1);
  std::atomic<int> winners{0};
  const std::string error = run_catching(kThreads, [&](int) {
    if (sem.try_acquire()) winners.fetch_add(1);
  });
  ASSERT_EQ(error, "") << "try_acquire() threw" << kLesson;
  EXPECT_EQ(winners.load(), 1) << kThreads << " threads raced for one permit and " << winners.load()
                               << " got it: checking that a permit is free and taking it must be ONE step" << kLesson;
  EXPECT_EQ(sem.available(), 0) << "the one permit was taken";
}

TEST(SemaphoreTest, PermitGoesBackWhenTheUserThrows) {
  lab::Semaphore sem(1);
  try {
    lab::Permit permit(sem);
    throw std::runtime_error("the user's work failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(sem.available(), 1) << "a Permit must give its permit back in its destructor, which also runs when "
                                   "the scope is left by an exception; otherwise every failure leaks a permit"
                                << kLesson;
  {
    lab::Permit permit(sem);
    EXPECT_EQ(sem.available(), 0) << "a live Permit holds one permit";
  }
  EXPECT_EQ(sem.available(), 1) << "the Permit's destructor must release its permit";
}

}  // namespace
