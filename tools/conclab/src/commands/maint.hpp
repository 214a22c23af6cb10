// The maintainers' family, `conclab maint ...`: the lab contract (verify), lint, PROGRESS.md, the lab facts
// the build and the scripts read (labs), and a new lab from the contract (new-lab). Registered in
// commands/maint.cpp; each subcommand is implemented in its own file.
#pragma once

#include <filesystem>
#include <string>

#include "app/context.hpp"
#include "engine/build.hpp"

namespace conclab::commands {

// commands/maint_verify.cpp: applies the lab contract to one implementation in an already-built tree.
int maint_verify(Context& ctx, const std::string& lab, const std::string& variant, const std::filesystem::path& tree);

// commands/maint_new_lab.cpp: scaffolds a lab from the contract; returns the exit code.
struct NewLabArgs {
  std::string id;     // "03.02" or "P04"
  std::string slug;   // "transfer-deadlock"
  std::string title;  // default: from the slug
  std::string file;   // the editable header; default: <slug with _>.hpp
};
int maint_new_lab(Context& ctx, const NewLabArgs& args);

// commands/maint.cpp
int maint_lint(Context& ctx);
std::string render_progress_md(const Context& ctx);
int maint_progress_md(Context& ctx, bool check);

}  // namespace conclab::commands
