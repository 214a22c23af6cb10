// model/leitner: the five boxes on fixed days, the choice of a round, and a missed question coming back.
#include "model/leitner.hpp"

#include <gtest/gtest.h>

namespace conclab {
namespace {

QuizQuestion question(const std::string& id) {
  QuizQuestion q;
  q.id = id;
  return q;
}

std::vector<std::string> ids(const std::vector<const QuizQuestion*>& qs) {
  std::vector<std::string> out;
  for (const auto* q : qs) out.push_back(q->id);
  return out;
}

TEST(LeitnerTest, IntervalsDoubleFromOneDayToSixteen) {
  EXPECT_EQ(box_interval_days(1), 1);
  EXPECT_EQ(box_interval_days(2), 2);
  EXPECT_EQ(box_interval_days(3), 4);
  EXPECT_EQ(box_interval_days(4), 8);
  EXPECT_EQ(box_interval_days(5), 16);
}

TEST(LeitnerTest, RightAnswersClimbTheBoxesAndAMissSendsBackToBoxOne) {
  QuizCard c;  // a new question: box 1
  grade_card(c, true, "2026-12-30");
  EXPECT_EQ(c.box, 2);
  EXPECT_EQ(c.due, "2027-01-01") << "box 2 comes back after 2 days, across the year";
  grade_card(c, true, "2027-01-01");
  EXPECT_EQ(c.box, 3);
  EXPECT_EQ(c.due, "2027-01-05");
  grade_card(c, true, "2027-01-05");
  grade_card(c, true, "2027-01-13");
  EXPECT_EQ(c.box, 5);
  EXPECT_EQ(c.due, "2027-01-29");
  grade_card(c, true, "2027-01-29");
  EXPECT_EQ(c.box, 5) << "box 5 is the top";
  EXPECT_EQ(c.due, "2027-02-14");
  grade_card(c, false, "2027-02-14");
  EXPECT_EQ(c.box, 1);
  EXPECT_EQ(c.due, "2027-02-14") << "a miss is due again the same day";
  EXPECT_EQ(c.asked, 6);
  EXPECT_EQ(c.missed, 1);
}

TEST(LeitnerTest, DueMeansOnOrAfterItsDay) {
  QuizCard c;
  c.due = "2026-12-05";
  EXPECT_FALSE(is_due(c, "2026-12-04"));
  EXPECT_TRUE(is_due(c, "2026-12-05"));
  EXPECT_TRUE(is_due(c, "2026-12-09"));
  EXPECT_TRUE(is_due(QuizCard{}, "2026-12-01")) << "a card without a day is due";
}

class RoundTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* id : {"q1", "q2", "q3", "q4", "q5", "q6"}) bank_.push_back(question(id));
    for (const auto& q : bank_) pool_.push_back(&q);
  }
  std::vector<QuizQuestion> bank_;
  std::vector<const QuizQuestion*> pool_;
};

TEST_F(RoundTest, DueFirstByBoxThenOldestThenNewInCourseOrder) {
  std::map<std::string, QuizCard> cards;
  cards["q5"] = {3, "2026-12-01", 2, 0};  // due, box 3
  cards["q2"] = {1, "2026-12-03", 1, 1};  // due, box 1, recent
  cards["q4"] = {1, "2026-11-20", 1, 1};  // due, box 1, overdue longest
  cards["q1"] = {2, "2026-12-09", 1, 0};  // not due yet
  const RoundPlan plan = plan_round(pool_, cards, "2026-12-03", 10, false);
  EXPECT_EQ(ids(plan.questions), (std::vector<std::string>{"q4", "q2", "q5", "q3", "q6"}));
  EXPECT_EQ(plan.due, 3);
  EXPECT_EQ(plan.fresh, 2);
  EXPECT_EQ(plan.early, 0) << "q1 is not due, and --all was not given";
}

TEST_F(RoundTest, CountCutsTheRoundAndAllAddsTheOnesNotDueSoonestFirst) {
  std::map<std::string, QuizCard> cards;
  for (const char* id : {"q1", "q2", "q3", "q4"}) cards[id] = {2, "2026-12-20", 1, 0};
  cards["q3"].due = "2026-12-10";
  EXPECT_EQ(ids(plan_round(pool_, cards, "2026-12-03", 1, false).questions), (std::vector<std::string>{"q5"}));
  EXPECT_EQ(ids(plan_round(pool_, cards, "2026-12-03", 10, false).questions), (std::vector<std::string>{"q5", "q6"}));
  const RoundPlan all = plan_round(pool_, cards, "2026-12-03", 4, true);
  EXPECT_EQ(ids(all.questions), (std::vector<std::string>{"q5", "q6", "q3", "q1"}));
  EXPECT_EQ(all.early, 2);
}

TEST_F(RoundTest, NothingDueAndNothingNewIsAnEmptyRoundWithTheNextDays) {
  std::map<std::string, QuizCard> cards;
  for (const auto* q : pool_) cards[q->id] = {2, "2026-12-05", 1, 0};
  cards["q6"].due = "2026-12-07";
  EXPECT_TRUE(plan_round(pool_, cards, "2026-12-03", 10, false).questions.empty());
  EXPECT_EQ(upcoming_days(pool_, cards, "2026-12-03"), (std::map<std::string, int>{{"2026-12-05", 5}, {"2026-12-07", 1}}));
  EXPECT_EQ(plan_round(pool_, cards, "2026-12-05", 10, false).questions.size(), 5u) << "two days later they are due";
}

TEST_F(RoundTest, AMissedQuestionComesBackWhenTheRoundHasRoom) {
  Round round({pool_[0], pool_[1]}, 4);
  EXPECT_EQ(round.total(), 2);
  EXPECT_EQ(round.next(), pool_[0]);
  EXPECT_TRUE(round.missed(pool_[0])) << "2 planned, 4 allowed: room";
  EXPECT_EQ(round.total(), 3) << "the missed one is added to the round";
  EXPECT_EQ(round.next(), pool_[1]);
  EXPECT_EQ(round.next(), pool_[0]) << "the missed one comes back at the end";
  EXPECT_TRUE(round.missed(pool_[0])) << "3 asked, room for one more";
  EXPECT_EQ(round.next(), pool_[0]);
  EXPECT_FALSE(round.missed(pool_[0])) << "4 asked: the round is full";
  EXPECT_EQ(round.next(), nullptr);
  EXPECT_EQ(round.asked(), 4);

  Round full({pool_[0], pool_[1]}, 2);
  full.next();
  EXPECT_FALSE(full.missed(pool_[0])) << "a full round has no room";
}

}  // namespace
}  // namespace conclab
