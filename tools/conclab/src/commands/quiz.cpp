// `conclab quiz [--topic T] [--count N] [--all]`: questions from the bank (every module's quiz.toml, read by
// model/quiz), one at a time in a terminal, with spaced repetition (model/leitner) over the cards in
// state.json. Without a terminal: `--json` prints a round's questions (never the answers), and
// `--answer ID=A` grades answers and moves the cards, for scripts and for tests.
#include <fmt/format.h>
#include <unistd.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "app/errors.hpp"
#include "commands/registry.hpp"
#include "model/leitner.hpp"
#include "model/quiz.hpp"
#include "ui/color.hpp"
#include "util/text.hpp"

namespace conclab::commands {

namespace {

using nlohmann::json;

constexpr int kDefaultQuizCount = 10;
constexpr int kMaxQuizCount = 50;

// One graded answer.
struct QuizResult {
  const QuizQuestion* q = nullptr;
  bool right = false;
  QuizCard card;  // after the answer
};

std::string question_kind_word(QuestionKind k) { return k == QuestionKind::kChoice ? "choice" : "short"; }

// "c) the text" for a choice question; the model answer is the explanation for a short one.
std::string right_choice(const QuizQuestion& q) {
  return q.kind == QuestionKind::kChoice ? fmt::format("{}) {}", choice_letter(q.answer), q.choices[q.answer]) : std::string();
}

std::string choice_letters(const QuizQuestion& q) { return fmt::format("a-{}", choice_letter(static_cast<int>(q.choices.size()) - 1)); }

// Where the card went, in a sentence.
std::string card_sentence(const QuizResult& g, const std::string& today, bool comes_back) {
  if (g.right) return fmt::format("Now in box {}: asked again on {}.", g.card.box, g.card.due);
  return comes_back ? "Back to box 1: it comes back later in this round." : fmt::format("Back to box 1: due again today ({}).", today);
}

class QuizCommand final : public Command {
 public:
  void add_options(Options& app) override {
    app.option("--topic", topic_, "A module (02, memory-model, 02-memory-model) or a tag (atomics)");
    app.option("--count", count_, "Questions in the round, 1 to 50 (default 10)").range(1, kMaxQuizCount);
    app.flag("--all", all_, "When the round has room, also ask questions that are not due yet");
    app.flag("--json", json_, "Without a terminal: print the round's questions (not the answers) as JSON; with --answer, the results");
    app.option("--answer", answers_, "Without a terminal: grade an answer, ID=LETTER (a choice) or ID=y|n (a short answer you graded yourself); repeatable");
  }
  bool machine_output() const override { return json_; }

  int run(const GlobalOptions& global) override {
    Context ctx = open_context(global, json_);
    bank_ = load_quiz_bank(ctx.course.root);
    if (bank_.questions.empty()) {
      throw UserError("This course has no quiz questions yet: a module's questions go in modules/NN-name/quiz.toml (docs/authoring.md, "
                      "\"Quiz questions\").",
                      exit_code::kUsage);
    }
    if (!bank_.problems.empty()) {
      std::cerr << out::yellow("warning: ")
                << fmt::format("the question bank has {} (`conclab maint lint` lists them); a broken question is left out.\n",
                               plural(static_cast<long>(bank_.problems.size()), "problem"));
    }
    today_ = today();
    if (!answers_.empty()) return grade_answers(ctx);
    const std::vector<const QuizQuestion*> pool = topic_pool();
    const RoundPlan plan = plan_round(pool, ctx.state.quiz(), today_, count_, all_);
    if (json_) return print_round(ctx, pool, plan);
    if (::isatty(STDIN_FILENO) == 0 || ::isatty(STDOUT_FILENO) == 0) {
      throw UserError("conclab quiz asks one question at a time, so it needs a terminal; from a script, list a round with "
                      "`conclab quiz --json` and grade it with `conclab quiz --answer ID=b`.",
                      exit_code::kUsage);
    }
    if (plan.questions.empty()) {
      fmt::print("{}\n", nothing_due(ctx, pool));
      return exit_code::kOk;
    }
    return ask(ctx, pool, plan);
  }

 private:
  std::vector<const QuizQuestion*> topic_pool() const {
    if (topic_.empty()) {
      std::vector<const QuizQuestion*> all;
      for (const auto& q : bank_.questions) all.push_back(&q);
      return all;
    }
    auto on = questions_on_topic(bank_, topic_);
    if (!on) {
      throw UserError(fmt::format("No questions on '{}': a topic is {}.", topic_, known_topics(bank_)), exit_code::kUsage);
    }
    return *on;
  }

  std::string on_topic() const { return topic_.empty() ? std::string() : fmt::format(" on '{}'", topic_); }

  // Why the round is empty, and what to do.
  std::string nothing_due(const Context& ctx, const std::vector<const QuizQuestion*>& pool) const {
    const auto days = upcoming_days(pool, ctx.state.quiz(), today_);
    if (days.empty()) return fmt::format("Nothing to ask{}.", on_topic());
    return fmt::format("Nothing is due today{}: you have answered every question, and the next {} due on {}. `conclab quiz --all` asks "
                       "them now.",
                       on_topic(), days.begin()->second == 1 ? "is" : fmt::format("{} are", days.begin()->second), days.begin()->first);
  }

  int print_round(const Context& ctx, const std::vector<const QuizQuestion*>& pool, const RoundPlan& plan) const {
    json questions = json::array();
    for (const auto* q : plan.questions) {
      const auto card = ctx.state.quiz().find(q->id);
      json j = {{"id", q->id},           {"kind", question_kind_word(q->kind)}, {"module", q->module}, {"prompt", q->prompt},
                {"choices", q->choices}, {"lesson", q->lesson},        {"tags", q->tags},
                {"box", card == ctx.state.quiz().end() ? 1 : card->second.box}, {"new", card == ctx.state.quiz().end()}};
      questions.push_back(std::move(j));
    }
    json j = {{"today", today_}, {"topic", topic_}, {"due", plan.due}, {"new", plan.fresh}, {"early", plan.early}, {"questions", questions}};
    if (plan.questions.empty()) j["message"] = nothing_due(ctx, pool);
    fmt::print("{}\n", j.dump(2));
    return exit_code::kOk;
  }

  // --answer ID=A...: every answer is checked before any card moves, so a typo changes nothing.
  int grade_answers(Context& ctx) {
    std::vector<std::pair<const QuizQuestion*, bool>> checked;
    for (const auto& a : answers_) checked.emplace_back(parse_answer(a));
    std::vector<QuizResult> results;
    for (const auto& [q, right] : checked) {
      QuizCard& card = ctx.state.quiz()[q->id];
      grade_card(card, right, today_);
      results.push_back({q, right, card});
    }
    ctx.state.save();
    if (json_) {
      json out = json::array();
      for (const auto& g : results) {
        out.push_back({{"id", g.q->id},
                       {"correct", g.right},
                       {"answer", g.q->kind == QuestionKind::kChoice ? choice_letter(g.q->answer) : std::string()},
                       {"answer_text", g.q->kind == QuestionKind::kChoice ? g.q->choices[g.q->answer] : std::string()},
                       {"explain", g.q->explain},
                       {"lesson", g.q->lesson},
                       {"box", g.card.box},
                       {"due", g.card.due}});
      }
      fmt::print("{}\n", json{{"today", today_}, {"results", out}}.dump(2));
      return exit_code::kOk;
    }
    int right = 0;
    for (const auto& g : results) {
      right += g.right ? 1 : 0;
      fmt::print("{}: {}\n", out::bold(g.q->id), g.right ? out::green("right.") : out::red("wrong."));
      if (g.q->kind == QuestionKind::kChoice) fmt::print("  The answer: {}\n", right_choice(*g.q));
      fmt::print("{}\n  Read more: {}\n  {}\n", out::indent(g.q->explain, 2), g.q->lesson, card_sentence(g, today_, false));
    }
    fmt::print("{} of {} right.\n", right, results.size());
    return exit_code::kOk;
  }

  std::pair<const QuizQuestion*, bool> parse_answer(const std::string& text) const {
    const auto eq = text.find('=');
    if (eq == std::string::npos) {
      throw UserError(fmt::format("'{}' is not an answer: write ID=LETTER, e.g. --answer {}=b.", text, bank_.questions.front().id), exit_code::kUsage);
    }
    const std::string id = trim(text.substr(0, eq));
    const std::string given = lower(trim(text.substr(eq + 1)));
    const auto it = std::find_if(bank_.questions.begin(), bank_.questions.end(), [&](const QuizQuestion& q) { return q.id == id; });
    if (it == bank_.questions.end()) {
      throw UserError(fmt::format("There is no question '{}' in the bank: `conclab quiz --json` prints a round with the ids.", id), exit_code::kUsage);
    }
    if (it->kind == QuestionKind::kShort) {
      if (given == "y" || given == "yes" || given == "n" || given == "no") return {&*it, given[0] == 'y'};
      throw UserError(fmt::format("'{}' is a short-answer question that you grade yourself: answer {}=y if you got it, {}=n if not.", id, id, id),
                      exit_code::kUsage);
    }
    const auto index = choice_index(given, it->choices.size());
    if (!index) {
      throw UserError(fmt::format("'{}' is not one of the choices of '{}': answer with a letter from {}.", given, id, choice_letters(*it)), exit_code::kUsage);
    }
    return {&*it, *index == it->answer};
  }

  // A line from the learner, lower-cased and trimmed; nullopt at the end of input.
  static std::optional<std::string> read_line(const std::string& prompt) {
    fmt::print("{}", prompt);
    std::fflush(stdout);
    std::string line;
    if (!std::getline(std::cin, line)) {
      fmt::print("\n");
      return std::nullopt;
    }
    return trim(line);
  }

  // Asks one question; nullopt when the learner quits.
  std::optional<bool> ask_one(const QuizQuestion& q) const {
    if (q.kind == QuestionKind::kChoice) {
      for (std::size_t i = 0; i < q.choices.size(); ++i) fmt::print("  {}) {}\n", choice_letter(static_cast<int>(i)), q.choices[i]);
      for (;;) {
        const auto line = read_line(fmt::format("\n{} ", out::bold(fmt::format("Your answer ({}, q quits) >", choice_letters(q)))));
        if (!line || lower(*line) == "q") return std::nullopt;
        if (const auto index = choice_index(lower(*line), q.choices.size())) {
          const bool right = *index == q.answer;
          fmt::print("{}\n", right ? out::green("Right.") : out::red(fmt::format("Not quite: the answer is {}", right_choice(q))));
          return right;
        }
        fmt::print("Type a letter from {}, or q to quit.\n", choice_letters(q));
      }
    }
    const auto line = read_line(fmt::format("{} ", out::bold("Your answer (a sentence; Enter when done, q quits) >")));
    if (!line || lower(*line) == "q") return std::nullopt;
    fmt::print("{}\n{}\n", out::cyan("The model answer:"), out::indent(q.explain, 2));
    for (;;) {
      const auto yn = read_line(fmt::format("{} ", out::bold("Did you get it? (y/n, q quits) >")));
      if (!yn || lower(*yn) == "q") return std::nullopt;
      const std::string a = lower(*yn);
      if (a == "y" || a == "yes" || a == "n" || a == "no") return a[0] == 'y';
      fmt::print("Type y if your answer says the same in your words, n if not.\n");
    }
  }

  int ask(Context& ctx, const std::vector<const QuizQuestion*>& pool, const RoundPlan& plan) {
    std::vector<std::string> parts;
    if (plan.due > 0) parts.push_back(fmt::format("{} due again", plan.due));
    if (plan.fresh > 0) parts.push_back(fmt::format("{} new", plan.fresh));
    if (plan.early > 0) parts.push_back(fmt::format("{} not due yet", plan.early));
    fmt::print("{} {} ({}){}. A question you miss comes back sooner; q quits, and what you answered is kept.\n", out::bold("conclab quiz:"),
               plural(static_cast<long>(plan.questions.size()), "question"), join(parts), on_topic());
    Round round(plan.questions, count_);
    int right = 0;
    bool quit = false;
    while (const QuizQuestion* q = round.next()) {
      const auto card = ctx.state.quiz().find(q->id);
      fmt::print("\n{}\n{}\n\n", out::dim(fmt::format("Question {} of {} · {} · {}", round.asked(), round.total(), q->module,
                                                      card == ctx.state.quiz().end() ? std::string("new") : fmt::format("box {}", card->second.box))),
                 out::bold(q->prompt));
      const auto answer = ask_one(*q);
      if (!answer) {
        quit = true;
        break;
      }
      QuizCard& c = ctx.state.quiz()[q->id];
      grade_card(c, *answer, today_);
      ctx.state.save();  // after every answer: quitting, or Ctrl-C, keeps what was answered
      const bool comes_back = !*answer && round.missed(q);
      right += *answer ? 1 : 0;
      if (q->kind == QuestionKind::kChoice) fmt::print("{}\n", out::indent(q->explain, 2));
      fmt::print("  {} {}\n  {}\n", out::dim("Read more:"), q->lesson, card_sentence({q, *answer, c}, today_, comes_back));
    }
    const int answered = round.asked() - (quit ? 1 : 0);
    fmt::print("\n{}\n", out::bold(quit ? fmt::format("Stopped after {}: {} right. Your answers are saved.", plural(answered, "question"), right)
                                        : fmt::format("Score: {} of {} right.", right, answered)));
    fmt::print("{}\n", what_is_next(ctx, pool));
    return exit_code::kOk;
  }

  // When the next questions come due, and how many are still new.
  std::string what_is_next(const Context& ctx, const std::vector<const QuizQuestion*>& pool) const {
    int due_now = 0, fresh = 0;
    for (const auto* q : pool) {
      const auto it = ctx.state.quiz().find(q->id);
      if (it == ctx.state.quiz().end()) {
        ++fresh;
      } else if (is_due(it->second, today_)) {
        ++due_now;
      }
    }
    std::vector<std::string> parts;
    if (due_now > 0) parts.push_back(fmt::format("{} today", due_now));
    int shown = 0;
    for (const auto& [day, n] : upcoming_days(pool, ctx.state.quiz(), today_)) {
      if (shown++ == 3) break;
      parts.push_back(fmt::format("{} on {}", n, day));
    }
    std::string text = parts.empty() ? "Nothing is due yet." : "Due next: " + join(parts) + ".";
    if (fresh > 0) text += fmt::format(" {} not asked yet{}.", plural(fresh, "question"), on_topic());
    return text;
  }

  std::string topic_;
  int count_ = kDefaultQuizCount;
  bool all_ = false;
  bool json_ = false;
  std::vector<std::string> answers_;
  QuizBank bank_;
  std::string today_;
};

}  // namespace

CONCLAB_REGISTER_COMMAND(QuizCommand, "quiz", "Interview questions from every module, with spaced repetition: a question you miss comes back sooner", 48)

}  // namespace conclab::commands
