#include <gtest/gtest.h>

#include <conclab/sim_test.hpp>
#include <conclab/sync.hpp>
#include <sim_counter.hpp>

TEST(SimCounterTest, OneThreadAddsOne) {
  lab::Counter c;
  c.add();
  EXPECT_EQ(c.value(), 1) << "one add() must count one";
}

CONCLAB_SIM_TEST(SimCounterTest, TwoThreadsAddTwo) {
  lab::Counter c;
  {
    conclab::sync::jthread a([&] { c.add(); });
    conclab::sync::jthread b([&] { c.add(); });
  }
  EXPECT_EQ(c.value(), 2) << "two threads added one each: an add was lost";
}
