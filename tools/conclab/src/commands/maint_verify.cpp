// `conclab maint verify LAB --variant V --build-dir TREE`: the lab contract for one implementation, in a built
// tree (one CTest test per lab and variant runs it; docs/authoring.md has the table).
//   final, improved: every graded test passes (in the TSan tree with no race report; in the sim tree on every
//   schedule the explorer tries);
//   naive and every wrong/<slug>: the failing tests are exactly the ones lab.toml names for this tree
//   (`fails` / `fails_tsan` / `fails_sim`), so the tests are proven to catch that bug in every run;
//   starter: compiles, and at least one graded test fails (default tree only).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <optional>
#include <set>

#include "app/errors.hpp"
#include "commands/maint.hpp"
#include "engine/checker.hpp"
#include "ui/color.hpp"
#include "util/text.hpp"

namespace conclab::commands {

namespace {

using Names = std::set<std::string>;

constexpr double kSlowVariantSeconds = 5;

std::string cache_value(const fs::path& tree, const std::string& name) {
  std::ifstream in(tree / "CMakeCache.txt");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(name + ":", 0) == 0) return line.substr(line.find('=') + 1);
  }
  return {};
}

std::string join_names(const Names& names) { return join(std::vector<std::string>(names.begin(), names.end()), ", ", "(none)"); }

// What the test results were, by name.
struct Observed {
  Names all, failing;
  bool broken = false;
};

Observed observe(const CheckReport& r) {
  Observed o;
  for (const auto& run : r.runs) {
    o.broken = o.broken || run.suite.broken;
    for (const auto& t : run.suite.tests) {
      o.all.insert(t.name);
      if (t.verdict != Verdict::kPassed) o.failing.insert(t.name);
    }
  }
  return o;
}

void show_failures(const CheckReport& r) {
  for (const auto& run : r.runs) {
    if (run.suite.broken) fmt::print("  the test program is broken: {}\n", run.suite.broken_message);
    for (const auto& t : run.suite.tests) {
      if (t.verdict == Verdict::kPassed) continue;
      fmt::print("  {} ({})\n{}\n", t.name, verdict_name(t.verdict, Wording::kTest), out::indent(t.message, 6));
    }
  }
}

CheckReport run_in_tree(Context& ctx, const Lab& lab, const std::string& who, const fs::path& tree, BuildKind kind,
                        const std::optional<Names>& expected) {
  CheckOptions opts;
  opts.build = false;
  // A variant that must fail an exact set of tests is judged by the tests that decide it in this tree: outside
  // the sim tree, a sim test is a stress test that a buggy version fails only in some runs, so it is skipped
  // unless lab.toml names it for this tree (its author made it deterministic there, e.g. with a hook).
  opts.skip_sim_tests = must_fail(who);
  if (expected) opts.sim_tests_kept.assign(expected->begin(), expected->end());
  opts.only = kind;
  opts.only_tree = tree;
  return check_lab(ctx.course, lab, who, opts);
}

const std::optional<std::vector<std::string>>& claim_of(const VariantInfo& info, BuildKind kind) {
  return kind == BuildKind::kTsan ? info.fails_tsan : kind == BuildKind::kSim ? info.fails_sim : info.fails;
}
const char* claim_key(BuildKind kind) { return kind == BuildKind::kTsan ? "fails_tsan" : kind == BuildKind::kSim ? "fails_sim" : "fails"; }

int judge_starter(const Context& ctx, const Lab& lab, const CheckReport& r, const Observed& o) {
  if (o.broken || o.failing.empty()) {
    fmt::print("{} starter ({}): {}\n", lab.id, shown_path(ctx, lab.dir),
               o.broken ? "the test program is broken"
                        : "already passes every graded test: a starter must leave work to do. (If you are a learner who solved "
                          "it, this check is for the course's maintainers; use ./conclab check.)");
    show_failures(r);
    return exit_code::kNotPassed;
  }
  fmt::print("{} starter: compiles and fails {} of {} graded tests, as it should.\n", lab.id, o.failing.size(), o.all.size());
  return exit_code::kOk;
}

int judge_correct(const Lab& lab, const std::string& variant, const std::string& build_name, const CheckReport& r, const Observed& o) {
  if (!o.failing.empty() || o.broken || o.all.empty()) {
    fmt::print("{} {} ({} build): every graded test must pass, but {} did not:\n", lab.id, variant, build_name, join_names(o.failing));
    show_failures(r);
    return exit_code::kNotPassed;
  }
  fmt::print("{} {} ({} build): all {} graded tests pass.\n", lab.id, variant, build_name, o.all.size());
  return exit_code::kOk;
}

int judge_must_fail(const Lab& lab, const std::string& variant, const std::string& build_name, const Names& expected,
                    const CheckReport& r, const Observed& o) {
  Names unknown;
  for (const auto& n : expected) {
    if (!o.all.contains(n)) unknown.insert(n);
  }
  if (!unknown.empty()) {
    fmt::print("{} {}: lab.toml names tests that do not exist: {}\n", lab.id, variant, join_names(unknown));
    return exit_code::kNotPassed;
  }
  if (o.failing == expected) {
    fmt::print("{} {} ({} build): fails exactly {}, as lab.toml says.\n", lab.id, variant, build_name, join_names(o.failing));
    return exit_code::kOk;
  }
  Names missing, extra;
  std::set_difference(expected.begin(), expected.end(), o.failing.begin(), o.failing.end(), std::inserter(missing, missing.end()));
  std::set_difference(o.failing.begin(), o.failing.end(), expected.begin(), expected.end(), std::inserter(extra, extra.end()));
  fmt::print("{} {} ({} build): must fail exactly {}.\n", lab.id, variant, build_name, join_names(expected));
  if (!missing.empty()) {
    fmt::print("  expected to fail but passed: {} (the tests lost their teeth, or the bug is not deterministic)\n", join_names(missing));
  }
  if (!extra.empty()) fmt::print("  failed but not named in lab.toml: {}\n", join_names(extra));
  show_failures(r);
  return exit_code::kNotPassed;
}

}  // namespace

int maint_verify(Context& ctx, const std::string& id, const std::string& variant, const fs::path& tree_arg) {
  const Lab& lab = ctx.course.get(id);
  const fs::path tree = fs::absolute(tree_arg);
  const std::string san = cache_value(tree, "CONCLAB_SANITIZER");
  const bool tsan = san.find("thread") != std::string::npos;
  const bool sim = cache_value(tree, "CONCLAB_TREE") == "sim";
  const BuildKind kind = tsan ? BuildKind::kTsan : sim ? BuildKind::kSim : BuildKind::kDefault;
  const std::string build_name = tsan ? "TSan" : sim ? "sim" : san.empty() ? "default" : san;
  if (!san.empty() && !tsan) {
    fmt::print("{} {}: not checked in a '{}' tree.\n", lab.id, variant, san);
    return exit_code::kSkipped;
  }
  if (variant != kStarter && !is_reference_variant(variant) && !lab.variants.contains(variant)) {
    throw UserError(fmt::format("Unknown variant '{}': use starter, naive, improved, final or one of the lab's wrong/<slug>.", variant),
                    exit_code::kUsage);
  }
  std::optional<Names> expected;  // naive, wrong/<slug>: the tests that must fail here
  if (must_fail(variant)) {
    const VariantInfo info = lab.variants.contains(variant) ? lab.variants.at(variant) : VariantInfo{};
    const auto& list = claim_of(info, kind);
    if (!list) {
      fmt::print("{} {}: lab.toml names no tests that fail in the {} build ({}), so there is nothing to check here.\n", lab.id, variant,
                 build_name, claim_key(kind));
      return exit_code::kSkipped;
    }
    expected = Names(list->begin(), list->end());
  } else if (variant == kStarter && kind != BuildKind::kDefault) {
    fmt::print("{} starter: checked in the default build only.\n", lab.id);
    return exit_code::kSkipped;
  }
  const auto start = std::chrono::steady_clock::now();
  const CheckReport r = run_in_tree(ctx, lab, variant, tree, kind, expected);
  const Observed o = observe(r);
  const int code = variant == kStarter ? judge_starter(ctx, lab, r, o)
                   : expected          ? judge_must_fail(lab, variant, build_name, *expected, r, o)
                                       : judge_correct(lab, variant, build_name, r, o);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // The suite runs this for every variant of every lab: a variant that is only caught by a timeout costs that
  // timeout in every run (docs/authoring.md, "The suite's budget").
  if (seconds > kSlowVariantSeconds) {
    fmt::print("  slow: {:.1f} s (more than {:.0f} s). A test that fails only by timing out, or a watchdog, costs this in every run "
               "of the suite: catch the bug deterministically (a test hook, the scripted condition variable, a sim test).\n",
               seconds, kSlowVariantSeconds);
  }
  return code;
}

}  // namespace conclab::commands
