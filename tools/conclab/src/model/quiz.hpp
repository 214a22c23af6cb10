// The question bank of `conclab quiz`: one modules/NN-name/quiz.toml per module (docs/authoring.md, "Quiz
// questions"). This is the one reader of those files; `conclab maint lint` reports what it finds wrong.
#pragma once

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace conclab {

namespace fs = std::filesystem;

enum class QuestionKind { kChoice, kShort };

struct QuizQuestion {
  std::string id;       // kebab-case, unique across the bank: progress keys on it
  QuestionKind kind = QuestionKind::kChoice;
  std::string prompt;
  std::vector<std::string> choices;  // kChoice: 3 to 5
  int answer = -1;                   // kChoice: the index of the right choice
  std::string explain;               // the model answer, shown after every answer
  std::string lesson;                // from the course root, optionally with #anchor
  std::vector<std::string> tags;
  std::string module;                // the folder of its quiz.toml, e.g. "02-memory-model"
};

// One parsed file: the questions that are well formed, and a sentence for each problem ("<shown>: question
// 'id': ..."). A question with a problem in its own keys is left out of `questions`.
struct QuizFile {
  std::vector<QuizQuestion> questions;
  std::vector<std::string> problems;
};

// Parses a quiz.toml's text. `module` is its folder's name, `shown` the path used in problems.
QuizFile parse_quiz(std::string_view text, const std::string& module, const std::string& shown);

struct QuizBank {
  std::vector<QuizQuestion> questions;  // in course order: module by module, each file in its own order
  std::vector<std::string> problems;    // everything `maint lint` reports, across files
};

// Every modules/NN-name/quiz.toml under `root`, with the checks that span files: ids unique across the
// bank, and every `lesson` path (and #anchor) resolving in the course.
QuizBank load_quiz_bank(const fs::path& root);

// 0 -> "a"; and back: the index a letter names among `count` choices, or nullopt.
std::string choice_letter(int index);
std::optional<int> choice_index(std::string_view letter, std::size_t count);

// The #anchor GitHub (and scripts/check_docs.py) gives a markdown heading, and the anchors of a file.
std::string heading_slug(std::string_view heading);
std::set<std::string> markdown_anchors(const fs::path& file);

// The questions a `--topic` names: a module number ("02" or "2"), a module name ("memory-model" or
// "02-memory-model"), or a tag ("atomics"). nullopt when it names nothing.
std::optional<std::vector<const QuizQuestion*>> questions_on_topic(const QuizBank& bank, std::string_view topic);

// The topics there are, for the sentence that answers an unknown one: "a module (00-foundations, 01-primitives, or
// its number alone, such as 00) or a tag (atomics, deadlock)".
std::string known_topics(const QuizBank& bank);

}  // namespace conclab
