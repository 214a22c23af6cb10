// `conclab gradebook export`: the SQLite gradebook that `conclab grade` fills, as CSV or JSON.
#include <fmt/format.h>

#include "app/errors.hpp"
#include "commands/registry.hpp"
#include "grading/gradebook.hpp"
#include "util/files.hpp"

namespace conclab::commands {

namespace {

// `--lab 1.3` or `--lab parallel-sum` means the lab's id, as everywhere else, when a course is at hand; without
// one (a gradebook copied elsewhere) the text is taken as the id.
std::string lab_id_for_export(const std::string& lab, const GlobalOptions& global) {
  if (lab.empty()) return lab;
  try {
    return load_course(find_course_root(global.root)).get(lab).id;
  } catch (const UserError&) {
    return lab;
  }
}

class GradebookCommand final : public Command {
 public:
  void add_options(Options& app) override {
    app.require_subcommand();
    auto e = app.subcommand("export", "Print the gradebook as CSV or JSON: latest score per learner and lab");
    e.option("--db", db_, "The gradebook (default: grades/gradebook.sqlite)");
    e.option("--lab", lab_, "One lab: one column per test (its latest grading per learner)");
    e.option("--format", format_, "csv or json (default csv)").one_of({"csv", "json"});
    e.option("--out", out_, "Write to this file instead of standard output");
    e.flag("--history", history_, "Every grading of every learner instead of the latest");
  }

  int run(const GlobalOptions& global) override {
    grading::GradebookExport o;
    o.db = db_;
    o.lab = lab_id_for_export(lab_, global);
    o.format = format_;
    o.history = history_;
    const std::string text = grading::gradebook_export(o);
    if (out_.empty()) {
      fmt::print("{}", text);
    } else {
      write_text_atomically(out_, text);
    }
    return exit_code::kOk;
  }

 private:
  std::string db_ = "grades/gradebook.sqlite";
  std::string lab_;
  std::string format_ = "csv";
  std::string out_;
  bool history_ = false;
};

}  // namespace

CONCLAB_REGISTER_COMMAND(GradebookCommand, "gradebook", "Instructors: the SQLite gradebook that `conclab grade` fills", 130)

}  // namespace conclab::commands
