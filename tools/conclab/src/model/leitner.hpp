// Spaced repetition for `conclab quiz`: Leitner's five boxes over the cards in State::quiz().
//
// A question nobody has answered is in box 1. A right answer moves its card up one box (5 at most) and makes
// it due again after that box's interval: 1, 2, 4, 8 or 16 days for boxes 1 to 5. A miss sends it back to box
// 1, due today, and it comes back later in the same round when the round has room. Days come from today()
// (model/state.hpp), so CONCLAB_TODAY moves them in tests.
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "model/quiz.hpp"
#include "model/state.hpp"

namespace conclab {

inline constexpr int kQuizBoxes = 5;

// Days until a card put in `box` (1..5) is asked again: 1, 2, 4, 8, 16.
int box_interval_days(int box);

// Grades one answer on `card` (asked and missed are counted too).
void grade_card(QuizCard& card, bool right, const std::string& today);

// A card is due on or after its day; a card without a day is due.
bool is_due(const QuizCard& card, const std::string& today);

struct RoundPlan {
  std::vector<const QuizQuestion*> questions;  // in the order they are asked
  int due = 0;    // of them, questions that were due
  int fresh = 0;  // never asked before
  int early = 0;  // not due yet (only when asked for them)
};

// The questions of one round out of `pool` (in course order), at most `count`: the due ones first (lowest box,
// then the longest overdue), then new ones in course order, then, only with `early`, the ones not due yet
// (soonest first).
RoundPlan plan_round(const std::vector<const QuizQuestion*>& pool, const std::map<std::string, QuizCard>& cards, const std::string& today,
                     int count, bool early);

// When the questions of `pool` that are not due today come due: each day after today with how many.
std::map<std::string, int> upcoming_days(const std::vector<const QuizQuestion*>& pool, const std::map<std::string, QuizCard>& cards,
                                         const std::string& today);

// One round being asked: the plan, and the missed questions that come back at its end while it has room
// (never more than `count` questions asked in all).
class Round {
 public:
  Round(const std::vector<const QuizQuestion*>& planned, int count) : queue_(planned.begin(), planned.end()), count_(count) {}

  // The next question, or nullptr when the round is over.
  const QuizQuestion* next();
  // The question just asked was missed: it comes back at the end if the round has room. True if it will.
  bool missed(const QuizQuestion* q);
  int asked() const { return asked_; }
  // The questions asked so far and still to come (it grows when a missed one comes back).
  int total() const { return asked_ + static_cast<int>(queue_.size()); }

 private:
  std::deque<const QuizQuestion*> queue_;
  int count_;
  int asked_ = 0;
};

}  // namespace conclab
