#include "model/course.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>

#include "app/errors.hpp"
#include "util/text.hpp"

namespace conclab {

namespace {

std::string first_heading(const fs::path& readme) {
  std::ifstream in(readme);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# ", 0) == 0) return line.substr(2);
  }
  return {};
}

// Course order: modules by number, labs by number, capstones last ("P01" sorts after "08.xx").
bool course_order(const Lab& a, const Lab& b) {
  if (a.is_project != b.is_project) return !a.is_project;
  return a.id < b.id;
}

}  // namespace

fs::path find_course_root(const std::optional<fs::path>& explicit_root) {
  auto is_root = [](const fs::path& p) { return fs::exists(p / "CMakePresets.json") && fs::is_directory(p / "labs"); };
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

std::vector<fs::path> lab_dirs(const fs::path& root) {
  std::vector<fs::path> out;
  // labs/<module>/<lab>/lab.toml and projects/<project>/lab.toml: depth fixed by the layout.
  auto collect = [&](const fs::path& base, int depth) {
    if (!fs::is_directory(base)) return;
    for (const auto& entry : fs::recursive_directory_iterator(base)) {
      if (!entry.is_regular_file() || entry.path().filename() != "lab.toml") continue;
      const fs::path rel = fs::relative(entry.path(), base);
      if (std::distance(rel.begin(), rel.end()) == depth + 1) out.push_back(entry.path().parent_path());
    }
  };
  collect(root / "labs", 2);
  collect(root / "projects", 1);
  std::sort(out.begin(), out.end());
  return out;
}

Course load_course(const fs::path& root) {
  Course course;
  course.root = root;
  std::set<std::string> ids;
  for (const auto& dir : lab_dirs(root)) {
    Lab lab = read_lab(root, dir);
    if (!ids.insert(lab.id).second) {
      throw UserError(fmt::format("Two labs have the id {} (one is {}); ids must be unique.", lab.id,
                                  fs::relative(dir / "lab.toml", root).string()),
                      exit_code::kEnvironment);
    }
    course.labs.push_back(std::move(lab));
  }
  std::sort(course.labs.begin(), course.labs.end(), course_order);
  for (const auto& lab : course.labs) {
    if (std::none_of(course.modules.begin(), course.modules.end(), [&](const Module& m) { return m.name == lab.module; })) {
      Module m{lab.module, lab.is_project ? "Capstone projects" : first_heading(root / "modules" / lab.module / "README.md")};
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
  throw UserError(fmt::format("There is no lab '{}'. Lab ids look like {}; `conclab list` shows them all.", id_or_slug,
                              known.empty() ? "00.01" : known),
                  exit_code::kUsage);
}

std::string Course::module_title(const std::string& module) const {
  for (const auto& m : modules) {
    if (m.name == module) return m.title;
  }
  return module;
}

}  // namespace conclab
