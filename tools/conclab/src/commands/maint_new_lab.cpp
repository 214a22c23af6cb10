// `conclab maint new-lab ID SLUG`: a new lab laid out by the lab contract (docs/authoring.md): lab.toml, a
// starter with its TODO(lab), a graded test, naive/improved/final, one wrong variant, the PROGRESS.md row.
//
// The scaffold is a tiny lab that already satisfies `maint verify` (the starter and naive fail, improved
// and final pass, the wrong variant fails what it names), so the author replaces a working lab piece by piece.
// Every file carries CONCLAB-SCAFFOLD, and `maint lint` fails until none does: a scaffold cannot ship.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <regex>

#include "app/errors.hpp"
#include "app/version.hpp"
#include "commands/maint.hpp"
#include "util/files.hpp"

namespace conclab::commands {

namespace {

struct Placement {
  fs::path lab_dir;
  fs::path solutions_dir;
  std::string lesson;  // the module's README (or the capstone's): the lab is linked from there
};

// "transfer-deadlock" -> "TransferDeadlock"
std::string camel(const std::string& slug) {
  std::string out;
  bool up = true;
  for (char c : slug) {
    if (c == '-') {
      up = true;
      continue;
    }
    out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    up = false;
  }
  return out;
}

// The module folder whose name starts with "NN-" (from modules/ or labs/).
std::string module_folder(const fs::path& root, const std::string& nn) {
  for (const char* base : {"modules", "labs"}) {
    if (!fs::is_directory(root / base)) continue;
    for (const auto& e : fs::directory_iterator(root / base)) {
      const std::string name = e.path().filename().string();
      if (e.is_directory() && name.rfind(nn + "-", 0) == 0) return name;
    }
  }
  throw UserError(fmt::format("There is no module {} yet: create modules/{}-<name>/README.md first, then add its labs.", nn, nn),
                  exit_code::kUsage);
}

Placement place(const Context& ctx, const NewLabArgs& a) {
  static const std::regex lab_id(R"((\d{2})\.(\d{2}))");
  static const std::regex project_id(R"(P(\d{2}))");
  static const std::regex slug(R"([a-z0-9]+(-[a-z0-9]+)*)");
  if (!std::regex_match(a.slug, slug)) {
    throw UserError(fmt::format("'{}' is not a slug: use lower-case words joined by '-', e.g. transfer-deadlock.", a.slug), exit_code::kUsage);
  }
  std::smatch m;
  const fs::path& root = ctx.course.root;
  if (std::regex_match(a.id, m, lab_id)) {
    const std::string module = module_folder(root, m[1]);
    const std::string folder = fmt::format("{}-{}", std::string(m[2]), a.slug);
    return {root / "labs" / module / folder, root / "solutions" / module / folder, fmt::format("modules/{}/README.md", module)};
  }
  if (std::regex_match(a.id, m, project_id)) {
    const std::string folder = fmt::format("{}-{}", std::string(m[1]), a.slug);
    return {root / "projects" / folder, root / "solutions" / "projects" / folder, fmt::format("projects/{}/README.md", folder)};
  }
  throw UserError(fmt::format("'{}' is not a lab id: use NN.MM (lab MM of module NN, e.g. 03.02) or PNN for a capstone.", a.id),
                  exit_code::kUsage);
}

struct Sources {
  std::string starter, naive, improved, final_, wrong, test, toml, readme;
};

std::string header(const std::string& what, const std::string& title, const std::string& body) {
  return fmt::format("// CONCLAB-SCAFFOLD: written by `conclab maint new-lab`; replace it with the lab's own {}.\n"
                     "// {}: {}\n#pragma once\n\n#include <vector>\n\nnamespace lab {{\n\n"
                     "// Returns the sum of `values`.\ninline long long sum(const std::vector<int>& values) {{\n{}}}\n\n}}  // namespace lab\n",
                     what, title, what == "starter" ? "what the learner builds, and its contract" : "what changed and why", body);
}

Sources sources(const NewLabArgs& a, const std::string& lesson, const std::string& suite) {
  Sources s;
  s.starter = header("starter", a.title,
                     "  // TODO(lab): add up the values. (The scaffold's placeholder: say what to change and why.)\n  (void)values;\n  return 0;\n");
  s.naive = header("naive version", a.title, "  unsigned total = 0;  // wraps around for large inputs\n  for (int v : values) total += static_cast<unsigned>(v);\n  return total;\n");
  s.improved = header("improved version", a.title, "  long long total = 0;\n  for (int v : values) total += v;\n  return total;\n");
  s.final_ = s.improved;
  s.wrong = header("wrong variant", a.title,
                   "  long long total = 0;\n  for (std::size_t i = 1; i < values.size(); ++i) total += values[i];\n  return total;\n");
  s.test = fmt::format(
      "// CONCLAB-SCAFFOLD: written by `conclab maint new-lab`; replace it with the lab's graded tests.\n"
      "#include <gtest/gtest.h>\n\n#include <climits>\n#include <{}>\n\n"
      "TEST({}, SumsSmallValues) {{\n"
      "  EXPECT_EQ(lab::sum({{1, 2, 3}}), 6) << \"sum({{1, 2, 3}}) must be 6: every value counts once. (A message that teaches: \"\n"
      "                                       \"what was expected, what it means, where to read.)\";\n}}\n\n"
      "TEST({}, SumsLargeValuesWithoutOverflow) {{\n"
      "  EXPECT_EQ(lab::sum({{INT_MAX, INT_MAX, INT_MAX}}), 3LL * INT_MAX) << \"three INT_MAX values must sum to 3 * INT_MAX: a 32-bit total wraps\";\n}}\n",
      a.file, suite, suite);
  s.toml = fmt::format(
      "format_version = {}\nid = \"{}\"\ntitle = \"{}\"\nsummary = \"CONCLAB-SCAFFOLD: one sentence on what the learner builds.\"\n"
      "lesson = \"{}\"\nfiles = [\"{}\"]\nlink = []\nminutes = 30\ndifficulty = \"core\"\ntags = []\nsanitizers = [\"thread\"]\ntimeout = 20\n\n"
      "hints = [\n  \"The idea, as a question.\",\n  \"The mechanism.\",\n  \"Nearly the code.\",\n]\n\n"
      "[variants.naive]\nsummary = \"Adds into an unsigned int, which wraps around for large inputs.\"\nfails = [\"{}.SumsLargeValuesWithoutOverflow\"]\n\n"
      "[variants.improved]\nsummary = \"Adds into a long long.\"\n\n[variants.final]\nsummary = \"The same, as the scaffold's stand-in.\"\n\n"
      "[wrong.skips-the-first]\nwhy = \"Starts the loop at index 1, so the first value is never added.\"\n"
      "fails = [\"{}.SumsLargeValuesWithoutOverflow\", \"{}.SumsSmallValues\"]\n",
      kLabFormatVersion, a.id, a.title, lesson, a.file, suite, suite, suite);
  s.readme = fmt::format("# {}\n\nCONCLAB-SCAFFOLD: the capstone's spec: what to build, its contract, how it is graded.\n", a.title);
  return s;
}

}  // namespace

int maint_new_lab(Context& ctx, const NewLabArgs& args) {
  NewLabArgs a = args;
  if (ctx.course.find(a.id) != nullptr && ctx.course.find(a.id)->id == a.id) {
    throw UserError(fmt::format("Lab {} already exists ({}).", a.id, shown_path(ctx, ctx.course.find(a.id)->dir)), exit_code::kUsage);
  }
  const Placement p = place(ctx, a);
  if (fs::exists(p.lab_dir) || fs::exists(p.solutions_dir)) {
    throw UserError(fmt::format("{} already exists: pick another id or slug.", shown_path(ctx, fs::exists(p.lab_dir) ? p.lab_dir : p.solutions_dir)),
                    exit_code::kUsage);
  }
  if (a.title.empty()) {
    a.title = a.slug;
    std::replace(a.title.begin(), a.title.end(), '-', ' ');
    a.title[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(a.title[0])));
  }
  std::string stem = a.slug;
  std::replace(stem.begin(), stem.end(), '-', '_');
  if (a.file.empty()) a.file = stem + ".hpp";
  const Sources s = sources(a, p.lesson, camel(a.slug) + "Test");
  write_text_atomically(p.lab_dir / "lab.toml", s.toml);
  write_text_atomically(p.lab_dir / a.file, s.starter);
  write_text_atomically(p.lab_dir / (stem + "_test.cpp"), s.test);
  if (a.id[0] == 'P') write_text_atomically(p.lab_dir / "README.md", s.readme);
  write_text_atomically(p.solutions_dir / "naive" / a.file, s.naive);
  write_text_atomically(p.solutions_dir / "improved" / a.file, s.improved);
  write_text_atomically(p.solutions_dir / "final" / a.file, s.final_);
  write_text_atomically(p.solutions_dir / "wrong" / "skips-the-first" / a.file, s.wrong);
  Context fresh{load_course(ctx.course.root), State::load(ctx.course.root), false};
  maint_progress_md(fresh, false);
  fmt::print("Created lab {} in {} and {}.\n", a.id, shown_path(ctx, p.lab_dir), shown_path(ctx, p.solutions_dir));
  fmt::print("It is a working scaffold: `./conclab maint verify`-clean, and `./conclab maint lint` fails until every CONCLAB-SCAFFOLD is "
             "replaced. Next: write the lesson and link the lab from {} (docs/authoring.md).\n",
             p.lesson);
  return exit_code::kOk;
}

}  // namespace conclab::commands
