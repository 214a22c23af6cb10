// model/drill: which labs are drills, the next one to attempt, recording attempts and personal bests.
#include "model/drill.hpp"

#include <gtest/gtest.h>

#include "course_fixture.hpp"

namespace conclab {
namespace {

Lab lab_with(std::string id, std::vector<std::string> tags) {
  Lab lab;
  lab.id = std::move(id);
  lab.tags = std::move(tags);
  return lab;
}

class DrillTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = testing::scratch_dir();
    course_.labs = {lab_with("03.01", {"interview"}), lab_with("08.01", {"drill", "interview"}), lab_with("08.02", {"drill"})};
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path root_;
  Course course_;
};

TEST_F(DrillTest, TheDrillsAreTheLabsTaggedDrillInCourseOrder) {
  const auto drills = drills_of(course_);
  ASSERT_EQ(drills.size(), 2u);
  EXPECT_EQ(drills[0]->id, "08.01");
  EXPECT_EQ(drills[1]->id, "08.02");
  EXPECT_FALSE(is_drill(course_.labs[0]));
}

TEST_F(DrillTest, TheNextDrillIsTheFirstWithoutAPassedAttempt) {
  State state = State::load(root_);
  EXPECT_EQ(next_drill(course_, state)->id, "08.01");
  record_drill_attempt(state, "08.01", {.started = "t", .seconds = 50, .checks = 1, .passed = false});
  EXPECT_EQ(next_drill(course_, state)->id, "08.01") << "an unfinished attempt does not pass the drill";
  record_drill_attempt(state, "08.01", {.started = "t", .seconds = 90, .checks = 2, .passed = true});
  EXPECT_TRUE(drill_passed(state, "08.01"));
  EXPECT_EQ(next_drill(course_, state)->id, "08.02");
  record_drill_attempt(state, "08.02", {.started = "t", .seconds = 90, .checks = 2, .passed = true});
  EXPECT_EQ(next_drill(course_, state), nullptr);
}

TEST_F(DrillTest, ANewBestIsAPassFasterThanEveryEarlierPass) {
  State state = State::load(root_);
  auto first = record_drill_attempt(state, "08.01", {.started = "t", .seconds = 300, .checks = 3, .passed = true});
  EXPECT_TRUE(first.new_best);
  EXPECT_EQ(first.best_seconds, 300);
  auto slower = record_drill_attempt(state, "08.01", {.started = "t", .seconds = 400, .checks = 1, .passed = true});
  EXPECT_FALSE(slower.new_best);
  EXPECT_EQ(slower.best_seconds, 300);
  auto unfinished = record_drill_attempt(state, "08.01", {.started = "t", .seconds = 10, .checks = 0, .passed = false});
  EXPECT_FALSE(unfinished.new_best) << "a quick Ctrl-C is not a best";
  EXPECT_EQ(unfinished.best_seconds, 300);
  auto faster = record_drill_attempt(state, "08.01", {.started = "t", .seconds = 200, .checks = 2, .passed = true});
  EXPECT_TRUE(faster.new_best);
  EXPECT_EQ(faster.best_seconds, 200);
  EXPECT_EQ(state.drills().at("08.01").attempts.size(), 4u);
}

TEST(DrillDurationTest, ReadsAsALearnerSaysIt) {
  EXPECT_EQ(duration_text(0), "0 s");
  EXPECT_EQ(duration_text(44.6), "45 s");
  EXPECT_EQ(duration_text(185), "3 min 05 s");
  EXPECT_EQ(duration_text(3720), "1 h 02 min");
}

}  // namespace
}  // namespace conclab
