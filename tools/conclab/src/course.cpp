#include "course.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <toml++/toml.h>

#include "files.hpp"

namespace conclab {

std::string Lab::target_id() const {
  std::string t = id;
  std::replace(t.begin(), t.end(), '.', '_');
  return t;
}

bool Lab::needs_tsan() const {
  return std::find(sanitizers.begin(), sanitizers.end(), "thread") != sanitizers.end();
}

fs::path Lab::impl_dir(std::string_view who) const {
  return who == "learner" || who == "starter" ? dir : solutions_dir / std::string(who);
}

int Lab::points_for(const std::string& test) const {
  auto it = points.find(test);
  return it == points.end() ? 1 : it->second;
}

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::vector<std::string> string_array(const toml::node_view<const toml::node>& node, const fs::path& file,
                                      std::string_view key) {
  std::vector<std::string> out;
  if (!node) return out;
  const auto* arr = node.as_array();
  if (arr == nullptr) throw UserError(fmt::format("{}: '{}' must be an array of strings", file.string(), key), exit_code::kEnvironment);
  for (const auto& el : *arr) {
    const auto* s = el.as_string();
    if (s == nullptr) throw UserError(fmt::format("{}: every item of '{}' must be a string", file.string(), key), exit_code::kEnvironment);
    out.push_back(s->get());
  }
  return out;
}

std::string first_heading(const fs::path& readme) {
  std::ifstream in(readme);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("# ", 0) == 0) return line.substr(2);
  }
  return {};
}

Lab parse_lab(const fs::path& root, const fs::path& toml_path) {
  toml::table t;
  try {
    t = toml::parse_file(toml_path.string());
  } catch (const toml::parse_error& e) {
    throw UserError(fmt::format("{}:{}: {}", fs::relative(toml_path, root).string(), e.source().begin.line,
                                std::string(e.description())),
                    exit_code::kEnvironment);
  }
  const toml::table& t_const = t;
  Lab lab;
  lab.dir = toml_path.parent_path();
  const fs::path rel = fs::relative(lab.dir, root);
  const std::string first = rel.begin()->string();
  lab.is_project = first == "projects";
  if (lab.is_project) {
    lab.module = "projects";
    lab.solutions_dir = root / "solutions" / rel;
  } else {
    lab.module = std::next(rel.begin())->string();
    lab.solutions_dir = root / "solutions" / fs::relative(lab.dir, root / "labs");
  }
  // The slug is the folder name without its number: "01-parallel-sum" -> "parallel-sum".
  const std::string folder = lab.dir.filename().string();
  const auto dash = folder.find('-');
  lab.slug = dash == std::string::npos ? folder : folder.substr(dash + 1);

  lab.id = t["id"].value_or(std::string{});
  lab.title = t["title"].value_or(lab.slug);
  lab.summary = t["summary"].value_or(std::string{});
  lab.lesson = t["lesson"].value_or(std::string{});
  lab.difficulty = t["difficulty"].value_or(std::string{"core"});
  lab.minutes = static_cast<int>(t["minutes"].value_or(int64_t{30}));
  lab.timeout_seconds = static_cast<int>(t["timeout"].value_or(int64_t{30}));
  lab.files = string_array(t_const["files"], toml_path, "files");
  lab.tags = string_array(t_const["tags"], toml_path, "tags");
  lab.hints = string_array(t_const["hints"], toml_path, "hints");
  lab.sanitizers = string_array(t_const["sanitizers"], toml_path, "sanitizers");
  lab.link = string_array(t_const["link"], toml_path, "link");
  if (lab.id.empty()) throw UserError(fmt::format("{}: 'id' is missing", fs::relative(toml_path, root).string()), exit_code::kEnvironment);
  if (const auto* pts = t["points"].as_table()) {
    for (const auto& [name, value] : *pts) {
      lab.points[std::string(name.str())] = static_cast<int>(value.value_or(int64_t{1}));
    }
  }
  if (const auto* vars = t["variants"].as_table()) {
    for (const auto& [name, node] : *vars) {
      VariantInfo v;
      const auto* vt = node.as_table();
      if (vt == nullptr) continue;
      v.summary = (*vt)["summary"].value_or(std::string{});
      if ((*vt)["fails"]) v.fails = string_array((*vt)["fails"], toml_path, "fails");
      if ((*vt)["fails_tsan"]) v.fails_tsan = string_array((*vt)["fails_tsan"], toml_path, "fails_tsan");
      lab.variants[std::string(name.str())] = std::move(v);
    }
  }
  return lab;
}

// Course order: modules by number, labs by number, capstones last ("P01" sorts after "08.xx").
bool course_order(const Lab& a, const Lab& b) {
  if (a.is_project != b.is_project) return !a.is_project;
  return a.id < b.id;
}

}  // namespace

fs::path find_course_root(const std::optional<fs::path>& explicit_root) {
  auto is_root = [](const fs::path& p) {
    return fs::exists(p / "CMakePresets.json") && fs::is_directory(p / "labs");
  };
  if (explicit_root) {
    if (!is_root(*explicit_root)) {
      throw UserError(fmt::format("{} is not a conclab course (no CMakePresets.json and labs/ there).", explicit_root->string()),
                      exit_code::kUsage);
    }
    return fs::canonical(*explicit_root);
  }
  if (const char* env = std::getenv("CONCLAB_ROOT"); env != nullptr && *env != '\0') {
    if (!is_root(env)) throw UserError(fmt::format("CONCLAB_ROOT={} is not a conclab course.", env), exit_code::kUsage);
    return fs::canonical(env);
  }
  for (fs::path p = fs::current_path(); !p.empty(); p = p.parent_path()) {
    if (is_root(p)) return p;
    if (p == p.root_path()) break;
  }
  throw UserError("No conclab course here: run conclab from inside the course folder, or use the ./conclab wrapper at its root.",
                  exit_code::kUsage);
}

Course load_course(const fs::path& root) {
  Course course;
  course.root = root;
  std::vector<fs::path> tomls;
  auto collect = [&](const fs::path& base, int depth) {
    if (!fs::is_directory(base)) return;
    for (const auto& entry : fs::recursive_directory_iterator(base)) {
      if (!entry.is_regular_file() || entry.path().filename() != "lab.toml") continue;
      const fs::path rel = fs::relative(entry.path(), base);
      if (std::distance(rel.begin(), rel.end()) == depth + 1) tomls.push_back(entry.path());
    }
  };
  collect(root / "labs", 2);
  collect(root / "projects", 1);
  std::set<std::string> ids;
  for (const auto& p : tomls) {
    Lab lab = parse_lab(root, p);
    if (!ids.insert(lab.id).second) {
      throw UserError(fmt::format("Two labs have the id {} (one is {}); ids must be unique.", lab.id,
                                  fs::relative(p, root).string()),
                      exit_code::kEnvironment);
    }
    course.labs.push_back(std::move(lab));
  }
  std::sort(course.labs.begin(), course.labs.end(), course_order);
  for (const auto& lab : course.labs) {
    if (std::none_of(course.modules.begin(), course.modules.end(), [&](const Module& m) { return m.name == lab.module; })) {
      Module m{lab.module, {}};
      m.title = lab.is_project ? "Capstone projects" : first_heading(root / "modules" / lab.module / "README.md");
      if (m.title.empty()) m.title = lab.module;
      course.modules.push_back(std::move(m));
    }
  }
  return course;
}

const Lab* Course::find(std::string_view id_or_slug) const {
  const std::string key = lower(std::string(id_or_slug));
  for (const auto& lab : labs) {
    if (lower(lab.id) == key || lab.slug == key || lab.target_id() == key) return &lab;
  }
  // "1.3" means "01.03", "p1" means "P01".
  static const std::regex short_id(R"((\d{1,2})\.(\d{1,2}))");
  static const std::regex short_project(R"(p(\d{1,2}))");
  std::smatch m;
  std::string padded;
  if (std::regex_match(key, m, short_id)) {
    padded = fmt::format("{:02}.{:02}", std::stoi(m[1]), std::stoi(m[2]));
  } else if (std::regex_match(key, m, short_project)) {
    padded = fmt::format("p{:02}", std::stoi(m[1]));
  }
  if (!padded.empty()) {
    for (const auto& lab : labs) {
      if (lower(lab.id) == padded) return &lab;
    }
  }
  return nullptr;
}

const Lab& Course::get(std::string_view id_or_slug) const {
  if (const Lab* lab = find(id_or_slug)) return *lab;
  std::string known;
  for (std::size_t i = 0; i < labs.size() && i < 6; ++i) known += (i ? ", " : "") + labs[i].id;
  if (labs.size() > 6) known += ", ...";
  throw UserError(fmt::format("There is no lab '{}'. Lab ids look like {}; `conclab list` shows them all.",
                              id_or_slug, known.empty() ? "00.01" : known),
                  exit_code::kUsage);
}

std::string Course::module_title(const std::string& module) const {
  for (const auto& m : modules) {
    if (m.name == module) return m.title;
  }
  return module;
}

std::vector<std::string> lint_lab(const Course& course, const Lab& lab) {
  std::vector<std::string> problems;
  const std::string where = fs::relative(lab.dir / "lab.toml", course.root).string();
  auto problem = [&](std::string text) { problems.push_back(fmt::format("{}: {}", where, text)); };

  static const std::regex lab_id(R"(\d{2}\.\d{2})");
  static const std::regex project_id(R"(P\d{2})");
  if (!std::regex_match(lab.id, lab.is_project ? project_id : lab_id)) {
    problem(fmt::format("id '{}' must look like {}", lab.id, lab.is_project ? "P01" : "00.01"));
  }
  if (!lab.is_project) {
    const std::string expected = lab.module.substr(0, 2) + "." + lab.dir.filename().string().substr(0, 2);
    if (lab.id != expected) problem(fmt::format("id '{}' does not match its folder (expected {})", lab.id, expected));
  }
  if (lab.title.empty() || lab.title == lab.slug) problem("'title' is missing");
  if (lab.files.empty()) problem("'files' must name the files the learner edits");
  if (lab.lesson.empty()) {
    problem("'lesson' is missing");
  } else if (!fs::exists(course.root / lab.lesson)) {
    problem(fmt::format("lesson '{}' does not exist", lab.lesson));
  }
  if (lab.hints.empty()) problem("'hints' is empty: give at least one");
  if (lab.timeout_seconds <= 0 || lab.timeout_seconds > 300) problem("'timeout' must be between 1 and 300 seconds");
  static const std::set<std::string> difficulties{"intro", "core", "advanced"};
  if (!difficulties.contains(lab.difficulty)) problem("'difficulty' must be intro, core or advanced");
  for (const auto& s : lab.sanitizers) {
    if (s != "thread" && s != "address") problem(fmt::format("unknown sanitizer '{}' (use thread or address)", s));
  }

  // The one-line rule for the keys CMake reads (cmake/LabToml.cmake).
  {
    std::ifstream in(lab.dir / "lab.toml");
    std::string line;
    static const std::regex key_line(R"(^\s*(id|files|link)\s*=\s*(.*)$)");
    while (std::getline(in, line)) {
      std::smatch m;
      if (std::regex_match(line, m, key_line)) {
        const std::string value = m[2];
        if (m[1] != "id" && (value.find('[') == std::string::npos || value.find(']') == std::string::npos)) {
          problem(fmt::format("'{}' must be written on one line (CMake reads it)", std::string(m[1])));
        }
      }
    }
  }

  for (const auto& f : lab.files) {
    if (!fs::exists(lab.dir / f)) problem(fmt::format("the starter file {} does not exist", f));
  }
  bool has_todo = false;
  for (const auto& f : lab.files) {
    if (read_text(lab.dir / f).find("TODO(lab)") != std::string::npos) has_todo = true;
  }
  if (!has_todo) problem("the starter marks no change point with // TODO(lab)");

  bool has_test = false;
  for (const auto& entry : fs::directory_iterator(lab.dir)) {
    const std::string name = entry.path().filename().string();
    const bool is_test = name.ends_with("_test.cpp");
    const bool is_bench = name.ends_with("_bench.cpp");
    has_test = has_test || is_test;
    if (!is_test && !is_bench) continue;
    std::ifstream in(entry.path());
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      for (const auto& f : lab.files) {
        if (line.find("#include \"" + f + "\"") != std::string::npos) {
          problems.push_back(fmt::format("{}:{}: include {} with <{}>: a quoted include finds the starter beside the test "
                                         "even when a solution is being built",
                                         fs::relative(entry.path(), course.root).string(), n, f, f));
        }
      }
      if (is_test && std::regex_search(line, std::regex(R"(sleep_for|usleep\(|\bsleep\()"))) {
        problems.push_back(fmt::format("{}:{}: a test must not sleep to make an interleaving happen (use a latch or start gate)",
                                       fs::relative(entry.path(), course.root).string(), n));
      }
    }
  }
  if (!has_test) problem("no <name>_test.cpp beside lab.toml");

  for (const char* v : {"naive", "improved", "final"}) {
    if (!fs::is_directory(lab.solutions_dir / v)) {
      problem(fmt::format("no {} solution at {}", v, fs::relative(lab.solutions_dir / v, course.root).string()));
      continue;
    }
    for (const auto& f : lab.files) {
      if (!fs::exists(lab.solutions_dir / v / f)) problem(fmt::format("the {} solution has no {}", v, f));
    }
    if (!lab.variants.contains(v) || lab.variants.at(v).summary.empty()) {
      problem(fmt::format("[variants.{}] needs a one-line summary", v));
    }
  }
  if (lab.variants.contains("naive")) {
    const auto& naive = lab.variants.at("naive");
    const bool any = (naive.fails && !naive.fails->empty()) || (naive.fails_tsan && !naive.fails_tsan->empty());
    if (!any) problem("[variants.naive] must name the tests it fails in `fails` or `fails_tsan`");
    if (naive.fails_tsan && !naive.fails_tsan->empty() && !lab.needs_tsan()) {
      problem("naive names fails_tsan but `sanitizers` does not include \"thread\"");
    }
  }
  return problems;
}

}  // namespace conclab
