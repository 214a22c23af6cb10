// engine/verdict: one verdict type, worded for its reader, ordered by how bad it is.
#include <gtest/gtest.h>

#include "engine/verdict.hpp"

namespace conclab {
namespace {

TEST(VerdictTest, AHangIsWordedForItsReader) {
  EXPECT_EQ(verdict_name(Verdict::kHang), "deadlock or hang");
  EXPECT_EQ(verdict_name(Verdict::kHang, Wording::kTest), "hang");
  EXPECT_EQ(verdict_name(Verdict::kHang, Wording::kGrade), "timeout");
  EXPECT_EQ(verdict_name(Verdict::kRace, Wording::kGrade), "data race");
}

TEST(VerdictTest, EveryWordReadsBack) {
  for (int i = 0; i <= static_cast<int>(Verdict::kNotRun); ++i) {
    const auto v = static_cast<Verdict>(i);
    for (const Wording w : {Wording::kLab, Wording::kTest, Wording::kGrade}) {
      EXPECT_EQ(verdict_from_name(verdict_name(v, w)), v) << verdict_name(v, w);
    }
    EXPECT_FALSE(verdict_lesson(v).empty()) << verdict_name(v) << " needs a sentence that teaches";
  }
  EXPECT_FALSE(verdict_from_name("splendid").has_value());
}

TEST(VerdictTest, AReportOfLockOrderInversionsOnlyIsNotCalledADataRace) {
  EXPECT_TRUE(only_lock_order_reports("ThreadSanitizer: lock-order-inversion (potential deadlock)\n  Mutex M1 acquired here..."));
  EXPECT_FALSE(only_lock_order_reports("ThreadSanitizer: data race\n  Write of size 4..."));
  EXPECT_FALSE(only_lock_order_reports(
      "ThreadSanitizer: lock-order-inversion (potential deadlock)\n...\nThreadSanitizer: data race\n..."));
  EXPECT_FALSE(only_lock_order_reports(""));
  EXPECT_FALSE(lock_order_lesson().empty());
}

TEST(VerdictTest, TheWorseVerdictWinsAndNotRunLosesToAnything) {
  EXPECT_EQ(worse(Verdict::kPassed, Verdict::kRace), Verdict::kRace);
  EXPECT_EQ(worse(Verdict::kCrash, Verdict::kFailed), Verdict::kCrash);
  EXPECT_EQ(worse(Verdict::kNotRun, Verdict::kPassed), Verdict::kPassed);
  EXPECT_EQ(worse(Verdict::kFailed, Verdict::kNotRun), Verdict::kFailed);
}

}  // namespace
}  // namespace conclab
