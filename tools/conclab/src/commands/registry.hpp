// The commands of conclab. Each lives in one file of commands/ (or a family, such as `maint`, in a few) and
// registers itself there with CONCLAB_REGISTER_COMMAND: its name, its help line, its place in `--help`, and
// a class that adds its options and runs it. main.cpp only walks the registry.
//
//   class HintCommand final : public Command {
//    public:
//     void add_options(Options& app) override { app.option("lab", lab_, "Lab id"); }
//     int run(const GlobalOptions& global) override { ... return exit_code::kOk; }
//    private:
//     std::string lab_;
//   };
//   CONCLAB_REGISTER_COMMAND(HintCommand, "hint", "Reveal the next hint for a lab", 50);
//
// The files of commands/ are linked as an object library (tools/conclab/CMakeLists.txt), so a registration
// is never dropped by the linker.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "app/context.hpp"
#include "commands/options.hpp"

namespace conclab::commands {

class Command {
 public:
  virtual ~Command() = default;
  // Declares this command's options (and subcommands, for a family).
  virtual void add_options(Options& app) = 0;
  // Runs the command after a successful parse; returns the process exit code (app/errors.hpp).
  virtual int run(const GlobalOptions& global) = 0;
  // True when the command was asked for machine-readable output (--json): no colour then.
  virtual bool machine_output() const { return false; }
};

struct CommandInfo {
  std::string_view name;  // as typed: `conclab <name>`
  std::string_view help;  // one line for `conclab --help`
  int order = 0;          // place in `conclab --help`, smallest first
  std::unique_ptr<Command> (*make)() = nullptr;
};

// Called once per command, from a static initialiser (use the macro). Returns true.
bool register_command(const CommandInfo& info);

// Every registered command, in `--help` order.
std::vector<CommandInfo> registered_commands();

// The command bare `conclab` runs.
inline constexpr std::string_view kDefaultCommand = "status";

}  // namespace conclab::commands

#define CONCLAB_REGISTER_COMMAND(Type, name, help, order)                                                      \
  namespace {                                                                                                 \
  [[maybe_unused]] const bool registered_##Type = ::conclab::commands::register_command(                     \
      {name, help, order, []() -> std::unique_ptr<::conclab::commands::Command> { return std::make_unique<Type>(); }}); \
  }
