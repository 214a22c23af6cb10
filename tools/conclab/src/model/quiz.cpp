#include "model/quiz.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <regex>
#include <toml++/toml.h>

#include "app/version.hpp"
#include "util/files.hpp"
#include "util/text.hpp"

namespace conclab {

namespace {

constexpr std::size_t kMinChoices = 3;
constexpr std::size_t kMaxChoices = 5;
// A model answer is one to four sentences that teach: read in a terminal after every answer, it must stay short.
constexpr std::size_t kMaxExplain = 600;

bool is_kebab(const std::string& s) {
  static const std::regex kebab(R"([a-z0-9]+(-[a-z0-9]+)*)");
  return std::regex_match(s, kebab);
}

// A key's string value; a problem when it is there but not a string.
std::string string_key(const toml::table& t, std::string_view key, std::vector<std::string>& problems) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return "";
  if (const auto* s = n->as_string()) return trim(s->get());
  problems.push_back(fmt::format("'{}' must be a string", key));
  return "";
}

std::vector<std::string> strings_key(const toml::table& t, std::string_view key, std::vector<std::string>& problems) {
  std::vector<std::string> out;
  const toml::node* n = t.get(key);
  if (n == nullptr) return out;
  const auto* arr = n->as_array();
  if (arr == nullptr) {
    problems.push_back(fmt::format("'{}' must be an array of strings", key));
    return out;
  }
  for (const auto& el : *arr) {
    const auto* s = el.as_string();
    if (s == nullptr) {
      problems.push_back(fmt::format("every item of '{}' must be a string", key));
      return {};
    }
    out.push_back(trim(s->get()));
  }
  return out;
}

// The checks of the keys that a choice question and a short one do not share.
void read_kind_keys(const toml::table& t, QuizQuestion& q, std::vector<std::string>& problems) {
  if (q.kind == QuestionKind::kShort) {
    if (t.contains("choices") || t.contains("answer")) {
      problems.push_back("a short question has no 'choices' or 'answer': its model answer is 'explain', and the learner grades themselves");
    }
    return;
  }
  q.choices = strings_key(t, "choices", problems);
  if (q.choices.size() < kMinChoices || q.choices.size() > kMaxChoices) {
    problems.push_back(fmt::format("'choices' must hold {} to {} answers (it has {})", kMinChoices, kMaxChoices, q.choices.size()));
  }
  if (std::any_of(q.choices.begin(), q.choices.end(), [](const std::string& c) { return c.empty(); })) {
    problems.push_back("a choice is empty");
  }
  const std::string answer = string_key(t, "answer", problems);
  const auto index = choice_index(answer, q.choices.size());
  if (!index) {
    problems.push_back(fmt::format("'answer' must be the letter of one of the choices (a to {}), not '{}'",
                                   choice_letter(static_cast<int>(std::max<std::size_t>(q.choices.size(), 1)) - 1), answer));
  } else {
    q.answer = *index;
  }
}

// One [[question]]: the question, or nullopt with its problems added to `file`.
std::optional<QuizQuestion> read_question(const toml::table& t, int number, const std::string& module, const std::string& shown,
                                          std::vector<std::string>& file_problems) {
  static const std::set<std::string_view> known{"id", "kind", "prompt", "choices", "answer", "explain", "lesson", "tags"};
  std::vector<std::string> problems;
  QuizQuestion q;
  q.module = module;
  for (const auto& [key, value] : t) {
    if (!known.contains(key.str())) {
      problems.push_back(fmt::format("unknown key '{}' (a question has id, kind, prompt, choices, answer, explain, lesson, tags)", key.str()));
    }
  }
  q.id = string_key(t, "id", problems);
  if (q.id.empty()) {
    problems.push_back("'id' is missing");
  } else if (!is_kebab(q.id)) {
    problems.push_back(fmt::format("id '{}' must be kebab-case (lower-case words and digits joined by '-')", q.id));
  }
  const std::string kind = string_key(t, "kind", problems);
  if (kind == "choice" || kind == "short") {
    q.kind = kind == "choice" ? QuestionKind::kChoice : QuestionKind::kShort;
    read_kind_keys(t, q, problems);
  } else {
    problems.push_back(fmt::format("'kind' must be \"choice\" or \"short\", not '{}'", kind));
  }
  q.prompt = string_key(t, "prompt", problems);
  if (q.prompt.empty()) problems.push_back("'prompt' is missing or empty");
  q.explain = string_key(t, "explain", problems);
  if (q.explain.empty()) problems.push_back("'explain' is missing or empty: it is the model answer every learner sees");
  if (q.explain.size() > kMaxExplain) {
    problems.push_back(fmt::format("'explain' has {} characters: keep the model answer to 1 to 4 sentences ({} characters at most)",
                                   q.explain.size(), kMaxExplain));
  }
  q.lesson = string_key(t, "lesson", problems);
  if (q.lesson.empty()) problems.push_back("'lesson' is missing: the lesson section that teaches it, from the course root");
  q.tags = strings_key(t, "tags", problems);
  for (const auto& tag : q.tags) {
    if (!is_kebab(tag)) problems.push_back(fmt::format("tag '{}' must be kebab-case", tag));
  }
  const std::string who = q.id.empty() ? fmt::format("question {}", number) : fmt::format("question '{}'", q.id);
  for (const auto& p : problems) file_problems.push_back(fmt::format("{}: {}: {}", shown, who, p));
  if (!problems.empty()) return std::nullopt;
  return q;
}

// Is a code point a "word" character for GitHub's slugs (Python's \w)? Letters and digits of the common
// scripts; punctuation such as dashes, quotes and the middle dot is not.
bool is_word(char32_t c) {
  if (c < 0x80) return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
  if (c == 0xAA || c == 0xB5 || c == 0xBA) return true;
  if (c >= 0xC0 && c <= 0x2FF) return c != 0xD7 && c != 0xF7;
  return c >= 0x370 && c < 0x2000;
}

// Decodes one UTF-8 character at `i`, advancing it (a malformed byte counts as one character).
char32_t next_char(std::string_view s, std::size_t& i) {
  const auto b = static_cast<unsigned char>(s[i]);
  const int extra = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : b >= 0xC0 ? 1 : 0;
  if (extra == 0 || i + extra >= s.size()) {
    ++i;
    return b;
  }
  char32_t c = b & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += extra + 1;
  return c;
}

}  // namespace

std::string choice_letter(int index) { return std::string(1, static_cast<char>('a' + index)); }

std::optional<int> choice_index(std::string_view letter, std::size_t count) {
  if (letter.size() != 1) return std::nullopt;
  const int i = std::tolower(static_cast<unsigned char>(letter[0])) - 'a';
  if (i < 0 || static_cast<std::size_t>(i) >= count) return std::nullopt;
  return i;
}

QuizFile parse_quiz(std::string_view text, const std::string& module, const std::string& shown) {
  QuizFile out;
  toml::table t;
  try {
    t = toml::parse(text, shown);
  } catch (const toml::parse_error& e) {
    out.problems.push_back(fmt::format("{}:{}: {}", shown, e.source().begin.line, std::string(e.description())));
    return out;
  }
  for (const auto& [key, value] : t) {
    if (key.str() != "format_version" && key.str() != "question") {
      out.problems.push_back(fmt::format("{}: unknown key '{}' (a quiz.toml has format_version and [[question]] tables)", shown, key.str()));
    }
  }
  const auto version = t["format_version"].value<int64_t>();
  if (!version) {
    out.problems.push_back(fmt::format("{}: 'format_version = {}' is missing (the first key of every quiz.toml)", shown, kQuizFormatVersion));
  } else if (*version != kQuizFormatVersion) {
    out.problems.push_back(fmt::format("{}: format_version {} is not one this conclab reads (it reads {})", shown, *version, kQuizFormatVersion));
    return out;
  }
  const toml::array* questions = t["question"].as_array();
  if (t.contains("question") && (questions == nullptr || !questions->is_array_of_tables())) {
    out.problems.push_back(fmt::format("{}: 'question' must be an array of tables: write each one as [[question]]", shown));
    return out;
  }
  if (questions == nullptr) return out;
  int number = 0;
  for (const auto& node : *questions) {
    ++number;
    if (auto q = read_question(*node.as_table(), number, module, shown, out.problems)) out.questions.push_back(std::move(*q));
  }
  return out;
}

std::string heading_slug(std::string_view heading) {
  std::string s = lower(trim(std::string(heading)));
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(0, 1);
  std::erase_if(s, [](char c) { return c == '`' || c == '*' || c == '_' || c == '~'; });
  static const std::regex link(R"(\[([^\]]*)\]\([^)]*\))");
  s = std::regex_replace(s, link, "$1");
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t start = i;
    const char32_t c = next_char(s, i);
    if (c == ' ') {
      out += '-';
    } else if (c == '-' || is_word(c)) {
      out += s.substr(start, i - start);
    }
  }
  return out;
}

std::set<std::string> markdown_anchors(const fs::path& file) {
  std::set<std::string> found;
  std::map<std::string, int> seen;
  std::string fence;  // the open code fence, if any: headings inside code blocks are not headings
  for (const auto& line : lines_of(read_text(file))) {
    const auto first = line.find_first_not_of(" \t");
    const std::string stripped = first == std::string::npos ? "" : line.substr(first);
    if (!fence.empty()) {
      if (stripped.starts_with(fence)) fence.clear();
      continue;
    }
    if (stripped.starts_with("```") || stripped.starts_with("~~~")) {
      const std::size_t n = stripped.find_first_not_of(stripped[0]);
      const std::string info = n == std::string::npos ? "" : stripped.substr(n);
      if (info.find('`') == std::string::npos) {
        fence = stripped.substr(0, n);
        continue;
      }
    }
    std::size_t hashes = 0;
    while (hashes < line.size() && line[hashes] == '#') ++hashes;
    if (hashes == 0 || hashes > 6 || hashes >= line.size() || !std::isspace(static_cast<unsigned char>(line[hashes]))) continue;
    std::string text = line.substr(hashes);
    auto strip_end = [&text](const char* chars) {
      while (!text.empty() && std::string_view(chars).find(text.back()) != std::string_view::npos) text.pop_back();
    };
    strip_end(" \t");
    strip_end("#");
    strip_end(" \t");
    const std::string base = heading_slug(text);
    const int n = seen[base]++;
    found.insert(n == 0 ? base : fmt::format("{}-{}", base, n));
  }
  return found;
}

namespace {

// The lesson a question names must exist, and so must its #anchor when it points into markdown.
std::optional<std::string> lesson_problem(const fs::path& root, const std::string& lesson,
                                          std::map<fs::path, std::set<std::string>>& anchors) {
  const auto hash = lesson.find('#');
  const std::string file = lesson.substr(0, hash);
  const fs::path path = root / file;
  if (file.empty() || !fs::exists(path)) return fmt::format("lesson '{}' does not exist", file);
  if (hash == std::string::npos || !file.ends_with(".md")) return std::nullopt;
  if (!anchors.contains(path)) anchors[path] = markdown_anchors(path);
  const std::string anchor = lesson.substr(hash + 1);
  if (!anchors[path].contains(anchor)) return fmt::format("lesson '{}' names a heading (#{}) that {} does not have", lesson, anchor, file);
  return std::nullopt;
}

}  // namespace

QuizBank load_quiz_bank(const fs::path& root) {
  QuizBank bank;
  std::vector<fs::path> files;
  if (fs::is_directory(root / "modules")) {
    for (const auto& e : fs::directory_iterator(root / "modules")) {
      if (e.is_directory() && fs::exists(e.path() / "quiz.toml")) files.push_back(e.path() / "quiz.toml");
    }
  }
  std::sort(files.begin(), files.end());
  std::map<std::string, std::string> first_seen;  // id -> the file that has it first
  std::map<fs::path, std::set<std::string>> anchors;
  for (const auto& path : files) {
    const std::string shown = fs::relative(path, root).string();
    QuizFile f = parse_quiz(read_text(path), path.parent_path().filename().string(), shown);
    bank.problems.insert(bank.problems.end(), f.problems.begin(), f.problems.end());
    for (auto& q : f.questions) {
      if (const auto [it, fresh] = first_seen.emplace(q.id, shown); !fresh) {
        bank.problems.push_back(fmt::format("{}: question '{}': the id is already used in {} (ids are unique across the bank)", shown, q.id, it->second));
        continue;
      }
      if (const auto p = lesson_problem(root, q.lesson, anchors)) bank.problems.push_back(fmt::format("{}: question '{}': {}", shown, q.id, *p));
      bank.questions.push_back(std::move(q));
    }
  }
  return bank;
}

namespace {

// "02-memory-model" -> "memory-model".
std::string module_words(const std::string& module) {
  const auto dash = module.find('-');
  return dash == std::string::npos ? module : module.substr(dash + 1);
}

bool module_matches(const std::string& module, const std::string& topic) {
  if (module == topic || module_words(module) == topic) return true;
  const bool number = !topic.empty() && topic.size() <= 2 && std::all_of(topic.begin(), topic.end(), [](unsigned char c) { return std::isdigit(c); });
  return number && module.starts_with((topic.size() == 1 ? "0" + topic : topic) + "-");
}

}  // namespace

std::optional<std::vector<const QuizQuestion*>> questions_on_topic(const QuizBank& bank, std::string_view topic) {
  const std::string t = lower(trim(std::string(topic)));
  std::vector<const QuizQuestion*> out;
  for (const auto& q : bank.questions) {
    if (module_matches(q.module, t)) out.push_back(&q);
  }
  if (out.empty()) {
    for (const auto& q : bank.questions) {
      if (std::find(q.tags.begin(), q.tags.end(), t) != q.tags.end()) out.push_back(&q);
    }
  }
  if (out.empty()) return std::nullopt;
  return out;
}

std::string known_topics(const QuizBank& bank) {
  std::vector<std::string> modules;
  std::set<std::string> tags;
  for (const auto& q : bank.questions) {
    if (modules.empty() || modules.back() != q.module) modules.push_back(q.module);
    tags.insert(q.tags.begin(), q.tags.end());
  }
  if (modules.empty()) return "no topics: the bank is empty";
  return fmt::format("a module ({}, or its number alone, such as {}) or a tag ({})", join(modules, ", "), modules.front().substr(0, 2),
                     join(std::vector<std::string>(tags.begin(), tags.end()), ", ", "none yet"));
}

}  // namespace conclab
