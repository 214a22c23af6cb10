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

TEST(VerdictTest, ReportsAboutMutexesOnlyAreNamedForWhatTheyAreNotCalledADataRace) {
  const auto order = mutex_misuse_only("ThreadSanitizer: lock-order-inversion (potential deadlock)\n  Mutex M1 acquired here...");
  ASSERT_TRUE(order.has_value());
  EXPECT_EQ(order->name, "lock-order inversion");
  EXPECT_NE(order->lesson.find("scoped_lock"), std::string_view::npos);
  const auto unlock = mutex_misuse_only(
      "ThreadSanitizer: unlock of an unlocked mutex (or by a wrong thread) (pid=42)\n  #0 pthread_mutex_unlock ...");
  ASSERT_TRUE(unlock.has_value());
  EXPECT_EQ(unlock->name, "mutex unlocked by a thread that does not hold it");
  EXPECT_NE(unlock->lesson.find("undefined behaviour"), std::string_view::npos);
  const auto both = mutex_misuse_only("ThreadSanitizer: unlock of an unlocked mutex (or by a wrong thread)\n...\n"
                                      "ThreadSanitizer: data race\n...");
  ASSERT_TRUE(both.has_value()) << "the races that follow a bad unlock are its consequence";
  EXPECT_EQ(both->name, kBadUnlockName);
  EXPECT_FALSE(mutex_misuse_only("ThreadSanitizer: data race\n  Write of size 4...").has_value());
  EXPECT_FALSE(mutex_misuse_only(
      "ThreadSanitizer: lock-order-inversion (potential deadlock)\n...\nThreadSanitizer: data race\n...").has_value())
      << "a data race among the reports is what the verdict says";
  EXPECT_FALSE(mutex_misuse_only("").has_value());
}

TEST(VerdictTest, TheWorseVerdictWinsAndNotRunLosesToAnything) {
  EXPECT_EQ(worse(Verdict::kPassed, Verdict::kRace), Verdict::kRace);
  EXPECT_EQ(worse(Verdict::kCrash, Verdict::kFailed), Verdict::kCrash);
  EXPECT_EQ(worse(Verdict::kNotRun, Verdict::kPassed), Verdict::kPassed);
  EXPECT_EQ(worse(Verdict::kFailed, Verdict::kNotRun), Verdict::kFailed);
}

}  // namespace
}  // namespace conclab
