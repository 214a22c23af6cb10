// What a command works on: the course, the learner's progress, and the options every command shares.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "model/course.hpp"
#include "model/state.hpp"

namespace conclab {

// The options of `conclab` itself, before the command name.
struct GlobalOptions {
  std::optional<std::filesystem::path> root;  // --root
  bool no_color = false;                      // --no-color
};

struct Context {
  Course course;
  State state;
  bool json = false;
};

// Finds and loads the course, and the learner's progress in it (a damaged state file is set aside, with a
// warning on stderr).
Context open_context(const GlobalOptions& global, bool json);

// The lab a learner is on: the first, in course order, that has not passed. Null when all have.
const Lab* current_lab(const Context& ctx);

// The named lab, or the current one when `id` is empty (a UserError when every lab is done).
const Lab& lab_or_current(const Context& ctx, const std::string& id);

// A path as the learner sees it: relative to the course root.
std::string shown_path(const Context& ctx, const std::filesystem::path& p);

}  // namespace conclab
