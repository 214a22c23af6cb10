// `conclab reset LAB`: put a lab's files back to the starter, keeping the learner's version in a backup.
#include <fmt/format.h>

#include <utility>
#include <vector>

#include "app/errors.hpp"
#include "commands/registry.hpp"
#include "engine/process.hpp"
#include "util/files.hpp"

namespace conclab::commands {

namespace {

// The starter of each editable file, as git has it (HEAD). A UserError when there is no git history.
std::vector<std::pair<std::string, std::string>> starters_from_git(const Context& ctx, const Lab& lab) {
  std::vector<std::pair<std::string, std::string>> starters;
  for (const auto& f : lab.files) {
    ProcessOptions p;
    p.argv = {"git", "-C", ctx.course.root.string(), "show", "HEAD:" + shown_path(ctx, lab.dir / f)};
    p.timeout = std::chrono::seconds(20);
    const ProcessResult r = run_process(p);
    if (!r.ok()) {
      throw UserError(fmt::format("Cannot find the original starter of {}: this course folder is not a git checkout "
                                  "(or the file is new). Restore it from your course archive instead.",
                                  shown_path(ctx, lab.dir / f)),
                      exit_code::kEnvironment);
    }
    starters.emplace_back(f, r.output);
  }
  return starters;
}

class ResetCommand final : public Command {
 public:
  void add_options(Options& app) override { app.option("lab", lab_, "Lab id").required(); }

  int run(const GlobalOptions& global) override {
    Context ctx = open_context(global, false);
    const Lab& lab = ctx.course.get(lab_);
    const auto starters = starters_from_git(ctx, lab);
    const fs::path backup = ctx.course.root / ".conclab" / "backups" / fmt::format("{}-{}", lab.id, utc_now().substr(0, 19));
    fs::create_directories(backup);
    for (const auto& [f, text] : starters) {
      const fs::path target = lab.dir / f;
      if (fs::exists(target)) fs::copy_file(target, backup / f, fs::copy_options::overwrite_existing);
      write_text_atomically(target, text);
    }
    fmt::print("Lab {} is back to its starter. Your version is kept in {}\n", lab.id, shown_path(ctx, backup));
    return exit_code::kOk;
  }

 private:
  std::string lab_;
};

}  // namespace

CONCLAB_REGISTER_COMMAND(ResetCommand, "reset", "Put a lab's files back to the starter (your version is backed up)", 70)

}  // namespace conclab::commands
