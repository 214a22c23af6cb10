// model/quiz: the quiz.toml parser, every rule `conclab maint lint` holds a question bank to, heading anchors,
// topics, and the course's own bank (it lints clean and has at least 100 questions).
#include "model/quiz.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "course_fixture.hpp"

namespace conclab {
namespace {

using testing::scratch_dir;
using testing::write;

constexpr const char* kGood = R"(format_version = 1

[[question]]
id = "cv-loop"
kind = "choice"
prompt = "Why does a wait on a condition variable sit in a loop?"
choices = ["Speed", "Spurious and stolen wakeups", "Style"]
answer = "b"
explain = "A wakeup is a hint, not a promise."
lesson = "modules/01-primitives/03-cv.md#spurious-wakeups"
tags = ["condition-variables", "interview"]

[[question]]
id = "data-race"
kind = "short"
prompt = "What is a data race?"
explain = "Two unordered accesses to one location, at least one a write."
lesson = "modules/01-primitives/03-cv.md"
)";

std::string all_of(const std::vector<std::string>& problems) {
  std::string all;
  for (const auto& p : problems) all += p + "\n";
  return all;
}

// One rule of the lint: the good file with one question's line replaced must give a problem naming `expected`.
void expect_problem(std::string_view from, std::string_view to, std::string_view expected) {
  std::string text = kGood;
  const auto at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
  const QuizFile f = parse_quiz(text, "01-primitives", "modules/01-primitives/quiz.toml");
  const std::string all = all_of(f.problems);
  EXPECT_NE(all.find(expected), std::string::npos) << "replacing [" << from << "] with [" << to << "]: expected a problem with '" << expected
                                                   << "', got:\n" << all;
}

TEST(QuizParseTest, ReadsBothKindsOfQuestion) {
  const QuizFile f = parse_quiz(kGood, "01-primitives", "quiz.toml");
  ASSERT_EQ(all_of(f.problems), "");
  ASSERT_EQ(f.questions.size(), 2u);
  const QuizQuestion& c = f.questions[0];
  EXPECT_EQ(c.id, "cv-loop");
  EXPECT_EQ(c.kind, QuestionKind::kChoice);
  EXPECT_EQ(c.choices.size(), 3u);
  EXPECT_EQ(c.answer, 1) << "answer = \"b\" is the second choice";
  EXPECT_EQ(c.module, "01-primitives");
  EXPECT_EQ(c.tags, (std::vector<std::string>{"condition-variables", "interview"}));
  EXPECT_EQ(f.questions[1].kind, QuestionKind::kShort);
  EXPECT_TRUE(f.questions[1].choices.empty());
}

TEST(QuizParseTest, EachRuleOfTheLintFires) {
  expect_problem("format_version = 1\n", "", "'format_version = 1' is missing");
  expect_problem("format_version = 1", "format_version = 2", "format_version 2 is not one this conclab reads");
  expect_problem("format_version = 1\n", "format_version = 1\nauthor = \"me\"\n", "unknown key 'author'");
  expect_problem("tags = [", "colour = \"red\"\ntags = [", "question 'cv-loop': unknown key 'colour'");
  expect_problem("id = \"cv-loop\"", "id = \"CV_loop\"", "must be kebab-case");
  expect_problem("id = \"cv-loop\"\n", "", "question 1: 'id' is missing");
  expect_problem("kind = \"choice\"", "kind = \"multiple\"", "'kind' must be \"choice\" or \"short\", not 'multiple'");
  expect_problem("[\"Speed\", \"Spurious and stolen wakeups\", \"Style\"]", "[\"Speed\", \"Spurious\"]", "'choices' must hold 3 to 5 answers (it has 2)");
  expect_problem("[\"Speed\", \"Spurious and stolen wakeups\", \"Style\"]", "[\"a\", \"b\", \"c\", \"d\", \"e\", \"f\"]", "(it has 6)");
  expect_problem("answer = \"b\"", "answer = \"d\"", "'answer' must be the letter of one of the choices (a to c), not 'd'");
  expect_problem("answer = \"b\"", "answer = 2", "'answer' must be a string");
  expect_problem("explain = \"A wakeup is a hint, not a promise.\"", "explain = \"  \"", "'explain' is missing or empty");
  expect_problem("explain = \"A wakeup is a hint, not a promise.\"", "explain = \"" + std::string(601, 'x') + "\"",
                 "'explain' has 601 characters: keep the model answer to 1 to 4 sentences");
  expect_problem("prompt = \"What is a data race?\"\n", "", "question 'data-race': 'prompt' is missing or empty");
  expect_problem("lesson = \"modules/01-primitives/03-cv.md\"\n", "", "question 'data-race': 'lesson' is missing");
  expect_problem("kind = \"short\"", "kind = \"short\"\nanswer = \"a\"", "a short question has no 'choices' or 'answer'");
  expect_problem("\"interview\"]", "\"Interview Prep\"]", "tag 'Interview Prep' must be kebab-case");
  expect_problem("[[question]]\nid = \"cv-loop\"", "[[question]\nid = \"cv-loop\"", "modules/01-primitives/quiz.toml:3:");
}

TEST(QuizParseTest, AQuestionWithAProblemIsLeftOutAndTheOthersStay) {
  std::string text = kGood;
  text.replace(text.find("answer = \"b\""), 12, "answer = \"z\"");
  const QuizFile f = parse_quiz(text, "01-primitives", "quiz.toml");
  ASSERT_EQ(f.questions.size(), 1u);
  EXPECT_EQ(f.questions[0].id, "data-race");
}

TEST(QuizParseTest, LettersAndIndexes) {
  EXPECT_EQ(choice_letter(0), "a");
  EXPECT_EQ(choice_letter(4), "e");
  EXPECT_EQ(choice_index("C", 3), 2);
  EXPECT_EQ(choice_index("d", 3), std::nullopt);
  EXPECT_EQ(choice_index("", 3), std::nullopt);
  EXPECT_EQ(choice_index("ab", 3), std::nullopt);
}

TEST(QuizAnchorsTest, SlugsFollowGitHubAndCheckDocs) {
  EXPECT_EQ(heading_slug("Spurious wakeups, and stolen ones"), "spurious-wakeups-and-stolen-ones");
  EXPECT_EQ(heading_slug("`std::unique_lock`: a lock you can manage"), "stduniquelock-a-lock-you-can-manage");
  EXPECT_EQ(heading_slug("The fix: `std::mutex` and `std::lock_guard`"), "the-fix-stdmutex-and-stdlockguard");
  EXPECT_EQ(heading_slug("Fix 2, broken: double-checked locking by hand"), "fix-2-broken-double-checked-locking-by-hand");
  EXPECT_EQ(heading_slug("\"x86 is strong, so relaxed is fine\""), "x86-is-strong-so-relaxed-is-fine");
  EXPECT_EQ(heading_slug("64 or 128?"), "64-or-128");
  EXPECT_EQ(heading_slug("Why not a 16-byte compare-and-swap?"), "why-not-a-16-byte-compare-and-swap");
  EXPECT_EQ(heading_slug("Café — déjà vu"), "café--déjà-vu");

  const fs::path root = scratch_dir();
  write(root / "a.md", "# Title\n\n## Same\n\n```cpp\n# not a heading\n```\n\n## Same\n### Closed ##\n");
  EXPECT_EQ(markdown_anchors(root / "a.md"), (std::set<std::string>{"title", "same", "same-1", "closed"}));
  fs::remove_all(root);
}

class QuizBankTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = scratch_dir();
    write(root_ / "modules/01-primitives/03-cv.md", "# CV\n\n## Spurious wakeups\n");
    write(root_ / "modules/01-primitives/quiz.toml", kGood);
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST_F(QuizBankTest, AGoodBankHasNoProblems) {
  const QuizBank bank = load_quiz_bank(root_);
  EXPECT_EQ(all_of(bank.problems), "");
  EXPECT_EQ(bank.questions.size(), 2u);
}

TEST_F(QuizBankTest, IdsAreUniqueAcrossFiles) {
  write(root_ / "modules/00-foundations/quiz.toml",
        "format_version = 1\n[[question]]\nid = \"data-race\"\nkind = \"short\"\nprompt = \"p\"\nexplain = \"e\"\nlesson = \"modules/01-primitives/03-cv.md\"\n");
  const QuizBank bank = load_quiz_bank(root_);
  EXPECT_NE(all_of(bank.problems).find("modules/01-primitives/quiz.toml: question 'data-race': the id is already used in modules/00-foundations/quiz.toml"),
            std::string::npos)
      << all_of(bank.problems);
  EXPECT_EQ(bank.questions.size(), 2u) << "the second copy is left out";
  EXPECT_EQ(bank.questions[0].module, "00-foundations") << "course order: module by module";
}

TEST_F(QuizBankTest, LessonPathsAndAnchorsMustResolve) {
  write(root_ / "modules/01-primitives/03-cv.md", "# CV\n\n## Lost wakeups\n");
  write(root_ / "modules/02-memory-model/quiz.toml",
        "format_version = 1\n[[question]]\nid = \"gone\"\nkind = \"short\"\nprompt = \"p\"\nexplain = \"e\"\nlesson = \"modules/02-memory-model/99-none.md\"\n");
  const std::string all = all_of(load_quiz_bank(root_).problems);
  EXPECT_NE(all.find("question 'cv-loop': lesson 'modules/01-primitives/03-cv.md#spurious-wakeups' names a heading (#spurious-wakeups) that "
                     "modules/01-primitives/03-cv.md does not have"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("question 'gone': lesson 'modules/02-memory-model/99-none.md' does not exist"), std::string::npos) << all;
}

TEST_F(QuizBankTest, TopicsAreModuleNumbersNamesOrTags) {
  write(root_ / "modules/02-memory-model/quiz.toml",
        "format_version = 1\n[[question]]\nid = \"mo\"\nkind = \"short\"\nprompt = \"p\"\nexplain = \"e\"\nlesson = \"modules/01-primitives/03-cv.md\"\ntags = [\"atomics\"]\n");
  const QuizBank bank = load_quiz_bank(root_);
  for (const char* t : {"02", "2", "memory-model", "02-memory-model", "Memory-Model"}) {
    const auto on = questions_on_topic(bank, t);
    ASSERT_TRUE(on.has_value()) << t;
    ASSERT_EQ(on->size(), 1u) << t;
    EXPECT_EQ((*on)[0]->id, "mo") << t;
  }
  const auto tagged = questions_on_topic(bank, "interview");
  ASSERT_TRUE(tagged.has_value());
  EXPECT_EQ((*tagged)[0]->id, "cv-loop");
  EXPECT_EQ(questions_on_topic(bank, "03"), std::nullopt);
  EXPECT_EQ(questions_on_topic(bank, "memory"), std::nullopt);
  EXPECT_EQ(known_topics(bank),
            "a module (01-primitives, 02-memory-model, or its number alone, such as 01) or a tag (atomics, condition-variables, interview)");
}

// The real bank, every module's quiz.toml in this repository: what `conclab maint lint` runs in CI, and the
// issue's floor of 100 questions, with at least 15 to answer in your own words.
TEST(TheCourseBank, LintsCleanAndHasAtLeastAHundredQuestions) {
  const QuizBank bank = load_quiz_bank(CONCLAB_COURSE_ROOT);
  EXPECT_EQ(all_of(bank.problems), "");
  EXPECT_GE(bank.questions.size(), 100u);
  const auto shorts = std::count_if(bank.questions.begin(), bank.questions.end(), [](const QuizQuestion& q) { return q.kind == QuestionKind::kShort; });
  EXPECT_GE(shorts, 15);
  // A learner must not be able to pass by always answering the same letter.
  std::map<int, int> by_letter;
  int choice_questions = 0;
  for (const auto& q : bank.questions) {
    if (q.kind != QuestionKind::kChoice) continue;
    ++by_letter[q.answer];
    ++choice_questions;
  }
  for (const auto& [answer, n] : by_letter) EXPECT_LE(n * 3, choice_questions) << "too many right answers are " << choice_letter(answer);
  for (const char* m : {"00", "01", "02", "03", "08"}) {
    const auto on = questions_on_topic(bank, m);
    ASSERT_TRUE(on.has_value()) << "module " << m << " has no quiz.toml";
    EXPECT_GE(on->size(), 18u) << "module " << m;
  }
}

}  // namespace
}  // namespace conclab
