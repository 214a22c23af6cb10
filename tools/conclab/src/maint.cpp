#include "maint.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "checker.hpp"
#include "files.hpp"
#include "output.hpp"

namespace conclab {

namespace fs = std::filesystem;

namespace {

std::string tree_sanitizer(const fs::path& tree) {
  std::ifstream in(tree / "CMakeCache.txt");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("CONCLAB_SANITIZER:", 0) == 0) return line.substr(line.find('=') + 1);
  }
  return {};
}

std::string join(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : ", ") + x;
  return out.empty() ? "(none)" : out;
}

}  // namespace

int cmd_maint_verify(Context& ctx, const std::string& id, const std::string& variant, const fs::path& tree_arg) {
  const Lab& lab = ctx.course.get(id);
  const fs::path tree = fs::absolute(tree_arg);
  const std::string san = tree_sanitizer(tree);
  const bool tsan = san.find("thread") != std::string::npos;
  const std::string build_name = tsan ? "TSan" : san.empty() ? "default" : san;
  if (!san.empty() && !tsan) {
    fmt::print("{} {}: not checked in a '{}' tree.\n", lab.id, variant, san);
    return kSkipped;
  }

  std::optional<std::set<std::string>> expected_failures;  // nullopt: "all pass"
  if (variant == "naive") {
    const auto& info = lab.variants.count("naive") ? lab.variants.at("naive") : VariantInfo{};
    const auto& list = tsan ? info.fails_tsan : info.fails;
    if (!list) {
      fmt::print("{} naive: lab.toml names no tests that fail in the {} build ({}), so there is nothing to check here.\n",
                 lab.id, build_name, tsan ? "fails_tsan" : "fails");
      return kSkipped;
    }
    expected_failures = std::set<std::string>(list->begin(), list->end());
  } else if (variant == "starter") {
    if (tsan) {
      fmt::print("{} starter: checked in the default build only.\n", lab.id);
      return kSkipped;
    }
  } else if (variant != "improved" && variant != "final") {
    throw UserError(fmt::format("Unknown variant '{}': use starter, naive, improved or final.", variant), exit_code::kUsage);
  }

  CheckOptions opts;
  opts.build = false;
  if (tsan) {
    opts.force_tsan_only = true;
  } else {
    opts.default_tree = tree;
    opts.tsan = false;
  }
  // With force_tsan_only the tree is build/tsan under the root; let a custom tree through as well.
  const std::string who = variant == "starter" ? "learner" : variant;
  CheckReport r;
  if (tsan && tree != build_dir(ctx.course.root, "tsan")) {
    SuiteOptions so;
    so.binary = target_binary(tree, lab.target(who));
    so.root = ctx.course.root;
    so.preferred_files = lab.files;
    so.timeout = std::chrono::seconds(lab.timeout_seconds);
    so.tsan = true;
    r.runs.push_back(BuildRun{"tsan", {}, run_suite(so), true});
  } else {
    r = check_lab(ctx.course, lab, who, opts);
  }

  std::set<std::string> failing, all;
  bool broken = false;
  for (const auto& run : r.runs) {
    broken = broken || run.suite.broken;
    for (const auto& t : run.suite.tests) {
      all.insert(t.name);
      if (t.outcome != Outcome::kPassed) failing.insert(t.name);
    }
  }
  auto show_failures = [&] {
    for (const auto& run : r.runs) {
      if (run.suite.broken) fmt::print("  the test program is broken: {}\n", run.suite.broken_message);
      for (const auto& t : run.suite.tests) {
        if (t.outcome == Outcome::kPassed) continue;
        fmt::print("  {} ({})\n{}\n", t.name, outcome_name(t.outcome), out::indent(t.message, 6));
      }
    }
  };

  if (variant == "starter") {
    if (broken || failing.empty()) {
      fmt::print("{} starter ({}): {}\n", lab.id, fs::relative(lab.dir, ctx.course.root).string(),
                 broken ? "the test program is broken" : "already passes every graded test: a starter must leave work to do. "
                                                         "(If you are a learner who solved it, this check is for the course's "
                                                         "maintainers; use ./conclab check.)");
      show_failures();
      return exit_code::kNotPassed;
    }
    fmt::print("{} starter: compiles and fails {} of {} graded tests, as it should.\n", lab.id, failing.size(), all.size());
    return exit_code::kOk;
  }
  if (!expected_failures) {
    if (!failing.empty() || broken || all.empty()) {
      fmt::print("{} {} ({} build): every graded test must pass, but {} did not:\n", lab.id, variant, build_name, join(failing));
      show_failures();
      return exit_code::kNotPassed;
    }
    fmt::print("{} {} ({} build): all {} graded tests pass.\n", lab.id, variant, build_name, all.size());
    return exit_code::kOk;
  }
  std::set<std::string> unknown;
  for (const auto& n : *expected_failures) {
    if (!all.contains(n)) unknown.insert(n);
  }
  if (!unknown.empty()) {
    fmt::print("{} naive: lab.toml names tests that do not exist: {}\n", lab.id, join(unknown));
    return exit_code::kNotPassed;
  }
  if (failing != *expected_failures) {
    std::set<std::string> missing, extra;
    std::set_difference(expected_failures->begin(), expected_failures->end(), failing.begin(), failing.end(),
                        std::inserter(missing, missing.end()));
    std::set_difference(failing.begin(), failing.end(), expected_failures->begin(), expected_failures->end(),
                        std::inserter(extra, extra.end()));
    fmt::print("{} naive ({} build): must fail exactly {}.\n", lab.id, build_name, join(*expected_failures));
    if (!missing.empty()) fmt::print("  expected to fail but passed: {} (the tests lost their teeth, or the bug is not deterministic)\n", join(missing));
    if (!extra.empty()) fmt::print("  failed but not named in lab.toml: {}\n", join(extra));
    show_failures();
    return exit_code::kNotPassed;
  }
  fmt::print("{} naive ({} build): fails exactly {}, as lab.toml says.\n", lab.id, build_name, join(failing));
  return exit_code::kOk;
}

int cmd_maint_lint(Context& ctx) {
  int problems = 0;
  for (const auto& lab : ctx.course.labs) {
    for (const auto& p : lint_lab(ctx.course, lab)) {
      fmt::print("{}\n", p);
      ++problems;
    }
  }
  if (problems > 0) {
    fmt::print("{} problem{} in {} labs (docs/authoring.md says what a lab needs).\n", problems, problems == 1 ? "" : "s",
               ctx.course.labs.size());
    return exit_code::kNotPassed;
  }
  fmt::print("{} labs, no problems.\n", ctx.course.labs.size());
  return exit_code::kOk;
}

std::string render_progress_md(const Context& ctx) {
  std::ostringstream md;
  md << "# Progress of the course\n\n"
     << "<!-- Generated by `./conclab maint progress-md` from the lab.toml files on disk; "
        "scripts/test.sh fails when it is stale. Do not edit by hand. -->\n\n"
     << "What exists today, lab by lab. Your own progress is `./conclab progress`.\n\n";
  int labs = 0, projects = 0;
  for (const auto& lab : ctx.course.labs) (lab.is_project ? projects : labs)++;
  md << fmt::format("**{} labs** in {} modules and **{} capstone projects**.\n\n", labs,
                    std::count_if(ctx.course.modules.begin(), ctx.course.modules.end(), [](const Module& m) { return m.name != "projects"; }),
                    projects);
  // Lessons per module, counted from the markdown on disk.
  const fs::path modules = ctx.course.root / "modules";
  std::vector<fs::path> module_dirs;
  if (fs::is_directory(modules)) {
    for (const auto& e : fs::directory_iterator(modules)) {
      if (e.is_directory()) module_dirs.push_back(e.path());
    }
  }
  std::sort(module_dirs.begin(), module_dirs.end());
  md << "| module | lessons | labs |\n| --- | --- | --- |\n";
  for (const auto& dir : module_dirs) {
    int lessons = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
      const std::string n = e.path().filename().string();
      if (n.ends_with(".md") && n != "README.md") ++lessons;
    }
    const std::string name = dir.filename().string();
    const auto n = std::count_if(ctx.course.labs.begin(), ctx.course.labs.end(), [&](const Lab& l) { return l.module == name; });
    md << fmt::format("| [{}](modules/{}/README.md) | {} | {} |\n", ctx.course.module_title(name) == name ? name : ctx.course.module_title(name),
                      name, lessons, n);
  }
  for (const auto& m : ctx.course.modules) {
    md << fmt::format("\n## {}\n\n", m.title);
    md << "| id | lab | difficulty | minutes | sanitizers | benchmark | lesson |\n| --- | --- | --- | --- | --- | --- | --- |\n";
    for (const auto& lab : ctx.course.labs) {
      if (lab.module != m.name) continue;
      bool bench = false;
      for (const auto& e : fs::directory_iterator(lab.dir)) bench = bench || e.path().filename().string().ends_with("_bench.cpp");
      std::string san;
      for (const auto& s : lab.sanitizers) san += (san.empty() ? "" : ", ") + s;
      md << fmt::format("| {} | [{}]({}/) | {} | {} | {} | {} | [{}]({}) |\n", lab.id, lab.title,
                        fs::relative(lab.dir, ctx.course.root).string(), lab.difficulty, lab.minutes, san.empty() ? "-" : san,
                        bench ? "yes" : "-", fs::path(lab.lesson).filename().string(), lab.lesson);
    }
  }
  return md.str();
}

int cmd_maint_progress_md(Context& ctx, bool check) {
  const std::string text = render_progress_md(ctx);
  const fs::path path = ctx.course.root / "PROGRESS.md";
  if (check) {
    if (read_text(path) != text) {
      fmt::print("PROGRESS.md is stale: it does not match the labs on disk. Run ./conclab maint progress-md and commit it.\n");
      return exit_code::kNotPassed;
    }
    fmt::print("PROGRESS.md is up to date.\n");
    return exit_code::kOk;
  }
  write_text_atomically(path, text);
  fmt::print("Wrote PROGRESS.md ({} labs).\n", ctx.course.labs.size());
  return exit_code::kOk;
}

}  // namespace conclab
