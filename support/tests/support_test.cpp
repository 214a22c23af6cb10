// Tests of support/: the start gate really holds threads, run_threads rethrows, the fake clock only
// moves when told, and the annotated mutex locks.
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>

#include "conclab/annotated_mutex.hpp"
#include "conclab/fake_clock.hpp"
#include "conclab/run_threads.hpp"
#include "conclab/start_gate.hpp"

namespace {

TEST(StartGateTest, NoWorkerPassesBeforeOpen) {
  constexpr int kThreads = 4;
  conclab::StartGate gate(kThreads);
  std::atomic<int> passed{0};
  std::vector<std::jthread> workers;
  for (int i = 0; i < kThreads; ++i) {
    workers.emplace_back([&] {
      gate.arrive_and_wait();
      passed.fetch_add(1);
    });
  }
  // Nobody can have passed: open() has not been called. (Checked before open, without sleeping.)
  EXPECT_EQ(passed.load(), 0) << "a worker got through the gate before open()";
  gate.open();
  workers.clear();
  EXPECT_EQ(passed.load(), kThreads) << "open() must release every worker";
}

// run_threads' way out when creating a thread fails: the workers that started are released by counting the
// missing ones as arrived (a real thread-creation failure cannot be provoked here: root ignores RLIMIT_NPROC).
TEST(StartGateTest, MissingWorkersCountedAsArrivedLetOpenReleaseTheOthers) {
  conclab::StartGate gate(3);
  std::atomic<bool> passed{false};
  std::jthread only_one([&] {
    gate.arrive_and_wait();
    passed.store(true);
  });
  gate.arrive_without_waiting(2);
  gate.open();  // would wait forever for two workers that never arrive without the line above
  only_one.join();
  EXPECT_TRUE(passed.load()) << "open() must release the worker that did arrive";
}

TEST(RunThreadsTest, RunsEachIndexOnce) {
  std::atomic<int> mask{0};
  conclab::run_threads(5, [&](int i) { mask.fetch_or(1 << i); });
  EXPECT_EQ(mask.load(), 0b11111) << "run_threads(5, body) must call body(0) .. body(4) once each";
}

TEST(RunThreadsTest, RethrowsTheFirstException) {
  EXPECT_THROW(conclab::run_threads(3,
                                    [](int i) {
                                      if (i == 1) throw std::runtime_error("boom");
                                    }),
               std::runtime_error)
      << "an exception thrown on a worker must reach the caller after all threads are joined";
}

TEST(FakeClockTest, MovesOnlyWhenTold) {
  conclab::FakeClock clock;
  const auto t0 = clock.now();
  EXPECT_EQ(clock.now(), t0) << "a fake clock must not move by itself";
  clock.advance(std::chrono::seconds(3));
  EXPECT_EQ(clock.now() - t0, std::chrono::seconds(3));
}

TEST(FakeClockTest, WaitForChangeWakesOnAdvance) {
  conclab::FakeClock clock;
  const auto seen = clock.changes();
  std::jthread waiter([&] { clock.wait_for_change(seen); });
  clock.advance(std::chrono::milliseconds(1));
  waiter.join();  // would hang (and hit the test timeout) if advance() did not wake the waiter
  EXPECT_GT(clock.changes(), seen);
}

TEST(AnnotatedMutexTest, GuardsACounterAcrossThreads) {
  conclab::Mutex mu;
  conclab::CondVar cv;
  int value = 0;
  conclab::run_threads(4, [&](int) {
    for (int k = 0; k < 1000; ++k) {
      conclab::MutexLock lock(mu);
      ++value;
    }
    cv.notify_all();
  });
  conclab::MutexLock lock(mu);
  cv.wait(lock, [&] { return value == 4000; });
  EXPECT_EQ(value, 4000);
}

}  // namespace
