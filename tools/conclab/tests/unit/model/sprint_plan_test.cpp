// model/sprint_plan: the interview path, day by day, from the labs' minutes and tags and the learner's progress.
#include "model/sprint_plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "app/errors.hpp"

namespace conclab {
namespace {

Lab lab_of(std::string id, int minutes, std::vector<std::string> tags, std::string lesson) {
  Lab lab;
  lab.id = std::move(id);
  lab.title = "Lab " + lab.id;
  lab.minutes = minutes;
  lab.tags = std::move(tags);
  lab.lesson = std::move(lesson);
  return lab;
}

// Four interview labs (two share a lesson), one that is not on the path, three drills (two share a lesson).
std::vector<Lab> fixture_labs() {
  return {lab_of("00.01", 30, {"interview"}, "modules/00/01.md"),    lab_of("00.02", 30, {}, "modules/00/02.md"),
          lab_of("01.01", 45, {"interview"}, "modules/01/01.md"),    lab_of("01.02", 30, {"interview"}, "modules/01/01.md"),
          lab_of("03.01", 60, {"interview"}, "modules/03/01.md"),    lab_of("08.01", 20, {"drill", "interview"}, "modules/08/02.md"),
          lab_of("08.02", 25, {"drill"}, "modules/08/02.md"),        lab_of("08.03", 30, {"drill"}, "modules/08/03.md")};
}

// Every item of the plan in order, quiz rounds left out, as "kind id" ("lesson 01.01", "drill 08.02").
std::vector<std::string> work_of(const SprintPlan& plan) {
  std::vector<std::string> out;
  for (const auto& day : plan.schedule) {
    for (const auto& i : day.items) {
      if (i.kind == SprintItemKind::kQuiz) continue;
      const std::string kind = i.kind == SprintItemKind::kLesson ? "lesson" : i.kind == SprintItemKind::kLab ? "lab" : "drill";
      out.push_back(kind + " " + i.lab);
    }
  }
  return out;
}

std::ptrdiff_t position(const std::vector<std::string>& items, const std::string& item) {
  const auto it = std::find(items.begin(), items.end(), item);
  return it == items.end() ? -1 : it - items.begin();
}

TEST(SprintPlanTest, ThePathIsTheInterviewLabsAndTheDrillsEachAfterItsLesson) {
  const SprintPlan plan = make_sprint_plan(fixture_labs(), {}, "2026-12-03", 7, 2);
  const auto work = work_of(plan);
  EXPECT_TRUE(plan.left_out.empty());
  EXPECT_EQ(position(work, "lab 00.02"), -1) << "00.02 is not tagged interview";
  EXPECT_EQ(position(work, "lab 08.01"), -1) << "a drill tagged interview is a drill, not a lab";
  for (const char* lab : {"lab 00.01", "lab 01.01", "lab 01.02", "lab 03.01", "drill 08.01", "drill 08.02", "drill 08.03"}) {
    EXPECT_NE(position(work, lab), -1) << lab;
  }
  EXPECT_LT(position(work, "lesson 00.01"), position(work, "lab 00.01"));
  EXPECT_LT(position(work, "lesson 01.01"), position(work, "lab 01.01"));
  EXPECT_EQ(position(work, "lesson 01.02"), -1) << "01.02 shares its lesson with 01.01: read once";
  EXPECT_EQ(position(work, "lesson 08.02"), -1) << "08.02 shares its lesson with 08.01";
  EXPECT_LT(position(work, "lab 00.01"), position(work, "lab 01.01")) << "labs keep course order";
  EXPECT_LT(position(work, "drill 08.01"), position(work, "drill 08.03")) << "drills keep course order";
}

TEST(SprintPlanTest, TheDrillsAreSpreadThroughThePlanNotLeftToTheEnd) {
  const auto work = work_of(make_sprint_plan(fixture_labs(), {}, "2026-12-03", 7, 2));
  EXPECT_LT(position(work, "drill 08.01"), position(work, "lab 01.02")) << "the first drill comes before the labs are over";
  EXPECT_LT(position(work, "drill 08.02"), position(work, "lab 03.01"));
}

TEST(SprintPlanTest, WhatIsPassedIsSkippedAndSoIsTheLessonOfACheckedLab) {
  SprintProgress progress;
  progress.passed = {"00.01", "08.03"};  // 08.03 passed with check, not drilled: the drill stays
  progress.attempted = {"00.01", "01.01", "08.03"};
  progress.drilled = {"08.01"};
  const auto work = work_of(make_sprint_plan(fixture_labs(), progress, "2026-12-03", 7, 2));
  EXPECT_EQ(position(work, "lab 00.01"), -1);
  EXPECT_EQ(position(work, "lesson 00.01"), -1);
  EXPECT_EQ(position(work, "drill 08.01"), -1);
  EXPECT_NE(position(work, "lab 01.01"), -1) << "checked but not passed: still to do";
  EXPECT_EQ(position(work, "lesson 01.01"), -1) << "a checked lab's lesson has been read";
  EXPECT_EQ(position(work, "lesson 08.02"), -1) << "08.01 was drilled, so its lesson has been read";
  EXPECT_NE(position(work, "drill 08.03"), -1) << "a drill is done by a timed pass";
}

TEST(SprintPlanTest, DaysHoldTheHoursAskedAndQuizRoundsComeOnSpacedDays) {
  EXPECT_EQ(sprint_quiz_days(7), (std::vector<int>{1, 2, 4, 7}));
  EXPECT_EQ(sprint_quiz_days(14), (std::vector<int>{1, 2, 4, 7, 11, 14}));
  const SprintPlan plan = make_sprint_plan(fixture_labs(), {}, "2026-12-29", 7, 1.5);
  ASSERT_EQ(plan.schedule.size(), 7u);
  EXPECT_EQ(plan.schedule[0].date, "2026-12-29");
  EXPECT_EQ(plan.schedule[6].date, "2027-01-04");
  EXPECT_EQ(plan.end(), "2027-01-04");
  for (const auto& day : plan.schedule) {
    const bool quiz = std::any_of(day.items.begin(), day.items.end(), [](const SprintItem& i) { return i.kind == SprintItemKind::kQuiz; });
    const bool quiz_day = day.number == 1 || day.number == 2 || day.number == 4 || day.number == 7;
    EXPECT_EQ(quiz, quiz_day) << "day " << day.number;
    EXPECT_LE(day.minutes(), 90) << "day " << day.number;
  }
}

TEST(SprintPlanTest, WhatDoesNotFitIsLeftOutAndNamedNeverDropped) {
  const std::size_t all = work_of(make_sprint_plan(fixture_labs(), {}, "2026-12-03", 7, 2)).size();
  const SprintPlan tight = make_sprint_plan(fixture_labs(), {}, "2026-12-03", 7, 0.5);
  ASSERT_FALSE(tight.left_out.empty());
  EXPECT_EQ(work_of(tight).size() + tight.left_out.size(), all) << "every item is planned or left out";
  const SprintPlan longer = make_sprint_plan(fixture_labs(), {}, "2026-12-03", 14, 0.5);
  EXPECT_LT(longer.left_out.size(), tight.left_out.size()) << "14 days hold more than 7";
  // An item longer than a day's hours gets a day of its own instead of never fitting.
  for (const auto& day : tight.schedule) {
    EXPECT_LE(std::count_if(day.items.begin(), day.items.end(), [](const SprintItem& i) { return i.kind != SprintItemKind::kQuiz; }), 1)
        << "day " << day.number;
  }

  const auto hours = sprint_hours_to_fit(fixture_labs(), {}, 7);
  ASSERT_TRUE(hours.has_value());
  EXPECT_TRUE(make_sprint_plan(fixture_labs(), {}, "2026-12-03", 7, *hours).left_out.empty());
  EXPECT_FALSE(make_sprint_plan(fixture_labs(), {}, "2026-12-03", 7, *hours - 0.5).left_out.empty());
}

TEST(SprintPlanTest, WhenItDoesNotFitTheLabsFurthestAlongGiveWayBeforeAnyDrill) {
  // 7 days of 45 minutes: in plain path order the last drill (08.03) would not fit while three labs did.
  const SprintPlan plan = make_sprint_plan(fixture_labs(), {}, "2026-12-03", 7, 0.75);
  const auto work = work_of(plan);
  for (const char* drill : {"drill 08.01", "drill 08.02", "drill 08.03"}) {
    EXPECT_NE(position(work, drill), -1) << drill << " was left out while labs were planned: the drills come first";
  }
  EXPECT_NE(position(work, "lab 00.01"), -1) << "the first lab of the path should stay";
  std::vector<std::string> left;
  for (const auto& item : plan.left_out) {
    EXPECT_NE(item.kind, SprintItemKind::kDrill) << item.lab;
    if (item.kind == SprintItemKind::kLab) left.push_back(item.lab);
  }
  EXPECT_EQ(left, (std::vector<std::string>{"01.01", "01.02", "03.01"})) << "the labs furthest along the course give way, and are named";
}

TEST(SprintPlanTest, RoundTripsThroughJsonAndReadsAsMarkdown) {
  const SprintPlan plan = make_sprint_plan(fixture_labs(), {}, "2026-12-03", 7, 0.5);
  const SprintPlan again = sprint_plan_from_json(sprint_plan_json(plan));
  EXPECT_EQ(sprint_plan_json(again), sprint_plan_json(plan));
  EXPECT_EQ(work_of(again), work_of(plan));
  const std::string md = sprint_plan_markdown(plan);
  for (const char* text : {"# Sprint plan: 7 days from 2026-12-03 to 2026-12-09", "## Day 1: 2026-12-03",
                           "| quiz round | 15 | `./conclab quiz --count 10` |", "## Left out", "| lesson modules/00/01.md | 20 | read it |"}) {
    EXPECT_NE(md.find(text), std::string::npos) << text << " not in:\n" << md;
  }
  EXPECT_THROW(sprint_plan_from_json(nlohmann::json{{"format_version", 1}}), UserError);
  EXPECT_THROW(sprint_plan_from_json(nlohmann::json::parse(R"({"format_version": 1, "start": "soon", "days": 0,
      "hours_per_day": 2, "schedule": [], "left_out": []})")), UserError);
}

TEST(SprintPlanTest, StatusShowsTodayWhatIsBehindAndWhatToRunNext) {
  const SprintPlan plan = make_sprint_plan(fixture_labs(), {}, "2026-12-03", 7, 0.5);
  SprintStatus s = sprint_status(plan, {}, "2026-12-05");
  EXPECT_EQ(s.day, 3);
  ASSERT_EQ(s.today.size(), plan.schedule[2].items.size());
  ASSERT_FALSE(s.behind.empty());
  EXPECT_EQ(s.behind.front(), &plan.schedule[0].items[0]) << "day 1's first item is the oldest not done";
  EXPECT_EQ(s.next, s.behind.front());
  for (const auto* i : s.behind) EXPECT_NE(i->kind, SprintItemKind::kQuiz) << "a missed quiz round is not caught up";

  SprintProgress progress;  // days 1 and 2 done: nothing behind, next is today's first item
  for (int d = 0; d < 2; ++d) {
    for (const auto& i : plan.schedule[d].items) {
      if (i.kind == SprintItemKind::kLesson) progress.attempted.insert(i.lab);
      if (i.kind == SprintItemKind::kLab) progress.passed.insert(i.lab);
      if (i.kind == SprintItemKind::kDrill) progress.drilled.insert(i.lab);
    }
  }
  s = sprint_status(plan, progress, "2026-12-05");
  EXPECT_TRUE(s.behind.empty());
  EXPECT_EQ(s.next, s.today.front());

  EXPECT_EQ(sprint_status(plan, {}, "2026-12-01").day, 0);
  s = sprint_status(plan, {}, "2026-12-20");
  EXPECT_EQ(s.day, 8) << "over";
  EXPECT_TRUE(s.today.empty());
  EXPECT_EQ(s.behind.size(), work_of(plan).size());
}

}  // namespace
}  // namespace conclab
