// Where the learner is: bare `conclab` (status), `list`, `next`, `progress`.
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "app/errors.hpp"
#include "commands/registry.hpp"
#include "ui/color.hpp"
#include "util/text.hpp"

namespace conclab::commands {

namespace {

using nlohmann::json;

std::string status_of(const Context& ctx, const Lab& lab) {
  const LabProgress* p = ctx.state.find(lab.id);
  if (p == nullptr || p->status == LabStatus::kNotStarted) return "not started";
  return p->status == LabStatus::kPassed ? "done" : "in progress";
}

std::string status_mark(const std::string& status) {
  if (status == "done") return out::green("[x]");
  if (status == "in progress") return out::yellow("[~]");
  return "[ ]";
}

int count_done(const Context& ctx, const std::string& module = {}) {
  return static_cast<int>(std::count_if(ctx.course.labs.begin(), ctx.course.labs.end(), [&](const Lab& l) {
    return (module.empty() || l.module == module) && ctx.state.passed(l.id);
  }));
}

int count_labs(const Context& ctx, const std::string& module) {
  return static_cast<int>(std::count_if(ctx.course.labs.begin(), ctx.course.labs.end(), [&](const Lab& l) { return l.module == module; }));
}

void print_lab_card(const Context& ctx, const Lab& lab) {
  fmt::print("  {} {}  {}\n", out::bold("Lab " + lab.id), out::bold(lab.title), out::dim(fmt::format("({}, ~{} min)", lab.difficulty, lab.minutes)));
  if (!lab.summary.empty()) fmt::print("  {}\n", lab.summary);
  fmt::print("\n");
  if (!lab.lesson.empty()) fmt::print("  1. Read   {}\n", lab.lesson);
  std::string files;
  for (const auto& f : lab.files) files += (files.empty() ? "" : ", ") + shown_path(ctx, lab.dir / f);
  fmt::print("  2. Edit   {}   {}\n", files, out::dim("(look for TODO(lab))"));
  fmt::print("  3. Check  {}   {}\n", out::cyan(fmt::format("./conclab check {}", lab.id)),
             out::dim(fmt::format("or ./conclab watch {} to re-check on every save", lab.id)));
  fmt::print("     Stuck? {}\n", out::cyan(fmt::format("./conclab hint {}", lab.id)));
}

json lab_json(const Context& ctx, const Lab& lab) {
  const LabProgress* p = ctx.state.find(lab.id);
  return {{"id", lab.id},
          {"slug", lab.slug},
          {"title", lab.title},
          {"module", lab.module},
          {"status", status_of(ctx, lab)},
          {"attempts", p ? p->attempts : 0},
          {"hints_shown", p ? p->hints_shown : 0},
          {"minutes", lab.minutes},
          {"difficulty", lab.difficulty},
          {"tags", lab.tags},
          {"lesson", lab.lesson},
          {"path", shown_path(ctx, lab.dir)}};
}

// The commands here differ only in what they print; --json where a script may want it.
class StatusFamily : public Command {
 public:
  explicit StatusFamily(bool json_option) : json_option_(json_option) {}
  void add_options(Options& app) override {
    if (json_option_) app.flag("--json", json_, "Machine-readable output");
  }
  int run(const GlobalOptions& global) override {
    Context ctx = open_context(global, json_);
    return show(ctx);
  }
  bool machine_output() const override { return json_; }

 protected:
  virtual int show(Context& ctx) = 0;
  bool json_ = false;

 private:
  bool json_option_;
};

class StatusCommand final : public StatusFamily {
 public:
  StatusCommand() : StatusFamily(false) {}

 private:
  int show(Context& ctx) override {
    const int total = static_cast<int>(ctx.course.labs.size());
    fmt::print("{}  {}\n\n", out::bold("conclab: C++ concurrency, one lab at a time"), out::progress_bar(count_done(ctx), total));
    if (total == 0) {
      fmt::print("This course has no labs yet.\n");
      return exit_code::kOk;
    }
    const Lab* lab = current_lab(ctx);
    if (lab == nullptr) {
      fmt::print("Every lab is done. Well done. `./conclab progress` shows your record; the interview module and the\n"
                 "capstones are good places to go back to.\n");
      return exit_code::kOk;
    }
    const LabProgress* p = ctx.state.find(lab->id);
    fmt::print("{} {}\n\n", p && p->attempts > 0 ? "You are working on" : "Next up, in", ctx.course.module_title(lab->module));
    print_lab_card(ctx, *lab);
    if (p && p->last_verdict) {
      fmt::print("\n  Last check: {} ({}).\n", verdict_name(*p->last_verdict), plural(p->attempts, "attempt"));
    }
    fmt::print("\n{}\n", out::dim("All labs: ./conclab list    Your progress: ./conclab progress    Help: ./conclab --help"));
    return exit_code::kOk;
  }
};

class ListCommand final : public StatusFamily {
 public:
  ListCommand() : StatusFamily(true) {}

 private:
  int show(Context& ctx) override {
    if (json_) {
      json j = {{"done", count_done(ctx)}, {"total", ctx.course.labs.size()}, {"labs", json::array()}};
      for (const auto& lab : ctx.course.labs) j["labs"].push_back(lab_json(ctx, lab));
      fmt::print("{}\n", j.dump(2));
      return exit_code::kOk;
    }
    fmt::print("{}  {}\n", out::bold("Labs"), out::progress_bar(count_done(ctx), static_cast<int>(ctx.course.labs.size())));
    const Lab* current = current_lab(ctx);
    for (const auto& m : ctx.course.modules) {
      fmt::print("\n{}  {}\n", out::bold(m.title), out::dim(fmt::format("{}/{}", count_done(ctx, m.name), count_labs(ctx, m.name))));
      for (const auto& lab : ctx.course.labs) {
        if (lab.module != m.name) continue;
        const bool interview = lab.has_tag("interview");
        fmt::print("  {} {:<6} {:<34} {}{}{}\n", status_mark(status_of(ctx, lab)), lab.id, lab.title,
                   out::dim(fmt::format("{:>3} min  {}", lab.minutes, lab.difficulty)), out::dim(interview ? " [interview]" : ""),
                   &lab == current ? out::cyan("  <- you are here") : "");
      }
    }
    return exit_code::kOk;
  }
};

class NextCommand final : public StatusFamily {
 public:
  NextCommand() : StatusFamily(true) {}

 private:
  int show(Context& ctx) override {
    const Lab* lab = current_lab(ctx);
    if (json_) {
      fmt::print("{}\n", lab ? lab_json(ctx, *lab).dump(2) : "null");
      return exit_code::kOk;
    }
    if (lab == nullptr) {
      fmt::print("Every lab is done.\n");
      return exit_code::kOk;
    }
    fmt::print("{}\n\n", ctx.course.module_title(lab->module));
    print_lab_card(ctx, *lab);
    return exit_code::kOk;
  }
};

class ProgressCommand final : public StatusFamily {
 public:
  ProgressCommand() : StatusFamily(true) {}

 private:
  int show(Context& ctx) override {
    int hints = 0, attempts = 0;
    for (const auto& lab : ctx.course.labs) {
      if (const LabProgress* p = ctx.state.find(lab.id)) {
        hints += p->hints_shown;
        attempts += p->attempts;
      }
    }
    const int done = count_done(ctx);
    const int total = static_cast<int>(ctx.course.labs.size());
    if (json_) return print_json(ctx, done, total, attempts, hints);
    fmt::print("{}  {}\n\n", out::bold("Your progress"), out::progress_bar(done, total));
    for (const auto& m : ctx.course.modules) {
      fmt::print("  {:<40} {}\n", m.title, out::progress_bar(count_done(ctx, m.name), count_labs(ctx, m.name), 12));
    }
    fmt::print("\n  {} checks run, {} hints used.\n", attempts, hints);
    for (const auto& lab : ctx.course.labs) {
      const LabProgress* p = ctx.state.find(lab.id);
      if (p == nullptr || p->status != LabStatus::kPassed) continue;
      fmt::print("  {} {} {}  {}\n", out::green("[x]"), lab.id, lab.title,
                 out::dim(fmt::format("passed {} after {}", p->passed_at, plural(p->attempts, "check"))));
    }
    return exit_code::kOk;
  }

  static int print_json(const Context& ctx, int done, int total, int attempts, int hints) {
    json j = {{"done", done}, {"total", total}, {"checks", attempts}, {"hints", hints}, {"modules", json::array()}};
    for (const auto& m : ctx.course.modules) {
      j["modules"].push_back({{"module", m.name}, {"title", m.title}, {"done", count_done(ctx, m.name)}, {"total", count_labs(ctx, m.name)}});
    }
    j["labs"] = json::array();
    for (const auto& lab : ctx.course.labs) j["labs"].push_back(lab_json(ctx, lab));
    fmt::print("{}\n", j.dump(2));
    return exit_code::kOk;
  }
};

}  // namespace

CONCLAB_REGISTER_COMMAND(StatusCommand, "status", "Where you are and what is next (the same as bare `conclab`)", 5)
CONCLAB_REGISTER_COMMAND(ListCommand, "list", "Every lab, grouped by module, with your status", 10)
CONCLAB_REGISTER_COMMAND(NextCommand, "next", "The next lab to do, and how to start it", 20)
CONCLAB_REGISTER_COMMAND(ProgressCommand, "progress", "Your progress through the course", 80)

}  // namespace conclab::commands
