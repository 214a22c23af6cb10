// Graded tests of the fixture lab. Each fixture implementation (tests/fixture/impls) breaks one of them.
#include <gtest/gtest.h>

#include <counter.hpp>

#include "conclab/run_threads.hpp"

TEST(CounterTest, StartsAtZero) {
  lab::Counter c;
  EXPECT_EQ(c.value(), 0) << "a new counter must read 0";
}

TEST(CounterTest, AddsOnOneThread) {
  lab::Counter c;
  c.add(2);
  c.add(3);
  EXPECT_EQ(c.value(), 5) << "add(2) then add(3) must give 5";
}

TEST(CounterTest, AddsFromManyThreads) {
  lab::Counter c;
  c.add_concurrently(4, 1000);
  EXPECT_EQ(c.value(), 4000) << "4 threads adding 1 a thousand times each must give 4000: updates were lost";
}

TEST(CounterTest, AddsAfterConcurrentAdds) {
  lab::Counter c;
  c.add(1);
  EXPECT_EQ(c.value(), 1) << "after add(1) the counter must read 1";
}
