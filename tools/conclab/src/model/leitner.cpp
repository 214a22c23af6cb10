#include "model/leitner.hpp"

#include <algorithm>
#include <tuple>

namespace conclab {

int box_interval_days(int box) { return 1 << (std::clamp(box, 1, kQuizBoxes) - 1); }

void grade_card(QuizCard& card, bool right, const std::string& today) {
  ++card.asked;
  if (right) {
    card.box = std::min(card.box + 1, kQuizBoxes);
    card.due = add_days(today, box_interval_days(card.box));
  } else {
    ++card.missed;
    card.box = 1;
    card.due = today;
  }
}

bool is_due(const QuizCard& card, const std::string& today) { return card.due.empty() || card.due <= today; }  // YYYY-MM-DD sorts as text

RoundPlan plan_round(const std::vector<const QuizQuestion*>& pool, const std::map<std::string, QuizCard>& cards, const std::string& today,
                     int count, bool early) {
  struct Seen {
    const QuizQuestion* q;
    const QuizCard* card;
    std::size_t order;  // course order, the last tie-break
  };
  std::vector<Seen> due, later;
  std::vector<const QuizQuestion*> fresh;
  for (std::size_t i = 0; i < pool.size(); ++i) {
    const auto it = cards.find(pool[i]->id);
    if (it == cards.end()) {
      fresh.push_back(pool[i]);
    } else {
      (is_due(it->second, today) ? due : later).push_back({pool[i], &it->second, i});
    }
  }
  std::stable_sort(due.begin(), due.end(), [](const Seen& a, const Seen& b) {
    return std::tie(a.card->box, a.card->due, a.order) < std::tie(b.card->box, b.card->due, b.order);
  });
  std::stable_sort(later.begin(), later.end(), [](const Seen& a, const Seen& b) {
    return std::tie(a.card->due, a.card->box, a.order) < std::tie(b.card->due, b.card->box, b.order);
  });
  RoundPlan plan;
  const auto room = [&] { return plan.questions.size() < static_cast<std::size_t>(std::max(count, 0)); };
  for (const auto& s : due) {
    if (!room()) break;
    plan.questions.push_back(s.q);
    ++plan.due;
  }
  for (const auto* q : fresh) {
    if (!room()) break;
    plan.questions.push_back(q);
    ++plan.fresh;
  }
  for (const auto& s : later) {
    if (!early || !room()) break;
    plan.questions.push_back(s.q);
    ++plan.early;
  }
  return plan;
}

std::map<std::string, int> upcoming_days(const std::vector<const QuizQuestion*>& pool, const std::map<std::string, QuizCard>& cards,
                                         const std::string& today) {
  std::map<std::string, int> days;
  for (const auto* q : pool) {
    const auto it = cards.find(q->id);
    if (it != cards.end() && !is_due(it->second, today)) ++days[it->second.due];
  }
  return days;
}

const QuizQuestion* Round::next() {
  if (queue_.empty() || asked_ >= count_) return nullptr;
  const QuizQuestion* q = queue_.front();
  queue_.pop_front();
  ++asked_;
  return q;
}

bool Round::missed(const QuizQuestion* q) {
  if (asked_ + static_cast<int>(queue_.size()) >= count_) return false;
  queue_.push_back(q);
  return true;
}

}  // namespace conclab
