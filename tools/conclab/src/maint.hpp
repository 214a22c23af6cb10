// Commands for course maintainers and CI (`conclab maint ...`): the lab contract, lint, PROGRESS.md.
#pragma once

#include <filesystem>
#include <string>

#include "commands.hpp"

namespace conclab {

// Exit code for "not applicable in this tree" (CTest's SKIP_RETURN_CODE).
inline constexpr int kSkipped = 77;

// Applies the lab contract to one implementation in an already-built tree.
int cmd_maint_verify(Context& ctx, const std::string& lab, const std::string& variant, const std::filesystem::path& tree);
int cmd_maint_lint(Context& ctx);
// Writes PROGRESS.md (or, with check, fails when it differs from what the labs on disk produce).
int cmd_maint_progress_md(Context& ctx, bool check);
std::string render_progress_md(const Context& ctx);

}  // namespace conclab
