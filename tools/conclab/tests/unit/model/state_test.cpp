// model/state: the learner's progress file: round trip, atomic writes, a damaged file set aside.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "app/errors.hpp"
#include "model/state.hpp"

namespace conclab {
namespace {

namespace fs = std::filesystem;

fs::path scratch_dir() {
  char tmpl[] = "/tmp/conclab-unit-XXXXXX";
  return fs::path(::mkdtemp(tmpl));
}

TEST(StateTest, RoundTripsAndWritesAtomically) {
  const fs::path root = scratch_dir();
  {
    State s = State::load(root);
    EXPECT_FALSE(s.warning().has_value());
    s.lab("00.01").status = LabStatus::kPassed;
    s.lab("00.01").hints_shown = 2;
    s.save();
  }
  State again = State::load(root);
  EXPECT_TRUE(again.passed("00.01"));
  EXPECT_EQ(again.find("00.01")->hints_shown, 2);
  for (const auto& e : fs::directory_iterator(root / ".conclab")) {
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << "a temporary file was left behind";
  }
  fs::remove_all(root);
}

TEST(StateTest, SetsADamagedFileAsideAndStartsFresh) {
  const fs::path root = scratch_dir();
  fs::create_directories(root / ".conclab");
  std::ofstream(root / ".conclab" / "state.json") << "{\"labs\": {\"00.01\": ";  // cut off mid-write
  State s = State::load(root);
  ASSERT_TRUE(s.warning().has_value()) << "a damaged file must be reported";
  EXPECT_NE(s.warning()->find("damaged"), std::string::npos);
  EXPECT_FALSE(s.passed("00.01"));
  bool kept = false;
  for (const auto& e : fs::directory_iterator(root / ".conclab")) {
    kept = kept || e.path().filename().string().find("state.json.damaged-") == 0;
  }
  EXPECT_TRUE(kept) << "the damaged file must be kept aside, not deleted";
  fs::remove_all(root);
}

TEST(StateTest, APassWithoutABuildTheLabNeedsDoesNotFinishIt) {
  const fs::path root = scratch_dir();
  State s = State::load(root);
  s.record_check("01.03", Verdict::kPassed, /*complete=*/false);
  EXPECT_FALSE(s.passed("01.03")) << "a --no-tsan pass must not mark a ThreadSanitizer lab done";
  EXPECT_EQ(s.find("01.03")->status, LabStatus::kAttempted);
  EXPECT_EQ(s.find("01.03")->last_verdict, Verdict::kPassed);
  s.record_check("01.03", Verdict::kPassed);
  EXPECT_TRUE(s.passed("01.03"));
  EXPECT_EQ(State::load(root).find("01.03")->attempts, 2);
  fs::remove_all(root);
}

TEST(StateTest, TwoDamagedFilesInOneSecondAreBothKept) {
  const fs::path root = scratch_dir();
  fs::create_directories(root / ".conclab");
  for (int i = 0; i < 2; ++i) {
    std::ofstream(root / ".conclab" / "state.json") << "{ damaged " << i;
    (void)State::load(root);
  }
  int kept = 0;
  for (const auto& e : fs::directory_iterator(root / ".conclab")) kept += e.path().filename().string().find("state.json.damaged-") == 0;
  EXPECT_EQ(kept, 2) << "the second damaged file must not overwrite the first one kept aside";
  fs::remove_all(root);
}

TEST(StateTest, KeepsDrillRecordsAndQuizCards) {
  const fs::path root = scratch_dir();
  {
    State s = State::load(root);
    s.drills()["08.01"].attempts.push_back({"2026-12-03T10:00:00Z", 600.5, 4, true});
    s.drills()["08.01"].attempts.push_back({"2026-12-04T10:00:00Z", 300.0, 2, true});
    s.drills()["08.01"].attempts.push_back({"2026-12-05T10:00:00Z", 100.0, 1, false});
    s.quiz()["data-race-definition"] = {3, "2026-12-07", 4, 1};
    s.save();
  }
  const State again = State::load(root);
  ASSERT_EQ(again.drills().count("08.01"), 1u);
  EXPECT_EQ(again.drills().at("08.01").attempts.size(), 3u);
  EXPECT_EQ(again.drills().at("08.01").best_seconds(), 300.0) << "the best is the fastest attempt that passed";
  ASSERT_EQ(again.quiz().count("data-race-definition"), 1u);
  EXPECT_EQ(again.quiz().at("data-race-definition").box, 3);
  EXPECT_EQ(again.quiz().at("data-race-definition").due, "2026-12-07");
  EXPECT_EQ(again.quiz().at("data-race-definition").missed, 1);
  fs::remove_all(root);
}

TEST(StateTest, CountsDaysAcrossMonthsAndYears) {
  EXPECT_EQ(days_between("2026-12-03", "2026-12-10"), 7);
  EXPECT_EQ(days_between("2026-12-30", "2027-01-02"), 3);
  EXPECT_EQ(days_between("2026-12-03", "2026-12-01"), -2);
  EXPECT_EQ(add_days("2028-02-28", 1), "2028-02-29");
  EXPECT_EQ(add_days("2026-12-31", 1), "2027-01-01");
  EXPECT_THROW((void)add_days("2026-13-01", 1), UserError);
  EXPECT_THROW((void)days_between("tomorrow", "2026-12-01"), UserError);
}

TEST(StateTest, TodayCanBeSetForTestsAndRefusesANonDate) {
  ::setenv("CONCLAB_TODAY", "2027-02-14", 1);
  EXPECT_EQ(today(), "2027-02-14");
  ::setenv("CONCLAB_TODAY", "next tuesday", 1);
  EXPECT_THROW((void)today(), UserError);
  ::unsetenv("CONCLAB_TODAY");
  EXPECT_EQ(today().size(), 10u);
}

}  // namespace
}  // namespace conclab
