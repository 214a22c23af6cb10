// `conclab explore [LAB] [TEST]`: run a lab's sim tests under the explorer (conclab/sim) and show what it found:
// the failing schedule, step by step, with the string that replays it, or "explored N schedules, all pass" and
// the bound it used.
#include <fmt/format.h>

#include <algorithm>
#include <regex>
#include <cstdio>
#include <sstream>

#include "app/errors.hpp"
#include "commands/registry.hpp"
#include "engine/build.hpp"
#include "engine/checker.hpp"
#include "engine/process.hpp"
#include "ui/color.hpp"
#include "util/text.hpp"

namespace conclab::commands {

namespace {

std::vector<std::string> sim_labs(const Course& course) {
  std::vector<std::string> out;
  for (const auto& l : course.labs) {
    if (l.needs_sim()) out.push_back(l.id);
  }
  return out;
}

// GoogleTest's output without its banner lines: what each test did, and the explorer's report.
void print_run(const std::string& output) {
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Running main()", 0) == 0 || line.rfind("Note: Google Test filter", 0) == 0) continue;
    if (line.rfind("[==========]", 0) == 0 || line.rfind("[----------]", 0) == 0) continue;
    if (line.rfind("[  PASSED  ]", 0) == 0 || line.rfind("[  FAILED  ]", 0) == 0) continue;
    if (line.rfind("[ RUN      ]", 0) == 0) {
      fmt::print("{}\n", out::bold(line.substr(13)));
    } else if (line.rfind("[   SIM    ]", 0) == 0) {
      fmt::print("  {}\n", out::green(line.substr(13)));
    } else if (line.rfind("[       OK ]", 0) == 0) {
      continue;
    } else if (!line.empty() && line.find("tests ran") == std::string::npos && line.find("FAILED TEST") == std::string::npos) {
      fmt::print("  {}\n", line);
    }
  }
}

class ExploreCommand final : public Command {
 public:
  void add_options(Options& app) override {
    app.option("lab", lab_, "Lab id (01.03) or name; default: the one you are on");
    app.option("test", test_, "Only the sim tests whose name contains this");
    app.option("--against", against_, "Explore a reference version instead of yours: naive, improved, final, or wrong/<slug>");
    app.option("--preemptions", preemptions_, "Most preemptions per schedule in the exhaustive search (default 2)").range(0, 8);
    app.option("--random", random_, "Instead of the exhaustive search, this many random (PCT) schedules").range(1, 1000000);
    app.option("--seed", seed_, "The first seed of --random (schedule i uses seed + i)");
    app.option("--replay", replay_, "Run the one schedule a failure printed (its replay string; name its TEST too)");
  }

  int run(const GlobalOptions& global) override {
    Context ctx = open_context(global, false);
    const Lab& lab = lab_or_current(ctx, lab_);
    if (!lab.needs_sim()) {
      const auto labs = sim_labs(ctx.course);
      throw UserError(fmt::format("Lab {} has no sim tests (its lab.toml does not say `sim = true`), so there is nothing to explore. {}",
                                  lab.id, labs.empty() ? "No lab of this course has them yet." : "Labs that have them: " + join(labs) + "."),
                      exit_code::kUsage);
    }
    static const std::regex replay_shape(R"(-?\d+s[01]:(\d+(\*\d+)?(\.\d+(\*\d+)?)*)?)");
    if (!replay_.empty() && !std::regex_match(replay_, replay_shape)) {
      throw UserError(fmt::format("'{}' is not a replay string: copy the one a failing schedule printed (it looks like "
                                  "2s1:0*4.1.0), and name the test it came from.",
                                  replay_),
                      exit_code::kUsage);
    }
    const std::string who = against_.empty() ? std::string(kLearner) : against_;
    if (who != kLearner) {
      const auto on_disk = lab.variants_on_disk();
      if (std::find(on_disk.begin(), on_disk.end(), who) == on_disk.end()) {
        throw UserError(fmt::format("Lab {} has no reference version '{}' here (./conclab solution {} lists them).", lab.id, who, lab.id),
                        exit_code::kUsage);
      }
    }
    if (const auto blind = sim_blind_spots(ctx.course, lab, who); !blind.empty()) {
      fmt::print("{}\n", out::red("The explorer cannot see what this code does:"));
      for (const auto& b : blind) fmt::print("  {}\n", b);
      return exit_code::kNotPassed;
    }
    return build_and_explore(ctx, lab, who);
  }

 private:
  int build_and_explore(const Context& ctx, const Lab& lab, const std::string& who) {
    const std::string target = lab.target(who);
    fmt::print("{}\n", out::dim(fmt::format("Building lab {} for the explorer (the sim build)...", lab.id)));
    std::fflush(stdout);
    const BuildResult built = build_targets(ctx.course.root, BuildKind::kSim, {target});
    if (built.interrupted) return exit_code::kInterrupted;
    if (!built.ok) {
      fmt::print("{}\n{}\n", out::red(built.configure_failed ? "The sim build failed:" : "It does not compile:"), out::indent(built.first_error, 2));
      return built.configure_failed ? exit_code::kEnvironment : exit_code::kNoCompile;
    }
    ProcessOptions p;
    p.argv = {target_binary(build_dir(ctx.course.root, BuildKind::kSim), target).string()};
    p.env = explorer_environment();
    if (!test_.empty()) p.env["CONCLAB_SIM_MATCH"] = test_;
    p.timeout = std::chrono::seconds(std::max(60, lab.timeout_seconds * 4));
    const ProcessResult r = run_process(p);
    if (r.interrupted) return exit_code::kInterrupted;
    print_run(name_the_lab(relative_paths(r.output, ctx.course.root), lab.id));
    if (r.output.find("[ RUN      ]") == std::string::npos) {
      fmt::print("No sim test of lab {} matches '{}'.\n", lab.id, test_);
      return exit_code::kUsage;
    }
    if (r.timed_out) {
      fmt::print("{}\n", out::red(fmt::format("The explorer did not finish in {} s: lower --preemptions, or use --random.",
                                              std::chrono::duration_cast<std::chrono::seconds>(p.timeout).count())));
      return exit_code::kNotPassed;
    }
    if (r.ok()) {
      fmt::print("\n{}\n", out::green(out::bold("Every schedule explored passes.")));
      return exit_code::kOk;
    }
    fmt::print("\n{}\n", out::red(out::bold("A schedule fails: read it step by step above.")));
    return exit_code::kNotPassed;
  }

  std::map<std::string, std::string> explorer_environment() const {
    std::map<std::string, std::string> env;
    if (preemptions_ >= 0) env["CONCLAB_SIM_PREEMPTIONS"] = std::to_string(preemptions_);
    if (random_ > 0) {
      env["CONCLAB_SIM_MODE"] = "random";
      env["CONCLAB_SIM_RUNS"] = std::to_string(random_);
    }
    if (seed_ > 0) env["CONCLAB_SIM_SEED"] = std::to_string(seed_);
    if (!replay_.empty()) env["CONCLAB_SIM_REPLAY"] = replay_;
    return env;
  }

  std::string lab_;
  std::string test_;
  std::string against_;
  int preemptions_ = -1;
  int random_ = 0;
  std::uint64_t seed_ = 0;
  std::string replay_;
};

}  // namespace

CONCLAB_REGISTER_COMMAND(ExploreCommand, "explore", "Run a lab's sim tests under the explorer: every schedule, or the failing one", 45)

}  // namespace conclab::commands
