#include "commands/registry.hpp"

#include <algorithm>

namespace conclab::commands {

namespace {

// A function-local static: registrations run from other files' static initialisers, in any order.
std::vector<CommandInfo>& registry() {
  static std::vector<CommandInfo> commands;
  return commands;
}

}  // namespace

bool register_command(const CommandInfo& info) {
  registry().push_back(info);
  return true;
}

std::vector<CommandInfo> registered_commands() {
  std::vector<CommandInfo> sorted = registry();
  std::stable_sort(sorted.begin(), sorted.end(), [](const CommandInfo& a, const CommandInfo& b) { return a.order < b.order; });
  return sorted;
}

}  // namespace conclab::commands
