// The commands of conclab. Each returns the process exit code (see course.hpp, exit_code).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "course.hpp"
#include "state.hpp"

namespace conclab {

struct Context {
  Course course;
  State state;
  bool json = false;
};

Context open_context(const std::optional<std::filesystem::path>& root, bool json);

// The lab a learner is on: the first, in course order, that has not passed. Null when all have.
const Lab* current_lab(const Context& ctx);

int cmd_status(Context& ctx);
int cmd_list(Context& ctx);
int cmd_next(Context& ctx);

struct CheckArgs {
  std::string lab;            // empty: the current lab
  std::string against;        // empty: the learner's code; else naive/improved/final
  bool tsan = true;
  bool verbose = false;
};
int cmd_check(Context& ctx, const CheckArgs& args);

struct WatchArgs {
  std::string lab;
  int interval_ms = 500;
  int debounce_ms = 300;
  int max_checks = 0;         // 0: until Ctrl-C (tests use a small number)
  bool tsan = true;
};
int cmd_watch(Context& ctx, const WatchArgs& args);

int cmd_hint(Context& ctx, const std::string& lab, bool all);
int cmd_solution(Context& ctx, const std::string& lab, const std::string& variant, bool force);
int cmd_reset(Context& ctx, const std::string& lab);
int cmd_progress(Context& ctx);

}  // namespace conclab
