#include "app/context.hpp"

#include <fmt/format.h>

#include <iostream>

#include "app/errors.hpp"
#include "ui/color.hpp"

namespace conclab {

Context open_context(const GlobalOptions& global, bool json) {
  const std::filesystem::path root = find_course_root(global.root);
  Context ctx{load_course(root), State::load(root), json};
  if (ctx.state.warning()) {
    std::cerr << out::yellow("warning: ") << *ctx.state.warning() << "\n";
    ctx.state.save();
  }
  return ctx;
}

const Lab* current_lab(const Context& ctx) {
  for (const auto& lab : ctx.course.labs) {
    if (!ctx.state.passed(lab.id)) return &lab;
  }
  return nullptr;
}

const Lab& lab_or_current(const Context& ctx, const std::string& id) {
  if (!id.empty()) return ctx.course.get(id);
  const Lab* lab = current_lab(ctx);
  if (lab == nullptr) {
    throw UserError("Every lab is done, so there is no current lab: name one, e.g. `conclab check 00.01`.", exit_code::kUsage);
  }
  return *lab;
}

std::string shown_path(const Context& ctx, const std::filesystem::path& p) {
  return std::filesystem::relative(p, ctx.course.root).string();
}

}  // namespace conclab
