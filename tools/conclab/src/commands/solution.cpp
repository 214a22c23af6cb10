// `conclab solution LAB`: a reference version and how it differs from the learner's (after the lab passes).
#include <fmt/format.h>

#include <algorithm>

#include "app/errors.hpp"
#include "commands/registry.hpp"
#include "engine/process.hpp"
#include "ui/color.hpp"
#include "util/files.hpp"

namespace conclab::commands {

namespace {

void show_file(const Context& ctx, const Lab& lab, const std::string& variant, const std::string& file) {
  const fs::path ref = lab.impl_dir(variant) / file;
  fmt::print("\n{}\n{}\n", out::cyan(fmt::format("=== {} ===", shown_path(ctx, ref))), read_text(ref));
  ProcessOptions p;
  p.argv = {"diff", "-u", "--label", "yours: " + shown_path(ctx, lab.dir / file), "--label", fmt::format("{}: {}", variant, file),
            (lab.dir / file).string(), ref.string()};
  p.timeout = std::chrono::seconds(10);
  const ProcessResult d = run_process(p);
  if (d.exit_code == 0) {
    fmt::print("{}\n", out::dim("(identical to yours)"));
  } else {
    fmt::print("{}\n{}\n", out::cyan(fmt::format("=== what differs from yours ({}) ===", file)), d.output);
  }
}

class SolutionCommand final : public Command {
 public:
  void add_options(Options& app) override {
    app.option("lab", lab_, "Lab id").required();
    app.option("--variant", variant_, "naive, improved or final (default: final)");
    app.flag("--force", force_, "Show it even though the lab has not passed");
  }

  int run(const GlobalOptions& global) override {
    Context ctx = open_context(global, false);
    const Lab& lab = ctx.course.get(lab_);
    if (!variant_.empty() && !is_reference_variant(variant_)) {
      throw UserError(fmt::format("'{}' is not a reference version: use naive, improved or final.", variant_), exit_code::kUsage);
    }
    if (!lab.has_solutions()) {
      throw UserError(fmt::format("This copy of the course has no solutions for lab {}: it is a student release. Your instructor has "
                                  "the reference versions.",
                                  lab.id),
                      exit_code::kUsage);
    }
    if (!ctx.state.passed(lab.id) && !force_) {
      throw UserError(fmt::format("Lab {} has not passed yet, so its solutions stay closed: finish it (./conclab check {}), "
                                  "or add --force if you really want to look.",
                                  lab.id, lab.id),
                      exit_code::kUsage);
    }
    const std::string variant = variant_.empty() ? "final" : variant_;
    const auto it = lab.variants.find(variant);
    fmt::print("{}  {}\n", out::bold(fmt::format("Lab {}: the {} version", lab.id, variant)), it != lab.variants.end() ? it->second.summary : "");
    for (const auto& f : lab.files) show_file(ctx, lab, variant, f);
    if (variant_.empty()) {
      fmt::print("{}\n", out::dim(fmt::format("The others: ./conclab solution {} --variant naive|improved. "
                                              "Benchmark them against yours: ./conclab bench {}",
                                              lab.id, lab.id)));
    }
    return exit_code::kOk;
  }

 private:
  std::string lab_;
  std::string variant_;
  bool force_ = false;
};

}  // namespace

CONCLAB_REGISTER_COMMAND(SolutionCommand, "solution", "Show a reference version and how it differs from yours (after you pass)", 60)

}  // namespace conclab::commands
