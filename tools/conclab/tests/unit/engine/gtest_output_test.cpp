// engine/gtest_output: the list of tests, per-test output, the first failure, race reports and gdb stacks.
#include <gtest/gtest.h>

#include "engine/gtest_output.hpp"

namespace conclab {
namespace {

namespace fs = std::filesystem;

TEST(GtestOutputTest, ParsesTestList) {
  const std::string out =
      "Running main() from ./googletest/src/gtest_main.cc\n"
      "QueueTest.\n"
      "  PopBlocks\n"
      "  Fifo\n"
      "Typed/0.  # TypeParam = int\n"
      "  Works\n"
      "Param/ValueTest.\n"
      "  Holds/0  # GetParam() = 3\n";
  const auto tests = parse_test_list(out);
  const std::vector<std::string> expected = {"QueueTest.PopBlocks", "QueueTest.Fifo", "Typed/0.Works", "Param/ValueTest.Holds/0"};
  EXPECT_EQ(tests, expected);
}

TEST(GtestOutputTest, SplitsOutputPerTest) {
  const std::string out =
      "[==========] Running 3 tests from 1 test suite.\n"
      "[ RUN      ] A.Pass\n"
      "[       OK ] A.Pass (0 ms)\n"
      "[ RUN      ] A.Fail\n"
      "a_test.cpp:12: Failure\n"
      "Expected: 1\n"
      "[  FAILED  ] A.Fail (1 ms)\n"
      "[ RUN      ] A.Crash\n"
      "about to crash\n";
  std::string outside;
  const auto segs = split_output(out, &outside);
  ASSERT_EQ(segs.size(), 3u);
  EXPECT_TRUE(segs[0].finished && segs[0].passed);
  EXPECT_TRUE(segs[1].finished && !segs[1].passed);
  EXPECT_NE(segs[1].text.find("Expected: 1"), std::string::npos);
  EXPECT_FALSE(segs[2].finished) << "a test with no end line was running when the process died";
  EXPECT_NE(outside.find("Running 3 tests"), std::string::npos);
}

TEST(GtestOutputTest, KeepsOnlyTheFirstFailedAssertion) {
  const std::string text = "/c/x_test.cpp:1: Failure\nfirst\n/c/x_test.cpp:2: Failure\nsecond\n/c/x_test.cpp:3: Failure\nthird\n";
  const std::string tidy = tidy_failure(text, "/c");
  EXPECT_NE(tidy.find("x_test.cpp:1: Failure\nfirst"), std::string::npos) << tidy;
  EXPECT_EQ(tidy.find("second"), std::string::npos) << tidy;
  EXPECT_NE(tidy.find("and 2 more failed assertions"), std::string::npos) << tidy;
}

TEST(GtestOutputTest, SummarisesADataRaceWithTheLearnersFrame) {
  const std::string report =
      "==================\n"
      "WARNING: ThreadSanitizer: data race (pid=2393)\n"
      "  Write of size 8 at 0x56404ca50090 by thread T2:\n"
      "    #0 std::vector<int>::push_back /usr/include/c++/12/bits/stl_vector.h:1280 (x+0x1)\n"
      "    #1 lab::parallel_sum(...)::{lambda()#1}::operator()() const /course/labs/00/parallel_sum.hpp:27 (x+0x2)\n"
      "  Previous read of size 8 at 0x56404ca50090 by thread T1:\n"
      "    #0 lab::parallel_sum(...) /course/labs/00/parallel_sum.hpp:27 (x+0x3)\n"
      "  Location is global 'total' of size 8 at 0x56404ca50090 (x+0x4)\n"
      "  Thread T2 (tid=5, running) created by main thread at:\n"
      "    #0 pthread_create ../../../../src/libsanitizer/tsan/tsan_interceptors_posix.cpp:1001 (libtsan.so.2+0x1)\n"
      "SUMMARY: ThreadSanitizer: data race /course/labs/00/parallel_sum.hpp:27 in operator()\n"
      "==================\n";
  const std::string s = summarize_tsan(report, "/course", {"parallel_sum.hpp"});
  EXPECT_NE(s.find("ThreadSanitizer: data race"), std::string::npos) << s;
  EXPECT_NE(s.find("Write of size 8 by thread T2"), std::string::npos) << s;
  EXPECT_NE(s.find("labs/00/parallel_sum.hpp:27"), std::string::npos) << "the learner's frame, not the library's:\n" << s;
  EXPECT_EQ(s.find("stl_vector.h"), std::string::npos) << s;
  EXPECT_NE(s.find("Location is global 'total'"), std::string::npos) << s;
  EXPECT_EQ(s.find("pthread_create"), std::string::npos) << "thread-creation stacks are noise here:\n" << s;
}

TEST(GtestOutputTest, NoReportMeansEmptySummary) {
  EXPECT_EQ(summarize_tsan("[ RUN      ] A.B\n[       OK ] A.B (0 ms)\n", "/c", {}), "");
}

TEST(GtestOutputTest, SummarisesGdbStacks) {
  const std::string gdb =
      "Thread 2 (Thread 0x7f (LWP 11) \"lab_test\"):\n"
      "#0  futex_wait (private=0, expected=2, futex_word=0x5) at ../sysdeps/nptl/futex-internal.h:146\n"
      "#1  __GI___lll_lock_wait (futex=0x5, private=0) at ./nptl/lowlevellock.c:49\n"
      "#2  0x00007f in ___pthread_mutex_lock (mutex=0x5) at ./nptl/pthread_mutex_lock.c:93\n"
      "#3  0x0000555 in lab::transfer (from=..., to=...) at /course/labs/01/bank.hpp:40\n"
      "Thread 1 (Thread 0x7e (LWP 10) \"lab_test\"):\n"
      "#0  __futex_abstimed_wait_common64 (private=128) at ./nptl/futex-internal.c:57\n"
      "#1  __pthread_clockjoin_ex (threadid=1) at ./nptl/pthread_join_common.c:105\n"
      "#2  0x0000555 in BankTest_Deadlock_Test::TestBody (this=0x1) at /course/labs/01/bank_test.cpp:77\n";
  const std::string s = summarize_stacks(gdb, "/course", {"bank.hpp"});
  EXPECT_NE(s.find("thread 2: blocked locking a mutex, in lab::transfer at labs/01/bank.hpp:40"), std::string::npos) << s;
  EXPECT_NE(s.find("thread 1: waiting to join a thread"), std::string::npos) << s;
}

}  // namespace
}  // namespace conclab
