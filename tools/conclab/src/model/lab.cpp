#include "model/lab.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <toml++/toml.h>

#include "app/errors.hpp"
#include "app/version.hpp"

namespace conclab {

bool is_reference_variant(std::string_view who) {
  return std::find(std::begin(kReferenceVariants), std::end(kReferenceVariants), who) != std::end(kReferenceVariants);
}

bool is_wrong_variant(std::string_view who) { return who.starts_with(kWrongPrefix) && who.size() > kWrongPrefix.size(); }

bool must_fail(std::string_view who) { return who == "naive" || is_wrong_variant(who); }

std::string Lab::target_id() const {
  std::string t = id;
  std::replace(t.begin(), t.end(), '.', '_');
  return t;
}

namespace {

// "wrong/lost-wakeup" -> "wrong_lost_wakeup": a name CMake and the file system take.
std::string target_word(std::string_view who) {
  std::string w(who == kStarter ? kLearner : who);
  std::replace_if(w.begin(), w.end(), [](char c) { return c == '/' || c == '-' || c == '.'; }, '_');
  return w;
}

}  // namespace

std::string Lab::target(std::string_view who) const { return fmt::format("lab_{}_{}", target_id(), target_word(who)); }

std::string Lab::bench_target(std::string_view who) const { return fmt::format("bench_{}_{}", target_id(), target_word(who)); }

fs::path Lab::impl_dir(std::string_view who) const {
  return who == kLearner || who == kStarter ? dir : solutions_dir / std::string(who);
}

std::vector<std::string> Lab::variants_on_disk() const {
  std::vector<std::string> out;
  for (const auto v : kReferenceVariants) {
    if (fs::is_directory(solutions_dir / std::string(v))) out.emplace_back(v);
  }
  for (const auto& w : wrong_variants()) {
    if (fs::is_directory(impl_dir(w))) out.push_back(w);
  }
  return out;
}

bool Lab::has_tag(std::string_view tag) const { return std::find(tags.begin(), tags.end(), tag) != tags.end(); }

std::vector<std::string> Lab::wrong_variants() const {
  std::vector<std::string> out;
  for (const auto& [name, info] : variants) {
    if (is_wrong_variant(name)) out.push_back(name);
  }
  return out;
}

bool Lab::has_solutions() const { return fs::is_directory(solutions_dir); }

bool Lab::needs_tsan() const { return std::find(sanitizers.begin(), sanitizers.end(), "thread") != sanitizers.end(); }

int Lab::points_for(const std::string& test) const {
  auto it = points.find(test);
  return it == points.end() ? 1 : it->second;
}

std::vector<std::string> Lab::preferred_files() const {
  std::vector<std::string> out = files;
  out.insert(out.end(), tests.begin(), tests.end());
  return out;
}

namespace {

std::vector<std::string> string_array(const toml::node_view<const toml::node>& node, const std::string& file, std::string_view key) {
  std::vector<std::string> out;
  if (!node) return out;
  const auto* arr = node.as_array();
  if (arr == nullptr) throw UserError(fmt::format("{}: '{}' must be an array of strings", file, key), exit_code::kEnvironment);
  for (const auto& el : *arr) {
    const auto* s = el.as_string();
    if (s == nullptr) throw UserError(fmt::format("{}: every item of '{}' must be a string", file, key), exit_code::kEnvironment);
    out.push_back(s->get());
  }
  return out;
}

toml::table parse_file(const fs::path& toml_path, const std::string& shown) {
  try {
    return toml::parse_file(toml_path.string());
  } catch (const toml::parse_error& e) {
    throw UserError(fmt::format("{}:{}: {}", shown, e.source().begin.line, std::string(e.description())), exit_code::kEnvironment);
  }
}

// Where the lab sits decides its module, its slug and where its reference versions live.
void place(Lab& lab, const fs::path& root, const fs::path& lab_dir) {
  lab.dir = lab_dir;
  const fs::path rel = fs::relative(lab.dir, root);
  lab.is_project = rel.begin()->string() == "projects";
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
  // Graded tests and benchmarks are found by name in the folder, never listed.
  if (fs::is_directory(lab.dir)) {
    for (const auto& e : fs::directory_iterator(lab.dir)) {
      const std::string name = e.path().filename().string();
      if (name.ends_with("_test.cpp")) lab.tests.push_back(name);
      if (name.ends_with("_bench.cpp")) lab.benchmarks.push_back(name);
    }
  }
  std::sort(lab.tests.begin(), lab.tests.end());
  std::sort(lab.benchmarks.begin(), lab.benchmarks.end());
}

VariantInfo read_variant(const toml::table& vt, const char* summary_key, const std::string& shown) {
  VariantInfo v;
  v.summary = vt[summary_key].value_or(std::string{});
  if (vt["fails"]) v.fails = string_array(vt["fails"], shown, "fails");
  if (vt["fails_tsan"]) v.fails_tsan = string_array(vt["fails_tsan"], shown, "fails_tsan");
  if (vt["fails_sim"]) v.fails_sim = string_array(vt["fails_sim"], shown, "fails_sim");
  return v;
}

void read_variants(Lab& lab, const toml::table& t, const std::string& shown) {
  if (const auto* vars = t["variants"].as_table()) {
    for (const auto& [name, node] : *vars) {
      if (const auto* vt = node.as_table()) lab.variants[std::string(name.str())] = read_variant(*vt, "summary", shown);
    }
  }
  if (const auto* wrong = t["wrong"].as_table()) {
    for (const auto& [slug, node] : *wrong) {
      const auto* vt = node.as_table();
      if (vt == nullptr) throw UserError(fmt::format("{}: [wrong.{}] must be a table with `why` and `fails`", shown, slug.str()), exit_code::kEnvironment);
      lab.variants[std::string(kWrongPrefix) + std::string(slug.str())] = read_variant(*vt, "why", shown);
    }
  }
}

}  // namespace

Lab read_lab(const fs::path& root, const fs::path& lab_dir) {
  const fs::path toml_path = lab_dir / "lab.toml";
  const std::string shown = fs::relative(toml_path, root).string();
  const toml::table t = parse_file(toml_path, shown);
  Lab lab;
  place(lab, root, lab_dir);
  lab.format_version = static_cast<int>(t["format_version"].value_or(int64_t{1}));
  if (lab.format_version > kLabFormatVersion) {
    throw UserError(fmt::format("{} has format_version {}, but this conclab reads format {} at most: the course is newer than its "
                                "tools. Rebuild conclab (rm -rf build/cli, then ./conclab).",
                                shown, lab.format_version, kLabFormatVersion),
                    exit_code::kEnvironment);
  }
  lab.id = t["id"].value_or(std::string{});
  if (lab.id.empty()) throw UserError(fmt::format("{}: 'id' is missing", shown), exit_code::kEnvironment);
  lab.title = t["title"].value_or(lab.slug);
  lab.summary = t["summary"].value_or(std::string{});
  lab.lesson = t["lesson"].value_or(std::string{});
  lab.difficulty = t["difficulty"].value_or(std::string{"core"});
  lab.minutes = static_cast<int>(t["minutes"].value_or(int64_t{30}));
  lab.timeout_seconds = static_cast<int>(t["timeout"].value_or(int64_t{30}));
  lab.files = string_array(t["files"], shown, "files");
  lab.tags = string_array(t["tags"], shown, "tags");
  lab.hints = string_array(t["hints"], shown, "hints");
  lab.sanitizers = string_array(t["sanitizers"], shown, "sanitizers");
  if (const auto& s = t["sim"]; s && !s.is_boolean()) throw UserError(fmt::format("{}: `sim` must be true or false", shown), exit_code::kEnvironment);
  lab.sim = t["sim"].value_or(false);
  lab.link = string_array(t["link"], shown, "link");
  if (const auto* pts = t["points"].as_table()) {
    for (const auto& [name, value] : *pts) lab.points[std::string(name.str())] = static_cast<int>(value.value_or(int64_t{1}));
  }
  read_variants(lab, t, shown);
  if (const auto& node = t["play"]; node) {
    const auto* pt = node.as_table();
    if (pt == nullptr) throw UserError(fmt::format("{}: [play] must be a table with test, goal and win", shown), exit_code::kEnvironment);
    PlayCampaign play;
    play.test = (*pt)["test"].value_or(std::string{});
    play.goal = (*pt)["goal"].value_or(std::string{});
    play.win = string_array((*pt)["win"], shown, "play.win");
    lab.play = std::move(play);
  }
  return lab;
}

}  // namespace conclab
